package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func newRng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

func TestInitRandomWithinBounds(t *testing.T) {
	m, _ := New(Config{Grid: Grid{Rows: 5, Cols: 5}, Dim: 2})
	data := []float64{0, 10, 1, 20, 0.5, 15}
	if err := m.Initialize(InitRandom, data, newRng(1)); err != nil {
		t.Fatal(err)
	}
	w := m.Weights()
	for u := 0; u < 25; u++ {
		if w[2*u] < 0 || w[2*u] > 1 || w[2*u+1] < 10 || w[2*u+1] > 20 {
			t.Fatalf("unit %d = %v, outside the data's bounds [0,1]×[10,20]", u, w[2*u:2*u+2])
		}
	}
	m2, _ := New(Config{Grid: Grid{Rows: 5, Cols: 5}, Dim: 2})
	m2.Initialize(InitRandom, data, newRng(1))
	if !slices.Equal(w, m2.Weights()) {
		t.Error("same seed, different codebooks")
	}
}

func TestInitSample(t *testing.T) {
	rng := newRng(2)
	data := randVals(rng, 3*50)
	m, _ := New(Config{Grid: Grid{Rows: 4, Cols: 4}, Dim: 3, Dtype: allDtypes[1]})
	if err := m.Initialize(InitSample, data, newRng(3)); err != nil {
		t.Fatal(err)
	}
	w := m.Weights()
	seen := map[int]bool{}
	for u := 0; u < 16; u++ {
		found := -1
		for i := 0; i < 50; i++ {
			if slices.Equal(w[3*u:3*u+3], data[3*i:3*i+3]) {
				found = i
			}
		}
		if found < 0 || seen[found] {
			t.Fatalf("unit %d is not a distinct record (found %d)", u, found)
		}
		seen[found] = true
	}
}

// TestInitPCA uses data on a plane in 3-D: the codebook must lie in that
// plane, be centred on the data's mean, and run along the long axis over the
// rows (the longer side of the grid).
func TestInitPCA(t *testing.T) {
	rng := newRng(4)
	const n = 500
	data := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		a, b := 10*rng.NormFloat64(), rng.NormFloat64()
		data = append(data, 1+a, 2+b, 3+a+b) // plane z = x + y
	}
	m, _ := New(Config{Grid: Grid{Rows: 6, Cols: 3}, Dim: 3, Dtype: allDtypes[1]})
	if err := m.Initialize(InitPCA, data, newRng(5)); err != nil {
		t.Fatal(err)
	}
	w := m.Weights()
	var mean [3]float64
	for u := 0; u < 18; u++ {
		x, y, z := w[3*u], w[3*u+1], w[3*u+2]
		if math.Abs(z-x-y) > 1e-9*math.Max(1, math.Abs(z)) { // float64 map
			t.Errorf("unit %d = %v is off the data's plane", u, w[3*u:3*u+3])
		}
		for f := 0; f < 3; f++ {
			mean[f] += w[3*u+f] / 18
		}
	}
	var dmean [3]float64
	for i, v := range data {
		dmean[i%3] += v / n
	}
	for f := range mean {
		if math.Abs(mean[f]-dmean[f]) > 1e-9*math.Max(1, math.Abs(dmean[f])) {
			t.Errorf("codebook mean %v, data mean %v", mean, dmean)
		}
	}
	// Rows run along the long axis (x varies with sd 10): first and last
	// row are about 4 sd apart in x; columns differ far less.
	first, last := w[0], w[3*m.Grid().Unit(5, 0)]
	if d := math.Abs(last - first); d < 30 || d > 50 {
		t.Errorf("x spread over the rows = %g, want about 4·10", d)
	}
}

func TestInitKMeans(t *testing.T) {
	rng := newRng(6)
	centres := [][2]float64{{0, 0}, {0, 10}, {10, 0}, {10, 10}}
	var data []float64
	for i := 0; i < 400; i++ {
		c := centres[i%4]
		data = append(data, c[0]+0.1*rng.NormFloat64(), c[1]+0.1*rng.NormFloat64())
	}
	m, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 2, Dtype: allDtypes[1]})
	if err := m.Initialize(InitKMeans, data, newRng(7)); err != nil {
		t.Fatal(err)
	}
	w := m.Weights()
	for _, c := range centres {
		found := false
		for u := 0; u < 4; u++ {
			found = found || math.Hypot(w[2*u]-c[0], w[2*u+1]-c[1]) < 0.1
		}
		if !found {
			t.Errorf("no unit near cluster centre %v: codebook %v", c, w)
		}
	}
	// Grid neighbours should be neighbouring clusters (distance 10), the
	// diagonal pairs the far ones.
	if d := math.Hypot(w[0]-w[6], w[1]-w[7]); d < 13 {
		t.Errorf("units 0 and 3 (diagonal) are %g apart, want the far pair (~14.1): %v", d, w)
	}
	if err := m.Initialize(InitKMeans, data[:6], newRng(7)); err == nil {
		t.Error("k-means with 3 records for 4 units: want an error")
	}
}

func TestInitBadInput(t *testing.T) {
	m, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 2})
	for name, data := range map[string][]float64{
		"empty": nil, "ragged": {1, 2, 3}, "NaN": {1, math.NaN()}, "Inf": {math.Inf(1), 0},
	} {
		for _, kind := range []Init{InitRandom, InitSample, InitPCA, InitKMeans} {
			if err := m.Initialize(kind, data, newRng(1)); err == nil {
				t.Errorf("%v on %s data: want an error", kind, name)
			}
		}
	}
	if err := m.Initialize(Init(99), []float64{1, 2}, newRng(1)); err == nil {
		t.Error("unknown init: want an error")
	}
	if err := m.SetWeights([]float64{1, 2}); err == nil {
		t.Error("SetWeights with 2 values for 4×2: want an error")
	}
}

