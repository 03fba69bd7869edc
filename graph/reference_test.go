package graph

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// The plain-Go reference implementation the graph is checked against:
// direct loops over records and units, in float64, with no shared code.

func refDist(metric Distance, x, w []float64) float64 {
	switch metric {
	case Euclidean:
		var s float64
		for i := range x {
			s += (x[i] - w[i]) * (x[i] - w[i])
		}
		return s
	case Cosine:
		var dot, nx, nw float64
		for i := range x {
			dot += x[i] * w[i]
			nx += x[i] * x[i]
			nw += w[i] * w[i]
		}
		if nx == 0 || nw == 0 {
			return 1
		}
		return 1 - dot/math.Sqrt(nx*nw)
	case Manhattan:
		var s float64
		for i := range x {
			s += math.Abs(x[i] - w[i])
		}
		return s
	}
	panic("unknown metric")
}

// refBMU returns the best and second-best unit and the gap between them.
func refBMU(metric Distance, x, w []float64, d int) (best int, gap float64) {
	bv, sv := math.Inf(1), math.Inf(1)
	for k := 0; k < len(w)/d; k++ {
		v := refDist(metric, x, w[k*d:(k+1)*d])
		if v < bv {
			sv, bv, best = bv, v, k
		} else if v < sv {
			sv = v
		}
	}
	return best, sv - bv
}

func refHood(n Neighborhood, g Grid, a, b int, sigma float64) float64 {
	d := g.Dist(a, b)
	switch n {
	case Gaussian:
		return math.Exp(-d * d / (2 * sigma * sigma))
	case Bubble:
		if d <= sigma {
			return 1
		}
		return 0
	case MexicanHat:
		return (1 - d*d/(sigma*sigma)) * math.Exp(-d*d/(2*sigma*sigma))
	case Triangle:
		return math.Max(0, 1-d/sigma)
	}
	panic("unknown neighborhood")
}

func refUpdate(batch bool, n Neighborhood, g Grid, w, x []float64, bmu []int, d int, alpha, sigma float64) []float64 {
	k := len(w) / d
	out := append([]float64(nil), w...)
	for u := 0; u < k; u++ {
		num := make([]float64, d)
		var den float64
		for b, j := range bmu {
			h := refHood(n, g, j, u, sigma)
			den += h
			for f := 0; f < d; f++ {
				if batch {
					num[f] += h * x[b*d+f]
				} else {
					num[f] += h * (x[b*d+f] - w[u*d+f])
				}
			}
		}
		for f := 0; f < d; f++ {
			if batch {
				if den > 1e-12 {
					out[u*d+f] = num[f] / den
				}
			} else {
				out[u*d+f] += alpha / float64(len(bmu)) * num[f]
			}
		}
	}
	return out
}

func randVals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func denseOf(dt tensor.Dtype, rows, cols int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(append([]float64(nil), v...)))
}

func toF64(t *tensor.Dense) []float64 {
	switch v := t.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), v...)
	}
	panic("dtype")
}

// roundTo returns v as the map's dtype would store it.
func roundTo(dt tensor.Dtype, v []float64) []float64 {
	out := append([]float64(nil), v...)
	if dt == tensor.Float32 {
		for i, x := range out {
			out[i] = float64(float32(x))
		}
	}
	return out
}

var (
	allGrids = []Grid{
		{Rows: 4, Cols: 5},
		{Rows: 4, Cols: 5, Toroidal: true},
		{Rows: 4, Cols: 5, Topology: Hexagonal},
		{Rows: 4, Cols: 5, Topology: Hexagonal, Toroidal: true},
	}
	allDistances     = []Distance{Euclidean, Cosine, Manhattan}
	allNeighborhoods = []Neighborhood{Gaussian, Bubble, MexicanHat, Triangle}
	allDtypes        = []tensor.Dtype{tensor.Float32, tensor.Float64}
)

