package bench

import (
	"testing"

	"gorgonia.org/tensor"
)

// floorTiers are the shapes of the targets, smallest first, with
// the chunk (batch) sizes the trainer uses for them.
var floorTiers = []struct {
	name           string
	n, d, k, chunk int
	dtype          tensor.Dtype
}{
	{"rgb/N=20000,D=3,K=400,B=256", 20000, 3, 400, 256, tensor.Float32},
	{"mnist/N=10000,D=784,K=400,B=256", 10000, 784, 400, 256, tensor.Float32},
	{"som/N=50000,D=64,K=1600,B=256", 50000, 64, 1600, 256, tensor.Float32},
	{"som/N=50000,D=64,K=1600,B=4096", 50000, 64, 1600, 4096, tensor.Float32},
	{"som64/N=50000,D=64,K=1600,B=4096", 50000, 64, 1600, 4096, tensor.Float64},
}

// shortFlops is the largest product BenchmarkFloor runs with -short, so
// that a CI smoke run (-short -benchtime=1x) stays within seconds on the
// pure-Go BLAS.
const shortFlops = 2e9

// BenchmarkFloor measures the floor of an epoch at each tier: chunked
// GEMM through the configured BLAS plus the argmin pass. It reports the
// GEMM's GFLOP/s and the share of the argmin. With -short it skips the
// tiers above shortFlops.
func BenchmarkFloor(b *testing.B) {
	for _, tier := range floorTiers {
		b.Run(tier.name, func(b *testing.B) {
			if testing.Short() && Flops(tier.n, tier.k, tier.d) > shortFlops {
				b.Skipf("%.1f GFLOP per run: skipped with -short", Flops(tier.n, tier.k, tier.d)/1e9)
			}
			ds, err := Clustered(DataSpec{N: tier.n, Dim: tier.d, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			w, err := Sample(ds, tier.k, 2)
			if err != nil {
				b.Fatal(err)
			}
			f, err := NewFloor(FloorSpec{X: ds.Data, N: tier.n, D: tier.d, W: w, K: tier.k, Chunk: tier.chunk, Dtype: tier.dtype})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			f.Run()
			var gemm, arg float64
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				fl := f.Run()
				gemm += fl.GEMMSeconds
				arg += fl.ArgminSeconds
			}
			b.ReportMetric(Flops(tier.n, tier.k, tier.d)*float64(b.N)/gemm/1e9, "GEMM-GFLOP/s")
			b.ReportMetric(arg/(gemm+arg)*100, "argmin-%")
		})
	}
}