// TestInitConstantData: one record, or identical records, must not make NaN.
func TestInitConstantData(t *testing.T) {
	for _, kind := range []Init{InitRandom, InitSample, InitPCA} {
		m, _ := New(Config{Grid: Grid{Rows: 3, Cols: 3}, Dim: 2})
		if err := m.Initialize(kind, []float64{1, 1, 1, 1}, newRng(1)); err != nil {
			t.Fatalf("%v: %v", kind, err)
		}
		if !m.Finite() {
			t.Errorf("%v on constant data made a non-finite codebook", kind)
		}
	}
}

// TestInitRecordsThenInitializeFrom checks that Initialize is InitRecords,
// then InitializeFrom on the records it chose, gathered elsewhere: the same
// codebook bit for bit and the same random source afterwards, for every
// kind, below and above the subsampling limits (InitRandom from the
// per-feature bounds alone).
func TestInitRecordsThenInitializeFrom(t *testing.T) {
	const d = 3
	for _, kind := range []Init{InitRandom, InitSample, InitPCA, InitKMeans} {
		for _, n := range []int{5, 40, 6000, maxPCARecords + 123} {
			if kind == InitKMeans && n > 6000 {
				continue // the k-means limit is 5000 here: 6000 is above it
			}
			data := randVals(newRng(uint64(n)), n*d)
			cfg := Config{Grid: Grid{Rows: 3, Cols: 4}, Dim: d}
			want, _ := New(cfg)
			rngA := newRng(9)
			err := want.Initialize(kind, data, rngA)
			if kind == InitKMeans && n < 12 {
				if err == nil {
					t.Fatalf("k-means with %d records for 12 units: no error", n)
				}
				if _, err := want.InitRecords(kind, n, newRng(9)); err == nil {
					t.Fatalf("InitRecords: k-means with %d records for 12 units: no error", n)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := New(cfg)
			rngB := newRng(9)
			idx, err := got.InitRecords(kind, n, rngB)
			if err != nil {
				t.Fatal(err)
			}
			var sub []float64
			switch {
			case kind == InitRandom:
				if idx != nil {
					t.Fatalf("random init chose records %v", idx)
				}
				lo, hi := bounds(data, d)
				sub = append(lo, hi...)
			case idx == nil:
				sub = data
			default:
				for _, i := range idx {
					sub = append(sub, data[i*d:(i+1)*d]...)
				}
			}
			if kind == InitPCA && (n > maxPCARecords) != (idx != nil) {
				t.Fatalf("PCA, %d records: chose %d records", n, len(idx))
			}
			if err := got.InitializeFrom(kind, sub, rngB); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Weights(), want.Weights()) {
				t.Fatalf("%v, %d records: InitRecords+InitializeFrom differs from Initialize", kind, n)
			}
			if rngA.Uint64() != rngB.Uint64() {
				t.Fatalf("%v, %d records: the random sources differ afterwards", kind, n)
			}
		}
	}
}

func TestInitRecordsErrors(t *testing.T) {
	m, _ := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 2})
	if _, err := m.InitRecords(InitSample, 0, newRng(1)); err == nil {
		t.Error("no records: no error")
	}
	if _, err := m.InitRecords(Init(99), 10, newRng(1)); err == nil {
		t.Error("unknown kind: no error")
	}
	if err := m.InitializeFrom(Init(99), []float64{1, 2}, newRng(1)); err == nil {
		t.Error("InitializeFrom, unknown kind: no error")
	}
	if err := m.InitializeFrom(InitSample, []float64{1, 2, 3, 4}, newRng(1)); err == nil {
		t.Error("InitializeFrom, 2 sample records for 4 units: no error")
	}
	if err := m.InitializeFrom(InitPCA, []float64{1, math.NaN()}, newRng(1)); err == nil {
		t.Error("InitializeFrom, NaN: no error")
	}
}

// TestBoundsMinMax pins bounds to math.Min and math.Max over each
// feature, bit for bit: signed zeros, NaN, infinities, a partial last
// record.
func TestBoundsMinMax(t *testing.T) {
	r := newRng(3)
	odd := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, -5e-324}
	for _, d := range []int{1, 2, 3, 8, 64} {
		for _, n := range []int{1, 2, 5, 100, 1001, 20000*d + d/2} { // the last: several chunks
			for _, oddFrac := range []float64{0, 0.05, 0.5, 1} {
				data := make([]float64, n)
				for i := range data {
					data[i] = r.NormFloat64()
					if r.Float64() < oddFrac {
						data[i] = odd[r.IntN(len(odd))]
					}
				}
				if n < d {
					continue
				}
				lo, hi := bounds(data, d)
				wlo, whi := slices.Clone(data[:d]), slices.Clone(data[:d])
				for i, v := range data {
					wlo[i%d], whi[i%d] = math.Min(wlo[i%d], v), math.Max(whi[i%d], v)
				}
				for f := range d {
					if math.Float64bits(lo[f]) != math.Float64bits(wlo[f]) || math.Float64bits(hi[f]) != math.Float64bits(whi[f]) {
						t.Fatalf("d=%d n=%d feature %d: bounds %v..%v, math.Min/Max %v..%v (data %v)", d, n, f, lo[f], hi[f], wlo[f], whi[f], data)
					}
				}
			}
		}
	}
}