// TestForwardMatchesReference checks BMUs, distances, the distinct BMUs,
// the neighbourhood rows and the neighbourhood-weighted sums of the whole
// graph against the reference for every distance, neighbourhood, topology
// and dtype, on random data with planted ties (duplicate units and records
// equal to a unit).
func TestForwardMatchesReference(t *testing.T) {
	const b, d = 33, 6
	for _, g := range allGrids {
		for _, metric := range allDistances {
			for _, hood := range allNeighborhoods {
				for _, dt := range allDtypes {
					name := fmt.Sprintf("%v/%v/%v/%v", g, metric, hood, dt)
					t.Run(name, func(t *testing.T) {
						rng := rand.New(rand.NewPCG(1, uint64(len(name))))
						m, err := New(Config{Grid: g, Dim: d, Distance: metric, Neighborhood: hood, Dtype: dt})
						if err != nil {
							t.Fatal(err)
						}
						k := g.Units()
						w := randVals(rng, k*d)
						copy(w[7*d:8*d], w[3*d:4*d])   // units 3 and 7 tie
						copy(w[12*d:13*d], w[2*d:3*d]) // units 2 and 12 tie
						x := randVals(rng, b*d)
						copy(x[0:d], w[3*d:4*d]) // record 0 equals tied units 3 and 7
						copy(x[d:2*d], w[2*d:3*d])
						w, x = roundTo(dt, w), roundTo(dt, x)
						if err := m.SetWeights(w); err != nil {
							t.Fatal(err)
						}
						f, err := m.NewForward(b)
						if err != nil {
							t.Fatal(err)
						}
						const sigma = 1.7
						if err := f.Run(denseOf(dt, b, d, x), sigma); err != nil {
							t.Fatal(err)
						}
						bmu := f.BMU()
						// float32 distances through the GEMM expansion carry rounding error of
						// order 1e-6·‖x‖²; near-ties within it may break either way.
						tol := 1e-9
						if dt == tensor.Float32 {
							tol = 1e-4
						}
						for i := 0; i < b; i++ {
							want, gap := refBMU(metric, x[i*d:(i+1)*d], w, d)
							if bmu[i] != want && gap > tol {
								t.Errorf("record %d: BMU %d, reference %d (gap %g)", i, bmu[i], want, gap)
							}
							wantD := refDist(metric, x[i*d:(i+1)*d], w[bmu[i]*d:(bmu[i]+1)*d])
							if metric == Euclidean {
								wantD = math.Sqrt(wantD)
							}
							// The distance to the BMU is recomputed exactly for Euclidean;
							// the others come from the float32 distance matrix.
							dtol := 1e-3
							if metric == Euclidean || dt == tensor.Float64 {
								dtol = 1e-9
							}
							if got := f.MinDist()[i]; math.Abs(got-wantD) > dtol*math.Max(1, wantD) {
								t.Errorf("record %d: distance %g, reference %g", i, got, wantD)
							}
						}
						for i, want := range []int{3, 2} {
							if metric != Cosine && bmu[i] != want {
								t.Errorf("planted tie: record %d has BMU %d, want the lower unit %d", i, bmu[i], want)
							}
						}
						checkHood(t, f, hood, g, x, d, sigma, dt)
					})
				}
			}
		}
	}
}

// checkHood checks the graph's distinct BMUs, neighbourhood rows and
// neighbourhood-weighted sums after a Run of x against the reference: the
// units must be the distinct BMUs in order of first record, row i of the
// neighbourhood h(gridDist(units[i], k), σ) with zero rows after them, and
// row k of the sums Σ_b H[b,k]·[x_b, 1, ‖x_b‖²] over the B×K matrix H the
// reference builds record by record.
func checkHood(t *testing.T, f *Forward, hood Neighborhood, g Grid, x []float64, d int, sigma float64, dt tensor.Dtype) {
	t.Helper()
	bmu, k := f.BMU(), g.Units()
	var want []int
	for _, j := range bmu {
		if !slices.Contains(want, j) {
			want = append(want, j)
		}
	}
	if !slices.Equal(f.Units(), want) {
		t.Fatalf("units %v, want the distinct BMUs %v", f.Units(), want)
	}
	tol := 1e-12
	if dt == tensor.Float32 {
		tol = 1e-6
	}
	h := toF64(f.Neighborhoods())
	if rows := len(h) / k; rows != min(len(bmu), k) {
		t.Fatalf("neighbourhood of %d rows, want min(B, K) = %d", rows, min(len(bmu), k))
	}
	for i := range len(h) / k {
		for u := 0; u < k; u++ {
			want := 0.0
			if i < len(f.Units()) {
				want = refHood(hood, g, f.Units()[i], u, sigma)
			}
			if got := h[i*k+u]; math.Abs(got-want) > tol {
				t.Fatalf("neighbourhood row %d (unit %d), column %d = %g, reference %g", i, f.Units()[i], u, got, want)
			}
		}
	}
	num := toF64(f.WeightedSums())
	for u := 0; u < k; u++ {
		ref := make([]float64, d+2)
		for b, j := range bmu {
			hv := refHood(hood, g, j, u, sigma)
			var sq float64
			for c := 0; c < d; c++ {
				ref[c] += hv * x[b*d+c]
				sq += x[b*d+c] * x[b*d+c]
			}
			ref[d] += hv
			ref[d+1] += hv * sq
		}
		if f.m.cfg.Distance != Euclidean {
			ref[d+1] = 0 // the squared norms serve only the Euclidean distortion
		}
		for c, want := range ref {
			if got := num[u*(d+2)+c]; math.Abs(got-want) > 10*tol*math.Max(1, math.Abs(want)) {
				t.Fatalf("weighted sums of unit %d, column %d: %g, reference %g", u, c, got, want)
			}
		}
	}
}

