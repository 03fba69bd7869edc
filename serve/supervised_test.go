package serve

import (
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// TestSupervisedModel: the explorer shows a supervised model by its
// features layer, with records of the features' width or the full map's.
func TestSupervisedModel(t *testing.T) {
	ds := &loaders.Dataset{N: 40, D: 2, Features: []string{"a", "b"}}
	for i := range ds.N {
		x := float64(i) / 40
		ds.Data = append(ds.Data, x, 1-x*x)
		if x < 0.5 {
			ds.Labels = append(ds.Labels, "low")
		} else {
			ds.Labels = append(ds.Labels, "high")
		}
	}
	l, err := trainer.New(ds, nil, &trainer.Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Supervised: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(3); err != nil {
		t.Fatal(err)
	}
	for _, data := range []*loaders.Dataset{ds, l.Train(), nil} {
		s, err := build(l.Model(), data, nil, 0, false)
		if err != nil {
			t.Fatalf("data of %v columns: %v", data, err)
		}
		if s.m.Dim() != 2 || (data != nil && len(s.bmu) != 40) {
			t.Errorf("map dim %d, %d BMUs", s.m.Dim(), len(s.bmu))
		}
	}
}
