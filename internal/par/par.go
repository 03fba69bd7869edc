package par

import (
	"runtime"
	"sync"
)

// Workers returns how many goroutines a loop may be split over: GOMAXPROCS
// less the cores the BLAS keeps busy between calls, at least 1.
func Workers() int { return max(1, runtime.GOMAXPROCS(0)-blasBusy) }

// Chunks returns how many contiguous chunks of at least minPer items Split
// should cut n items into: one per worker, at least 1.
func Chunks(n, minPer int) int { return max(1, min(Workers(), n/max(minPer, 1))) }

// Rows calls fn(lo, hi) over [0, n) split into Chunks(n, minPer)
// contiguous ranges, one goroutine each, and waits for all. Small n runs on
// the calling goroutine.
func Rows(n, minPer int, fn func(lo, hi int)) {
	Split(n, Chunks(n, minPer), func(_, lo, hi int) { fn(lo, hi) })
}

// Split calls fn(c, lo, hi) for chunk c = 0, 1, ... of at most chunks
// contiguous ranges covering [0, n), one goroutine per chunk (chunk 0 on
// the calling goroutine), and waits for all. The ranges depend only on n
// and chunks, so results combined in chunk order are deterministic.
func Split(n, chunks int, fn func(c, lo, hi int)) {
	if chunks <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	size := (n + chunks - 1) / chunks
	for c := 1; c*size < n; c++ {
		wg.Go(func() { fn(c, c*size, min((c+1)*size, n)) })
	}
	fn(0, 0, min(size, n))
	wg.Wait()
}
