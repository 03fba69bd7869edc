package main

import (
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/loaders"
)

// TestHoles checks the removal: about the rate of the input values, the
// target untouched, no record left without a value, the complete flags
// right and the input table unchanged.
func TestHoles(t *testing.T) {
	ds, err := load("penguins", 0)
	if err != nil {
		t.Fatal(err)
	}
	before := ds.table.Column("bill_length_mm").Num[0]
	holed, complete := holes(ds.table, 0.3, 7)
	cells, gone, nComplete := 0, 0, 0
	for i := range holed.Rows {
		lost := 0
		inputs := 0
		for _, c := range holed.Columns {
			if !isInput(c) {
				if c.IsMissing(i) {
					t.Fatalf("row %d: the target lost its value", i)
				}
				continue
			}
			inputs++
			if c.IsMissing(i) {
				lost++
			}
		}
		if lost == inputs {
			t.Fatalf("row %d lost every value", i)
		}
		if complete[i] != (lost == 0) {
			t.Fatalf("row %d: complete %v, lost %d", i, complete[i], lost)
		}
		if complete[i] {
			nComplete++
		}
		cells += inputs
		gone += lost
	}
	if share := float64(gone) / float64(cells); math.Abs(share-0.3) > 0.03 {
		t.Errorf("removed %.3f of the values, want about 0.3", share)
	}
	if nComplete == 0 || ds.table.Column("bill_length_mm").Num[0] != before || ds.table.Column("bill_length_mm").MissingCount() != 0 {
		t.Errorf("%d complete rows; the input table changed", nComplete)
	}
}

// TestInRefSpace checks the codebook mapping against the pipelines' own
// decoding: each unit of a map trained with either policy decodes (its
// continuous values in original units, its categories) to the same as the
// mapped unit under the reference pipeline.
func TestInRefSpace(t *testing.T) {
	ds, err := load("penguins", 0)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := loaders.NewDataBunch(ds.table, nil)
	if err != nil {
		t.Fatal(err)
	}
	holed, _ := holes(ds.table, 0.3, 3)
	for _, policy := range []loaders.Missing{loaders.FillMissing, loaders.SkipMissing} {
		m, err := train(holed, policy, ds, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		g, err := inRefSpace(m, ref.Pipeline)
		if err != nil {
			t.Fatal(err)
		}
		w, dm, dr := g.Weights(), m.Config.Dim, g.Dim()
		for u := range g.Units() {
			a, err := m.Pipeline.Denormalize(m.Weights[u*dm : (u+1)*dm])
			if err != nil {
				t.Fatal(err)
			}
			b, err := ref.Pipeline.Denormalize(w[u*dr : (u+1)*dr])
			if err != nil {
				t.Fatal(err)
			}
			for i := range a {
				if math.Abs(a[i]-b[i]) > 1e-3*(1+math.Abs(a[i])) {
					t.Fatalf("%v: unit %d value %d: %v in the model, %v mapped", policy, u, i, a[i], b[i])
				}
			}
			ca, _ := m.Pipeline.Recategorize(m.Weights[u*dm : (u+1)*dm])
			cb, _ := ref.Pipeline.Recategorize(w[u*dr : (u+1)*dr])
			for i := range cb {
				if ca[i] != cb[i] && ca[i] != loaders.MissingLevel {
					t.Fatalf("%v: unit %d category %d: %q in the model, %q mapped", policy, u, i, ca[i], cb[i])
				}
			}
		}
	}
}

// TestCompareReports runs a small experiment: every number is finite and
// in range, and the row names the data and the rate. (Which policy wins
// is reported, not asserted.)
func TestCompareReports(t *testing.T) {
	ds, err := load("iris", 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := compare(ds, 0.3, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range [][]float64{r.qeFill, r.qeSkip, r.teFill, r.teSkip, r.qeAllFill, r.qeAllSkip} {
		if len(v) != 2 {
			t.Fatalf("%d values for 2 seeds", len(v))
		}
		for _, x := range v {
			if !(x >= 0) || math.IsInf(x, 0) {
				t.Fatalf("value %v", x)
			}
		}
	}
	if row := r.row(); !strings.HasPrefix(row, "| iris | 30% |") || !strings.Contains(row, " of 2 |") {
		t.Errorf("row %q", row)
	}
}
