package graph

import (
	"runtime"
	"sync"
)

// parallelRows calls fn(lo, hi) over [0, n) split into one contiguous range
// per available core. Small n runs on the calling goroutine.
func parallelRows(n, minPerWorker int, fn func(lo, hi int)) {
	parallelChunks(n, chunks(n, minPerWorker), func(_, lo, hi int) { fn(lo, hi) })
}

// chunks returns how many contiguous chunks parallelChunks splits n items
// into: one per core, with at least minPerWorker items each, at least 1.
func chunks(n, minPerWorker int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/max(minPerWorker, 1)))
}

// parallelChunks calls fn(c, lo, hi) for chunk c = 0, 1, ... of at most
// workers contiguous ranges covering [0, n), one goroutine per chunk, and
// waits for all. The split depends only on n and workers, so results
// combined by chunk index are deterministic.
func parallelChunks(n, workers int, fn func(c, lo, hi int)) {
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	size := (n + workers - 1) / workers
	for c := 1; c*size < n; c++ {
		wg.Add(1)
		go func(c, lo, hi int) {
			defer wg.Done()
			fn(c, lo, hi)
		}(c, c*size, min((c+1)*size, n))
	}
	fn(0, 0, min(size, n))
	wg.Wait()
}

// float is the element type of a codebook.
type float interface{ ~float32 | ~float64 }
