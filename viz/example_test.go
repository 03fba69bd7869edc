package viz_test

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

// A hexagonal hit map with an empty unit, rendered to PNG.
func ExampleMapChart() {
	mc := &viz.MapChart{
		Grid:        graph.Grid{Rows: 2, Cols: 3, Topology: graph.Hexagonal},
		Title:       "Hits",
		Values:      []float64{4, 1, 1, 2, math.NaN(), 7},
		Annotations: []string{"4", "1", "1", "2", "", "7"},
		Label:       "hits",
	}
	var b bytes.Buffer
	if err := mc.Render(&b, viz.PNG); err != nil {
		fmt.Println(err)
		return
	}
	img, err := png.Decode(&b)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The most-hit unit (row 1, col 2) is drawn in Viridis' brightest
	// colour.
	fmt.Println(viz.Viridis(1))
	brightest := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == viz.Viridis(1) {
				brightest++
			}
		}
	}
	fmt.Println(brightest > 100)
	fmt.Println(img.Bounds().Dx() > 200, img.Bounds().Dy() > 150)
	// Output:
	// {254 231 36 255}
	// true
	// true true
}

// Training curves survive a single epoch (a flat range).
func ExampleCurveChart() {
	cc := &viz.CurveChart{
		Title:  "Quantization error",
		XLabel: "epoch",
		Series: []viz.Series{{Name: "train", X: []float64{1}, Y: []float64{0.25}}},
	}
	var b bytes.Buffer
	err := cc.Render(&b, viz.SVG)
	fmt.Println(err, bytes.HasPrefix(b.Bytes(), []byte("<svg")))
	// Output: <nil> true
}

func ExampleHits() {
	counts, err := viz.Hits([]int{0, 3, 3, 1, 3}, 4)
	fmt.Println(counts, err)
	// Output: [1 1 0 3] <nil>
}

// The U-matrix of a line of three units with weights 0, 1 and 3: each
// unit's mean distance to its neighbours.
func ExampleUMatrix() {
	fmt.Println(viz.UMatrix(graph.Grid{Rows: 1, Cols: 3}, []float64{0, 1, 3}, 1))
	fmt.Println(viz.UMatrix(graph.Grid{Rows: 1, Cols: 3, Toroidal: true}, []float64{0, 1, 3}, 1))
	// Output:
	// [1 1.5 2]
	// [2 1.5 2.5]
}

// A 3-feature codebook in [0, 1] is its own colour.
func ExampleCodebookColors() {
	cols, err := viz.CodebookColors([]float64{1, 0, 0, 0.5, 0.5, 1}, 2, 3)
	fmt.Println(cols, err)
	// Output: [{255 0 0 255} {128 128 255 255}] <nil>
}

// A continuous target cut into two quantile bins; unit 2 has no records.
func ExamplePredsChart() {
	g := graph.Grid{Rows: 1, Cols: 3}
	mc, err := viz.PredsChart(g, []int{0, 0, 1, 1}, []string{"1.5", "2", "8", "9"}, 2, "price")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(mc.Categories, mc.CategoryNames)
	// Output: [0 1 -1] [1.5 – 2 2 – 9]
}

func ExampleParseCharts() {
	names, err := viz.ParseCharts("hitmap, umatrix")
	fmt.Println(names, err)
	_, err = viz.ParseCharts("hitmap,pie")
	fmt.Println(err)
	// Output:
	// [hitmap umatrix] <nil>
	// viz: unknown chart "pie" (want a comma-separated list of hitmap, weights, features, preds, umatrix, loss, hyperparams, clusters, criteria, profiles, target, confusion, margins)
}

func ExampleParseFormat() {
	f, err := viz.ParseFormat("SVG")
	fmt.Println(f, f.Ext(), err)
	// Output: svg .svg <nil>
}

// Hit counts of the training data on a map with a known codebook.
func ExampleNew() {
	m, err := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 2}, Dim: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.SetWeights([]float64{0, 10}); err != nil {
		fmt.Println(err)
		return
	}
	train, err := loaders.FromRows([][]float64{{1}, {2}, {9}}, []string{"x"})
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := viz.New(m, train, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	counts, err := in.HitCounts(nil)
	fmt.Println(counts, err)
	// Output: [2 1] <nil>
}

// A chart hook writing the charts every 2 epochs of a 3-epoch fit, and
// after the last.
func ExampleChartHook() {
	dir, err := os.MkdirTemp("", "charts")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	train := loaders.Colors(200, 1)
	h := viz.NewChartHook(dir, 2, viz.PNG, train)
	l, err := trainer.New(train, nil, &trainer.Options{Grid: graph.Grid{Rows: 5, Cols: 5}, Hooks: []hooks.Hook{h}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := l.Fit(3); err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range h.Written {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// hitmap_e0002.png
	// pca_e0002.png
	// hyperparams.png
	// loss.png
	// hitmap_e0003.png
	// pca_e0003.png
	// hyperparams.png
	// loss.png
}
