package graph_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"gorgonia.org/tensor"
)

// searchPart searches rows (float64, row-major) with a copy of the map
// holding weights w, in batches of batch records, and returns its
// statistics encoded, as a remote worker would send them.
func searchPart(t *testing.T, cfg graph.Config, w, rows []float64, batch int) (stats, metrics []byte) {
	t.Helper()
	m, err := graph.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	s, acc := m.NewStats(), m.NewMetricsAcc()
	fill(t, m, rows, batch, s, acc)
	if stats, err = s.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	if metrics, err = acc.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	return stats, metrics
}

// fill searches rows in batches into s and acc as the training loop does.
func fill(t *testing.T, m *graph.Map, rows []float64, batch int, s *graph.Stats, acc *graph.MetricsAcc) {
	t.Helper()
	d := m.Dim()
	for lo := 0; lo < len(rows)/d; lo += batch {
		hi := min(lo+batch, len(rows)/d)
		x := tensor.New(tensor.WithShape(hi-lo, d), tensor.Of(m.Config().Dtype))
		for i, v := range rows[lo*d : hi*d] {
			switch b := x.Data().(type) {
			case []float32:
				b[i] = float32(v)
			case []float64:
				b[i] = v
			}
		}
		f, err := m.NewSearch(hi - lo)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SearchInto(x, s); err != nil {
			t.Fatal(err)
		}
		acc.Add(f, 1.5)
	}
}

// TestMergeMatchesOneStats checks that statistics filled on unequal parts
// (one empty) by separate copies of the map, encoded, decoded and merged,
// give the update, distortion and metrics of one Stats filled with all the
// records.
func TestMergeMatchesOneStats(t *testing.T) {
	for _, dist := range []graph.Distance{graph.Euclidean, graph.Manhattan} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(dist.String()+"/"+dt.String(), func(t *testing.T) {
				const n, d = 1000, 5
				rng := rand.New(rand.NewPCG(7, 8))
				data := make([]float64, n*d)
				for i := range data {
					data[i] = rng.NormFloat64()
				}
				cfg := graph.Config{Grid: graph.Grid{Rows: 4, Cols: 5}, Dim: d, Distance: dist, Dtype: dt}
				ref, _ := graph.New(cfg)
				if err := ref.Initialize(graph.InitSample, data, rand.New(rand.NewPCG(1, 2))); err != nil {
					t.Fatal(err)
				}
				w := ref.Weights()
				one, oneAcc := ref.NewStats(), ref.NewMetricsAcc()
				fill(t, ref, data, 128, one, oneAcc)

				m, _ := graph.New(cfg)
				m.SetWeights(w)
				merged := m.NewStats()
				mergedAcc := m.NewMetricsAcc()
				// Parts of 0, 1, 300 and 699 records, merged in a
				// different order than the data's.
				cuts := [][2]int{{301, 1000}, {0, 0}, {0, 1}, {1, 301}}
				var detached graph.Stats
				var detachedAcc graph.MetricsAcc
				for _, c := range cuts {
					sb, mb := searchPart(t, cfg, w, data[c[0]*d:c[1]*d], 97)
					var part graph.Stats
					var partAcc graph.MetricsAcc
					if err := part.UnmarshalBinary(sb); err != nil {
						t.Fatal(err)
					}
					if err := partAcc.UnmarshalBinary(mb); err != nil {
						t.Fatal(err)
					}
					if part.Records() != c[1]-c[0] {
						t.Fatalf("part %v decoded with %d records", c, part.Records())
					}
					// Merge detached parts pairwise first, as a combiner's
					// tree would.
					if err := detached.Merge(&part); err != nil {
						t.Fatal(err)
					}
					if err := detachedAcc.Merge(&partAcc); err != nil {
						t.Fatal(err)
					}
				}
				// Through the wire once more, then into the map's own.
				b, _ := detached.MarshalBinary()
				if err := merged.UnmarshalBinary(b); err != nil {
					t.Fatal(err)
				}
				ab, _ := detachedAcc.MarshalBinary()
				if err := mergedAcc.UnmarshalBinary(ab); err != nil {
					t.Fatal(err)
				}
				if merged.Records() != n {
					t.Fatalf("merged %d records, want %d", merged.Records(), n)
				}
				for j, h := range one.Hits() {
					if merged.Hits()[j] != h {
						t.Fatalf("unit %d: %v hits merged, %v in one Stats", j, merged.Hits()[j], h)
					}
				}
				if got, want := mergedAcc.Metrics(), oneAcc.Metrics(); !close(got.QE, want.QE, 1e-12) || got.TE != want.TE || got.DeadUnits != want.DeadUnits || !close(got.Distortion, want.Distortion, 1e-12) {
					t.Fatalf("merged metrics %+v, one accumulator %+v", got, want)
				}
				if err := one.Apply(graph.BatchRule(), 1.5); err != nil {
					t.Fatal(err)
				}
				if err := merged.Apply(graph.BatchRule(), 1.5); err != nil {
					t.Fatal(err)
				}
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-6
				}
				for i, v := range ref.Weights() {
					if got := m.Weights()[i]; math.Abs(got-v) > tol*(1+math.Abs(v)) {
						t.Fatalf("weight %d: %v after the merged update, %v after one Stats", i, got, v)
					}
				}
				if dist == graph.Euclidean {
					a, err1 := one.DistortionBefore()
					b, err2 := merged.DistortionBefore()
					if err1 != nil || err2 != nil || !close(a, b, tol) {
						t.Fatalf("distortion before: merged %v (%v), one Stats %v (%v)", b, err2, a, err1)
					}
				}
			})
		}
	}
}

