package graph

import (
	"math"
	"testing"
)

// TestFinite checks Map.Finite's lane-wise scan on a codebook of 27
// weights (6 blocks of 4 and a tail of 3): a NaN or ±Inf anywhere, first,
// in a block, in the tail or just before it, makes the map not finite; a
// huge finite value does not.
func TestFinite(t *testing.T) {
	for _, dt := range allDtypes {
		for _, c := range []struct {
			name string
			at   int
			v    float64
			want bool
		}{
			{"clean", -1, 0, true},
			{"huge-finite", 13, math.MaxFloat32, true},
			{"nan-first", 0, math.NaN(), false},
			{"inf-middle", 13, math.Inf(1), false},
			{"neg-inf-tail", 26, math.Inf(-1), false},
			{"nan-before-tail", 23, math.NaN(), false},
		} {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				m, err := New(Config{Grid: Grid{Rows: 3, Cols: 3}, Dim: 3, Dtype: dt})
				if err != nil {
					t.Fatal(err)
				}
				w := make([]float64, 27)
				for i := range w {
					w[i] = float64(i) - 13.5
				}
				if err := m.SetWeights(w); err != nil {
					t.Fatal(err)
				}
				if c.at >= 0 {
					switch d := m.Codebook().Data().(type) {
					case []float32:
						d[c.at] = float32(c.v)
					case []float64:
						d[c.at] = c.v
					}
				}
				if got := m.Finite(); got != c.want {
					t.Errorf("Map.Finite = %v, want %v", got, c.want)
				}
			})
		}
	}
}
