package trainer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// benchData returns n uniform records of d features.
func benchData(n, d int) *loaders.Dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	ds := &loaders.Dataset{Data: make([]float64, n*d), N: n, D: d}
	for i := range ds.Data {
		ds.Data[i] = rng.Float64()
	}
	return ds
}

// BenchmarkEpoch times one epoch of Fit (batches, update, metrics on the
// training data) and, as "floor", one BMU search over the same data
// (graph.Map.Predict), for size tiers of map and dimension.
func BenchmarkEpoch(b *testing.B) {
	const n = 4000
	for _, d := range []int{3, 64} {
		for _, side := range []int{10, 40} {
			ds := benchData(n, d)
			for _, mode := range []Mode{MiniBatch, Batch} {
				b.Run(fmt.Sprintf("D%d/%dx%d/%v", d, side, side, mode), func(b *testing.B) {
					l, err := New(ds, nil, &Options{Grid: graph.Grid{Rows: side, Cols: side}, Mode: mode, Schedule: hooks.Constant(), BatchSize: 256})
					if err != nil {
						b.Fatal(err)
					}
					if err := l.Fit(1); err != nil { // warm up: compile the graphs
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						if err := l.Fit(1); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run(fmt.Sprintf("D%d/%dx%d/floor", d, side, side), func(b *testing.B) {
				m, err := graph.New(graph.Config{Grid: graph.Grid{Rows: side, Cols: side}, Dim: d})
				if err != nil {
					b.Fatal(err)
				}
				if err := m.SetWeights(benchData(side*side, d).Data); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if _, _, err := m.Predict(ds.Data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
