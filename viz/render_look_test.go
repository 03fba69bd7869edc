package viz

import (
	"bytes"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

// lookDir returns the folder named by VIZ_OUT, where tests write their
// renders for a person to look at, or "" to skip writing.
func lookDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("VIZ_OUT")
	if d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func saveLook(t *testing.T, name string, b []byte) {
	t.Helper()
	if d := lookDir(t); d != "" {
		if err := os.WriteFile(filepath.Join(d, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLookMaps(t *testing.T) {
	if os.Getenv("VIZ_OUT") == "" {
		t.Skip("set VIZ_OUT=dir to write renders")
	}
	hex := graph.Grid{Rows: 10, Cols: 12, Topology: graph.Hexagonal}
	vals := make([]float64, hex.Units())
	ann := make([]string, hex.Units())
	for k := range vals {
		r, c := hex.RowCol(k)
		vals[k] = math.Round(20 * math.Sin(float64(r)/3) * math.Cos(float64(c)/4))
		if vals[k] < 0 {
			vals[k] = 0
		}
		ann[k] = strconv.Itoa(int(vals[k]))
		if vals[k] == 0 {
			vals[k] = math.NaN()
			ann[k] = ""
		}
	}
	cats := make([]int, hex.Units())
	cols := make([]color.Color, hex.Units())
	for k := range cats {
		cats[k] = k % 3
		cols[k] = color.RGBA{uint8(k * 2), uint8(255 - k*2), 128, 255}
	}
	charts := map[string]*MapChart{
		"hex_values": {Grid: hex, Title: "Hit map (train)", Values: vals, Label: "hits", Annotations: ann},
		"rect_cats":  {Grid: graph.Grid{Rows: 10, Cols: 12}, Title: "Preds", Categories: cats, CategoryNames: []string{"setosa", "versicolor", "virginica"}},
		"rect_cols":  {Grid: graph.Grid{Rows: 10, Cols: 12}, Title: "Weights", Colors: cols},
		"big":        {Grid: graph.Grid{Rows: 60, Cols: 80}, Title: "Big", Values: make([]float64, 4800)},
	}
	for name, mc := range charts {
		for _, f := range []Format{PNG, SVG} {
			var b bytes.Buffer
			if err := mc.Render(&b, f); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			saveLook(t, name+f.Ext(), b.Bytes())
		}
	}
	var b bytes.Buffer
	if err := RenderMaps(&b, PNG, "Features", charts["hex_values"], charts["rect_cats"], charts["rect_cols"]); err != nil {
		t.Fatal(err)
	}
	saveLook(t, "panels.png", b.Bytes())
}

func TestLookCurves(t *testing.T) {
	if os.Getenv("VIZ_OUT") == "" {
		t.Skip("set VIZ_OUT=dir to write renders")
	}
	ep := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tr := []float64{0.9, 0.6, 0.45, 0.38, 0.33, 0.3, 0.28, 0.27, 0.265, 0.26}
	va := []float64{0.95, 0.66, 0.5, 0.42, 0.37, 0.35, 0.33, 0.32, 0.315, 0.31}
	loss := &CurveChart{Title: "Quantization error", XLabel: "epoch", YLabel: "QE", Series: []Series{{"train", ep, tr}, {"valid", ep, va}}}
	flat := &CurveChart{Title: "Flat", XLabel: "epoch", Series: []Series{{"sigma", []float64{1}, []float64{3}}}}
	for _, f := range []Format{PNG, SVG} {
		var b bytes.Buffer
		if err := RenderCurves(&b, f, loss, flat); err != nil {
			t.Fatal(err)
		}
		saveLook(t, "curves"+f.Ext(), b.Bytes())
	}
}

func TestLookManyCategories(t *testing.T) {
	if os.Getenv("VIZ_OUT") == "" {
		t.Skip("set VIZ_OUT=dir to write renders")
	}
	g := graph.Grid{Rows: 8, Cols: 8}
	cats := make([]int, 64)
	names := make([]string, 40)
	for i := range names {
		names[i] = "class " + strconv.Itoa(i)
	}
	for k := range cats {
		cats[k] = k % 40
	}
	var b bytes.Buffer
	if err := (&MapChart{Grid: g, Title: "Forty classes", Categories: cats, CategoryNames: names}).Render(&b, PNG); err != nil {
		t.Fatal(err)
	}
	saveLook(t, "many_cats.png", b.Bytes())
}
