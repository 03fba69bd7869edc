package trainer

import (
	"errors"
	"fmt"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

// Prediction is where a record lands on the map.
type Prediction struct {
	// Unit is the index of the best-matching unit, at Row = Unit / cols and
	// Col = Unit % cols.
	Unit, Row, Col int
	// Dist is the record's distance to the unit (the Euclidean distance,
	// not squared, for the Euclidean metric).
	Dist float64
}

// Predict returns the best-matching unit and the distance to it for every
// record of ds, in order. ds must have the dimension of the training data.
func (l *Learner) Predict(ds *loaders.Dataset) ([]Prediction, error) {
	return predict(l.m, ds)
}

// predict maps every record of ds onto m.
func predict(m *graph.Map, ds *loaders.Dataset) ([]Prediction, error) {
	if ds == nil {
		return nil, errors.New("trainer: predict: no data: pass a *loaders.Dataset")
	}
	if ds.D != m.Dim() {
		return nil, fmt.Errorf("trainer: predict: data has %d features, the map %d: prepare it with the model's pipeline", ds.D, m.Dim())
	}
	if err := ds.Check(); err != nil {
		return nil, fmt.Errorf("trainer: predict: %w", err)
	}
	bmu, dist, err := m.Predict(ds.Data)
	if err != nil {
		return nil, fmt.Errorf("trainer: predict: %w", err)
	}
	if len(bmu) != ds.N || len(dist) != ds.N {
		return nil, fmt.Errorf("trainer: predict: graph returned %d units and %d distances for %d records", len(bmu), len(dist), ds.N)
	}
	g := m.Grid()
	out := make([]Prediction, ds.N)
	for i, k := range bmu {
		r, c := g.RowCol(k)
		out[i] = Prediction{Unit: k, Row: r, Col: c, Dist: dist[i]}
	}
	return out, nil
}
