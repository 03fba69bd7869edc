package viz

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding PNG: %v", err)
	}
	return img
}

func rgbAt(img image.Image, x, y float64) color.RGBA {
	r, g, b, _ := img.At(int(math.Round(x)), int(math.Round(y))).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { v := int(x) - int(y); return v <= tol && v >= -tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

// centroids returns the mean pixel position of each of the given colours
// (matched within tol) and how many pixels matched.
func centroids(img image.Image, cols []color.RGBA, tol int) (xs, ys []float64, n []int) {
	xs, ys, n = make([]float64, len(cols)), make([]float64, len(cols)), make([]int, len(cols))
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := rgbAt(img, float64(x), float64(y))
			for i, c := range cols {
				if near(p, c, tol) {
					xs[i] += float64(x)
					ys[i] += float64(y)
					n[i]++
					break
				}
			}
		}
	}
	for i := range cols {
		if n[i] > 0 {
			xs[i] /= float64(n[i])
			ys[i] /= float64(n[i])
		}
	}
	return xs, ys, n
}

func render(t *testing.T, mc *MapChart, f Format) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := mc.Render(&b, f); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.Bytes()
}

// cellPixel returns the colour at the centre of unit k of a single-panel
// chart.
func cellPixel(img image.Image, mc *MapChart, k int) color.RGBA {
	l := mc.layout()
	cx, cy := mc.centre(k, l.scale)
	return rgbAt(img, 6+l.mapX+cx, 6+l.mapY+cy)
}

func TestHitmap2x2BrightestCell(t *testing.T) {
	mc := &MapChart{Grid: graph.Grid{Rows: 2, Cols: 2}, Values: []float64{1, 5, math.NaN(), 3}, Label: "hits",
		Annotations: []string{"1", "5", "", "3"}}
	img := decodePNG(t, render(t, mc, PNG))
	// Sample off the centre so that the annotation text does not cover
	// the pixel.
	l := mc.layout()
	at := func(k int) color.RGBA {
		cx, cy := mc.centre(k, l.scale)
		return rgbAt(img, 6+l.mapX+cx-l.scale/3, 6+l.mapY+cy-l.scale/3)
	}
	cases := []struct {
		name string
		unit int
		want color.RGBA
	}{
		{"most hits is brightest, row 0 col 1", 1, Viridis(1)},
		{"fewest hits is darkest, row 0 col 0", 0, Viridis(0)},
		{"zero hits is empty, row 1 col 0", 2, color.RGBA{245, 245, 245, 255}},
		{"middle count, row 1 col 1", 3, Viridis(0.5)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := at(c.unit); !near(got, c.want, 3) {
				t.Errorf("unit %d: got %v, want %v", c.unit, got, c.want)
			}
		})
	}
	// The brightest cell is the top right quadrant of the map.
	xs, ys, cnt := centroids(img, []color.RGBA{Viridis(1), Viridis(0)}, 2)
	if cnt[0] == 0 || cnt[1] == 0 {
		t.Fatalf("found %d brightest and %d darkest pixels, want both > 0", cnt[0], cnt[1])
	}
	if !(xs[0] > xs[1]+l.scale*0.8 && math.Abs(ys[0]-ys[1]) < l.scale*0.3) {
		t.Errorf("brightest cell centroid (%.1f, %.1f) is not one cell right of the darkest (%.1f, %.1f)", xs[0], ys[0], xs[1], ys[1])
	}
}

func TestHexCellsSitAtHexOffsets(t *testing.T) {
	g := graph.Grid{Rows: 3, Cols: 3, Topology: graph.Hexagonal}
	want := make([]color.RGBA, 9)
	cols := make([]color.Color, 9)
	for k := range want {
		want[k] = color.RGBA{uint8(20 + 25*k), uint8(230 - 20*k), uint8(60 + 15*(k%3)), 255}
		cols[k] = want[k]
	}
	mc := &MapChart{Grid: g, Colors: cols, CellSize: 40}
	img := decodePNG(t, render(t, mc, PNG))
	xs, ys, n := centroids(img, want, 0)
	s := 40.0
	const tol = 1.0 // pixels
	for k := range 9 {
		if n[k] < 500 {
			t.Fatalf("unit %d: %d pixels of its colour, want a full hexagon (> 500)", k, n[k])
		}
		r, c := g.RowCol(k)
		gx, gy := g.Coords(k)
		// relative to unit 0
		wx, wy := xs[0]+gx*s, ys[0]+gy*s
		t.Run("unit "+string(rune('0'+k)), func(t *testing.T) {
			if math.Abs(xs[k]-wx) > tol || math.Abs(ys[k]-wy) > tol {
				t.Errorf("row %d col %d: centre (%.2f, %.2f), want (%.2f, %.2f) ± %v", r, c, xs[k], ys[k], wx, wy, tol)
			}
		})
	}
	// Odd rows are shifted right by half a cell.
	if d := xs[3] - xs[0]; math.Abs(d-s/2) > tol {
		t.Errorf("row 1 is shifted by %.2f px, want %.2f", d, s/2)
	}
}

