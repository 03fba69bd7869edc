package viz

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// newMap returns a map on g whose codebook is w (row-major, dim values per
// unit).
func newMap(t *testing.T, g graph.Grid, dim int, w []float64) *graph.Map {
	t.Helper()
	m, err := graph.New(graph.Config{Grid: g, Dim: dim, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	return m
}

// records returns a dataset with count[u] records at (near) the weights of
// unit u.
func records(t *testing.T, w []float64, dim int, count []int, labels func(u, i int) string) *loaders.Dataset {
	t.Helper()
	var rows [][]float64
	var labs []string
	for u, c := range count {
		for i := range c {
			r := make([]float64, dim)
			for j := range dim {
				r[j] = w[u*dim+j] + 0.01*float64(i%3-1)
			}
			rows = append(rows, r)
			if labels != nil {
				labs = append(labs, labels(u, i))
			}
		}
	}
	ds, err := loaders.FromRows(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds.Labels = labs
	return ds
}

var square2 = []float64{0, 0, 0, 1, 1, 0, 1, 1} // a 2×2 map of 2 features

func TestHitmapFromMap(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 2}
	m := newMap(t, g, 2, square2)
	ds := records(t, square2, 2, []int{1, 5, 0, 3}, nil)
	in, err := New(m, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := in.HitCounts(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 5, 0, 3}
	for u := range want {
		if counts[u] != want[u] {
			t.Errorf("unit %d: %v hits, want %v", u, counts[u], want[u])
		}
	}
	var b bytes.Buffer
	if err := in.Hitmap(&b, PNG, nil); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b.Bytes())
	mc := HitmapChart(g, counts, "Hit map, train (9 records)")
	l := mc.layout()
	cases := []struct {
		name string
		unit int
		want color.RGBA
	}{
		{"most hits brightest at row 0 col 1", 1, Viridis(1)},
		{"least hits darkest at row 0 col 0", 0, Viridis(0)},
		{"no hits empty at row 1 col 0", 2, color.RGBA{245, 245, 245, 255}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cx, cy := mc.centre(c.unit, l.scale)
			got := rgbAt(img, 6+l.mapX+cx-l.scale/3, 6+l.mapY+cy-l.scale/3)
			if !near(got, c.want, 3) {
				t.Errorf("unit %d: %v, want %v", c.unit, got, c.want)
			}
		})
	}
}

func TestWeightsReproduceRGBCodebook(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 3}
	w := []float64{
		1, 0, 0, 0, 1, 0, 0, 0, 1,
		0.2, 0.4, 0.6, 1, 1, 0, 0.5, 0.5, 0.5,
	}
	m := newMap(t, g, 3, w)
	in, err := New(m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := in.WeightColors()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := in.Weights(&b, PNG); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b.Bytes())
	mc := &MapChart{Grid: g, Title: "Codebook as RGB", Colors: make([]color.Color, 6)}
	for u := range 6 {
		want := color.RGBA{to255(w[3*u]), to255(w[3*u+1]), to255(w[3*u+2]), 255}
		t.Run("unit "+string(rune('0'+u)), func(t *testing.T) {
			if cols[u] != want {
				t.Errorf("WeightColors: %v, want %v", cols[u], want)
			}
			if got := cellPixel(img, mc, u); !near(got, want, 1) {
				t.Errorf("pixel %v, want %v ± 1", got, want)
			}
		})
	}
}

