package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/somgraph/somgraph/internal/fused"

	"gorgonia.org/tensor"
)

// benchSizes are the size tiers of the graph benchmarks: record dimension
// and map side.
var benchSizes = []struct{ dim, side int }{
	{3, 10}, {3, 40}, {64, 10}, {64, 40}, {784, 10}, {784, 40},
}

const benchBatch = 256

// benchTier runs fn for every size tier with a map initialized on random
// data and one batch of it.
func benchTier(b *testing.B, fn func(b *testing.B, m *Map, x *tensor.Dense, data []float64)) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("D=%d/map=%dx%d", s.dim, s.side, s.side), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			m, err := New(Config{Grid: Grid{Rows: s.side, Cols: s.side}, Dim: s.dim})
			if err != nil {
				b.Fatal(err)
			}
			data := randVals(rng, 8*benchBatch*s.dim)
			if err := m.Initialize(InitSample, data, rng); err != nil {
				b.Fatal(err)
			}
			x := denseOf(tensor.Float32, benchBatch, s.dim, data[:benchBatch*s.dim])
			b.ReportAllocs()
			b.ResetTimer()
			fn(b, m, x, data)
		})
	}
}

// BenchmarkForward runs the search of one batch of 256 records (the
// Batch-mode step): distances, BMUs and per-BMU sums.
func BenchmarkForward(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, x *tensor.Dense, _ []float64) {
		f, _ := m.NewSearch(benchBatch)
		for i := 0; i < b.N; i++ {
			if err := f.Search(x); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkForwardWithH runs the whole graph of a mini-batch step: the
// search, the neighbourhood of the distinct BMUs and the weighted sums.
func BenchmarkForwardWithH(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, x *tensor.Dense, _ []float64) {
		f, _ := m.NewForward(benchBatch)
		for i := 0; i < b.N; i++ {
			if err := f.Run(x, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUpdate applies one mini-batch update of 256 records.
func BenchmarkUpdate(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, x *tensor.Dense, _ []float64) {
		f, _ := m.NewSearch(benchBatch)
		f.Search(x)
		bmu := f.BMU()
		s := m.NewStats()
		for i := 0; i < b.N; i++ {
			s.Reset()
			if err := s.Add(x, bmu); err != nil {
				b.Fatal(err)
			}
			if err := m.UpdateMiniBatch(s, 0.01, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEpoch trains one mini-batch epoch over 2,048 records as the
// trainer does: Run, then the update rule.
func BenchmarkEpoch(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, _ *tensor.Dense, data []float64) {
		f, _ := m.NewForward(benchBatch)
		d := m.Dim()
		for i := 0; i < b.N; i++ {
			for lo := 0; lo+benchBatch <= len(data)/d; lo += benchBatch {
				fillInput(f, data[lo*d:(lo+benchBatch)*d])
				if err := f.Run(f.Input(), 2); err != nil {
					b.Fatal(err)
				}
				if _, err := f.UpdateMiniBatch(0.01); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkSearchFused runs the search of one batch with the fused
// NearestUnits op and with the distance node + argmin (the fused-search
// mode Off) on the same map, for the shape (D = 64, 40×40 units)
// in batches of 256 (mini-batch) and 1024 (batch mode's search), and for
// D = 3.
func BenchmarkSearchFused(b *testing.B) {
	for _, s := range []struct{ dim, side, batch int }{{64, 40, 256}, {64, 40, 1024}, {3, 40, 1024}} {
		for _, mode := range []fused.Mode{fused.Always, fused.Off} {
			name := map[fused.Mode]string{fused.Always: "fused", fused.Off: "unfused"}[mode]
			b.Run(fmt.Sprintf("D=%d/map=%dx%d/B=%d/%s", s.dim, s.side, s.side, s.batch, name), func(b *testing.B) {
				was := fused.Set(mode)
				defer fused.Set(was)
				rng := rand.New(rand.NewPCG(1, 1))
				m, err := New(Config{Grid: Grid{Rows: s.side, Cols: s.side}, Dim: s.dim})
				if err != nil {
					b.Fatal(err)
				}
				data := randVals(rng, 4*s.batch*s.dim)
				if err := m.Initialize(InitSample, data, rng); err != nil {
					b.Fatal(err)
				}
				x := denseOf(tensor.Float32, s.batch, s.dim, data[:s.batch*s.dim])
				f, err := m.NewSearch(s.batch)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := f.Search(x); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(2*float64(s.batch)*float64(s.side*s.side)*float64(s.dim)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
