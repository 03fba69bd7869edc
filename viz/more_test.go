package viz

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

func TestAnnotationsSwitchOff(t *testing.T) {
	cases := []struct {
		name string
		g    graph.Grid
		max  int
		cell float64
		want bool
	}{
		{"small map", graph.Grid{Rows: 5, Cols: 5}, 0, 0, true},
		{"30x30 is the default limit", graph.Grid{Rows: 30, Cols: 30}, 0, 0, false}, // cells under 14 px
		{"40x40 over the limit", graph.Grid{Rows: 40, Cols: 40}, 0, 0, false},
		// with cells large enough for text, only the unit count decides
		{"30x30 at the default limit, large cells", graph.Grid{Rows: 30, Cols: 30}, 0, 20, true},
		{"30x31 over the default limit, large cells", graph.Grid{Rows: 30, Cols: 31}, 0, 20, false},
		{"user limit below the size", graph.Grid{Rows: 5, Cols: 5}, 20, 0, false},
		{"never", graph.Grid{Rows: 2, Cols: 2}, -1, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := c.g.Units()
			mc := &MapChart{Grid: c.g, Values: make([]float64, k), Annotations: make([]string, k), MaxAnnotated: c.max, CellSize: c.cell}
			if got := mc.layout().showAnnot; got != c.want {
				t.Errorf("annotations shown = %v, want %v", got, c.want)
			}
		})
	}
}

func TestBarTicks(t *testing.T) {
	cases := []struct {
		name    string
		lo, hi  float64
		integer bool
		want    string
	}{
		{"unit range", 0, 1, false, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{"hit counts", 1, 3, true, "1 2 3"},
		{"large", 150, 5400, false, "1000 2000 3000 4000 5000"},
		{"flat", 2, 2, false, "2"},
		{"counts skip steps of 2.5", 1, 18, true, "5 10 15"},
		{"quarter steps keep their decimals", 0, 1.5, false, "0.00 0.25 0.50 0.75 1.00 1.25 1.50"},
		{"negative", -0.3, 0.3, false, "-0.3 -0.2 -0.1 0.0 0.1 0.2 0.3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, tk := range barTicks(c.lo, c.hi, c.integer) {
				got = append(got, tk.label)
				if tk.v < c.lo-1e-9 || tk.v > c.hi+1e-9 {
					t.Errorf("tick %v outside [%v, %v]", tk.v, c.lo, c.hi)
				}
			}
			if s := strings.Join(got, " "); s != c.want {
				t.Errorf("ticks %q, want %q", s, c.want)
			}
		})
	}
}

func TestStepChartsThinLongRuns(t *testing.T) {
	steps := make([]hooks.BatchRecord, 5001)
	for i := range steps {
		steps[i] = hooks.BatchRecord{Epoch: 1 + i/1000, Step: i + 1, Alpha: 1 / float64(i+1), Sigma: 3, Size: 7}
	}
	epochs := []hooks.EpochRecord{{Epoch: 1, BatchSize: 32}, {Epoch: 2, BatchSize: 64}}
	cs := StepCharts(steps, epochs)
	if len(cs) != 3 {
		t.Fatalf("%d charts, want 3", len(cs))
	}
	x := cs[0].Series[0].X
	if len(x) > maxCurvePoints+1 || len(x) < maxCurvePoints/2 {
		t.Errorf("%d points, want about %d", len(x), maxCurvePoints)
	}
	if x[0] != 1 || x[len(x)-1] != 5001 {
		t.Errorf("x from %v to %v, want 1 to 5001 (first and last steps kept)", x[0], x[len(x)-1])
	}
	// The planned batch size of each step's epoch, else the batch's own.
	b := cs[2].Series[0]
	for i, x := range b.X {
		want := 7.0
		switch e := 1 + (int(x)-1)/1000; e {
		case 1:
			want = 32
		case 2:
			want = 64
		}
		if b.Y[i] != want {
			t.Fatalf("batch size at step %v is %v, want %v", x, b.Y[i], want)
		}
	}
	if err := RenderCurves(io.Discard, PNG, cs...); err != nil {
		t.Errorf("render: %v", err)
	}
}

