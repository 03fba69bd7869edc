package viz

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/loaders"
)

var embeddingChartNames = []string{"margins"}

// EmbeddingChartNames lists the charts Chart and WriteCharts draw for a
// map whose decoder has features encoded as learned embeddings (see
// Embedded): LevelMargins as "margins".
func EmbeddingChartNames() []string { return slices.Clone(embeddingChartNames) }

// Embedded reports whether the decoder has a feature encoded as learned
// embeddings (a loaders.Embedding group).
func (in *Interpretation) Embedded() bool {
	if in.dec == nil {
		return false
	}
	return slices.ContainsFunc(in.dec.Layout().Groups, func(g loaders.Group) bool {
		return g.Kind == loaders.Categorical && g.Encoding == loaders.Embedding
	})
}

// LevelMargins draws one panel per categorical feature encoded as learned
// embeddings (the named ones, or all): each unit coloured by its margin,
// the cosine distance from its vector to the second-nearest level's less
// that to the nearest's (loaders.Group.Nearest). FeatureHeatmaps shows the
// nearest level; a low margin here marks units between two levels, where
// that level is a close call. It needs a decoder whose layout has
// Embedding groups; a table that loaders.Group.CheckVectors rejects is an
// error wrapping loaders.ErrVectors.
func (in *Interpretation) LevelMargins(w io.Writer, f Format, names ...string) error {
	charts, err := in.marginCharts(names)
	if err != nil {
		return err
	}
	return in.render(w, f, "Level margins", charts...)
}

// marginCharts returns LevelMargins' panels.
func (in *Interpretation) marginCharts(names []string) ([]*MapChart, error) {
	if in.dec == nil {
		return nil, fmt.Errorf("viz: LevelMargins needs a decoder (the pipeline the map was trained with)")
	}
	var groups []loaders.Group
	var all []string
	for _, g := range in.dec.Layout().Groups {
		if g.Kind == loaders.Categorical && g.Encoding == loaders.Embedding {
			groups = append(groups, g)
			all = append(all, g.Name)
		}
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("viz: LevelMargins: no feature is encoded as embeddings")
	}
	if len(names) > 0 {
		var pick []loaders.Group
		for _, n := range names {
			i := slices.Index(all, n)
			if i < 0 {
				return nil, fmt.Errorf("viz: no embedded feature %q (embedded features: %s)", n, strings.Join(all, ", "))
			}
			pick = append(pick, groups[i])
		}
		groups = pick
	}
	k, d := in.m.Units(), in.m.Dim()
	wts := in.m.Weights()
	charts := make([]*MapChart, len(groups))
	for i, g := range groups {
		if err := g.CheckVectors(); err != nil {
			return nil, fmt.Errorf("viz: %w", err)
		}
		vals := make([]float64, k)
		for u := range k {
			_, _, vals[u] = g.Nearest(wts[u*d : (u+1)*d])
		}
		mc := &MapChart{Grid: in.m.Grid(), Title: g.Name + ": margin to the 2nd level", Values: vals}
		if len(groups) > 1 {
			mc.CellSize = panelCell(in.m.Grid(), len(groups))
		}
		charts[i] = mc
	}
	return charts, nil
}
