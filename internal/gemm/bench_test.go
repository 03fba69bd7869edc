package gemm

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkSgemm measures GFLOP/s of this package's Sgemm and gonum's on
// the shapes somgraph runs: the BMU search x·wᵀ per batch (N×D by K×D,
// transposed), the batch update's gᵀ·s, and a square product.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{"search-1024x1600x64", blas.NoTrans, blas.Trans, 1024, 1600, 64},
		{"search-256x1600x64", blas.NoTrans, blas.Trans, 256, 1600, 64},
		{"search-1024x400x3", blas.NoTrans, blas.Trans, 1024, 400, 3},
		{"search-1024x400x784", blas.NoTrans, blas.Trans, 1024, 400, 784},
		{"update-1600x66x256", blas.Trans, blas.NoTrans, 1600, 66, 256},
		{"square-1024", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
	} {
		a, bm, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
		for i := range a {
			a[i] = float32(i%7) - 3
		}
		for i := range bm {
			bm[i] = float32(i%5) - 2
		}
		lda, ldb := s.k, s.n
		if s.tA != blas.NoTrans {
			lda = s.m
		}
		if s.tB != blas.NoTrans {
			ldb = s.k
		}
		for _, impl := range []struct {
			name string
			f    func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
		}{{"gemm", Sgemm}, {"gonum", gonum.Implementation{}.Sgemm}} {
			b.Run(fmt.Sprintf("%s/%s", s.name, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					impl.f(s.tA, s.tB, s.m, s.n, s.k, -2, a, lda, bm, ldb, 1, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkDgemm measures GFLOP/s of Dgemm on the BMU search's shape.
func BenchmarkDgemm(b *testing.B) {
	const m, n, k = 1024, 1600, 64
	a, bm, c := make([]float64, m*k), make([]float64, n*k), make([]float64, m*n)
	b.ReportAllocs()
	for b.Loop() {
		Dgemm(blas.NoTrans, blas.Trans, m, n, k, -2, a, k, bm, k, 1, c, n)
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkPeak reports the register-only FMA rate on every core.
func BenchmarkPeak(b *testing.B) {
	var f float64
	for b.Loop() {
		f, _ = Peak(100e6)
	}
	b.ReportMetric(f/1e9, "GFLOP/s")
}

// BenchmarkPack measures the packing of one BMU search's operands
// (1024×64 records, 1600×64 codebook transposed): B whole, A in mc-row
// blocks, as each part of Sgemm packs them.
func BenchmarkPack(b *testing.B) {
	const m, n, k = 1024, 1600, 64
	p := &product[float32]{nr: 16, m: m, n: n, k: k, a: make([]float32, m*k), b: make([]float32, n*k),
		ars: k, acs: 1, brs: 1, bcs: k}
	bufA, bufB := make([]float32, mc*k), make([]float32, n*k)
	b.Run("B", func(b *testing.B) {
		for b.Loop() {
			p.packB(bufB, 0, k, 0, n)
		}
	})
	b.Run("A", func(b *testing.B) {
		for b.Loop() {
			for ic := 0; ic < m; ic += mc {
				p.packA(bufA, ic, min(mc, m-ic), 0, k)
			}
		}
	})
}
