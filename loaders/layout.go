package loaders

import "math"

// Group is a run of encoded columns that come from one input feature: a
// continuous value, its missing indicator, or a categorical feature's
// one-hot columns (or single ordinal code).
type Group struct {
	// Name is the input feature's name ("<name>_na" for an indicator).
	Name string
	// Kind is Continuous (values and indicators) or Categorical.
	Kind Role
	// Column is the index of the feature in Pipeline.Columns.
	Column int
	// Start and Width give the encoded columns [Start, Start+Width).
	Start, Width int
	// Indicator marks the 0/1 missing indicator of a continuous feature.
	Indicator bool
	// Encoding and Levels describe a categorical group: with OneHot,
	// column Start+k is level k.
	Encoding Encoding
	Levels   []string
	// Vectors are the learned vectors of an Embedding group: row k (of
	// Width values) encodes level k, row len(Levels) the unknown level.
	// They are the pipeline's: read them, do not change them.
	Vectors [][]float64
}

// Layout describes the encoded columns of a pipeline, for charts and for
// the map's Mixed distance (graph.MixedLayout, built by the trainer from
// ContinuousColumns, CategoricalGroups and MixedWeights).
type Layout struct {
	// Width is the number of encoded columns.
	Width int
	// Groups cover [0, Width) in order.
	Groups []Group
}

// ContinuousColumns returns the encoded columns of continuous groups
// (values and indicators).
func (l Layout) ContinuousColumns() []int {
	var out []int
	for _, g := range l.Groups {
		if g.Kind == Continuous {
			for k := g.Start; k < g.Start+g.Width; k++ {
				out = append(out, k)
			}
		}
	}
	return out
}

// CategoricalGroups returns the categorical groups.
func (l Layout) CategoricalGroups() []Group {
	var out []Group
	for _, g := range l.Groups {
		if g.Kind == Categorical {
			out = append(out, g)
		}
	}
	return out
}

// MixedWeights returns the weights of the Mixed distance, fastsom's mixed
// categorical distance: the continuous groups' share of all groups, which
// multiplies the Euclidean distance over the continuous columns, and the
// weight of one categorical mismatch (Group.Code differs), 1/(number of
// groups). They fill
// graph.MixedLayout's ContinuousWeight and CategoryWeight, with
// ContinuousColumns and CategoricalGroups giving its columns.
func (l Layout) MixedWeights() (continuous, mismatch float64) {
	nCont, n := 0, len(l.Groups)
	for _, g := range l.Groups {
		if g.Kind != Categorical {
			nCont++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(nCont) / float64(n), 1 / float64(n)
}

// Code returns the level index that the encoded vector v shows for the
// categorical group g: the argmax of a one-hot group (ties → the lowest
// index), the rounded ordinal code minus one, or the level whose vector is
// nearest by cosine in an Embedding group (see Nearest). It returns -1 for
// the unknown level (a one-hot group with no positive value, an ordinal
// code below 1, an embedding in the unknown level's direction or with no
// direction).
func (g Group) Code(v []float64) int {
	if g.Encoding == Embedding {
		best, _, _ := g.Nearest(v)
		return best
	}
	if g.Encoding == Ordinal {
		x := v[g.Start]
		if !(x >= 0.5) {
			return -1
		}
		return int(math.Min(math.Round(x), float64(len(g.Levels)))) - 1
	}
	best, bv := -1, 0.0
	for k := 0; k < g.Width; k++ {
		if x := v[g.Start+k]; x > bv {
			best, bv = k, x
		}
	}
	return best
}
