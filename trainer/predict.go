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
	// not squared, for the Euclidean metric; on a map with layers, the
	// layered distance of the layers searched).
	Dist float64
	// Class and Value are a supervised map's prediction, read from the
	// unit's target layer (empty and 0 on other maps). For a class target,
	// Class is the unit's most probable class (Predictor.Proba; the first
	// on ties) and Value is 0. For a numeric target, Value is the unit's
	// target in the target's units and Class the same number as text.
	Class string
	Value float64
}

// Predict returns the best-matching unit and the distance to it for every
// record of ds, in order. ds must have the dimension of the training data.
//
// On a supervised map (Options.Supervised), ds holds the features only
// (or the features and the target, which is then not read): records are
// placed by the features layer, and each prediction carries the target
// read from its unit (Prediction.Class, Proba, Value). Learner.Predictor
// chooses other layers.
func (l *Learner) Predict(ds *loaders.Dataset) ([]Prediction, error) {
	if l.target != nil {
		p, err := l.Predictor()
		if err != nil {
			return nil, err
		}
		return p.Predict(ds)
	}
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
	if err := checkData(ds, m.Config().Missing); err != nil {
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
