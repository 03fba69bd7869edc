package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMissingInitialize checks that every initializer of a map with
// Config.Missing gives a finite codebook from records with missing values,
// that InitSample copies records with each hole filled by its feature's
// mean over the present values (worked out in the test), and that a map
// without Missing still rejects NaN.
func TestMissingInitialize(t *testing.T) {
	const n, d = 60, 3
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]float64, n*d)
	var sum [d]float64
	var cnt [d]float64
	for i := range data {
		data[i] = rng.NormFloat64() + float64(i%d)*10
		if i%7 == 3 && i%d != 0 {
			data[i] = math.NaN()
		} else {
			sum[i%d] += data[i]
			cnt[i%d]++
		}
	}
	orig := slices.Clone(data)
	filled := slices.Clone(data)
	for i, v := range filled {
		if math.IsNaN(v) {
			filled[i] = sum[i%d] / cnt[i%d]
		}
	}
	for _, kind := range []Init{InitRandom, InitSample, InitPCA, InitKMeans} {
		m, err := New(Config{Grid: Grid{Rows: 3, Cols: 4}, Dim: d, Missing: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Initialize(kind, data, rand.New(rand.NewPCG(5, 6))); err != nil {
			t.Fatalf("%v: %v", kind, err)
		}
		w := m.Weights()
		if slices.ContainsFunc(w, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }) {
			t.Fatalf("%v: codebook %v is not finite", kind, w)
		}
		if kind == InitSample {
			for u := 0; u < m.Units(); u++ {
				found := false
				for r := 0; r < n && !found; r++ {
					found = slices.EqualFunc(w[u*d:(u+1)*d], filled[r*d:(r+1)*d], func(a, b float64) bool { return math.Abs(a-b) < 1e-4 })
				}
				if !found {
					t.Errorf("unit %d %v is no record with its holes filled by the means", u, w[u*d:(u+1)*d])
				}
			}
		}
	}
	if !slices.EqualFunc(data, orig, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
		t.Error("Initialize modified the data")
	}
	m, err := New(Config{Grid: Grid{Rows: 3, Cols: 4}, Dim: d})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Initialize(InitSample, data, rand.New(rand.NewPCG(5, 6))); err == nil {
		t.Error("a map without Missing initialized from NaN")
	}
}