func TestCodebookColorsPCA(t *testing.T) {
	cases := []struct {
		name    string
		w       []float64
		k, d    int
		check   func(t *testing.T, c []color.RGBA)
		wantErr bool
	}{
		{"collinear 4-D: first component spans 0..255, others mid-grey", []float64{0, 0, 0, 0, 1, 2, 3, 4, 2, 4, 6, 8}, 3, 4, func(t *testing.T, c []color.RGBA) {
			r := []uint8{c[0].R, c[1].R, c[2].R}
			if !((r[0] == 0 && r[2] == 255) || (r[0] == 255 && r[2] == 0)) || math.Abs(float64(r[1])-127.5) > 1 {
				t.Errorf("red channel %v, want 0, 128, 255 or reversed", r)
			}
			for _, x := range c {
				if x.G != 128 || x.B != 128 {
					t.Errorf("green, blue = %d, %d, want 128 for components without variance", x.G, x.B)
				}
			}
		}, false},
		{"1-D is grey", []float64{0, 1, 2}, 3, 1, func(t *testing.T, c []color.RGBA) {
			for _, x := range c {
				if x.R != x.G || x.G != x.B {
					t.Errorf("%v is not grey", x)
				}
			}
		}, false},
		{"3-D outside [0, 1] is rescaled per channel", []float64{-1, 10, 5, 1, 20, 5}, 2, 3, func(t *testing.T, c []color.RGBA) {
			want := []color.RGBA{{0, 0, 128, 255}, {255, 255, 128, 255}}
			for i := range want {
				if c[i] != want[i] {
					t.Errorf("unit %d: %v, want %v", i, c[i], want[i])
				}
			}
		}, false},
		{"one unit", []float64{1, 2, 3, 4}, 1, 4, nil, false},
		{"wrong length", []float64{1, 2, 3}, 2, 2, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CodebookColors(c.w, c.k, c.d)
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v, want error %v", err, c.wantErr)
			}
			if c.check != nil {
				c.check(t, got)
			}
		})
	}
}

func TestUMatrix(t *testing.T) {
	const tol = 1e-12
	cases := []struct {
		name string
		g    graph.Grid
		w    []float64
		want []float64
	}{
		{"line of 3", graph.Grid{Rows: 1, Cols: 3}, []float64{0, 1, 3}, []float64{1, 1.5, 2}},
		{"toroidal line of 3", graph.Grid{Rows: 1, Cols: 3, Toroidal: true}, []float64{0, 1, 3}, []float64{2, 1.5, 2.5}},
		{"2x2 rect", graph.Grid{Rows: 2, Cols: 2}, []float64{0, 1, 2, 4}, []float64{1.5, 2, 2, 2.5}},
		// hex 2x2: odd row shifted right, so unit 1 (r0 c1) and unit 2
		// (r1 c0) are neighbours: everyone neighbours everyone except 0–3?
		{"2x2 hex", graph.Grid{Rows: 2, Cols: 2, Topology: graph.Hexagonal}, []float64{0, 1, 2, 4},
			[]float64{(1 + 2) / 2.0, (1 + 1 + 3) / 3.0, (2 + 1 + 2) / 3.0, (3 + 2) / 2.0}},
		{"one unit", graph.Grid{Rows: 1, Cols: 1}, []float64{5}, []float64{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := UMatrix(c.g, c.w, 1)
			for u := range c.want {
				if math.Abs(got[u]-c.want[u]) > tol {
					t.Errorf("unit %d: %v, want %v (neighbours %v)", u, got[u], c.want[u], c.g.Neighbors(u))
				}
			}
		})
	}
}

