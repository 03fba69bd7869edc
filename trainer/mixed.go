package trainer

import (
	"errors"
	"fmt"
	"math"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

// errMixedNeedsPipeline is returned when the mixed distance is asked for
// without the pipeline that says which columns are categorical.
var errMixedNeedsPipeline = errors.New("trainer: the mixed distance needs Options.Pipeline (the pipeline that encoded the data) to know which columns are categorical")

// mixedLayout describes a pipeline's encoded columns for graph.Mixed, with
// fastsom's weights: continuous features by their share of all features,
// each categorical mismatch by 1/(number of features). A pipeline with
// Embedding groups gets fastsom's MixedEmbeddingDistance instead (see
// embeddingWeights).
func mixedLayout(p *loaders.Pipeline) *graph.MixedLayout {
	return layoutFor(p.Layout(), p.Columns)
}

// layoutFor is mixedLayout for a pipeline's layout and fitted columns.
func layoutFor(lay loaders.Layout, cols []loaders.FittedColumn) *graph.MixedLayout {
	cw, mw := lay.MixedWeights()
	out := &graph.MixedLayout{Continuous: lay.ContinuousColumns(), ContinuousWeight: cw, CategoryWeight: mw}
	embedded := false
	for _, g := range lay.CategoricalGroups() {
		e := g.Encoding == loaders.Embedding
		embedded = embedded || e
		out.Groups = append(out.Groups, graph.CategoryGroup{
			Start: g.Start, Width: g.Width, Ordinal: g.Encoding == loaders.Ordinal, Levels: len(g.Levels), Embedded: e,
		})
	}
	if embedded {
		embeddingWeights(out, lay, cols)
	}
	return out
}

// embeddingWeights sets fastsom's MixedEmbeddingDistance weights on l: the
// continuous part ‖x_c − w_c‖ is divided by ContinuousScale, the diameter
// of the training data's continuous part (the diagonal of its bounding
// box: each value column spans (max − min)/Scale of its FittedColumn.Range,
// an indicator 1; a column with no Range counts 1; a zero diameter
// becomes 1), each embedded group contributes (1 − cos)/2, so each part
// lies in [0, 1] for training records, and the parts are weighted by
// their share of the encoded columns: ContinuousWeight = continuous
// columns/D, EmbeddingWeight = embedded columns/(D·embedded groups), and
// a one-hot or ordinal group's mismatch weighs its columns' share the same
// way, CategoryWeight = their columns/(D·their groups). fastsom rescales
// each part by its range over the batch instead; fixed ranges keep a
// record's BMU the same in any batch and at prediction.
func embeddingWeights(l *graph.MixedLayout, lay loaders.Layout, cols []loaders.FittedColumn) {
	d := float64(lay.Width)
	var emb, embN, cat, catN int
	for _, g := range l.Groups {
		if g.Embedded {
			emb, embN = emb+g.Width, embN+1
		} else {
			cat, catN = cat+g.Width, catN+1
		}
	}
	l.ContinuousWeight = float64(len(l.Continuous)) / d
	l.EmbeddingWeight = float64(emb) / (d * float64(embN))
	l.CategoryWeight = 0
	if catN > 0 {
		l.CategoryWeight = float64(cat) / (d * float64(catN))
	}
	var sq float64
	for _, g := range lay.Groups {
		if g.Kind != loaders.Continuous {
			continue
		}
		span := 1.0
		if c := cols[g.Column]; !g.Indicator && len(c.Range) == 2 && c.Scale > 0 {
			span = (c.Range[1] - c.Range[0]) / c.Scale
		}
		sq += span * span * float64(g.Width)
	}
	l.ContinuousScale = math.Sqrt(sq)
	if !(l.ContinuousScale > 0) || math.IsInf(l.ContinuousScale, 0) {
		l.ContinuousScale = 1
	}
}

// mapConfig returns the graph configuration for options o, data of
// dimension dim and an optional pipeline.
func mapConfig(o Options, dim int, p *loaders.Pipeline) (graph.Config, error) {
	cfg := graph.Config{Grid: o.Grid, Dim: dim, Distance: o.Distance, Neighborhood: o.Neighborhood, Dtype: o.Dtype, TENeighbors: o.TENeighbors,
		Missing: o.Missing || p != nil && p.Options.Missing == loaders.SkipMissing}
	if cfg.Missing && o.Distance == graph.Mixed {
		return cfg, fmt.Errorf("trainer: %w: the mixed distance cannot skip missing values: fill them (loaders.FillMissing) or choose another distance", graph.ErrDistance)
	}
	if o.Distance == graph.Mixed {
		if p == nil {
			return cfg, errMixedNeedsPipeline
		}
		cfg.Mixed = mixedLayout(p)
	}
	return cfg, nil
}
