package viz

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// quadrants returns n records of 2 features labelled by their quadrant
// (3 classes: "low" below 0.5 on x, "high-a"/"high-b" above by y), or by
// a number x+y when numeric.
func quadrants(n int, seed uint64, numeric bool) *loaders.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	ds := &loaders.Dataset{N: n, D: 2, Data: make([]float64, 2*n), Labels: make([]string, n), Features: []string{"x", "y"}}
	for i := range n {
		x, y := rng.Float64(), rng.Float64()
		ds.Data[2*i], ds.Data[2*i+1] = x, y
		switch {
		case numeric:
			ds.Labels[i] = strconv.FormatFloat(x+y, 'g', -1, 64)
		case x < 0.5:
			ds.Labels[i] = "low"
		case y < 0.5:
			ds.Labels[i] = "high-a"
		default:
			ds.Labels[i] = "high-b"
		}
	}
	return ds
}

func supervisedLearner(t *testing.T, numeric bool) *trainer.Learner {
	t.Helper()
	l, err := trainer.New(quadrants(300, 1, numeric), quadrants(60, 2, numeric), &trainer.Options{Grid: graph.Grid{Rows: 5, Cols: 5, Topology: graph.Hexagonal}, Supervised: true, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(15); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSupervisedCharts: a supervised map's target and confusion charts,
// from the Learner and from its model with features-only data.
func TestSupervisedCharts(t *testing.T) {
	for _, numeric := range []bool{false, true} {
		l := supervisedLearner(t, numeric)
		in, err := FromLearner(l)
		if err != nil {
			t.Fatal(err)
		}
		if !in.Supervised() || in.Map().Dim() != 2 || in.Train().D != 2 {
			t.Fatalf("numeric %v: supervised %v, map dim %d, train dim %d", numeric, in.Supervised(), in.Map().Dim(), in.Train().D)
		}
		for _, f := range []Format{PNG, SVG} {
			paths, err := in.WriteCharts(t.TempDir(), f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range paths {
				names = append(names, strings.TrimSuffix(filepath.Base(p), f.Ext()))
			}
			if !slices.Contains(names, "target") || !slices.Contains(names, "confusion") || !slices.Contains(names, "features") {
				t.Errorf("numeric %v %s: wrote %v", numeric, f, names)
			}
		}
		cs, err := LossCharts(l.History())
		if err != nil || len(cs) != 3 || (numeric != strings.HasPrefix(cs[2].Title, "Target RMSE")) || len(cs[2].Series) != 2 {
			t.Errorf("numeric %v: loss charts %d, %v", numeric, len(cs), err)
		} else if y := cs[2].Series[1].Y; y[len(y)-1] != l.History()[len(y)-1].ValidTarget.Accuracy && !numeric {
			t.Errorf("the accuracy curve ends at %v", y[len(y)-1])
		}
		var svg bytes.Buffer
		if err := in.Confusion(&svg, SVG, nil); err != nil {
			t.Fatal(err)
		}
		want := "Confusion matrix, target, valid"
		if numeric {
			want = "Predicted against true target, valid"
		}
		if !strings.Contains(svg.String(), want) {
			t.Errorf("confusion chart lacks %q", want)
		}
		svg.Reset()
		if err := in.TargetMap(&svg, SVG); err != nil {
			t.Fatal(err)
		}
		want = "Probability of each target per unit"
		if numeric {
			want = "Predicted target per unit"
		}
		if !strings.Contains(svg.String(), want) {
			t.Errorf("target chart lacks %q", want)
		}
		// The model, with records of the features' width.
		md := l.Model()
		fm, err := FromModel(md, quadrants(40, 3, numeric), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := fm.Chart("confusion", &bytes.Buffer{}, PNG); err != nil {
			t.Errorf("numeric %v: confusion from a model: %v", numeric, err)
		}
	}
	// An unsupervised map has neither chart.
	u, err := trainer.New(quadrants(50, 1, false), nil, &trainer.Options{Grid: graph.Grid{Rows: 3, Cols: 3}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := FromLearner(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range SupervisedChartNames() {
		if err := in.Chart(name, &bytes.Buffer{}, PNG); err == nil || !strings.Contains(err.Error(), "no target") {
			t.Errorf("%s of an unsupervised map: %v", name, err)
		}
	}
	paths, err := in.WriteCharts(t.TempDir(), PNG)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if n := filepath.Base(p); n == "target.png" || n == "confusion.png" {
			t.Errorf("wrote %s for an unsupervised map", n)
		}
	}
}

// TestConfusionMatrix counts against a hand-made table.
func TestConfusionMatrix(t *testing.T) {
	classes := []string{"a", "b", "c"}
	labels := []string{"a", "a", "b", "c", "c", "", "b"}
	pred := []string{"a", "b", "b", "a", "c", "c", "b"}
	preds := make([]trainer.Prediction, len(pred))
	for i, p := range pred {
		preds[i].Class = p
	}
	m, err := ConfusionMatrix(classes, labels, preds)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{1, 1, 0}, {0, 2, 0}, {1, 0, 1}}
	for r := range want {
		if !slices.Equal(m[r], want[r]) {
			t.Errorf("row %s: %v, want %v", classes[r], m[r], want[r])
		}
	}
	labels[0] = "d"
	if _, err := ConfusionMatrix(classes, labels, preds); err == nil || !strings.Contains(err.Error(), `record 0 has the class "d"`) {
		t.Errorf("unknown class: %v", err)
	}
	if _, err := ConfusionMatrix(classes, labels[:2], preds); err == nil {
		t.Error("labels and predictions of different lengths")
	}
}
