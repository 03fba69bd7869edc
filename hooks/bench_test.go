package hooks

import (
	"fmt"
	"io"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

// BenchmarkStockHooksPerBatch measures what the stock hooks add to one
// batch (BeforeBatch + AfterBatch through Dispatch), by map size. Compare
// with the batch's forward pass, 2·B·K·D flops.
func BenchmarkStockHooksPerBatch(b *testing.B) {
	const batch = 64
	for _, tier := range []struct{ rows, cols, dim int }{{10, 10, 16}, {40, 40, 64}} {
		m, err := graph.New(graph.Config{Grid: graph.Grid{Rows: tier.rows, Cols: tier.cols}, Dim: tier.dim})
		if err != nil {
			b.Fatal(err)
		}
		for _, set := range []struct {
			name  string
			hooks func() []Hook
		}{
			{"schedule+recorder+hits+progress", func() []Hook {
				return []Hook{LinearDecay().PerBatch(), &Recorder{EpochsOnly: true}, NewHitTracker(), NewProgress(io.Discard, ProgressLines)}
			}},
			{"nan-guard", func() []Hook { return []Hook{NewNaNGuard()} }},
		} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", tier.rows, tier.cols, tier.dim, set.name), func(b *testing.B) {
				hs := Sorted(set.hooks())
				s := &State{Epochs: 1, Map: m, InitialAlpha: 1, InitialSigma: 3, BatchSize: batch, Batches: 1 << 30, TrainSize: 1 << 30}
				s.BMU, s.Index = make([]int, batch), make([]int, batch)
				for i := range s.BMU {
					s.BMU[i] = (i * 7) % m.Units()
				}
				for _, e := range []Event{BeforeFit, BeforeEpoch} {
					if err := Dispatch(hs, e, s); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					s.Batch, s.Step, s.BatchLoss = i, i+1, 1
					if err := Dispatch(hs, BeforeBatch, s); err != nil {
						b.Fatal(err)
					}
					if err := Dispatch(hs, AfterBatch, s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