// TestUpdateMatchesReference applies one mini-batch step and one batch step
// through every path that updates a codebook, and compares every weight
// with the reference: Stats.Add with Map.UpdateMiniBatch or UpdateBatch
// (two halves, to exercise accumulation), Forward.SearchInto with
// UpdateBatch (the Batch-mode training path, two halves), and Forward.Run
// with Forward.UpdateMiniBatch (the mini-batch training path).
func TestUpdateMatchesReference(t *testing.T) {
	const b, d = 40, 5
	for _, g := range allGrids {
		for _, hood := range allNeighborhoods {
			for _, dt := range allDtypes {
				for _, batch := range []bool{false, true} {
					name := fmt.Sprintf("%v/%v/%v/batch=%v", g, hood, dt, batch)
					t.Run(name, func(t *testing.T) {
						rng := rand.New(rand.NewPCG(2, uint64(len(name))))
						m, err := New(Config{Grid: g, Dim: d, Neighborhood: hood, Dtype: dt})
						if err != nil {
							t.Fatal(err)
						}
						w := roundTo(dt, randVals(rng, g.Units()*d))
						x := roundTo(dt, randVals(rng, b*d))
						m.SetWeights(w)
						f, _ := m.NewForward(b)
						xt := denseOf(dt, b, d, x)
						const alpha, sigma = 0.5, 1.3
						if err := f.Search(xt); err != nil {
							t.Fatal(err)
						}
						bmu := append([]int(nil), f.BMU()...)
						want := refUpdate(batch, hood, g, w, x, bmu, d, alpha, sigma)
						tol := 1e-10
						if dt == tensor.Float32 {
							tol = 1e-5
						}
						check := func(path string) {
							t.Helper()
							got := m.Weights()
							for i := range want {
								if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
									t.Fatalf("%s: weight %d (unit %d): %g, reference %g", path, i, i/d, got[i], want[i])
								}
							}
							m.SetWeights(w)
						}
						s := m.NewStats()
						// Two halves, to exercise accumulation across batches.
						if err := s.Add(denseOf(dt, b/2, d, x[:b/2*d]), bmu[:b/2]); err != nil {
							t.Fatal(err)
						}
						if err := s.Add(denseOf(dt, b/2, d, x[b/2*d:]), bmu[b/2:]); err != nil {
							t.Fatal(err)
						}
						if batch {
							err = m.UpdateBatch(s, sigma)
						} else {
							err = m.UpdateMiniBatch(s, alpha, sigma)
						}
						if err != nil {
							t.Fatal(err)
						}
						check("Stats.Add")
						if batch {
							half, _ := m.NewSearch(b / 2)
							s.Reset()
							for _, lo := range []int{0, b / 2} {
								if err := half.SearchInto(denseOf(dt, b/2, d, x[lo*d:(lo+b/2)*d]), s); err != nil {
									t.Fatal(err)
								}
							}
							if err := m.UpdateBatch(s, sigma); err != nil {
								t.Fatal(err)
							}
							check("SearchInto")
							return
						}
						if err := f.Run(xt, sigma); err != nil {
							t.Fatal(err)
						}
						if _, err := f.UpdateMiniBatch(alpha); err != nil {
							t.Fatal(err)
						}
						check("Forward.Run")
					})
				}
			}
		}
	}
}

