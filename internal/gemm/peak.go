package gemm

import (
	"runtime"
	"sync"
	"time"
)

// flopsPerIter is the float32 operations of one fmaLoop iteration: 12
// fused multiply-adds of 8 lanes, 2 operations each.
const flopsPerIter = 12 * 8 * 2

// Peak measures the machine's peak float32 rate in FLOP/s: one goroutine
// per GOMAXPROCS, each locked to its thread, runs a register-only loop of
// independent 8-lane FMAs (the assembly fmaLoop) for about d, and Peak
// returns the best rate of a few rounds, all goroutines' operations over
// the wall time. It is the bound the BLAS could reach with every core
// busy; on a loaded machine it measures what this process can get. It
// reports ok false (and a rate of the unvectorized pure-Go twin) where the
// assembly is not used.
func Peak(d time.Duration) (flops float64, ok bool) {
	const rounds = 4
	workers := runtime.GOMAXPROCS(0)
	iters := 1 << 14 // ≈ 0.1 ms per call at 3 GHz
	loop := fmaLoop
	if !useAsm { // an amd64 CPU without AVX2/FMA must not run the assembly
		loop = goFMALoop
	}
	for r := range rounds {
		var wg sync.WaitGroup
		counts := make([]int, workers)
		start := time.Now()
		deadline := start.Add(d / rounds)
		for w := range workers {
			wg.Go(func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				n := 0
				for time.Now().Before(deadline) {
					loop(iters)
					n += iters
				}
				counts[w] = n
			})
		}
		wg.Wait()
		secs := time.Since(start).Seconds()
		total := 0
		for _, n := range counts {
			total += n
		}
		if rate := float64(total) * flopsPerIter / secs; r == 0 || rate > flops {
			flops = rate
		}
	}
	return flops, useAsm
}