func TestMapChartSVGIsXML(t *testing.T) {
	g := graph.Grid{Rows: 4, Cols: 5, Topology: graph.Hexagonal}
	vals := make([]float64, g.Units())
	for i := range vals {
		vals[i] = float64(i)
	}
	cats := make([]int, g.Units())
	cases := []struct {
		name string
		mc   *MapChart
	}{
		{"values with markup in text", &MapChart{Grid: g, Title: `a <b> & "c"`, Values: vals, Label: "x<y"}},
		{"categories with markup in names", &MapChart{Grid: g, Categories: cats, CategoryNames: []string{"<&>"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := render(t, c.mc, SVG)
			dec := xml.NewDecoder(bytes.NewReader(b))
			texts := 0
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("SVG does not parse as XML: %v", err)
				}
				if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
					texts++
				}
			}
			if texts < 5 {
				t.Errorf("found %d text elements, want the title, ticks and labels", texts)
			}
		})
	}
}

func TestMapChartDegenerateInputsRender(t *testing.T) {
	g := graph.Grid{Rows: 3, Cols: 3}
	nan := math.NaN()
	cases := []struct {
		name string
		mc   *MapChart
	}{
		{"constant values", &MapChart{Grid: g, Values: []float64{2, 2, 2, 2, 2, 2, 2, 2, 2}}},
		{"all empty", &MapChart{Grid: g, Values: []float64{nan, nan, nan, nan, nan, nan, nan, nan, nan}}},
		{"one unit", &MapChart{Grid: graph.Grid{Rows: 1, Cols: 1, Topology: graph.Hexagonal}, Values: []float64{1}}},
		{"nil colours are empty", &MapChart{Grid: g, Colors: make([]color.Color, 9)}},
		{"unnamed categories", &MapChart{Grid: g, Categories: []int{0, 1, 2, -1, 0, 1, 2, -1, 0}}},
		{"large map with annotations", &MapChart{Grid: graph.Grid{Rows: 50, Cols: 50}, Values: make([]float64, 2500), Annotations: make([]string, 2500)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, f := range []Format{PNG, SVG} {
				if b := render(t, c.mc, f); len(b) == 0 {
					t.Errorf("%v: empty output", f)
				}
			}
		})
	}
	// A constant map is drawn in the middle colour.
	mc := cases[0].mc
	img := decodePNG(t, render(t, mc, PNG))
	if got := cellPixel(img, mc, 4); !near(got, Viridis(0.5), 3) {
		t.Errorf("constant map: centre cell %v, want %v", got, Viridis(0.5))
	}
}

func TestMapChartErrors(t *testing.T) {
	g := graph.Grid{Rows: 2, Cols: 2}
	cases := []struct {
		name string
		mc   *MapChart
		want string
	}{
		{"no source", &MapChart{Grid: g}, "set exactly one"},
		{"two sources", &MapChart{Grid: g, Values: make([]float64, 4), Categories: make([]int, 4)}, "set exactly one"},
		{"short values", &MapChart{Grid: g, Values: make([]float64, 3)}, "Values has 3 entries"},
		{"infinite value", &MapChart{Grid: g, Values: []float64{0, math.Inf(1), 0, 0}}, "use NaN"},
		{"category out of range", &MapChart{Grid: g, Categories: []int{0, 1, 2, 0}, CategoryNames: []string{"a", "b"}}, "category 2"},
		{"short annotations", &MapChart{Grid: g, Values: make([]float64, 4), Annotations: []string{"a"}}, "Annotations has 1"},
		{"bad grid", &MapChart{Grid: graph.Grid{Rows: 0, Cols: 2}, Values: []float64{}}, "at least 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.mc.Render(io.Discard, PNG)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "viz: ") {
				t.Errorf("got error %v, want one starting with viz: and containing %q", err, c.want)
			}
		})
	}
	t.Run("bad format", func(t *testing.T) {
		err := (&MapChart{Grid: g, Values: make([]float64, 4)}).Render(io.Discard, Format(9))
		if err == nil || !strings.Contains(err.Error(), "format") {
			t.Errorf("got %v, want an unknown format error", err)
		}
	})
}

func TestParseFormat(t *testing.T) {
	cases := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"png", PNG, false}, {"SVG", SVG, false}, {".png", PNG, false}, {" svg ", SVG, false}, {"jpeg", 0, true}, {"", 0, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseFormat(c.in)
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("ParseFormat(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.wantErr)
			}
			if err == nil && got.String() != strings.TrimPrefix(strings.ToLower(strings.TrimSpace(c.in)), ".") {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}
