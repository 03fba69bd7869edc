package graph

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestArgminOp(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name         string
		row          []float64
		best, second int
	}{
		{"plain", []float64{3, 1, 2}, 1, 2},
		{"tie goes low", []float64{2, 1, 1, 5}, 1, 2},
		{"tie at the start", []float64{1, 1, 1}, 0, 1},
		{"best last", []float64{4, 3, 2, 1}, 3, 2},
		{"NaN never wins", []float64{nan, 5, nan, 4}, 3, 1},
		{"one number", []float64{nan, 7, nan}, 1, 0},
		{"no numbers", []float64{nan, nan}, 0, 1},
		{"one column", []float64{3}, 0, -1},
	}
	for _, c := range cases {
		for _, dt := range allDtypes {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				op := &argminOp{}
				v, err := op.Do(denseOf(dt, 1, len(c.row), c.row))
				if err != nil {
					t.Fatal(err)
				}
				if got := v.(*tensor.Dense).Data().([]int)[0]; got != c.best || op.second[0] != c.second {
					t.Errorf("best %d second %d, want %d and %d", got, op.second[0], c.best, c.second)
				}
			})
		}
	}
}