func TestPCAScatter(t *testing.T) {
	g := graph.Grid{Rows: 3, Cols: 3}
	data := loaders.Colors(300, 2).Data
	cb := make([]float64, 27)
	for u := range 9 {
		r, c := g.RowCol(u)
		cb[3*u], cb[3*u+1], cb[3*u+2] = float64(r)/2, float64(c)/2, 0.5
	}
	t.Run("draws the units", func(t *testing.T) {
		ps := &PCAScatter{Grid: g, Dim: 3, Data: data, Codebook: cb, Title: "t"}
		var b bytes.Buffer
		if err := ps.Render(&b, PNG); err != nil {
			t.Fatal(err)
		}
		_, _, n := centroids(decodePNG(t, b.Bytes()), []color.RGBA{{214, 39, 40, 255}}, 4)
		if n[0] < 9*10 {
			t.Errorf("%d unit-coloured pixels, want nine dots and the mesh", n[0])
		}
		b.Reset()
		if err := ps.Render(&b, SVG); err != nil {
			t.Fatal(err)
		}
		parseXML(t, b.Bytes())
	})
	t.Run("new data gets a new projection", func(t *testing.T) {
		other := make([]float64, len(data))
		for i := range other {
			other[i] = data[i] * float64(1+i%3) // stretched unevenly: other components
		}
		fresh := &PCAScatter{Grid: g, Dim: 3, Data: other, Codebook: cb}
		var want, got bytes.Buffer
		if err := fresh.Render(&want, SVG); err != nil {
			t.Fatal(err)
		}
		reused := &PCAScatter{Grid: g, Dim: 3, Data: data, Codebook: cb}
		if err := reused.Render(io.Discard, SVG); err != nil {
			t.Fatal(err)
		}
		reused.Data = other
		if err := reused.Render(&got, SVG); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Error("after Data changed, the scatter differs from a fresh one's: the old projection was kept")
		}
	})
	t.Run("one feature and one record", func(t *testing.T) {
		ps := &PCAScatter{Grid: graph.Grid{Rows: 1, Cols: 2}, Dim: 1, Data: []float64{3}, Codebook: []float64{1, 2}}
		if err := ps.Render(io.Discard, PNG); err != nil {
			t.Fatal(err)
		}
	})
	errs := []struct {
		name string
		ps   *PCAScatter
		want string
	}{
		{"ragged data", &PCAScatter{Grid: g, Dim: 3, Data: data[:4], Codebook: cb}, "whole records"},
		{"short codebook", &PCAScatter{Grid: g, Dim: 3, Data: data, Codebook: cb[:3]}, "codebook of 3"},
		{"NaN weight", &PCAScatter{Grid: g, Dim: 3, Data: data, Codebook: append([]float64{math.NaN()}, cb[1:]...)}, "NaN"},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			err := c.ps.Render(io.Discard, PNG)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestWriteChartsNamedButImpossible(t *testing.T) {
	m := newMap(t, graph.Grid{Rows: 2, Cols: 2}, 2, square2)
	in, err := New(m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := in.WriteCharts(dir, PNG)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 3 { // weights, features, umatrix
		t.Errorf("wrote %v, want the 3 charts that need no data or history", paths)
	}
	_, err = in.WriteCharts(dir, SVG, "loss")
	if err == nil || !strings.Contains(err.Error(), "viz: chart loss: no training history") {
		t.Errorf("got %v, want viz: chart loss: no training history", err)
	}
	if err := in.Chart("pie", io.Discard, PNG); err == nil {
		t.Error("unknown chart name: no error")
	}
}

func TestFromModelRoundTrip(t *testing.T) {
	l, _ := trained(t, "iris", graph.Grid{Rows: 4, Cols: 5}, 2, loaders.ZScore)
	var b bytes.Buffer
	if err := l.Export(&b); err != nil {
		t.Fatal(err)
	}
	md, err := trainer.Load(&b)
	if err != nil {
		t.Fatal(err)
	}
	a, err := FromLearner(l)
	if err != nil {
		t.Fatal(err)
	}
	z, err := FromModel(md, l.Train(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ha, err := a.HitCounts(nil)
	if err != nil {
		t.Fatal(err)
	}
	hz, err := z.HitCounts(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !equalFloats(ha, hz, 0) {
		t.Errorf("hit counts differ after export and load: %v vs %v", ha, hz)
	}
	if got := strings.Join(z.Features(), ","); got != "sepal_length,sepal_width,petal_length,petal_width" {
		t.Errorf("decoded features %q, want the iris inputs", got)
	}
	if err := z.Loss(io.Discard, PNG); err != nil {
		t.Errorf("loss from the model's history: %v", err)
	}
	if _, err := FromModel(nil, nil, nil); err == nil {
		t.Error("FromModel(nil): no error")
	}
	if _, err := FromLearner(nil); err == nil {
		t.Error("FromLearner(nil): no error")
	}
}

func TestRobustRange(t *testing.T) {
	many := make([]float64, 1000)
	for i := range many {
		many[i] = float64(i)
	}
	many[999] = 1e6 // an outlier
	cases := []struct {
		name           string
		data, units    []float64
		wantLo, wantHi float64
	}{
		{"few records: full range", []float64{3, -1, 2}, nil, -1, 3},
		{"outlier left out", many, nil, 5, 994},
		{"units widen the range", many, []float64{-7, 2000}, -7, 2000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lo, hi := robustRange(c.data, c.units)
			if lo != c.wantLo || hi != c.wantHi {
				t.Errorf("range [%v, %v], want [%v, %v]", lo, hi, c.wantLo, c.wantHi)
			}
		})
	}
}

func TestWeightsOfNormalizedColours(t *testing.T) {
	l, _ := trained(t, "colors", graph.Grid{Rows: 4, Cols: 4}, 2, loaders.ZScore)
	in, err := FromLearner(l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := in.WeightColors()
	if err != nil {
		t.Fatal(err)
	}
	p := l.Options().Pipeline
	w := l.Map().Weights()
	for u := range 16 {
		raw, err := p.Denormalize(w[3*u : 3*u+3])
		if err != nil {
			t.Fatal(err)
		}
		want := color.RGBA{to255(raw[0]), to255(raw[1]), to255(raw[2]), 255}
		if got[u] != want {
			t.Errorf("unit %d: %v, want the denormalized colour %v", u, got[u], want)
		}
	}
}

func TestLegendWrapsIntoColumns(t *testing.T) {
	g := graph.Grid{Rows: 8, Cols: 8}
	for _, n := range []int{3, 40, 200} {
		names := make([]string, n)
		for i := range names {
			names[i] = "c"
		}
		mc := &MapChart{Grid: g, Categories: make([]int, 64), CategoryNames: names}
		l := mc.layout()
		legendH := float64(min(n, l.legendLines)) * legendLine
		if legendH > math.Max(l.mapH, 12*legendLine)+1e-9 {
			t.Errorf("%d categories: legend %v px tall beside a %v px map", n, legendH, l.mapH)
		}
		// The legend's columns fit in the panel: the last name's column
		// ends inside it, and its lines above its bottom.
		ncol := (n + l.legendLines - 1) / l.legendLines
		if right := l.sideX + 10 + float64(ncol)*l.legendColW; right > l.w+1e-9 || l.mapY+legendH > l.h+1e-9 {
			t.Errorf("%d categories: legend to x %v, y %v overflows the %vx%v panel", n, right, l.mapY+legendH, l.w, l.h)
		}
		if err := mc.Render(io.Discard, PNG); err != nil {
			t.Errorf("%d categories: %v", n, err)
		}
	}
}
