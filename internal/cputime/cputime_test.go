package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestUsedGrows burns CPU and checks that Used counts it (on Unix;
// elsewhere it must stay 0). It burns until Used has grown by 20 ms or 10 s
// of wall time have passed, so a loaded machine that gives the test little
// CPU slows it down instead of failing it.
func TestUsedGrows(t *testing.T) {
	noRusage := false
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1":
		noRusage = true
	}
	c0 := Used()
	w0 := time.Now()
	x := 1.0
	for time.Since(w0) < 10*time.Second && (noRusage && time.Since(w0) < 50*time.Millisecond || !noRusage && Used()-c0 < 20*time.Millisecond) {
		for range 100000 {
			x = x*1.0000001 + 1e-9
		}
	}
	runtime.KeepAlive(x)
	c1, wall := Used(), time.Since(w0)
	if noRusage {
		if c0 != 0 || c1 != 0 {
			t.Fatalf("Used = %v, %v; want 0 without getrusage", c0, c1)
		}
		return
	}
	if d := c1 - c0; d < 20*time.Millisecond {
		t.Fatalf("%v of busy loop counted as %v of CPU", wall, d)
	}
	if d := c1 - c0; d > 2*wall+time.Second {
		t.Fatalf("%v of busy loop on one goroutine counted as %v of CPU", wall, d)
	}
}