func TestPredsChart(t *testing.T) {
	g := graph.Grid{Rows: 1, Cols: 3}
	cases := []struct {
		name      string
		bmu       []int
		labels    []string
		bins      int
		wantCats  []int
		wantNames []string
		wantVals  []float64
	}{
		{"majority class, empty unit", []int{0, 0, 0, 2, 2}, []string{"b", "a", "b", "c", "c"}, 0, []int{1, -1, 2}, []string{"a", "b", "c"}, nil},
		{"tie goes to the first class", []int{0, 0}, []string{"y", "x"}, 0, []int{0, -1, -1}, []string{"x", "y"}, nil},
		{"numeric labels as classes", []int{0, 1}, []string{"1", "2"}, -1, []int{0, 1, -1}, []string{"1", "2"}, nil},
		{"continuous mean", []int{0, 0, 1}, []string{"1", "3", "10"}, 0, nil, nil, []float64{2, 10, math.NaN()}},
		{"quantile bins", []int{0, 0, 1, 1, 2, 2}, []string{"1", "2", "3", "4", "5", "6"}, 3, []int{0, 1, 2}, nil, nil},
		{"repeated values merge bins", []int{0, 1, 2}, []string{"1", "1", "5"}, 4, []int{0, 0, 1}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mc, err := PredsChart(g, c.bmu, c.labels, c.bins, "t")
			if err != nil {
				t.Fatal(err)
			}
			if err := mc.Check(); err != nil {
				t.Fatalf("chart does not check: %v", err)
			}
			if c.wantVals != nil {
				for u, v := range c.wantVals {
					if got := mc.Values[u]; !(got == v || math.IsNaN(got) && math.IsNaN(v)) {
						t.Errorf("unit %d: mean %v, want %v", u, got, v)
					}
				}
				return
			}
			for u, cat := range c.wantCats {
				if mc.Categories[u] != cat {
					t.Errorf("unit %d: category %d, want %d (names %v)", u, mc.Categories[u], cat, mc.CategoryNames)
				}
			}
			if c.wantNames != nil && strings.Join(mc.CategoryNames, ",") != strings.Join(c.wantNames, ",") {
				t.Errorf("names %v, want %v", mc.CategoryNames, c.wantNames)
			}
		})
	}
	for _, labels := range [][]string{{"a", "b"}, {"1", "2"}} { // classes and means
		if _, err := PredsChart(g, []int{0, 3}, labels, 0, "t"); err == nil || !strings.Contains(err.Error(), "best-matching unit 3") {
			t.Errorf("labels %v with a unit off the map: got %v, want an error about unit 3", labels, err)
		}
	}
}

// fakeDecoder decodes 3 encoded columns: a continuous feature "size"
// (value·10 + 100) and a one-hot categorical "kind" with levels a, b.
type fakeDecoder struct{}

func (fakeDecoder) Layout() loaders.Layout {
	return loaders.Layout{Width: 3, Groups: []loaders.Group{
		{Name: "size", Kind: loaders.Continuous, Start: 0, Width: 1},
		{Name: "kind", Kind: loaders.Categorical, Column: 1, Start: 1, Width: 2, Encoding: loaders.OneHot, Levels: []string{"a", "b"}},
	}}
}
func (fakeDecoder) Denormalize(enc []float64) ([]float64, error) {
	return []float64{enc[0]*10 + 100}, nil
}
func (fakeDecoder) Recategorize(enc []float64) ([]string, error) {
	switch {
	case enc[1] > enc[2]:
		return []string{"a"}, nil
	case enc[2] > enc[1]:
		return []string{"b"}, nil
	}
	return []string{loaders.UnknownLevel}, nil
}

func TestFeatureHeatmaps(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 2, Topology: graph.Hexagonal}
	// feature 0 varies, feature 1 and 2 one-hot (unit 3 unknown),
	w := []float64{0, 1, 0, 1, 0, 1, 2, 1, 0, 3, 0, 0}
	m := newMap(t, g, 3, w)
	t.Run("decoded", func(t *testing.T) {
		in, err := New(m, nil, nil, WithDecoder(fakeDecoder{}))
		if err != nil {
			t.Fatal(err)
		}
		fs, err := in.features()
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 2 || fs[0].name != "size" || fs[1].name != "kind" {
			t.Fatalf("features %+v, want size and kind", fs)
		}
		if want := []float64{100, 110, 120, 130}; !equalFloats(fs[0].values, want, 1e-12) {
			t.Errorf("size %v, want %v", fs[0].values, want)
		}
		if want := []int{0, 1, 0, -1}; !slices.Equal(fs[1].cats, want) {
			t.Errorf("kind %v, want %v", fs[1].cats, want)
		}
		for _, f := range []Format{PNG, SVG} {
			var b bytes.Buffer
			if err := in.FeatureHeatmaps(&b, f); err != nil {
				t.Fatalf("%v: %v", f, err)
			}
		}
		if err := in.FeatureHeatmaps(io.Discard, PNG, "kind"); err != nil {
			t.Errorf("subset: %v", err)
		}
		err = in.FeatureHeatmaps(io.Discard, PNG, "colour")
		if err == nil || !strings.Contains(err.Error(), "size, kind") {
			t.Errorf("unknown feature: got %v, want an error listing size, kind", err)
		}
	})
	t.Run("encoded with a constant feature", func(t *testing.T) {
		wc := []float64{0, 7, 1, 7, 2, 7, 3, 7}
		ds := records(t, wc, 2, []int{1, 1, 1, 1}, nil)
		ds.Features = []string{"x", "const"}
		in, err := New(newMap(t, g, 2, wc), ds, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(in.Features(), ","); got != "x,const" {
			t.Errorf("features %q, want x,const", got)
		}
		var b bytes.Buffer
		if err := in.FeatureHeatmaps(&b, PNG, "const"); err != nil {
			t.Fatal(err)
		}
		decodePNG(t, b.Bytes())
	})
	t.Run("decoder of the wrong width", func(t *testing.T) {
		_, err := New(newMap(t, g, 2, make([]float64, 8)), nil, nil, WithDecoder(fakeDecoder{}))
		if err == nil || !strings.Contains(err.Error(), "3 columns") {
			t.Errorf("got %v, want a width error", err)
		}
	})
}

