package hugemem

import (
	"testing"
)

// TestSlices checks that Float64s and Bytes are make: length, capacity,
// zeroed, and make's panic for a length above the capacity.
func TestSlices(t *testing.T) {
	for _, c := range [][2]int{{0, 0}, {3, 5}, {0, minAdvise / 8}, {minAdvise, minAdvise + 4097}} {
		f := Float64s(c[0]/8, c[1]/8)
		b := Bytes(c[0], c[1])
		if len(f) != c[0]/8 || cap(f) != c[1]/8 || len(b) != c[0] || cap(b) != c[1] {
			t.Fatalf("%v: got len/cap %d/%d and %d/%d", c, len(f), cap(f), len(b), cap(b))
		}
		for _, v := range f[:cap(f)] {
			if v != 0 {
				t.Fatalf("%v: not zeroed", c)
			}
		}
		for _, v := range b[:cap(b)] {
			if v != 0 {
				t.Fatalf("%v: not zeroed", c)
			}
		}
	}
	for name, fn := range map[string]func(){"Float64s": func() { Float64s(2, 1) }, "Bytes": func() { Bytes(2, 1) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s(2, 1) did not panic", name)
				}
			}()
			fn()
		}()
	}
}
