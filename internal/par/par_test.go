package par

import (
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
)

// TestSplitCovers checks that Split and Rows visit every index exactly once
// with chunk ranges that depend only on n and the chunk count.
func TestSplitCovers(t *testing.T) {
	for _, n := range []int{0, 1, 7, 64, 1000} {
		for _, chunks := range []int{1, 2, 3, 8} {
			seen := make([]int32, n)
			var ranges [][3]int
			got := make(chan [3]int, 16)
			Split(n, chunks, func(c, lo, hi int) {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&seen[i], 1)
				}
				got <- [3]int{c, lo, hi}
			})
			close(got)
			for r := range got {
				ranges = append(ranges, r)
			}
			for i, s := range seen {
				if s != 1 {
					t.Fatalf("n=%d chunks=%d: index %d visited %d times", n, chunks, i, s)
				}
			}
			if len(ranges) > chunks {
				t.Fatalf("n=%d chunks=%d: %d ranges %v, want at most %d", n, chunks, len(ranges), ranges, chunks)
			}
			slices.SortFunc(ranges, func(a, b [3]int) int { return a[0] - b[0] })
			for i, r := range ranges {
				if r[0] != i || (i > 0 && r[1] != ranges[i-1][2]) {
					t.Fatalf("n=%d chunks=%d: ranges %v are not chunks 0, 1, ... in order", n, chunks, ranges)
				}
			}
		}
	}
	var sum atomic.Int64
	Rows(100, 10, func(lo, hi int) { sum.Add(int64(hi - lo)) })
	if sum.Load() != 100 {
		t.Errorf("Rows covered %d of 100 items", sum.Load())
	}
}

// TestWorkers checks the worker count's bounds: at least one, at most
// GOMAXPROCS, and Chunks never more than the items allow.
func TestWorkers(t *testing.T) {
	w := Workers()
	if w < 1 || w > runtime.GOMAXPROCS(0) {
		t.Fatalf("Workers() = %d with GOMAXPROCS %d", w, runtime.GOMAXPROCS(0))
	}
	if c := Chunks(5, 10); c != 1 {
		t.Errorf("Chunks(5, 10) = %d, want 1", c)
	}
	if c := Chunks(1<<20, 1); c != w {
		t.Errorf("Chunks(1<<20, 1) = %d, want Workers() = %d", c, w)
	}
}
