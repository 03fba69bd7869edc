package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// testLayout: columns 0 and 1 continuous, 2–4 a one-hot feature of three
// levels, 5 an ordinal feature of three levels.
var testLayout = &MixedLayout{
	Continuous:       []int{0, 1},
	Groups:           []CategoryGroup{{Start: 2, Width: 3, Levels: 3}, {Start: 5, Width: 1, Ordinal: true, Levels: 3}},
	ContinuousWeight: 0.5, CategoryWeight: 0.25,
}

// refMixed is the reference mixed distance, written out for testLayout.
func refMixed(x, w []float64) float64 {
	cont := math.Sqrt((x[0]-w[0])*(x[0]-w[0]) + (x[1]-w[1])*(x[1]-w[1]))
	argmax := func(v []float64) int {
		best, bv := -1, 0.0
		for i, x := range v {
			if x > bv {
				best, bv = i, x
			}
		}
		return best
	}
	ord := func(v float64) int {
		if v < 0.5 {
			return -1
		}
		return int(math.Min(math.Round(v), 3)) - 1
	}
	miss := 0
	if argmax(x[2:5]) != argmax(w[2:5]) {
		miss++
	}
	if ord(x[5]) != ord(w[5]) {
		miss++
	}
	return 0.5*cont + 0.25*float64(miss)
}

func TestMixedMatchesReference(t *testing.T) {
	const b, d = 30, 6
	for _, dt := range allDtypes {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 9))
			g := Grid{Rows: 3, Cols: 4}
			m, err := New(Config{Grid: g, Dim: d, Distance: Mixed, Mixed: testLayout, Dtype: dt})
			if err != nil {
				t.Fatal(err)
			}
			record := func() []float64 {
				v := []float64{rng.NormFloat64(), rng.NormFloat64(), 0, 0, 0, float64(rng.IntN(4))}
				v[2+rng.IntN(3)] = 1
				return v
			}
			var w, x []float64
			for u := 0; u < g.Units(); u++ {
				v := record()
				v[2], v[3], v[4] = rng.Float64(), rng.Float64(), rng.Float64() // soft codebook
				w = append(w, v...)
			}
			for i := 0; i < b; i++ {
				x = append(x, record()...)
			}
			w, x = roundTo(dt, w), roundTo(dt, x)
			m.SetWeights(w)
			f, _ := m.NewForward(b)
			if err := f.Run(denseOf(dt, b, d, x), 1); err != nil {
				t.Fatal(err)
			}
			dist := toF64(f.Distances())
			tol := 1e-5
			if dt == tensor.Float64 {
				tol = 1e-12
			}
			for i := 0; i < b; i++ {
				for u := 0; u < g.Units(); u++ {
					want := refMixed(x[i*d:(i+1)*d], w[u*d:(u+1)*d])
					if math.Abs(dist[i*g.Units()+u]-want) > tol {
						t.Fatalf("record %d, unit %d: %g, reference %g", i, u, dist[i*g.Units()+u], want)
					}
				}
			}
		})
	}
}

func TestMixedLayoutErrors(t *testing.T) {
	cases := map[string]*MixedLayout{
		"missing":         nil,
		"out of range":    {Continuous: []int{0, 9}},
		"twice":           {Continuous: []int{1}, Groups: []CategoryGroup{{Start: 0, Width: 2}}},
		"wide ordinal":    {Groups: []CategoryGroup{{Start: 0, Width: 2, Ordinal: true}}},
		"negative weight": {Continuous: []int{0}, ContinuousWeight: -1},
	}
	for name, l := range cases {
		if _, err := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 3, Distance: Mixed, Mixed: l}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// TestMixedDistanceCases runs hand-worked cases through the graph's Mixed
// distance, the one training uses, on a layout of continuous a, b, a
// one-hot c of three levels and an ordinal d of two levels, with fastsom's
// weights (continuous ½ = 2 of 4 features, a mismatch ¼).
func TestMixedDistanceCases(t *testing.T) {
	layout := &MixedLayout{
		Continuous:       []int{0, 1},
		Groups:           []CategoryGroup{{Start: 2, Width: 3, Levels: 3}, {Start: 5, Width: 1, Ordinal: true, Levels: 2}},
		ContinuousWeight: 0.5, CategoryWeight: 0.25,
	}
	cases := []struct {
		name string
		a, b []float64
		want float64
	}{
		{"same", []float64{1, 2, 1, 0, 0, 1}, []float64{1, 2, 1, 0, 0, 1}, 0},
		{"continuous only", []float64{0, 0, 1, 0, 0, 1}, []float64{3, 4, 1, 0, 0, 1}, 2.0 / 4 * 5},
		{"one-hot argmax equal", []float64{0, 0, 0.6, 0.3, 0.1, 1}, []float64{0, 0, 0.9, 0, 0, 1.2}, 0},
		{"one-hot mismatch", []float64{0, 0, 1, 0, 0, 1}, []float64{0, 0, 0, 0.2, 0.1, 1}, 1.0 / 4},
		{"one-hot tie to the lowest level", []float64{0, 0, 0, 0.5, 0.5, 1}, []float64{0, 0, 0, 1, 0, 1}, 0},
		{"both mismatch", []float64{0, 0, 1, 0, 0, 1}, []float64{0, 0, 0, 1, 0, 2}, 2.0 / 4},
		{"ordinal rounding equal", []float64{0, 0, 1, 0, 0, 1.4}, []float64{0, 0, 1, 0, 0, 0.6}, 0},
		{"ordinal beyond the last level", []float64{0, 0, 1, 0, 0, 9}, []float64{0, 0, 1, 0, 0, 2}, 0},
		{"unknown vs level", []float64{0, 0, 0, 0, 0, 1}, []float64{0, 0, 1, 0, 0, 1}, 1.0 / 4},
		{"all", []float64{0, 0, 1, 0, 0, 1}, []float64{3, 4, 0, 0, 1, 2}, 2.0/4*5 + 2.0/4},
	}
	m, err := New(Config{Grid: Grid{Rows: 1, Cols: 1}, Dim: 6, Distance: Mixed, Mixed: layout, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	f, err := m.NewSearch(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, pair := range [][2][]float64{{c.a, c.b}, {c.b, c.a}} {
				if err := m.SetWeights(pair[1]); err != nil {
					t.Fatal(err)
				}
				if err := f.Search(denseOf(tensor.Float64, 1, 6, pair[0])); err != nil {
					t.Fatal(err)
				}
				if got := f.MinDist()[0]; math.Abs(got-c.want) > 1e-12 {
					t.Errorf("d(%v, %v) = %v, want %v", pair[0], pair[1], got, c.want)
				}
			}
		})
	}
}
