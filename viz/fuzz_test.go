package viz

import (
	"math"
	"testing"
)

// FuzzTicks checks that the colour bar and curve ticks of any finite range
// are few, ordered and inside (or, for curves, around) the range.
func FuzzTicks(f *testing.F) {
	f.Add(0.0, 1.0, false)
	f.Add(1.0, 18.0, true)
	f.Add(-1e308, 1e308, false)
	f.Add(1.0, 1.0000000000000002, false)
	f.Add(5e-324, 1e-323, false)
	f.Add(1e16, 1e16+4, true)
	f.Fuzz(func(t *testing.T, lo, hi float64, integer bool) {
		if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(hi > lo) {
			return
		}
		ticks := barTicks(lo, hi, integer)
		if len(ticks) == 0 || len(ticks) > 8 {
			t.Fatalf("barTicks(%v, %v): %d ticks", lo, hi, len(ticks))
		}
		for i, tk := range ticks {
			span := hi - lo
			if math.IsInf(span, 0) {
				span = math.MaxFloat64
			}
			if tk.v < lo-span*1e-6 || tk.v > hi+span*1e-6 {
				t.Fatalf("barTicks(%v, %v): tick %v outside", lo, hi, tk.v)
			}
			if i > 0 && !(tk.v > ticks[i-1].v) {
				t.Fatalf("barTicks(%v, %v): ticks not increasing: %v", lo, hi, ticks)
			}
		}
		ct, tlo, thi := niceTicks(lo, hi, 5, integer)
		tol := (hi - lo) * 1e-9 // the ticks may round off the last digits
		if math.IsInf(tol, 0) {
			tol = math.MaxFloat64 * 1e-9
		}
		if len(ct) == 0 || len(ct) > 14 || tlo > lo+tol || thi < hi-tol {
			t.Fatalf("niceTicks(%v, %v): %d ticks over [%v, %v]", lo, hi, len(ct), tlo, thi)
		}
	})
}
