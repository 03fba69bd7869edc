package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/somgraph/somgraph/internal/cputime"
	"github.com/somgraph/somgraph/internal/par"

	"gonum.org/v1/gonum/blas"
)

// BenchmarkArgminNT measures the BMU search of a chunk (m records of k = 64
// against a 40×40 codebook, n = 1600) three ways, in GFLOP/s of the
// product (2·m·n·k per op): "fused" is ArgminNT; "unfused" is what the
// graph runs without it (C filled with the bias rows, Sgemm with beta 1,
// then each row's argmin with ScanBelow's block skipping; the fill and the
// scan split with par.Rows as graph/op_distance.go and graph/op_argmin.go
// do); "sgemm" is the
// product alone (C already filled). Run it with -bench 'ArgminNT|Peak' to
// compare them with the machine's peak in one run. Each also reports its
// CPU time per op (cpu-ms/op), steadier than the wall time when other
// programs share the cores.
func BenchmarkArgminNT(b *testing.B) {
	const n, k = 1600, 64
	for _, m := range []int{1024, 50000} {
		r := rand.New(rand.NewPCG(31, 32))
		a, w, bias := make([]float32, m*k), make([]float32, n*k), make([]float32, n)
		for i := range a {
			a[i] = float32(r.NormFloat64())
		}
		for i := range w {
			w[i] = float32(r.NormFloat64())
		}
		for j := range bias {
			bias[j] = float32(k + r.NormFloat64())
		}
		best, second := make([]int, m), make([]int, m)
		bestVal, secondVal := make([]float32, m), make([]float32, m)
		flops := 2 * float64(m) * n * k
		// report adds GFLOP/s and the CPU time per op since c0 (on Unix):
		// on a shared machine the CPU time is the steadier number.
		report := func(b *testing.B, c0 time.Duration) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if c := cputime.Used() - c0; c > 0 {
				b.ReportMetric(c.Seconds()*1e3/float64(b.N), "cpu-ms/op")
			}
		}
		b.Run(fmt.Sprintf("fused-%dx%dx%d", m, n, k), func(b *testing.B) {
			b.ReportAllocs()
			c0 := cputime.Used()
			for b.Loop() {
				ArgminNT(m, n, k, -2, a, k, w, k, bias, best, second, bestVal, secondVal)
			}
			report(b, c0)
		})
		// The unfused search works in chunks of at most 1024 rows, as
		// the trainer does, so C stays 6.5 MB.
		rows := min(m, 1024)
		c := make([]float32, rows*n)
		b.Run(fmt.Sprintf("unfused-%dx%dx%d", m, n, k), func(b *testing.B) {
			b.ReportAllocs()
			c0 := cputime.Used()
			for b.Loop() {
				for i0 := 0; i0 < m; i0 += rows {
					h := min(rows, m-i0)
					par.Rows(h, 16, func(lo, hi int) {
						for i := lo; i < hi; i++ {
							copy(c[i*n:(i+1)*n], bias)
						}
					})
					Sgemm(blas.NoTrans, blas.Trans, h, n, k, -2, a[i0*k:], k, w, k, 1, c, n)
					par.Rows(h, 64, func(lo, hi int) {
						for i := lo; i < hi; i++ {
							best[i0+i], second[i0+i], bestVal[i0+i], secondVal[i0+i] = RowArgmin(c[i*n : (i+1)*n])
						}
					})
				}
			}
			report(b, c0)
		})
		b.Run(fmt.Sprintf("sgemm-%dx%dx%d", m, n, k), func(b *testing.B) {
			b.ReportAllocs()
			c0 := cputime.Used()
			for b.Loop() {
				for i0 := 0; i0 < m; i0 += rows {
					h := min(rows, m-i0)
					Sgemm(blas.NoTrans, blas.Trans, h, n, k, -2, a[i0*k:], k, w, k, 1, c, n)
				}
			}
			report(b, c0)
		})
	}
}
