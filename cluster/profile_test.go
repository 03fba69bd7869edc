package cluster

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/loaders"
)

func TestProfilesDecoded(t *testing.T) {
	header := []string{"size", "colour", "kind"}
	rows := [][]string{
		{"1", "red", "a"}, {"2", "red", "a"}, {"3", "blue", "a"}, {"4", "red", "b"},
		{"100", "blue", "b"}, {"200", "blue", "b"},
	}
	tab, err := loaders.FromStrings(header, rows, &loaders.ReadOptions{Target: "kind"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := loaders.Fit(tab, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	// A 3-unit "map": records 0-3 hit unit 0 or 1 (cluster 0), 4-5 unit 2.
	r := &Result{Method: KMeans, K: 2, Labels: []int{0, 0, 1}}
	ps, err := r.Profiles(ds, []int{0, 1, 0, 1, 2, 2}, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Units != 2 || ps[1].Units != 1 || ps[0].Records != 4 || ps[1].Records != 2 {
		t.Fatalf("profiles %+v", ps)
	}
	size := ps[0].Features[0]
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// sizes 1..4: mean 2.5, sample sd √(5/3), type-7 quartiles 1.75 and 3.25
	if size.Name != "size" || size.Categorical || !near(size.Mean, 2.5) || !near(size.SD, math.Sqrt(5.0/3)) ||
		!near(size.Min, 1) || !near(size.Q25, 1.75) || !near(size.Median, 2.5) || !near(size.Q75, 3.25) || !near(size.Max, 4) {
		t.Errorf("size in cluster 0: %+v", size)
	}
	// overall mean 310/6, so cluster 1's mean 150 is above it: Z > 0
	if z := ps[1].Features[0].Z; !(z > 0) || !(ps[0].Features[0].Z < 0) {
		t.Errorf("Z: %v and %v", ps[0].Features[0].Z, z)
	}
	col := ps[0].Features[1]
	if !col.Categorical || col.Levels[0] != "blue" || !near(col.Shares[0], 0.25) || !near(col.Shares[1], 0.75) {
		t.Errorf("colour in cluster 0: %+v", col)
	}
	if tg := ps[1].Target; tg == nil || tg.Name != "kind" || !tg.Categorical || !near(tg.Shares[1], 1) {
		t.Errorf("target in cluster 1: %+v", tg)
	}
	var b bytes.Buffer
	if err := WriteProfilesCSV(&b, ps); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	wantHead := "cluster,units,records,size_mean,size_sd,size_min,size_q25,size_median,size_q75,size_max,colour=blue,colour=red,kind=a,kind=b"
	if len(lines) != 3 || lines[0] != wantHead {
		t.Fatalf("CSV:\n%s", b.String())
	}
	if !strings.HasPrefix(lines[1], "0,2,4,2.5,1.29099,1,1.75,2.5,3.25,4,0.25,0.75,0.75,0.25") {
		t.Errorf("CSV row 0: %s", lines[1])
	}
}

func TestProfilesPlainAndEmpty(t *testing.T) {
	ds, _ := loaders.FromRows([][]float64{{0}, {1}, {2}}, []string{"x"})
	r := &Result{Method: KMeans, K: 2, Labels: []int{0, 0, 1}}
	// no record in cluster 1
	ps, err := r.Profiles(ds, []int{0, 1, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ps[1].Records != 0 || !math.IsNaN(ps[1].Features[0].Mean) || ps[0].Features[0].Name != "x" {
		t.Errorf("%+v", ps)
	}
	var b bytes.Buffer
	if err := WriteProfilesCSV(&b, ps); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\n1,1,0,,,,,,,\n") {
		t.Errorf("empty cluster row:\n%s", b.String())
	}
	for _, c := range []struct {
		ds   *loaders.Dataset
		bmus []int
	}{{nil, nil}, {ds, []int{0}}, {ds, []int{0, 1, 5}}, {&loaders.Dataset{N: 1, D: 1, Data: []float64{math.NaN()}}, []int{0}}} {
		if _, err := r.Profiles(c.ds, c.bmus, nil); err == nil {
			t.Errorf("Profiles(%v, %v): no error", c.ds, c.bmus)
		}
	}
	if err := WriteProfilesCSV(&b, nil); err == nil {
		t.Error("no profiles: no error")
	}
}
