package viz

import (
	"bytes"
	"image/color"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

var borderRGBA = color.RGBA{colorBorder.R, colorBorder.G, colorBorder.B, 255}

// greyMap returns a chart of light grey cells on g with borders.
func greyMap(g graph.Grid, borders []int) *MapChart {
	cols := make([]color.Color, g.Units())
	for i := range cols {
		cols[i] = color.RGBA{200, 200, 200, 255}
	}
	return &MapChart{Grid: g, Colors: cols, CellSize: 40, Borders: borders}
}

// pixelCentre returns the pixel position of unit u's centre in the PNG of
// a single-panel map chart.
func pixelCentre(mc *MapChart, u int) (x, y float64) {
	l := mc.layout()
	cx, cy := mc.centre(u, l.scale)
	const outer = 6.0 // RenderMaps' margin
	return outer + l.mapX + cx, outer + l.mapY + cy
}

func TestBordersRect(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 4}
	mc := greyMap(g, []int{0, 0, 1, 1, 0, 0, 1, 1})
	var b bytes.Buffer
	if err := mc.Render(&b, PNG); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b.Bytes())
	x1, y1 := pixelCentre(mc, 1)
	x0, _ := pixelCentre(mc, 0)
	if got := rgbAt(img, x1+20, y1); !near(got, borderRGBA, 40) {
		t.Errorf("between units 1 and 2 (clusters 0 and 1): %v, want the border colour", got)
	}
	if got := rgbAt(img, (x0+x1)/2, y1); near(got, borderRGBA, 60) {
		t.Errorf("between units 0 and 1 (same cluster): %v, want no border", got)
	}
	x5, y5 := pixelCentre(mc, 5)
	if got := rgbAt(img, x5, y5-20); near(got, borderRGBA, 60) {
		t.Errorf("between units 1 and 5 (same cluster): %v, want no border", got)
	}
}

// TestBordersHexTorus: on a toroidal hex map, units 0 and 3 are
// neighbours across the wrapped edge; with different clusters the border
// is drawn at the left edge of unit 0 (and the right edge of unit 3).
func TestBordersHexTorus(t *testing.T) {
	g := graph.Grid{Rows: 4, Cols: 4, Topology: graph.Hexagonal, Toroidal: true}
	labels := make([]int, 16)
	labels[3] = 1
	mc := greyMap(g, labels)
	var b bytes.Buffer
	if err := mc.Render(&b, PNG); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b.Bytes())
	x0, y0 := pixelCentre(mc, 0)
	x3, y3 := pixelCentre(mc, 3)
	if got := rgbAt(img, x0-19.5, y0); !near(got, borderRGBA, 60) {
		t.Errorf("left edge of unit 0 (wraps to unit 3): %v, want the border colour", got)
	}
	if got := rgbAt(img, x3+19.5, y3); !near(got, borderRGBA, 60) {
		t.Errorf("right edge of unit 3 (wraps to unit 0): %v, want the border colour", got)
	}
	// a unit whose neighbours are all in its cluster has no border
	x9, y9 := pixelCentre(mc, 9)
	if got := rgbAt(img, x9-19.5, y9); near(got, borderRGBA, 60) {
		t.Errorf("left edge of unit 9: %v, want no border", got)
	}
	// planar: the same labels draw no border at the map's left edge
	g.Toroidal = false
	mc = greyMap(g, labels)
	b.Reset()
	if err := mc.Render(&b, PNG); err != nil {
		t.Fatal(err)
	}
	img = decodePNG(t, b.Bytes())
	x0, y0 = pixelCentre(mc, 0)
	if got := rgbAt(img, x0-19.5, y0); near(got, borderRGBA, 60) {
		t.Errorf("planar: left edge of unit 0: %v, want no border", got)
	}
}

func TestClusterCharts(t *testing.T) {
	g := graph.Grid{Rows: 5, Cols: 6, Topology: graph.Hexagonal}
	db, err := loaders.Builtin("iris", &loaders.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.New(graph.Config{Grid: g, Dim: db.Train.D})
	if err != nil {
		t.Fatal(err)
	}
	// a codebook of records, so the map means something
	w := make([]float64, 0, g.Units()*db.Train.D)
	for u := range g.Units() {
		w = append(w, db.Train.Row(u*4)...)
	}
	if err := m.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	r, err := cluster.Fit(w, db.Train.D, g, &cluster.Options{Method: cluster.WardContiguous, MaxK: 6})
	if err != nil {
		t.Fatal(err)
	}
	in, err := New(m, db.Train, nil, WithDecoder(db.Pipeline), WithClusters(r))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"clusters", "criteria", "profiles", "hitmap", "umatrix", "features", "preds", "weights"} {
		for _, f := range []Format{PNG, SVG} {
			var b bytes.Buffer
			if err := in.Chart(name, &b, f); err != nil {
				t.Fatalf("%s %v: %v", name, f, err)
			}
			if f == PNG {
				decodePNG(t, b.Bytes())
			} else if !strings.Contains(b.String(), "<svg") {
				t.Errorf("%s: not SVG", name)
			}
		}
	}
	ps, err := in.ClusterProfiles()
	if err != nil || len(ps) != r.K {
		t.Fatalf("profiles: %v %v", len(ps), err)
	}
	total := 0
	for _, p := range ps {
		total += p.Records
	}
	if total != db.Train.N {
		t.Errorf("profiles count %d records, the data has %d", total, db.Train.N)
	}
	// without clusters: the cluster charts are errors and not written
	plain, _ := New(m, db.Train, nil)
	for _, name := range []string{"clusters", "criteria", "profiles"} {
		if err := plain.Chart(name, &bytes.Buffer{}, PNG); err == nil || !strings.Contains(err.Error(), "no clusters") {
			t.Errorf("%s without clusters: %v", name, err)
		}
		if plain.applies(name) {
			t.Errorf("%s applies without clusters", name)
		}
	}
	// a clustering of another map is refused
	other := &cluster.Result{Method: cluster.KMeans, K: 2, Labels: []int{0, 1, 0}}
	if _, err := New(m, nil, nil, WithClusters(other)); err == nil {
		t.Error("clusters of 3 units on a 30-unit map: no error")
	}
	if err := (&MapChart{Grid: g, Values: make([]float64, 30), Borders: []int{0}}).Check(); err == nil {
		t.Error("Borders of 1 entry: no error")
	}
	if err := (&ProfileChart{}).Render(&bytes.Buffer{}, PNG); err == nil {
		t.Error("empty profile chart: no error")
	}
}
