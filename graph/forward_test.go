package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/somgraph/somgraph/internal/gemm"
	"gorgonia.org/tensor"
)

// TestSearchInto checks the Batch-mode training step: SearchInto must
// give the same BMUs, exact distances and squared norms (against the
// reference) and per-unit sums as Search followed by Stats.Add, for widths below and above the
// feature-block size, and a view must be searched like the same batch laid
// out contiguously.
func TestSearchInto(t *testing.T) {
	const b = 70
	for _, d := range []int{6, 100, 300} {
		for _, metric := range []Distance{Euclidean, Manhattan} {
			for _, dt := range allDtypes {
				t.Run(fmt.Sprintf("D=%d/%v/%v", d, metric, dt), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(3, uint64(d)))
					g := Grid{Rows: 4, Cols: 5}
					m, _ := New(Config{Grid: g, Dim: d, Distance: metric, Dtype: dt})
					w := roundTo(dt, randVals(rng, g.Units()*d))
					m.SetWeights(w)
					xv := roundTo(dt, randVals(rng, b*d))
					x := denseOf(dt, b, d, xv)
					f, _ := m.NewSearch(b)

					if err := f.Search(x); err != nil {
						t.Fatal(err)
					}
					bmu, dist := slices.Clone(f.BMU()), slices.Clone(f.MinDist())
					acc := m.NewMetricsAcc()
					acc.Add(f, 1.5)
					want := acc.Metrics()
					plain := m.NewStats()
					if err := plain.Add(x, bmu); err != nil {
						t.Fatal(err)
					}

					fused := m.NewStats()
					if err := f.SearchInto(x, fused); err != nil {
						t.Fatal(err)
					}
					if metric == Euclidean {
						for b, got := range f.SqNorms() {
							want := refDist(Euclidean, xv[b*d:(b+1)*d], make([]float64, d))
							if math.Abs(got-want) > 1e-12*want {
								t.Fatalf("record %d: squared norm %v, reference %v", b, got, want)
							}
						}
					}
					acc.Reset()
					acc.Add(f, 1.5)
					if m := acc.Metrics(); m != want {
						t.Fatalf("metrics after SearchInto %+v, after Search %+v", m, want)
					}
					if !slices.Equal(f.BMU(), bmu) {
						t.Fatalf("BMUs %v, Search gave %v", f.BMU(), bmu)
					}
					for i, j := range bmu {
						want := refDist(metric, xv[i*d:(i+1)*d], w[j*d:(j+1)*d])
						if metric == Euclidean {
							want = math.Sqrt(want)
						}
						tol := 1e-9
						if metric != Euclidean && dt == tensor.Float32 {
							tol = 1e-5 // from the float32 distance matrix
						}
						if got := f.MinDist()[i]; math.Abs(got-want) > tol*math.Max(1, want) || math.Abs(got-dist[i]) > tol*math.Max(1, want) {
							t.Fatalf("record %d: distance %v, Search %v, reference %v", i, got, dist[i], want)
						}
					}
					if fused.Records() != b || !slices.Equal(fused.sums, plain.sums) || !slices.Equal(fused.counts, plain.counts) {
						t.Fatalf("SearchInto's sums differ from Search + Add")
					}
					for u := range plain.sqsums {
						if math.Abs(fused.sqsums[u]-plain.sqsums[u]) > 1e-12*math.Max(1, plain.sqsums[u]) {
							t.Fatalf("unit %d: squared norms %v, Add %v", u, fused.sqsums[u], plain.sqsums[u])
						}
					}

					// The same batch as a view into a wider tensor.
					wide := make([]float64, b*(d+3))
					for i := range b {
						copy(wide[i*(d+3)+3:], xv[i*d:(i+1)*d])
					}
					view, err := denseOf(dt, b, d+3, wide).Slice(nil, tensor.S(3, d+3))
					if err != nil {
						t.Fatal(err)
					}
					if !view.(*tensor.Dense).RequiresIterator() {
						t.Fatal("the view is contiguous: the test needs one that is not")
					}
					if err := f.Search(view.(*tensor.Dense)); err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(f.BMU(), bmu) || !slices.Equal(f.MinDist(), dist) {
						t.Fatalf("a view of the batch: BMUs %v distances %v, contiguous %v %v", f.BMU(), f.MinDist(), bmu, dist)
					}
				})
			}
		}
	}
	m, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 2})
	other, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 2})
	f, _ := m.NewForward(1)
	x := denseOf(tensor.Float32, 1, 2, []float64{1, 2})
	for _, s := range []*Stats{nil, other.NewStats()} {
		if err := f.SearchInto(x, s); err == nil {
			t.Errorf("SearchInto with stats %p of another map: want an error", s)
		}
	}
}

// TestSearchChunk checks which maps get the fused search's larger chunk.
func TestSearchChunk(t *testing.T) {
	fusedChunk := DefaultSearchChunk
	if gemm.ArgminFused(64) {
		fusedChunk = FusedSearchChunk
	}
	g := Grid{Rows: 4, Cols: 4}
	for _, tc := range []struct {
		name string
		cfg  Config
		want int
	}{
		{"float32 euclidean", Config{Grid: g, Dim: 64, Dtype: tensor.Float32}, fusedChunk},
		{"float64", Config{Grid: g, Dim: 64, Dtype: tensor.Float64}, DefaultSearchChunk},
		{"too deep for the kernel", Config{Grid: g, Dim: 300, Dtype: tensor.Float32}, DefaultSearchChunk},
		{"manhattan", Config{Grid: g, Dim: 64, Dtype: tensor.Float32, Distance: Manhattan}, DefaultSearchChunk},
		{"missing values", Config{Grid: g, Dim: 64, Dtype: tensor.Float32, Missing: true}, DefaultSearchChunk},
	} {
		if got := tc.cfg.SearchChunk(); got != tc.want {
			t.Errorf("%s: SearchChunk %d, want %d", tc.name, got, tc.want)
		}
	}
}
