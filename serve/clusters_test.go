package serve

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/viz"
)

// clustered returns the penguins fixture with a clustering of its units
// stored in the model, as somgraph cluster stores it.
func clustered(t testing.TB) fixture {
	t.Helper()
	f := penguins(t)
	md := *f.model
	g := md.Config.Grid
	res, err := cluster.Fit(md.Weights, md.Config.Dim, g, &cluster.Options{Method: cluster.WardContiguous, K: 4})
	if err != nil {
		t.Fatal(err)
	}
	md.Clusters = res
	f.model = &md
	return f
}

func TestClusters(t *testing.T) {
	f := clustered(t)
	_, ts := f.explorer(t)
	g := f.model.Config.Grid
	labels := f.model.Clusters.Labels
	var m struct {
		mapResult
		Clusters []int    `json:"clusters"`
		Borders  [][2]int `json:"borders"`
	}
	_, _, b := get(t, ts.URL+"/api/map")
	decode(t, b, &m)
	if !slices.Equal(m.Clusters, labels) {
		t.Fatalf("clusters %v, want %v", m.Clusters, labels)
	}
	l := m.layer("clusters")
	for k, c := range labels {
		if l.Categories[k] != c || l.Colors[k] != hex(viz.CategoryColor(c)) {
			t.Fatalf("clusters layer unit %d: %d %s, want %d", k, l.Categories[k], l.Colors[k], c)
		}
	}
	// borders: exactly the neighbouring pairs in different clusters
	var want [][2]int
	for a := range g.Units() {
		for b := a + 1; b < g.Units(); b++ {
			if g.Adjacent(a, b) && labels[a] != labels[b] {
				want = append(want, [2]int{a, b})
			}
		}
	}
	slices.SortFunc(m.Borders, func(x, y [2]int) int { return (x[0]-y[0])*10000 + x[1] - y[1] })
	if len(want) == 0 || !slices.Equal(m.Borders, want) {
		t.Fatalf("borders %v, want %v", m.Borders, want)
	}
	// a unit's cluster: its size and the profile cluster.Profiles gives
	ps, err := f.model.Clusters.Profiles(f.data, bmus(t, f), f.model.Pipeline)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, g.Units() - 1} {
		var u struct {
			Cluster struct {
				Cluster, Units, Records int
				Features                []struct {
					Feature string
					Mean    *float64
					Top     string
				}
			}
		}
		_, _, b := get(t, fmt.Sprintf("%s/api/units/%d", ts.URL, k))
		decode(t, b, &u)
		c := labels[k]
		p := ps[c]
		if u.Cluster.Cluster != c || u.Cluster.Units != p.Units || u.Cluster.Records != p.Records {
			t.Fatalf("unit %d cluster %+v, want cluster %d of %d units, %d records", k, u.Cluster, c, p.Units, p.Records)
		}
		for _, fs := range p.Features {
			i := slices.IndexFunc(u.Cluster.Features, func(x struct {
				Feature string
				Mean    *float64
				Top     string
			}) bool {
				return x.Feature == fs.Name
			})
			if i < 0 {
				t.Fatalf("unit %d: no cluster feature %s", k, fs.Name)
			}
			got := u.Cluster.Features[i]
			if !fs.Categorical && (got.Mean == nil || math.Abs(*got.Mean-fs.Mean) > 1e-9) {
				t.Errorf("unit %d cluster mean of %s: %v, want %v", k, fs.Name, got.Mean, fs.Mean)
			}
			if fs.Categorical && got.Top != fs.Levels[argmax(fs.Shares)] {
				t.Errorf("unit %d cluster top level of %s: %q, want %q", k, fs.Name, got.Top, fs.Levels[argmax(fs.Shares)])
			}
		}
	}
	// the chart of the clusters layer is viz's, as somgraph plot draws it
	code, ct, b := get(t, ts.URL+"/api/chart/clusters.png")
	in, err := viz.FromModel(f.model, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wantPNG bytes.Buffer
	if err := in.ClusterMap(&wantPNG, viz.PNG); err != nil {
		t.Fatal(err)
	}
	if code != 200 || ct != "image/png" || !bytes.Equal(b, wantPNG.Bytes()) {
		t.Fatalf("clusters.png: %d %s %d bytes, want %d", code, ct, len(b), wantPNG.Len())
	}
}

func bmus(t testing.TB, f fixture) []int {
	out := []int{}
	for _, p := range f.predictions(t) {
		out = append(out, p.Unit)
	}
	return out
}