func TestForwardBadInput(t *testing.T) {
	m, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 3})
	f, err := m.NewForward(4)
	if err != nil {
		t.Fatal(err)
	}
	good := denseOf(tensor.Float32, 4, 3, make([]float64, 12))
	cases := []struct {
		name  string
		x     *tensor.Dense
		sigma float64
		want  error
	}{
		{"nil batch", nil, 1, ErrShape},
		{"wrong rows", denseOf(tensor.Float32, 3, 3, make([]float64, 9)), 1, ErrShape},
		{"wrong dims", denseOf(tensor.Float32, 4, 2, make([]float64, 8)), 1, ErrShape},
		{"wrong dtype", denseOf(tensor.Float64, 4, 3, make([]float64, 12)), 1, ErrDtype},
		{"zero sigma", good, 0, ErrSigma},
		{"NaN sigma", good, math.NaN(), ErrSigma},
		{"Inf sigma", good, math.Inf(1), ErrSigma},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := f.Run(c.x, c.sigma); !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
	if _, err := f.UpdateMiniBatch(0.1); !errors.Is(err, ErrShape) {
		t.Errorf("UpdateMiniBatch without a Run: error %v, want ErrShape", err)
	}
	if err := f.Run(good, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.UpdateMiniBatch(math.Inf(1)); !errors.Is(err, ErrAlpha) {
		t.Errorf("UpdateMiniBatch(+Inf): error %v, want ErrAlpha", err)
	}
	search, _ := m.NewSearch(4)
	if err := search.Run(good, 1); !errors.Is(err, ErrShape) {
		t.Errorf("Run on a search graph: error %v, want ErrShape", err)
	}
	if _, err := m.NewForward(0); !errors.Is(err, ErrShape) {
		t.Errorf("NewForward(0): error %v, want ErrShape", err)
	}
	s := m.NewStats()
	if err := m.UpdateBatch(s, -1); !errors.Is(err, ErrSigma) {
		t.Errorf("UpdateBatch with σ = -1: error %v, want ErrSigma", err)
	}
	if err := m.UpdateMiniBatch(s, math.NaN(), 1); !errors.Is(err, ErrAlpha) {
		t.Errorf("UpdateMiniBatch with α = NaN: error %v, want ErrAlpha", err)
	}
	other, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 3})
	if err := other.UpdateBatch(s, 1); !errors.Is(err, ErrOtherMap) {
		t.Errorf("UpdateBatch with another map's stats: error %v, want ErrOtherMap", err)
	}
	if err := f.SearchInto(good, other.NewStats()); !errors.Is(err, ErrOtherMap) {
		t.Errorf("SearchInto another map's stats: error %v, want ErrOtherMap", err)
	}
	badAdds := []struct {
		name string
		x    *tensor.Dense
		bmu  []int
		want error
	}{
		{"nil batch", nil, nil, ErrShape},
		{"BMUs for other records", good, []int{0, 1}, ErrShape},
		{"BMU outside the map", good, []int{0, 1, 2, 4}, ErrUnit},
		{"negative BMU", good, []int{0, -1, 2, 3}, ErrUnit},
		{"integer batch", tensor.New(tensor.WithShape(4, 3), tensor.WithBacking(make([]int, 12))), []int{0, 1, 2, 3}, ErrDtype},
	}
	for _, c := range badAdds {
		t.Run("Stats.Add "+c.name, func(t *testing.T) {
			if err := s.Add(c.x, c.bmu); !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
			if s.Records() != 0 {
				t.Errorf("a refused batch added %d records", s.Records())
			}
		})
	}
}

// allocsPerRun runs run once to warm it up, then returns the allocations
// per run (testing.AllocsPerRun over 20 runs) and the bytes they allocate
// per run.
func allocsPerRun(run func()) (allocs, bytes float64) {
	run()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	allocs = testing.AllocsPerRun(20, run) // 21 runs: one more to warm up
	runtime.ReadMemStats(&after)
	return allocs, float64(after.TotalAlloc-before.TotalAlloc) / 21
}

// TestForwardReusesBuffers pins that running the compiled graph allocates a
// small constant number of times (the tape machine's and the worker
// goroutines' bookkeeping) and never a buffer the size of the batch. With
// the Manhattan distance no GEMM runs and the count must not change with
// the batch size; with Euclidean, gonum's pure-Go GEMM allocates its own list
// of blocks per call, so only the bytes are bounded.
func TestForwardReusesBuffers(t *testing.T) {
	for _, metric := range []Distance{Manhattan, Euclidean} {
		var counts, bytes []float64
		for _, b := range []int{512, 4096} {
			m, _ := New(Config{Grid: Grid{Rows: 10, Cols: 10}, Dim: 8, Distance: metric})
			f, _ := m.NewForward(b)
			x := denseOf(tensor.Float32, b, 8, make([]float64, b*8))
			run := func() {
				if err := f.Run(x, 1); err != nil {
					t.Fatal(err)
				}
				if _, err := f.UpdateMiniBatch(0.1); err != nil {
					t.Fatal(err)
				}
			}
			n, size := allocsPerRun(run)
			counts, bytes = append(counts, n), append(bytes, size)
		}
		if metric == Manhattan && (counts[0] != counts[1] || counts[1] > 100) {
			t.Errorf("%v: allocations per run: %v for batch 512 and 4096: want the same small constant", metric, counts)
		}
		for i, b := range []int{512, 4096} {
			if input := float64(b * 8 * 4); bytes[i] > input/2 {
				t.Errorf("%v, batch %d: %.0f bytes allocated per run, more than half the batch itself (%.0f)", metric, b, bytes[i], input)
			}
		}
	}
}
