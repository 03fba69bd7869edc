package viz

import (
	"bytes"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

// TestHugeMapDrawnInBlocks checks that a 1000×1000 map (a million units)
// is drawn as at most MaxDrawnSide² cells, in an image of ordinary size,
// with the axes numbering units and the title saying how the cells were
// grouped (before, every unit was a 4-pixel polygon: a 4000-pixel image and
// minutes of drawing).
func TestHugeMapDrawnInBlocks(t *testing.T) {
	for _, topo := range []graph.Topology{graph.Rectangular, graph.Hexagonal} {
		g := graph.Grid{Rows: 1000, Cols: 1000, Topology: topo}
		vals := make([]float64, g.Units())
		ann := make([]string, g.Units())
		for k := range vals {
			r, c := g.RowCol(k)
			vals[k] = float64(r + c)
			if k%7 == 0 {
				vals[k] = math.NaN()
			}
			ann[k] = "x"
		}
		mc := &MapChart{Grid: g, Title: "big", Values: vals, Label: "v", Annotations: ann}
		var b bytes.Buffer
		if topo == graph.Rectangular {
			if err := mc.Render(&b, PNG); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&b)
			if err != nil {
				t.Fatal(err)
			}
			if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w > 900 || h > 900 {
				t.Errorf("%v: image %dx%d, want at most 900 pixels a side", topo, w, h)
			}
			continue
		}
		if err := mc.Render(&b, SVG); err != nil {
			t.Fatal(err)
		}
		svg := b.String()
		if n := strings.Count(svg, "<path"); n > MaxDrawnSide*MaxDrawnSide+200 {
			t.Errorf("%v: SVG has %d paths, want at most about %d cells", topo, n, MaxDrawnSide*MaxDrawnSide)
		}
		for _, want := range []string{"big (1000×1000 units, in blocks of 8×8)", ">800<"} {
			if !strings.Contains(svg, want) {
				t.Errorf("%v: SVG lacks %q", topo, want)
			}
		}
	}

	// The blocks hold the mean value, mean colour and most frequent
	// category of their units; a block without units with values is empty.
	g := graph.Grid{Rows: 300, Cols: 260}
	d := (&MapChart{Grid: g, Values: make([]float64, g.Units())}).drawable()
	if d.block != 3 || d.Grid.Rows != 100 || d.Grid.Cols != 87 {
		t.Fatalf("300×260 map: blocks of %d, %v; want 3 and 100×87", d.block, d.Grid)
	}
	vals := make([]float64, g.Units())
	cols := make([]color.Color, g.Units())
	cats := make([]int, g.Units())
	for k := range vals {
		r, c := g.RowCol(k)
		vals[k] = math.NaN()
		if r < 3 && c < 3 {
			vals[k] = float64(r*3 + c) // block 0: 0..8, mean 4
		}
		cols[k] = color.RGBA{uint8(10 * c), 0, 0, 255}
		cats[k] = -1
		if r < 3 && c < 3 {
			cats[k] = min(r, 1) // block 0: three 0s, six 1s
		}
	}
	dv := (&MapChart{Grid: g, Values: vals}).drawable()
	if dv.Values[0] != 4 || !math.IsNaN(dv.Values[1]) {
		t.Errorf("block means %v, %v; want 4 and NaN (empty)", dv.Values[0], dv.Values[1])
	}
	dc := (&MapChart{Grid: g, Colors: cols}).drawable()
	if r, _, _, _ := dc.Colors[1].RGBA(); r>>8 != 40 { // columns 3..5: 30, 40, 50
		t.Errorf("block colour red %d, want 40", r>>8)
	}
	dk := (&MapChart{Grid: g, Categories: cats}).drawable()
	if dk.Categories[0] != 1 || dk.Categories[1] != -1 {
		t.Errorf("block categories %d, %d; want 1 and -1", dk.Categories[0], dk.Categories[1])
	}
	// A map within MaxDrawnSide is drawn unit by unit.
	small := &MapChart{Grid: graph.Grid{Rows: MaxDrawnSide, Cols: 5}, Values: make([]float64, 5*MaxDrawnSide)}
	if small.drawable() != small {
		t.Error("a map of MaxDrawnSide rows was drawn in blocks")
	}
}