func close(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

func TestMergeShapeAndDecodeErrors(t *testing.T) {
	small, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 2, Cols: 2}, Dim: 3})
	big, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 2, Cols: 3}, Dim: 3})
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	s := big.NewStats()
	s.Add(x, []int{0, 5})
	if err := small.NewStats().Merge(s); !errors.Is(err, graph.ErrStatsShape) {
		t.Errorf("merging 6 units into 4: %v, want ErrStatsShape", err)
	}
	b, _ := s.MarshalBinary()
	if err := small.NewStats().UnmarshalBinary(b); !errors.Is(err, graph.ErrStatsShape) {
		t.Errorf("decoding 6 units into 4: %v, want ErrStatsShape", err)
	}
	if err := small.NewMetricsAcc().Merge(big.NewMetricsAcc()); !errors.Is(err, graph.ErrStatsShape) {
		t.Errorf("merging metrics of 6 units into 4: %v, want ErrStatsShape", err)
	}
	// Every truncation and a flipped magic are errors, never a panic.
	for i := range len(b) {
		var d graph.Stats
		if err := d.UnmarshalBinary(b[:i]); err == nil {
			t.Fatalf("decoding %d of %d bytes: no error", i, len(b))
		}
	}
	bad := append([]byte("X"), b[1:]...)
	if err := new(graph.Stats).UnmarshalBinary(bad); err == nil {
		t.Error("decoding a bad magic: no error")
	}
	acc := big.NewMetricsAcc()
	ab, _ := acc.MarshalBinary()
	for i := range len(ab) {
		if err := new(graph.MetricsAcc).UnmarshalBinary(ab[:i]); err == nil {
			t.Fatalf("decoding %d of %d metric bytes: no error", i, len(ab))
		}
	}
	// A detached Stats cannot update a map.
	var d graph.Stats
	if err := d.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if err := big.UpdateBatch(&d, 1); err == nil {
		t.Error("updating with a detached Stats: no error")
	}
	if err := d.Apply(graph.BatchRule(), 1); !errors.Is(err, graph.ErrOtherMap) {
		t.Errorf("applying a detached Stats: %v, want ErrOtherMap", err)
	}
}

// TestApplyErrors checks Apply's bad input: no rule, a bad radius or
// learning rate, each leaving the codebook as it was.
func TestApplyErrors(t *testing.T) {
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 2, Cols: 2}, Dim: 2})
	m.SetWeights([]float64{0, 0, 1, 1, 2, 2, 3, 3})
	w := m.Weights()
	s := m.NewStats()
	s.Add(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4})), []int{0, 3})
	for _, c := range []struct {
		r     graph.Rule
		sigma float64
		want  error
	}{
		{graph.Rule{}, 1, graph.ErrRule},
		{graph.BatchRule(), 0, graph.ErrSigma},
		{graph.BatchRule(), math.Inf(1), graph.ErrSigma},
		{graph.MiniBatchRule(math.NaN()), 1, graph.ErrAlpha},
		{graph.MiniBatchRule(0.5), math.NaN(), graph.ErrSigma},
	} {
		if err := s.Apply(c.r, c.sigma); !errors.Is(err, c.want) {
			t.Errorf("Apply(%v, %v): %v, want %v", c.r, c.sigma, err, c.want)
		}
	}
	for i, v := range m.Weights() {
		if v != w[i] {
			t.Fatalf("a failed Apply changed weight %d: %v, was %v", i, v, w[i])
		}
	}
	var nilStats *graph.Stats
	if err := nilStats.Apply(graph.BatchRule(), 1); !errors.Is(err, graph.ErrOtherMap) {
		t.Errorf("Apply on nil Stats: %v", err)
	}
	if got := graph.MiniBatchRule(0.25).String(); got != "mini-batch(alpha=0.25)" {
		t.Errorf("String: %q", got)
	}
}

