package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

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

// BenchmarkForward runs the BMU search of one batch of 256 records.
func BenchmarkForward(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, x *tensor.Dense, _ []float64) {
		f, _ := m.NewForward(benchBatch)
		for i := 0; i < b.N; i++ {
			if err := f.Search(x, 0.1, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkForwardWithH also computes the B×K neighbourhood matrix.
func BenchmarkForwardWithH(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, x *tensor.Dense, _ []float64) {
		f, _ := m.NewForward(benchBatch)
		for i := 0; i < b.N; i++ {
			if err := f.Run(x, 0.1, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUpdate applies one mini-batch update of 256 records.
func BenchmarkUpdate(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, x *tensor.Dense, _ []float64) {
		f, _ := m.NewForward(benchBatch)
		f.Search(x, 0.1, 2)
		bmu := f.BMU()
		s := m.NewStats()
		for i := 0; i < b.N; i++ {
			s.Reset()
			s.Add(x, bmu)
			if err := m.UpdateMiniBatch(s, 0.01, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEpoch trains one mini-batch epoch over 2,048 records.
func BenchmarkEpoch(b *testing.B) {
	benchTier(b, func(b *testing.B, m *Map, _ *tensor.Dense, data []float64) {
		f, _ := m.NewForward(benchBatch)
		s := m.NewStats()
		d := m.Dim()
		for i := 0; i < b.N; i++ {
			for lo := 0; lo+benchBatch <= len(data)/d; lo += benchBatch {
				fillInput(f, data[lo*d:(lo+benchBatch)*d])
				if err := f.Search(f.Input(), 0.01, 2); err != nil {
					b.Fatal(err)
				}
				s.Reset()
				s.Add(f.Input(), f.BMU())
				if err := m.UpdateMiniBatch(s, 0.01, 2); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
