package trainer

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

// tableOf builds a raw table of x (continuous) and c (categorical) rows.
func tableOf(t *testing.T, rows [][2]string) *loaders.Table {
	t.Helper()
	recs := make([][]string, len(rows))
	for i, r := range rows {
		recs[i] = []string{r[0], r[1]}
	}
	tab, err := loaders.FromStrings([]string{"x", "c"}, recs, &loaders.ReadOptions{Cont: []string{"x"}, Cat: []string{"c"}})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestDriftPlanted measures the drift of hand-built new rows against a
// model fitted on x in [0, 9] and c in {a, b}: every count is planted.
func TestDriftPlanted(t *testing.T) {
	var old [][2]string
	for i := range 40 {
		old = append(old, [2]string{fmt.Sprint(i % 10), []string{"a", "b"}[i%2]})
	}
	oldTab := tableOf(t, old)
	pipe, err := loaders.Fit(oldTab, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := pipe.Columns[0].Range; len(r) != 2 || r[0] != 0 || r[1] != 9 {
		t.Fatalf("fitted range %v, want [0 9]", r)
	}
	ds, err := pipe.Transform(oldTab)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(ds, nil, &Options{Grid: graph.Grid{Rows: 2, Cols: 3}, Pipeline: pipe, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(5); err != nil {
		t.Fatal(err)
	}
	m := l.Model()
	// 10 new rows: 2 unseen categories (one also below the range), 3
	// values above 9, 1 below 0, 2 missing x, 1 missing c.
	fresh := tableOf(t, [][2]string{
		{"1", "a"}, {"12", "b"}, {"10", "a"}, {"9.5", "b"}, {"-1", "z"},
		{"3", "y"}, {"", "a"}, {"NA", "b"}, {"4", ""}, {"5", "a"},
	})
	nds, err := pipe.Transform(fresh)
	if err != nil {
		t.Fatal(err)
	}
	d, err := m.Drift(fresh, nds)
	if err != nil {
		t.Fatal(err)
	}
	if d.Records != 10 || d.UnseenRecords != 2 || d.OutOfRangeRecords != 4 || d.Missing != 3 || d.Fields != 20 || d.MissingShare != 0.15 || !d.RangeKnown {
		t.Errorf("drift %+v; want 10 records, 2 unseen, 4 out of range, 3 of 20 missing", d)
	}
	if len(d.Columns) != 2 || d.Columns[0].Above != 3 || d.Columns[0].Below != 1 || d.Columns[0].Missing != 2 ||
		d.Columns[1].Unseen != 2 || d.Columns[1].Missing != 1 || strings.Join(d.Columns[1].Examples, ",") != "z,y" {
		t.Errorf("columns %+v", d.Columns)
	}
	if want := l.History()[4].Train.QE; d.TrainQE != want {
		t.Errorf("TrainQE %v, want the last epoch's %v", d.TrainQE, want)
	}
	met, _ := l.Map().Evaluate(nds.Data, 1)
	if d.QE != met.QE {
		t.Errorf("QE %v, want %v", d.QE, met.QE)
	}
	s := d.String()
	for _, want := range []string{"records with unseen categories: 2 (20.0%)", "outside the training range: 4 (40.0%)", "missing values: 15.0% of fields (3 of 20)", `c: 2 unseen ("z", "y"), 1 missing`, "x: 1 below 0, 3 above 9, 2 missing"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	// A pipeline fitted before ranges were kept.
	old2 := *m
	p2 := *pipe
	p2.Columns = append([]loaders.FittedColumn(nil), pipe.Columns...)
	p2.Columns[0].Range = nil
	old2.Pipeline = &p2
	d2, err := old2.Drift(fresh, nds)
	if err != nil {
		t.Fatal(err)
	}
	if d2.RangeKnown || d2.OutOfRangeRecords != 0 || !strings.Contains(d2.String(), "ranges: not stored") {
		t.Errorf("without ranges: %+v", d2)
	}
	// Bad input.
	if _, err := m.Drift(fresh, nil); err == nil {
		t.Error("no data: no error")
	}
	if _, err := m.Drift(tableOf(t, [][2]string{{"1", "a"}}), nds); err == nil || !strings.Contains(err.Error(), "the table has 1 rows, the data 10") {
		t.Errorf("table and data of different lengths: %v", err)
	}
}

// TestNewFromModel continues a trained map: the codebook is the model's,
// map options that contradict it and data that do not fit are errors.
func TestNewFromModel(t *testing.T) {
	l := trained(t, Options{Grid: graph.Grid{Rows: 4, Cols: 5}, Seed: 3})
	m := l.Model()
	c, err := NewFromModel(m, l.Train(), l.Valid(), &Options{Sigma: 1, Alpha: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Map().Weights(), m.Weights; !equalFloats(got, want) {
		t.Error("the continued Learner does not start from the model's codebook")
	}
	if err := c.Fit(2); err != nil {
		t.Fatal(err)
	}
	if equalFloats(c.Map().Weights(), m.Weights) {
		t.Error("training the continued Learner changed nothing")
	}
	if !bytes.Contains(exported(t, c), []byte(`"rows":4,"cols":5`)) {
		t.Error("the continued model lost the grid")
	}
	// The topographic error's convention is a measurement, not the map's
	// shape: a continued rect map may count 8 neighbours; hex still only 6.
	if c8, err := NewFromModel(m, l.Train(), nil, &Options{TENeighbors: 8}); err != nil {
		t.Errorf("continuing a rect map with TENeighbors 8: %v", err)
	} else if got := c8.Map().Config().TENeighborCount(); got != 8 {
		t.Errorf("continued map counts %d neighbours for TE, want 8", got)
	}
	hex := trained(t, Options{Grid: graph.Grid{Rows: 4, Cols: 4, Topology: graph.Hexagonal}, Seed: 3})
	if _, err := NewFromModel(hex.Model(), hex.Train(), nil, &Options{TENeighbors: 8}); err == nil || !strings.Contains(err.Error(), "6 neighbours") {
		t.Errorf("continuing a hex map with TENeighbors 8: error %v, want one about its 6 neighbours", err)
	}
	other := loaders.Colors(50, 1)
	other.D, other.Data = 2, other.Data[:100]
	named := loaders.Colors(50, 1)
	named.Features = []string{"a", "b", "c"}
	for _, cs := range []struct {
		name  string
		m     *Model
		train *loaders.Dataset
		opts  *Options
		want  string
	}{
		{"no model", nil, l.Train(), nil, "no model"},
		{"grid", m, l.Train(), &Options{Grid: graph.Grid{Rows: 2, Cols: 2}}, "Options.Grid 2x2 rect contradicts the model's 4x5 rect"},
		{"distance", m, l.Train(), &Options{Distance: graph.Cosine}, "Options.Distance cosine contradicts"},
		{"dimension", m, other, nil, "the training data have 2 features, the model 3"},
		{"feature names", m, named, nil, `the training data's features ["a" "b" "c"] differ from the model's`},
	} {
		if _, err := NewFromModel(cs.m, cs.train, nil, cs.opts); err == nil || !strings.Contains(err.Error(), cs.want) {
			t.Errorf("%s: error %v, want one containing %q", cs.name, err, cs.want)
		}
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
