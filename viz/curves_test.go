package viz

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"github.com/somgraph/somgraph/graph"
	"image/color"
	"io"
	"math"
	"strings"
	"testing"
)

func parseXML(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v", err)
		}
	}
}

func TestCurvesRenderDegenerateSeries(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name   string
		series []Series
	}{
		{"one epoch", []Series{{"train", []float64{0}, []float64{0.4}}, {"valid", []float64{0}, []float64{0.5}}}},
		{"flat series", []Series{{"alpha", []float64{1, 2, 3}, []float64{0.3, 0.3, 0.3}}}},
		{"flat at zero", []Series{{"te", []float64{1, 2, 3}, []float64{0, 0, 0}}}},
		{"NaN points left out", []Series{{"valid", []float64{1, 2, 3}, []float64{nan, 0.2, 0.1}}}},
		{"one empty series among others", []Series{{"none", nil, nil}, {"some", []float64{1, 2}, []float64{1, 2}}}},
		{"markup in names", []Series{{"a<b & c", []float64{1, 2}, []float64{1, 2}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cc := &CurveChart{Title: "t <&>", XLabel: "epoch", YLabel: "y", Series: c.series, Width: 400, Height: 240}
			var b bytes.Buffer
			if err := cc.Render(&b, PNG); err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img := decodePNG(t, b.Bytes())
			if got := img.Bounds().Dx(); got != 400 {
				t.Errorf("width %d, want 400", got)
			}
			// The first drawn series' colour is in the image.
			want := CategoryColor(len(c.series) - 1)
			if c.name != "one empty series among others" {
				want = CategoryColor(0)
			}
			if _, _, n := centroids(img, []color.RGBA{want}, 8); n[0] < 4 {
				t.Errorf("found %d pixels of the series colour %v, want the curve drawn", n[0], want)
			}
			b.Reset()
			if err := cc.Render(&b, SVG); err != nil {
				t.Fatalf("SVG: %v", err)
			}
			parseXML(t, b.Bytes())
		})
	}
}

func TestRenderCurvesStacks(t *testing.T) {
	a := &CurveChart{Title: "a", Series: []Series{{"x", []float64{1, 2}, []float64{1, 2}}}, Width: 300, Height: 200}
	b := &CurveChart{Title: "b", Series: []Series{{"y", []float64{1, 2}, []float64{2, 1}}}, Width: 300, Height: 150}
	var buf bytes.Buffer
	if err := RenderCurves(&buf, PNG, a, b); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, buf.Bytes())
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 300 || h != 350 {
		t.Errorf("stacked size %dx%d, want 300x350", w, h)
	}
	buf.Reset()
	if err := RenderCurves(&buf, SVG, a, b); err != nil {
		t.Fatal(err)
	}
	parseXML(t, buf.Bytes())
	if n := strings.Count(buf.String(), "<svg"); n != 3 {
		t.Errorf("stacked SVG has %d svg elements, want 3 (outer and two charts)", n)
	}
}

func TestCurvesErrors(t *testing.T) {
	cases := []struct {
		name   string
		charts []*CurveChart
		want   string
	}{
		{"no charts", nil, "no curve charts"},
		{"ragged series", []*CurveChart{{Series: []Series{{"s", []float64{1, 2}, []float64{1}}}}}, "2 x and 1 y"},
		{"no points", []*CurveChart{{Title: "empty", Series: []Series{{"s", []float64{math.NaN()}, []float64{1}}}}}, "no finite points"},
		{"no series", []*CurveChart{{Title: "none"}}, "no finite points"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := RenderCurves(io.Discard, PNG, c.charts...)
			if err == nil || !strings.HasPrefix(err.Error(), "viz: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a viz error containing %q", err, c.want)
			}
		})
	}
}

// svgTextsInside fails if a text element of the SVG b is anchored outside
// its viewBox (go-chart writes stray ticks of an unused axis at y ≈ −2⁶³).
func svgTextsInside(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var w, h float64
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := func(name string) string {
			for _, a := range se.Attr {
				if a.Name.Local == name {
					return a.Value
				}
			}
			return ""
		}
		switch se.Name.Local {
		case "svg":
			if depth == 0 {
				fmt.Sscanf(attr("viewBox"), "0 0 %g %g", &w, &h)
			}
			depth++
		case "text":
			var x, y float64
			fmt.Sscanf(attr("x"), "%g", &x)
			fmt.Sscanf(attr("y"), "%g", &y)
			if x < 0 || x > w || y < 0 || y > h {
				t.Errorf("text at (%v, %v) outside the %vx%v image", x, y, w, h)
			}
		}
	}
}

func TestSVGTextsInsideTheImage(t *testing.T) {
	cc := &CurveChart{Title: "QE", YLabel: "QE", Series: []Series{{"train", []float64{1, 2}, []float64{1, 0.5}}, {"valid", []float64{1, 2}, []float64{1.1, 0.6}}}}
	mc := &MapChart{Grid: graph.Grid{Rows: 3, Cols: 4, Topology: graph.Hexagonal}, Title: "m", Values: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Label: "v"}
	cases := []struct {
		name   string
		render func(w io.Writer) error
	}{
		{"curve chart", func(w io.Writer) error { return cc.Render(w, SVG) }},
		{"stacked curves", func(w io.Writer) error { return RenderCurves(w, SVG, cc, cc) }},
		{"map chart", func(w io.Writer) error { return mc.Render(w, SVG) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.render(&b); err != nil {
				t.Fatal(err)
			}
			svgTextsInside(t, b.Bytes())
		})
	}
}

// TestEpochTicksAreWhole: an axis of whole numbers (epochs) gets whole
// ticks, never 2.5, 7.5, ...
func TestEpochTicksAreWhole(t *testing.T) {
	for _, hi := range []float64{2, 7, 20, 33, 150} {
		ticks, _, _ := niceTicks(1, hi, 8, true)
		for _, tk := range ticks {
			if tk.Value != math.Trunc(tk.Value) {
				t.Errorf("epochs 1..%v: tick %v (%q) is not whole", hi, tk.Value, tk.Label)
			}
		}
	}
}
