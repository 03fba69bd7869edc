package loaders

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// numericTable returns a table of cols continuous columns of rows random
// values, about one in ten missing (NaN).
func numericTable(rng *rand.Rand, rows, cols int) *Table {
	t := &Table{Name: "t.csv", Rows: rows, NA: DefaultNA}
	for j := range cols {
		num := make([]float64, rows)
		for i := range num {
			num[i] = rng.NormFloat64()*float64(j+1) + float64(j)
			if rng.IntN(10) == 0 {
				num[i] = math.NaN()
			}
		}
		t.Columns = append(t.Columns, Column{Name: fmt.Sprintf("x%d", j), Role: Continuous, Num: num})
	}
	return t
}

// rowByRow is Transform without the column-blocked numeric path: every row
// through transformRows.
func rowByRow(p *Pipeline, t *Table) (*Dataset, error) {
	cols := make([]*Column, len(p.Columns))
	colNo := make([]int, len(p.Columns))
	for j := range p.Columns {
		for k := range t.Columns {
			if t.Columns[k].Name == p.Columns[j].Name {
				cols[j], colNo[j] = &t.Columns[k], k+1
			}
		}
	}
	ds := &Dataset{Data: make([]float64, t.Rows*p.Width()), N: t.Rows, D: p.Width(), Features: p.Features()}
	return ds, p.transformRows(t, cols, colNo, naSchema(t.NA), ds, 0, t.Rows)
}

// TestTransformNumericMatchesRows checks that all-numeric tables, which
// Transform encodes a block of rows at a time, encode bit for bit as row
// by row, with and without missing-value indicators, and that a value
// normalizing to ±Inf gives the error of the first bad value in row order
// even when a later row of the same block has a bad value in an earlier
// column.
func TestTransformNumericMatchesRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][2]int{{1, 1}, {7, 3}, {255, 2}, {257, 5}, {5000, 9}} {
		for _, ind := range []bool{false, true} {
			tab := numericTable(rng, shape[0], shape[1])
			p, err := Fit(tab, nil, &PipelineOptions{NAIndicators: ind})
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Transform(tab)
			if err != nil {
				t.Fatal(err)
			}
			want, err := rowByRow(p, tab)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got.Data, want.Data, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
				t.Errorf("%v indicators %v: block and row encodings differ", shape, ind)
			}
		}
	}
	tab := numericTable(rng, 3000, 4)
	p, err := Fit(tab, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Row 1100 (block 4) has +Inf in column 3, row 1101 -Inf in
	// column 1, row 2900 another: the error names row 1101 (1-based),
	// column x3.
	tab.Columns[3].Num[1100] = math.Inf(1)
	tab.Columns[1].Num[1101] = math.Inf(-1)
	tab.Columns[0].Num[2900] = math.Inf(1)
	_, err = p.Transform(tab)
	_, want := rowByRow(p, tab)
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrInfinite) || pe.Row != 1101 || pe.ColumnName != "x3" {
		t.Fatalf("Transform error %v, want row 1101 column x3 infinite", err)
	}
	if err.Error() != want.Error() {
		t.Errorf("Transform error %q, row by row %q", err, want)
	}
}
