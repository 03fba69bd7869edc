package bench

import (
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/trainer"
	"gorgonia.org/tensor"
)

// epochTiers are the targets as trainer runs, matching
// `somgraph bench` with the same settings.
var epochTiers = []struct {
	name             string
	n, d, rows, cols int
	mode             trainer.Mode
	batch            int
	dtype            tensor.Dtype
}{
	{"rgb/batch/N=20000,D=3,20x20", 20000, 3, 20, 20, trainer.Batch, 1024, tensor.Float32},
	{"mnist/batch/N=10000,D=784,20x20", 10000, 784, 20, 20, trainer.Batch, 1024, tensor.Float32},
	{"som/batch/N=50000,D=64,40x40", 50000, 64, 40, 40, trainer.Batch, 1024, tensor.Float32},
	{"som/minibatch/N=50000,D=64,40x40,B=256", 50000, 64, 40, 40, trainer.MiniBatch, 256, tensor.Float32},
}

// BenchmarkEpoch times one training epoch (Fit(1): batches, update and
// the metrics on the training data) at each tier with a constant
// schedule, and reports it against the floor measured in the same
// process as epoch/floor. With -short it skips the tiers whose product is
// above shortFlops.
func BenchmarkEpoch(b *testing.B) {
	for _, tier := range epochTiers {
		b.Run(tier.name, func(b *testing.B) {
			k := tier.rows * tier.cols
			if testing.Short() && Flops(tier.n, k, tier.d) > shortFlops {
				b.Skipf("%.1f GFLOP per epoch: skipped with -short", Flops(tier.n, k, tier.d)/1e9)
			}
			ds, err := Clustered(DataSpec{N: tier.n, Dim: tier.d, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			w, err := Sample(ds, k, 2)
			if err != nil {
				b.Fatal(err)
			}
			fl, err := MeasureFloor(FloorSpec{X: ds.Data, N: tier.n, D: tier.d, W: w, K: k, Chunk: tier.batch, Dtype: tier.dtype}, 1)
			if err != nil {
				b.Fatal(err)
			}
			l, err := trainer.New(ds, nil, &trainer.Options{Grid: graph.Grid{Rows: tier.rows, Cols: tier.cols},
				Mode: tier.mode, BatchSize: tier.batch, Dtype: tier.dtype, Seed: 1, Schedule: hooks.Constant()})
			if err != nil {
				b.Fatal(err)
			}
			if err := l.Fit(1); err != nil { // warm-up: compiles the graphs
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := l.Fit(1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(sec/fl.Seconds, "epoch/floor")
			b.ReportMetric(Flops(tier.n, k, tier.d)/sec/1e9, "GFLOP/s")
		})
	}
}
