package graph

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// mapOf builds a map with the given one-dimensional weights.
func mapOf(t *testing.T, g Grid, w ...float64) *Map {
	t.Helper()
	m, err := New(Config{Grid: g, Dim: 1, Dtype: allDtypes[1]})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMetricsKnownAnswers(t *testing.T) {
	line := Grid{Rows: 1, Cols: 3}
	ring := Grid{Rows: 1, Cols: 3, Toroidal: true}
	square := Grid{Rows: 2, Cols: 2}
	hex := Grid{Rows: 2, Cols: 2, Topology: Hexagonal}
	cases := []struct {
		name  string
		m     *Map
		data  []float64
		sigma float64
		want  Metrics
	}{
		{"exact hits", mapOf(t, line, 0, 1, 2), []float64{0, 1, 2}, 1,
			Metrics{QE: 0, TE: 0, Distortion: distortionLine(), DeadUnits: 0}},
		// 0.2: best unit 0 (0.2), second unit 2 (0.8): not neighbours on a
		// line, neighbours on a ring. Unit 1 is dead.
		{"line TE", mapOf(t, line, 0, 5, 1), []float64{0.2}, 0.1,
			Metrics{QE: 0.2, TE: 1, Distortion: 0.04, DeadUnits: 2.0 / 3}},
		{"ring TE", mapOf(t, ring, 0, 5, 1), []float64{0.2}, 0.1,
			Metrics{QE: 0.2, TE: 0, Distortion: 0.04, DeadUnits: 2.0 / 3}},
		// Units 1 and 2 are diagonal: neighbours on a hex grid only.
		{"square diagonal", mapOf(t, square, 0, 1, 1.5, 9), []float64{1.2}, 0.1,
			Metrics{QE: 0.2, TE: 1, Distortion: 0.04, DeadUnits: 0.75}},
		{"hex diagonal", mapOf(t, hex, 0, 1, 1.5, 9), []float64{1.2}, 0.1,
			Metrics{QE: 0.2, TE: 0, Distortion: 0.04 + math.Exp(-1/(2*0.01))*0.09, DeadUnits: 0.75}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.m.Evaluate(c.data, c.sigma)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got, want float64) {
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("%s = %.12g, want %.12g", what, got, want)
				}
			}
			check("QE", got.QE, c.want.QE)
			check("TE", got.TE, c.want.TE)
			check("Distortion", got.Distortion, c.want.Distortion)
			check("DeadUnits", got.DeadUnits, c.want.DeadUnits)
		})
	}
}

// distortionLine is the distortion of map (0, 1, 2) on data (0, 1, 2) at
// σ = 1: for each record, Σ_k exp(−gridDist²/2)·(x − w_k)².
func distortionLine() float64 {
	w := []float64{0, 1, 2}
	var s float64
	for j, x := range w {
		for k, wk := range w {
			g := float64(j - k)
			s += math.Exp(-g*g/2) * (x - wk) * (x - wk)
		}
	}
	return s / 3
}

func TestMetricsBadInput(t *testing.T) {
	m := mapOf(t, Grid{Rows: 1, Cols: 2}, 0, 1)
	for name, data := range map[string][]float64{
		"empty": nil, "NaN": {0, math.NaN()}, "Inf": {math.Inf(-1)},
	} {
		if _, err := m.Evaluate(data, 1); err == nil {
			t.Errorf("Evaluate(%s): want an error", name)
		}
		if _, _, err := m.Predict(data); err == nil {
			t.Errorf("Predict(%s): want an error", name)
		}
	}
	if _, err := m.Evaluate([]float64{1}, 0); err == nil {
		t.Error("Evaluate with σ = 0: want an error")
	}
	m2, _ := New(Config{Grid: Grid{Rows: 1, Cols: 2}, Dim: 3})
	if _, _, err := m2.Predict([]float64{1, 2}); err == nil {
		t.Error("Predict with 2 values for dimension 3: want an error")
	}
}

// TestEvaluateSearch checks that EvaluateSearch gives Evaluate's QE, TE
// and dead units bit for bit, with no distortion, over several chunks (of
// different sizes where EvaluateSearch runs the fused search), in both
// dtypes, and refuses what Evaluate refuses.
func TestEvaluateSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, dt := range allDtypes {
		m, _ := New(Config{Grid: Grid{Rows: 4, Cols: 5}, Dim: 3, Dtype: dt})
		m.SetWeights(randVals(rng, 60))
		// Two whole chunks and a part of either search (Evaluate's
		// distance node and EvaluateSearch's, fused in float32).
		chunk := max(DefaultSearchChunk, m.cfg.SearchChunk())
		data := randVals(rng, 3*(2*chunk+5))
		want, err := m.Evaluate(data, 1.3)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.EvaluateSearch(data)
		if err != nil {
			t.Fatal(err)
		}
		want.Distortion = 0
		if got != want || got.QE == 0 || got.DeadUnits == 1 {
			t.Errorf("%v: EvaluateSearch %+v, Evaluate %+v", dt, got, want)
		}
	}
	m := mapOf(t, Grid{Rows: 1, Cols: 2}, 0, 1)
	for _, data := range [][]float64{nil, {0, math.NaN()}, {math.Inf(1)}} {
		if _, err := m.EvaluateSearch(data); err == nil {
			t.Errorf("EvaluateSearch(%v): want an error", data)
		}
	}
}

