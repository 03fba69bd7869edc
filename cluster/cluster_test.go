package cluster

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

var allMethods = []Method{Ward, WardContiguous, KMeans}

// blobs returns a codebook on g where unit u is near center[group(u)],
// with small seeded noise.
func blobs(g graph.Grid, d int, group func(u int) int, centers [][]float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]float64, 0, g.Units()*d)
	for u := range g.Units() {
		c := centers[group(u)]
		for j := range d {
			out = append(out, c[j]+0.05*rng.NormFloat64())
		}
	}
	return out
}

func TestTwoBlobs(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 10}
	group := func(u int) int { return min(1, (u%10)/5) } // columns 0-4 | 5-9
	cb := blobs(g, 3, group, [][]float64{{0, 0, 0}, {5, 5, 5}}, 1)
	want := make([]int, g.Units())
	for u := range want {
		want[u] = group(u)
	}
	for _, m := range allMethods {
		r, err := Fit(cb, 3, g, &Options{Method: m})
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		if r.K != 2 || !slices.Equal(r.Labels, want) {
			t.Errorf("%v: k = %d, labels %v; want 2, %v", m, r.K, r.Labels, want)
		}
		if !connected(g, r.Labels, r.K) {
			t.Errorf("%v: clusters are not contiguous", m)
		}
		if len(r.Criteria) != 14 || r.Criteria[0].K != 2 || r.Criteria[13].K != DefaultMaxK {
			t.Errorf("%v: criteria for k %v, want 2..15", m, r.Criteria)
		}
		if s := r.Criteria[0].Silhouette; s < 0.9 {
			t.Errorf("%v: silhouette at k=2 is %v, want > 0.9 for two far blobs", m, s)
		}
		if !slices.Equal(r.Sizes(), []int{10, 10}) {
			t.Errorf("%v: sizes %v", m, r.Sizes())
		}
	}
}

