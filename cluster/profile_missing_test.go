package cluster

import (
	"errors"
	"math"
	"testing"

	"github.com/somgraph/somgraph/loaders"
)

// TestProfilesSkipMissing profiles records encoded with SkipMissing: a
// missing value is left out of its feature's statistics (worked out by
// hand), not counted as an unknown level or a NaN mean, and a record
// with no value present is an error.
func TestProfilesSkipMissing(t *testing.T) {
	header := []string{"size", "colour"}
	rows := [][]string{
		{"1", "red"}, {"NA", "red"}, {"3", ""}, {"5", "blue"}, // cluster 0
		{"100", ""}, {"", "blue"}, // cluster 1
	}
	tab, err := loaders.FromStrings(header, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loaders.Fit(tab, nil, &loaders.PipelineOptions{Missing: loaders.SkipMissing})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	r := &Result{Method: KMeans, K: 2, Labels: []int{0, 1}}
	ps, err := r.Profiles(ds, []int{0, 0, 0, 0, 1, 1}, p)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// cluster 0 sizes 1, 3, 5: mean 3, sd 2, median 3.
	if s := ps[0].Features[0]; !near(s.Mean, 3) || !near(s.SD, 2) || !near(s.Median, 3) || !near(s.Min, 1) || !near(s.Max, 5) {
		t.Errorf("size in cluster 0: %+v", s)
	}
	// cluster 1: one size (100).
	if s := ps[1].Features[0]; !near(s.Mean, 100) || s.SD != 0 {
		t.Errorf("size in cluster 1: %+v", s)
	}
	// colours present in cluster 0: red, red, blue: shares 1/3 blue, 2/3
	// red, and no unknown level.
	if c := ps[0].Features[1]; len(c.Levels) != 2 || c.Levels[0] != "blue" || !near(c.Shares[0], 1.0/3) || !near(c.Shares[1], 2.0/3) {
		t.Errorf("colour in cluster 0: %+v", c)
	}
	if c := ps[1].Features[1]; len(c.Levels) != 2 || !near(c.Shares[0], 1) {
		t.Errorf("colour in cluster 1: %+v", c)
	}
	empty := &loaders.Dataset{Data: []float64{1, 0, 1, math.NaN(), math.NaN(), math.NaN()}, N: 2, D: 3}
	if _, err := r.Profiles(empty, []int{0, 1}, p); !errors.Is(err, loaders.ErrNoFeaturePresent) {
		t.Errorf("a record with no value: %v, want ErrNoFeaturePresent", err)
	}
}