func TestPredictChunks(t *testing.T) {
	// More records than one chunk, so the chunked search and its last,
	// smaller chunk are both used.
	rng := rand.New(rand.NewPCG(3, 3))
	m, _ := New(Config{Grid: Grid{Rows: 3, Cols: 3}, Dim: 2, Dtype: allDtypes[1]})
	m.SetWeights(randVals(rng, 18))
	data := randVals(rng, 2*(m.cfg.SearchChunk()+17))
	bmu, dist, err := m.Predict(data)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Weights()
	for i := range bmu {
		want, _ := refBMU(Euclidean, data[2*i:2*i+2], w, 2)
		if bmu[i] != want || math.Abs(dist[i]-math.Sqrt(refDist(Euclidean, data[2*i:2*i+2], w[2*want:2*want+2]))) > 1e-9 {
			t.Fatalf("record %d: BMU %d dist %g, reference %d", i, bmu[i], dist[i], want)
		}
	}
}

// TestStatsDistortion checks the distortion from per-unit sums against
// Evaluate's per-record computation, on every grid.
func TestStatsDistortion(t *testing.T) {
	for _, g := range allGrids {
		for _, dt := range allDtypes {
			t.Run(g.String()+"/"+dt.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(11, 11))
				m, _ := New(Config{Grid: g, Dim: 4, Dtype: dt})
				m.SetWeights(roundTo(dt, randVals(rng, g.Units()*4)))
				data := roundTo(dt, randVals(rng, 4*300))
				want, err := m.Evaluate(data, 1.5)
				if err != nil {
					t.Fatal(err)
				}
				bmu, _, _ := m.Predict(data)
				s := m.NewStats()
				s.Add(denseOf(dt, 300, 4, data), bmu)
				got, err := s.Distortion(1.5)
				if err != nil {
					t.Fatal(err)
				}
				got /= float64(s.Records())
				tol := 1e-5
				if dt == tensor.Float64 {
					tol = 1e-9
				}
				if math.Abs(got-want.Distortion) > tol*want.Distortion {
					t.Errorf("from sums %.9g, per record %.9g", got, want.Distortion)
				}
				if _, err := s.DistortionBefore(); err == nil {
					t.Error("DistortionBefore with no update: want an error")
				}
				// Both updates measure the distortion of the codebook they
				// replace on the way.
				for _, batch := range []bool{false, true} {
					m2, _ := New(Config{Grid: g, Dim: 4, Dtype: dt})
					m2.SetWeights(m.Weights())
					s2 := m2.NewStats()
					s2.Add(denseOf(dt, 300, 4, data), bmu)
					if batch {
						err = m2.UpdateBatch(s2, 1.5)
					} else {
						err = m2.UpdateMiniBatch(s2, 0.3, 1.5)
					}
					if err != nil {
						t.Fatal(err)
					}
					before, err := s2.DistortionBefore()
					if err != nil {
						t.Fatal(err)
					}
					if before /= float64(s2.Records()); math.Abs(before-want.Distortion) > tol*want.Distortion {
						t.Errorf("batch %v: measured by the update %.9g, per record %.9g", batch, before, want.Distortion)
					}
					if slices.Equal(m2.Weights(), m.Weights()) {
						t.Errorf("batch %v: the update left the codebook unchanged", batch)
					}
				}
			})
		}
	}
	m, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 2, Distance: Manhattan})
	if _, err := m.NewStats().Distortion(1); err == nil {
		t.Error("Manhattan: want an error")
	}
	if _, err := m.NewStats().DistortionBefore(); err == nil {
		t.Error("Manhattan: DistortionBefore: want an error")
	}
}

// TestMetricsAccChunkIndependent checks that MetricsAcc's totals are the
// same bits however the records were split into searches (chunks that are
// multiples of sumBlock, and a shorter last one) and over however many
// cores, in both dtypes and with and without the distortion.
func TestMetricsAccChunkIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n, d = 3000, 5
	data := randVals(rng, n*d)
	for _, dt := range allDtypes {
		m, _ := New(Config{Grid: Grid{Rows: 6, Cols: 7}, Dim: d, Dtype: dt})
		m.SetWeights(randVals(rng, 42*d))
		eval := func(chunk int, distortion bool) Metrics {
			acc := m.NewMetricsAcc()
			for lo := 0; lo < n; lo += chunk {
				b := min(chunk, n-lo)
				f, err := m.NewSearch(b)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.Search(denseOf(dt, b, d, data[lo*d:(lo+b)*d])); err != nil {
					t.Fatal(err)
				}
				if distortion {
					acc.Add(f, 1.5)
				} else {
					acc.AddWithoutDistortion(f)
				}
			}
			return acc.Metrics()
		}
		for _, distortion := range []bool{false, true} {
			want := eval(n, distortion)
			if want.QE == 0 || distortion && want.Distortion == 0 {
				t.Fatalf("%v: degenerate metrics %+v", dt, want)
			}
			for _, chunk := range []int{sumBlock, 2 * sumBlock, 1024, 2048} {
				if got := eval(chunk, distortion); got != want {
					t.Errorf("%v distortion %t: chunks of %d give %+v, one search %+v", dt, distortion, chunk, got, want)
				}
			}
			was := runtime.GOMAXPROCS(1)
			got := eval(1024, distortion)
			runtime.GOMAXPROCS(was)
			if got != want {
				t.Errorf("%v distortion %t: on one core %+v, on %d %+v", dt, distortion, got, was, want)
			}
		}
	}
}
