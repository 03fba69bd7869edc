package trainer

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// mixedOracle is fastsom's mixed distance between two encoded vectors of a
// layout, written from its definition: nCont/n·‖a_cont − b_cont‖ plus 1/n
// per categorical group whose level differs (the argmax of a one-hot
// group, ties low, none when no value is positive; the rounded ordinal
// code, none below ½), n counting every group.
func mixedOracle(a, b []float64, l loaders.Layout) float64 {
	level := func(g loaders.Group, v []float64) int {
		if g.Encoding == loaders.Ordinal {
			if v[g.Start] < 0.5 {
				return -1
			}
			return min(int(math.Round(v[g.Start])), len(g.Levels)) - 1
		}
		best := -1
		for k := range g.Width {
			if v[g.Start+k] > 0 && (best < 0 || v[g.Start+k] > v[g.Start+best]) {
				best = k
			}
		}
		return best
	}
	var sq float64
	cont, miss := 0, 0
	for _, g := range l.Groups {
		if g.Kind == loaders.Categorical {
			if level(g, a) != level(g, b) {
				miss++
			}
			continue
		}
		cont++
		for k := g.Start; k < g.Start+g.Width; k++ {
			sq += (a[k] - b[k]) * (a[k] - b[k])
		}
	}
	n := float64(len(l.Groups))
	return float64(cont)/n*math.Sqrt(sq) + float64(miss)/n
}

// TestMixedDistance trains penguins (continuous and one-hot categorical
// columns) with the mixed distance: the graph's distances must equal
// mixedOracle on the pipeline's layout (so the trainer translates the
// layout right), and the model must survive export and load with identical
// predictions.
func TestMixedDistance(t *testing.T) {
	db, err := loaders.Builtin("penguins", &loaders.Options{ValidFrac: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	opts := &Options{Grid: graph.Grid{Rows: 5, Cols: 5, Topology: graph.Hexagonal}, Distance: graph.Mixed,
		Dtype: tensor.Float64, Pipeline: db.Pipeline, Seed: 3}
	l, err := New(db.Train, db.Valid, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(3); err != nil {
		t.Fatal(err)
	}
	m := l.Map()
	f, err := m.NewSearch(db.Valid.N)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(db.Valid.N, db.Valid.D), tensor.WithBacking(append([]float64(nil), db.Valid.Data...)))
	if err := f.Search(x); err != nil {
		t.Fatal(err)
	}
	dist := f.Distances().Data().([]float64)
	w, k, layout := m.Weights(), m.Units(), db.Layout()
	for i := 0; i < db.Valid.N; i++ {
		for u := 0; u < k; u++ {
			want := mixedOracle(db.Valid.Row(i), w[u*m.Dim():(u+1)*m.Dim()], layout)
			if got := dist[i*k+u]; math.Abs(got-want) > 1e-9 {
				t.Fatalf("record %d, unit %d: graph %g, oracle %g", i, u, got, want)
			}
		}
	}
	var buf bytes.Buffer
	if err := l.Export(&buf); err != nil {
		t.Fatal(err)
	}
	md, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if md.Config.Distance != graph.Mixed || md.Config.Mixed == nil {
		t.Fatalf("loaded config %+v lost the mixed layout", md.Config)
	}
	want, _ := l.Predict(db.Valid)
	got, err := md.Predict(db.Valid)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d: loaded model predicts %+v, learner %+v", i, got[i], want[i])
		}
	}
}

func TestMixedNeedsPipeline(t *testing.T) {
	ds := loaders.Colors(50, 1)
	_, err := New(ds, nil, &Options{Distance: graph.Mixed})
	if !errors.Is(err, errMixedNeedsPipeline) {
		t.Errorf("mixed distance without a pipeline: got %v", err)
	}
}