func TestInterpretationEdgeCases(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 2}
	m := newMap(t, g, 2, square2)
	ds := records(t, square2, 2, []int{2, 0, 1, 0}, func(u, i int) string { return []string{"x", "y"}[u%2] })
	nolab := records(t, square2, 2, []int{1, 1, 1, 1}, nil)
	one := []hooks.EpochRecord{{Epoch: 1, Train: graph.Metrics{QE: 0.5, TE: 0}, Alpha: 0.1, Sigma: 1, BatchSize: 32}}
	in, err := New(m, ds, nil, WithHistory(one))
	if err != nil {
		t.Fatal(err)
	}
	bare, err := New(m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		draw func(w io.Writer) error
		want string // "" for success
	}{
		{"hit map with zero-hit units", func(w io.Writer) error { return in.Hitmap(w, PNG, nil) }, ""},
		{"preds with an empty unit", func(w io.Writer) error { return in.Preds(w, SVG, nil, 0) }, ""},
		{"one-epoch loss", func(w io.Writer) error { return in.Loss(w, PNG) }, ""},
		{"one-epoch hyperparameters", func(w io.Writer) error { return in.Hyperparams(w, SVG) }, ""},
		{"u-matrix", func(w io.Writer) error { return in.UMatrix(w, PNG) }, ""},
		{"preds without labels", func(w io.Writer) error { return in.Preds(w, PNG, nolab, 0) }, "no labels"},
		{"hit map without data", func(w io.Writer) error { return bare.Hitmap(w, PNG, nil) }, "no data"},
		{"loss without history", func(w io.Writer) error { return bare.Loss(w, PNG) }, "no training history"},
		{"hit map of other dimension", func(w io.Writer) error {
			d3, _ := loaders.FromRows([][]float64{{1, 2, 3}}, nil)
			return in.Hitmap(w, PNG, d3)
		}, "3 features"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			err := c.draw(&b)
			if c.want == "" {
				if err != nil || b.Len() == 0 {
					t.Errorf("got %v and %d bytes, want an image", err, b.Len())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "viz: ") {
				t.Errorf("got %v, want a viz error containing %q", err, c.want)
			}
		})
	}
	if _, err := New(nil, nil, nil); err == nil {
		t.Error("New(nil map) returned no error")
	}
}

func equalFloats(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// TestPredsTitle pins the title to what the chart shows: classes, the mean
// of a numeric target, or its quantile bins.
func TestPredsTitle(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 2}
	m := newMap(t, g, 2, square2)
	cases := []struct {
		name   string
		labels func(u, i int) string
		bins   int
		want   string
	}{
		{"classes", func(u, i int) string { return []string{"a", "b"}[u%2] }, 0, "Most frequent label per unit"},
		{"numeric mean", func(u, i int) string { return []string{"1.5", "7"}[u%2] }, 0, "Mean target per unit"},
		{"numeric bins", func(u, i int) string { return []string{"1.5", "7"}[u%2] }, 2, "Most frequent target bin (of 2) per unit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := records(t, square2, 2, []int{2, 2, 2, 2}, c.labels)
			in, err := New(m, ds, nil)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := in.Preds(&buf, SVG, nil, c.bins); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), c.want) {
				t.Errorf("SVG lacks the title %q", c.want)
			}
		})
	}
}
