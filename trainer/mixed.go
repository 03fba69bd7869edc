package trainer

import (
	"errors"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

// errMixedNeedsPipeline is returned when the mixed distance is asked for
// without the pipeline that says which columns are categorical.
var errMixedNeedsPipeline = errors.New("trainer: the mixed distance needs Options.Pipeline (the pipeline that encoded the data) to know which columns are categorical")

// mixedLayout describes a pipeline's encoded columns for graph.Mixed, with
// fastsom's weights: continuous features by their share of all features,
// each categorical mismatch by 1/(number of features).
func mixedLayout(p *loaders.Pipeline) *graph.MixedLayout {
	lay := p.Layout()
	cw, mw := lay.MixedWeights()
	out := &graph.MixedLayout{Continuous: lay.ContinuousColumns(), ContinuousWeight: cw, CategoryWeight: mw}
	for _, g := range lay.CategoricalGroups() {
		out.Groups = append(out.Groups, graph.CategoryGroup{
			Start: g.Start, Width: g.Width, Ordinal: g.Encoding == loaders.Ordinal, Levels: len(g.Levels),
		})
	}
	return out
}

// mapConfig returns the graph configuration for options o, data of
// dimension dim and an optional pipeline.
func mapConfig(o Options, dim int, p *loaders.Pipeline) (graph.Config, error) {
	cfg := graph.Config{Grid: o.Grid, Dim: dim, Distance: o.Distance, Neighborhood: o.Neighborhood, Dtype: o.Dtype, TENeighbors: o.TENeighbors}
	if o.Distance == graph.Mixed {
		if p == nil {
			return cfg, errMixedNeedsPipeline
		}
		cfg.Mixed = mixedLayout(p)
	}
	return cfg, nil
}
