package pca

import (
	"math"
	"slices"
	"testing"
)

// TestComponents checks a plane's directions, variances and means worked
// out by hand: points (t, 2t, 5) for t = −1, 0, 1, 2 lie on the line
// through (0.5, 1, 5) along (1, 2, 0)/√5, with variance 5·var(t) = 5·5/3.
func TestComponents(t *testing.T) {
	x := []float64{-1, -2, 5, 0, 0, 5, 1, 2, 5, 2, 4, 5}
	orig := slices.Clone(x)
	vecs, vars, mean, ok := Components(x, 4, 3)
	if !ok {
		t.Fatal("the decomposition failed")
	}
	if !slices.Equal(x, orig) {
		t.Error("Components changed its input")
	}
	for j, want := range []float64{0.5, 1, 5} {
		if math.Abs(mean[j]-want) > 1e-12 {
			t.Errorf("mean %v, want [0.5 1 5]", mean)
		}
	}
	if math.Abs(vars[0]-25.0/3) > 1e-9 || math.Abs(vars[1]) > 1e-9 || math.Abs(vars[2]) > 1e-9 {
		t.Errorf("variances %v, want [25/3 0 0]", vars)
	}
	s := math.Sqrt(5)
	a, b, c := vecs.At(0, 0), vecs.At(1, 0), vecs.At(2, 0)
	if a < 0 {
		a, b, c = -a, -b, -c
	}
	if math.Abs(a-1/s) > 1e-9 || math.Abs(b-2/s) > 1e-9 || math.Abs(c) > 1e-9 {
		t.Errorf("first direction (%v, %v, %v), want ±(1, 2, 0)/√5", a, b, c)
	}
	if _, _, mean, ok := Components([]float64{3, 4}, 1, 2); ok || mean[0] != 3 || mean[1] != 4 {
		t.Errorf("one record: ok %v, mean %v; want false and the record", ok, mean)
	}
}
