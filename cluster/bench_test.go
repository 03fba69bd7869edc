package cluster_test

import (
	"fmt"
	"testing"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/internal/cputime"
	"github.com/somgraph/somgraph/trainer"
)

// BenchmarkFitAuto clusters the codebook of a trained 40×40 hexagonal map
// (12 planted clusters in 16 dimensions, 2,400 records, hit-count
// weights), choosing k in 2..20, with each method. The map is trained
// once, outside the timing.
func BenchmarkFitAuto(b *testing.B) {
	for _, size := range []int{20, 40} {
		ds, _ := planted(12, 200, 16, 2)
		l, err := trainer.New(ds, nil, &trainer.Options{
			Grid: graph.Grid{Rows: size, Cols: size, Topology: graph.Hexagonal},
			Mode: trainer.Batch, Init: graph.InitPCA, Seed: 1,
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Fit(5); err != nil {
			b.Fatal(err)
		}
		m := l.Map()
		bmus, _, err := m.Predict(ds.Data)
		if err != nil {
			b.Fatal(err)
		}
		hits := make([]float64, m.Units())
		for _, u := range bmus {
			hits[u]++
		}
		w := m.Weights()
		for _, method := range []cluster.Method{cluster.Ward, cluster.WardContiguous, cluster.KMeans} {
			b.Run(fmt.Sprintf("%dx%d/%v", size, size, method), func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := cputime.Used()
				for b.Loop() {
					if _, err := cluster.Fit(w, m.Dim(), m.Grid(), &cluster.Options{Method: method, MinK: 2, MaxK: 20, Weights: hits}); err != nil {
						b.Fatal(err)
					}
				}
				// CPU time per run: wall time on a loaded shared machine
				// overstates the work.
				b.ReportMetric(float64(cputime.Used()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
