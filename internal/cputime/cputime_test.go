package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestUsedGrows burns CPU for a while and checks that Used counts it (on
// Unix; elsewhere it must stay 0).
func TestUsedGrows(t *testing.T) {
	c0 := Used()
	w0 := time.Now()
	x := 1.0
	for time.Since(w0) < 50*time.Millisecond {
		for range 1000 {
			x = x*1.0000001 + 1e-9
		}
	}
	runtime.KeepAlive(x)
	c1 := Used()
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1":
		if c0 != 0 || c1 != 0 {
			t.Fatalf("Used = %v, %v; want 0 without getrusage", c0, c1)
		}
	default:
		if d := c1 - c0; d < 10*time.Millisecond {
			t.Fatalf("50 ms of busy loop counted as %v of CPU", d)
		}
	}
}
