package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
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

// refArgmin is an independent reference for a row's best and second-best
// column: the lowest column holding the smallest number, then the lowest
// other column holding the smallest remaining number. NaN never counts; a
// row with fewer than two numbers gets column 0 (or its one number) as best
// and the lowest other column as second.
func refArgmin(row []float64) (best, second int) {
	best, second = -1, -1
	for j, v := range row {
		if !math.IsNaN(v) && (best < 0 || v < row[best]) {
			best = j
		}
	}
	for j, v := range row {
		if j != best && !math.IsNaN(v) && (second < 0 || v < row[second]) {
			second = j
		}
	}
	if best < 0 {
		best = 0
	}
	if second < 0 && len(row) > 1 {
		second = 0
		if best == 0 {
			second = 1
		}
	}
	return best, second
}

// TestArgminWideRows checks rows of at least 17 columns, wider than the
// argmin's group of eight, with ties and NaNs inside a group, across groups
// and in the tail after the last whole group, against refArgmin; and many
// random rows of small integers (so ties are common) with NaNs.
func TestArgminWideRows(t *testing.T) {
	nan := math.NaN()
	fill := func(n int, v float64, set map[int]float64) []float64 {
		row := make([]float64, n)
		for i := range row {
			row[i] = v
		}
		for i, x := range set {
			row[i] = x
		}
		return row
	}
	cases := []struct {
		name         string
		row          []float64
		best, second int
	}{
		{"tie inside the second group, NaN beside it", fill(20, 5, map[int]float64{9: nan, 10: 2, 13: 2, 17: 2}), 10, 13},
		{"tie across groups", fill(17, 4, map[int]float64{3: 1, 11: 1}), 3, 11},
		{"tie in the tail after the groups", fill(19, 4, map[int]float64{16: 0, 18: 0}), 16, 18},
		{"NaN first in the group of the best", fill(24, 3, map[int]float64{8: nan, 9: 1, 15: 1.5}), 9, 15},
		{"whole group of NaN before the best", fill(17, 3, map[int]float64{0: nan, 1: nan, 2: nan, 3: nan, 4: nan, 5: nan, 6: nan, 7: nan, 12: 0}), 12, 8},
		{"second best in a later group than a skipped one", fill(25, 9, map[int]float64{2: 1, 5: 8, 20: 3}), 2, 20},
		{"all equal", fill(17, 7, nil), 0, 1},
		{"all NaN", fill(17, nan, nil), 0, 1},
		{"one number in the tail", fill(17, nan, map[int]float64{16: 1}), 16, 0},
	}
	for _, c := range cases {
		if b, s := refArgmin(c.row); b != c.best || s != c.second {
			t.Fatalf("%s: the case says %d, %d but refArgmin %d, %d", c.name, c.best, c.second, b, s)
		}
	}
	rng := rand.New(rand.NewPCG(11, 17))
	for i := range 500 {
		row := make([]float64, 17+rng.IntN(40))
		for j := range row {
			row[j] = float64(rng.IntN(6))
			if rng.IntN(7) == 0 {
				row[j] = nan
			}
		}
		b, s := refArgmin(row)
		cases = append(cases, struct {
			name         string
			row          []float64
			best, second int
		}{fmt.Sprintf("random %d", i), row, b, s})
	}
	for _, dt := range allDtypes {
		// Each row alone, so that rows keep their own width.
		for _, c := range cases {
			op := &argminOp{}
			v, err := op.Do(denseOf(dt, 1, len(c.row), c.row))
			if err != nil {
				t.Fatal(err)
			}
			if got := v.(*tensor.Dense).Data().([]int)[0]; got != c.best || op.second[0] != c.second {
				t.Fatalf("%s/%v: %v: best %d second %d, want %d and %d", c.name, dt, c.row, got, op.second[0], c.best, c.second)
			}
		}
	}
}