// TestMergeMissing checks Merge on a map with Config.Missing: the
// per-feature counts of records holding each feature merge too, so parts
// merged and applied give the update of one Stats over all the records,
// which a plain-Go reference computes feature by feature.
func TestMergeMissing(t *testing.T) {
	const n, d, sigma = 60, 3, 1.1
	g := graph.Grid{Rows: 2, Cols: 3}
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]float64, n*d)
	for i := range data {
		data[i] = rng.NormFloat64()
		if rng.IntN(4) == 0 && i%d != 0 { // feature 0 is always present
			data[i] = math.NaN()
		}
	}
	w := make([]float64, g.Rows*g.Cols*d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	newMap := func() *graph.Map {
		m, err := graph.New(graph.Config{Grid: g, Dim: d, Dtype: tensor.Float64, Missing: true, Neighborhood: graph.Gaussian})
		if err != nil {
			t.Fatal(err)
		}
		m.SetWeights(w)
		return m
	}
	m := newMap()
	merged := m.NewStats()
	var bmus []int
	for _, c := range [][2]int{{0, 17}, {17, 17}, {17, 60}} {
		pm := newMap() // another copy of the map, as a worker's
		part := pm.NewStats()
		rows := data[c[0]*d : c[1]*d]
		if len(rows) > 0 {
			f, _ := pm.NewSearch(c[1] - c[0])
			if err := f.SearchInto(tensor.New(tensor.WithShape(c[1]-c[0], d), tensor.WithBacking(append([]float64(nil), rows...))), part); err != nil {
				t.Fatal(err)
			}
			bmus = append(bmus, f.BMU()...)
		}
		if err := merged.Merge(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := merged.Apply(graph.BatchRule(), sigma); err != nil {
		t.Fatal(err)
	}
	// Reference: w_kf = Σ_b h(bmu_b, k)·x_bf / Σ_b h(bmu_b, k) over the
	// records b holding feature f.
	k := g.Rows * g.Cols
	for u := range k {
		for f := range d {
			var num, den float64
			for b, j := range bmus {
				x := data[b*d+f]
				if math.IsNaN(x) {
					continue
				}
				dg := g.Dist(j, u)
				h := math.Exp(-dg * dg / (2 * sigma * sigma))
				num += h * x
				den += h
			}
			want := w[u*d+f]
			if den > 1e-12 {
				want = num / den
			}
			if got := m.Weights()[u*d+f]; !close(got, want, 1e-9) {
				t.Fatalf("unit %d feature %d: %v after the merged update, reference %v", u, f, got, want)
			}
		}
	}
	// Missing and plain statistics do not mix, and the per-feature counts
	// have no binary form.
	plain, _ := graph.New(graph.Config{Grid: g, Dim: d})
	if err := plain.NewStats().Merge(merged); !errors.Is(err, graph.ErrStatsShape) {
		t.Errorf("merging Missing statistics into plain ones: %v", err)
	}
	if _, err := merged.MarshalBinary(); err == nil {
		t.Error("encoding Missing statistics: no error")
	}
}

func FuzzStatsUnmarshal(f *testing.F) {
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 2, Cols: 2}, Dim: 2})
	s := m.NewStats()
	s.Add(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 2})), []int{3})
	b, _ := s.MarshalBinary()
	f.Add(b)
	ab, _ := m.NewMetricsAcc().MarshalBinary()
	f.Add(ab)
	f.Fuzz(func(t *testing.T, b []byte) {
		var d graph.Stats
		if d.UnmarshalBinary(b) == nil {
			if _, err := d.MarshalBinary(); err != nil {
				t.Fatal(err)
			}
			into := m.NewStats()
			_ = into.Merge(&d)
		}
		var a graph.MetricsAcc
		if a.UnmarshalBinary(b) == nil {
			_ = m.NewMetricsAcc().Merge(&a)
		}
	})
}