// TestRing: a 1×12 toroidal map is a ring; units 9..11 and 0..2 hold the
// same values, 3..8 others. On the ring the first group is one region, so
// contiguous Ward finds 2 clusters; on a planar 1×12 map the group is cut
// in two regions at the map's ends, so k = 2 cannot join them.
func TestRing(t *testing.T) {
	group := func(u int) int {
		if u >= 3 && u <= 8 {
			return 1
		}
		return 0
	}
	centers := [][]float64{{0, 0}, {4, 4}}
	ring := graph.Grid{Rows: 1, Cols: 12, Toroidal: true}
	cb := blobs(ring, 2, group, centers, 2)
	r, err := Fit(cb, 2, ring, &Options{Method: WardContiguous, K: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []int{0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0}
	if !slices.Equal(r.Labels, want) {
		t.Errorf("ring: labels %v, want %v", r.Labels, want)
	}
	line := graph.Grid{Rows: 1, Cols: 12}
	r, err = Fit(cb, 2, line, &Options{Method: WardContiguous})
	if err != nil {
		t.Fatal(err)
	}
	want = []int{0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2}
	if r.K != 3 || !slices.Equal(r.Labels, want) {
		t.Errorf("line: k = %d, labels %v; want 3, %v", r.K, r.Labels, want)
	}
}

// TestHexTorus: on a 6×6 toroidal hexagonal map, unit 0 (row 0, col 0) and
// its six neighbours, four of them across the wrapped edges, form one
// group. Contiguous Ward must find exactly that group: it is connected only
// through the hexagonal, wrapped adjacency.
func TestHexTorus(t *testing.T) {
	g := graph.Grid{Rows: 6, Cols: 6, Topology: graph.Hexagonal, Toroidal: true}
	in := append([]int{0}, g.Neighbors(0)...)
	if len(in) != 7 {
		t.Fatalf("unit 0 has %d neighbours on %v, want 6", len(in)-1, g)
	}
	wrapped := 0
	for _, v := range in[1:] {
		if r, c := g.RowCol(v); r == g.Rows-1 || c == g.Cols-1 {
			wrapped++
		}
	}
	if wrapped < 3 {
		t.Fatalf("only %d of unit 0's neighbours wrap: the test would not test wrapping", wrapped)
	}
	group := func(u int) int {
		if slices.Contains(in, u) {
			return 0
		}
		return 1
	}
	cb := blobs(g, 2, group, [][]float64{{0, 0}, {3, 0}}, 3)
	for _, m := range allMethods {
		r, err := Fit(cb, 2, g, &Options{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if r.K != 2 {
			t.Errorf("%v: k = %d, want 2", m, r.K)
		}
		for u, c := range r.Labels {
			if c != group(u) {
				t.Errorf("%v: unit %d in cluster %d, want %d", m, u, c, group(u))
			}
		}
	}
}

func TestWeightsAndDeadUnits(t *testing.T) {
	// Three units on a line at 0, 1 and 3: unweighted Ward joins 0 and 1;
	// with unit 2 heavy and unit 0 dead, unit 1 still joins unit 0's side
	// only if cheaper... weights change the merge costs: check against
	// the formula.
	data := []float64{0, 1, 3}
	lk, err := WardLinkage(data, 1, []float64{1, 100, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// costs: (0,1) = 100/101·1, (1,2) = 100/101·4, (0,2) = 1/2·9
	if m := lk.Merges[0]; m.A != 0 || m.B != 1 || math.Abs(m.Cost-100.0/101) > 1e-12 {
		t.Errorf("first merge %+v, want units 0 and 1 at cost 100/101", m)
	}
	// A dead unit (weight 0) joins at almost no cost and moves nothing.
	lk, _ = WardLinkage([]float64{0, 0.2, 5, 5.5}, 1, []float64{0, 4, 4, 4}, nil)
	if m := lk.Merges[0]; m.A != 0 || m.B != 1 || m.Cost > 1e-5 {
		t.Errorf("dead unit: first merge %+v, want units 0 and 1 at ~0 cost", m)
	}
	r, err := Fit([]float64{0, 0.2, 5, 5.5}, 1, graph.Grid{Rows: 1, Cols: 4}, &Options{Weights: []float64{0, 4, 4, 4}, K: 2})
	if err != nil || !slices.Equal(r.Labels, []int{0, 0, 1, 1}) || !r.Weighted {
		t.Errorf("dead unit: %+v, %v", r, err)
	}
}

func TestFitBadInput(t *testing.T) {
	g := graph.Grid{Rows: 3, Cols: 3}
	cb := randomData(9, 2, 1)
	cases := []struct {
		name string
		cb   []float64
		d    int
		g    graph.Grid
		o    *Options
		want string
	}{
		{"k=1", cb, 2, g, &Options{K: 1}, "at least 2 clusters"},
		{"k<0", cb, 2, g, &Options{K: -3}, "at least 2 clusters"},
		{"k>units", cb, 2, g, &Options{K: 10}, "only 9 units"},
		{"range out of order", cb, 2, g, &Options{MinK: 5, MaxK: 3}, "out of order"},
		{"range from 1", cb, 2, g, &Options{MinK: 1, MaxK: 3}, "starts at 2"},
		{"range beyond units", cb, 2, g, &Options{MinK: 2, MaxK: 30}, "only 9 units"},
		{"dead units only", cb, 2, g, &Options{Weights: make([]float64, 9)}, "all dead"},
		{"negative weight", cb, 2, g, &Options{Weights: []float64{1, 1, 1, 1, -1, 1, 1, 1, 1}}, "weight of unit 4"},
		{"NaN weight", cb, 2, g, &Options{Weights: []float64{1, 1, 1, 1, math.NaN(), 1, 1, 1, 1}}, "weight of unit 4"},
		{"short weights", cb, 2, g, &Options{Weights: []float64{1}}, "1 weights for 9 units"},
		{"1-unit map", []float64{1, 2}, 2, graph.Grid{Rows: 1, Cols: 1}, nil, "at least 2 units"},
		{"codebook size", cb[:10], 2, g, nil, "codebook of 10 values"},
		{"NaN codebook", append([]float64{math.NaN()}, cb[1:]...), 2, g, nil, "must be finite"},
		{"constant codebook", make([]float64, 18), 2, g, &Options{K: 2}, "distinct units"},
		{"constant codebook auto", make([]float64, 18), 2, g, nil, "distinct units"},
		{"bad grid", cb, 2, graph.Grid{Rows: 0, Cols: 9}, nil, "at least 1"},
		{"bad method", cb, 2, g, &Options{Method: 9}, "unknown method"},
		{"d=0", cb, 0, g, nil, "codebook of 18 values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Fit(c.cb, c.d, c.g, c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "cluster: ") {
				t.Errorf("Fit: %v, %v; want an error containing %q", r, err, c.want)
			}
		})
	}
	if _, err := FitKMeans(cb, 2, nil, 2, &KMeansOptions{Restarts: -1}); err == nil {
		t.Error("negative restarts: no error")
	}
}

func TestKMeansSeeded(t *testing.T) {
	cb := randomData(100, 3, 5)
	a, err := FitKMeans(cb, 3, nil, 5, &KMeansOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := FitKMeans(cb, 3, nil, 5, &KMeansOptions{Seed: 1})
	if !slices.Equal(a.Labels, b.Labels) || a.Cost != b.Cost {
		t.Error("same seed, different k-means results")
	}
	// The cost is the weighted SSE to the centers, and each center is its
	// cluster's mean (Lloyd converged).
	sse := 0.0
	for i, c := range a.Labels {
		sse += sqDist(cb[i*3:(i+1)*3], a.Centers[c*3:(c+1)*3])
	}
	if math.Abs(sse-a.Cost) > 1e-9*sse {
		t.Errorf("cost %v, SSE to the centers %v", a.Cost, sse)
	}
	// More restarts never give a higher cost than one (the same first run).
	one, _ := FitKMeans(cb, 3, nil, 5, &KMeansOptions{Seed: 1, Restarts: 1})
	if one.Cost < a.Cost-1e-12 {
		t.Errorf("1 restart cost %v < 10 restarts cost %v", one.Cost, a.Cost)
	}
}

func TestResultJSON(t *testing.T) {
	g := graph.Grid{Rows: 4, Cols: 4, Topology: graph.Hexagonal}
	cb := randomData(16, 2, 9)
	for _, m := range allMethods {
		r, err := Fit(cb, 2, g, &Options{Method: m, MaxK: 6})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Result
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		b2, _ := json.Marshal(&back)
		if string(b) != string(b2) {
			t.Errorf("%v: JSON round trip changed\n%s\n%s", m, b, b2)
		}
	}
	for _, bad := range []string{
		`{"method":"ward","k":2,"labels":[0,1,0]}`,                             // no tree
		`{"method":"kmeans","k":2,"labels":[0,2,0]}`,                           // label out of range
		`{"method":"kmeans","k":3,"labels":[0,1,0]}`,                           // empty cluster
		`{"method":"spectral","k":2,"labels":[0,1]}`,                           // unknown method
		`{"method":"kmeans","k":2,"labels":[0]}`,                               // one unit
		`{"method":"ward","k":2,"labels":[0,1],"linkage":{"n":3,"merges":[]}}`, // wrong tree
		`{"method":"kmeans","k":2,"labels":[0,1],"criteria":[{"k":9}]}`,        // k out of range
		`{"method":"kmeans","k":2,"labels":"x"}`,                               // wrong type
	} {
		var r Result
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestResultCutAndRecords(t *testing.T) {
	g := graph.Grid{Rows: 5, Cols: 5}
	r, err := Fit(randomData(25, 2, 4), 2, g, &Options{Method: WardContiguous, K: 3})
	if err != nil {
		t.Fatal(err)
	}
	r5, err := r.Cut(5)
	if err != nil || r5.K != 5 || r.K != 3 {
		t.Fatalf("Cut(5): %v %v", r5, err)
	}
	want, _ := r.Linkage.Cut(5)
	if !slices.Equal(r5.Labels, want) {
		t.Error("Result.Cut differs from Linkage.Cut")
	}
	got, err := r.RecordLabels([]int{0, 24, 12})
	if err != nil || got[0] != r.Labels[0] || got[1] != r.Labels[24] || got[2] != r.Labels[12] {
		t.Errorf("RecordLabels: %v %v", got, err)
	}
	if _, err := r.RecordLabels([]int{25}); err == nil {
		t.Error("unit 25 of 25: no error")
	}
	if _, err := r.Cut(1); err == nil {
		t.Error("Cut(1): no error")
	}
	km, _ := Fit(randomData(25, 2, 4), 2, g, &Options{Method: KMeans, K: 3})
	if _, err := km.Cut(4); err == nil {
		t.Error("k-means Cut: no error")
	}
}

func TestStability(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 10}
	group := func(u int) int { return min(1, (u%10)/5) }
	cb := blobs(g, 3, group, [][]float64{{0, 0, 0}, {5, 5, 5}}, 1)
	for _, m := range allMethods {
		st, err := Stability(cb, 3, g, &Options{Method: m, MaxK: 5}, 6, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 4 || st[0].K != 2 {
			t.Fatalf("%v: %v", m, st)
		}
		if st[0].MeanARI != 1 {
			t.Errorf("%v: two far blobs: mean ARI at k=2 is %v, want 1", m, st[0].MeanARI)
		}
		for _, p := range st[1:] {
			if p.MeanARI >= st[0].MeanARI {
				t.Errorf("%v: k=%d as stable (%v) as k=2 on noise within blobs", m, p.K, p.MeanARI)
			}
		}
	}
	if _, err := Stability(cb, 3, g, nil, 1, 1); err == nil {
		t.Error("1 run: no error")
	}
	// Stability checks the map as Fit does (it once let d = 0 through).
	if _, err := Stability(nil, 0, g, nil, 3, 1); err == nil || !strings.Contains(err.Error(), "× 0 features") {
		t.Errorf("no features: error %v, want one naming the codebook's shape", err)
	}
}

// TestFixedKWithRange: with K and a range, the criteria cover the range
// and K, and K is kept even if another k scores higher.
func TestFixedKWithRange(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 10}
	group := func(u int) int { return min(1, (u%10)/5) }
	cb := blobs(g, 3, group, [][]float64{{0, 0, 0}, {5, 5, 5}}, 1)
	r, err := Fit(cb, 3, g, &Options{Method: WardContiguous, K: 7, MinK: 2, MaxK: 5})
	if err != nil {
		t.Fatal(err)
	}
	var ks []int
	for _, c := range r.Criteria {
		ks = append(ks, c.K)
	}
	if r.K != 7 || len(r.Sizes()) != 7 || !slices.Equal(ks, []int{2, 3, 4, 5, 7}) {
		t.Errorf("k = %d, criteria for %v; want 7 and 2..5, 7", r.K, ks)
	}
}
