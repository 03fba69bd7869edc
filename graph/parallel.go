package graph

import (
	"runtime"
	"sync"
)

// parallelRows calls fn(lo, hi) over [0, n) split into one contiguous range
// per available core. Small n runs on the calling goroutine.
func parallelRows(n, minPerWorker int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if minPerWorker < 1 {
		minPerWorker = 1
	}
	if w := n / minPerWorker; w < workers {
		workers = w
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	fn(0, min(chunk, n))
	wg.Wait()
}

// float is the element type of a codebook.
type float interface{ ~float32 | ~float64 }
