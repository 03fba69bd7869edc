package graph

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/somgraph/somgraph/internal/par"
)

// MixedLayout says which encoded columns hold continuous values and which
// hold categorical features, for the Mixed distance:
//
//	d(x, w) = ContinuousWeight·‖x_c − w_c‖ + CategoryWeight·Σ_g [level_g(x) ≠ level_g(w)]
//
// where x_c are the Continuous columns and level_g is the level a
// categorical group shows: the argmax of a one-hot group (ties to the
// lowest column, −1 when no column is positive) or the rounded ordinal code.
// With fastsom's weighting, ContinuousWeight is the continuous features'
// share of all features and CategoryWeight is 1/(number of features).
type MixedLayout struct {
	Continuous                       []int
	Groups                           []CategoryGroup
	ContinuousWeight, CategoryWeight float64
}

// CategoryGroup is one categorical feature's encoded columns
// [Start, Start+Width). An ordinal group has Width 1 and holds the level's
// code plus one (0 for unknown) among Levels levels.
type CategoryGroup struct {
	Start, Width int
	Ordinal      bool
	Levels       int
}

func (l *MixedLayout) validate(dim int) error {
	if l == nil {
		return errors.New("graph: the mixed distance needs a MixedLayout (Config.Mixed)")
	}
	used := make([]bool, dim)
	mark := func(c int) error {
		if c < 0 || c >= dim {
			return fmt.Errorf("graph: mixed layout: column %d outside the %d features", c, dim)
		}
		if used[c] {
			return fmt.Errorf("graph: mixed layout: column %d is listed twice", c)
		}
		used[c] = true
		return nil
	}
	for _, c := range l.Continuous {
		if err := mark(c); err != nil {
			return err
		}
	}
	for _, g := range l.Groups {
		if g.Width < 1 || (g.Ordinal && g.Width != 1) {
			return fmt.Errorf("graph: mixed layout: group at column %d has width %d", g.Start, g.Width)
		}
		for c := g.Start; c < g.Start+g.Width; c++ {
			if err := mark(c); err != nil {
				return err
			}
		}
	}
	for _, w := range []float64{l.ContinuousWeight, l.CategoryWeight} {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("graph: mixed layout: weight %v must be a non-negative number", w)
		}
	}
	return nil
}

// clone returns a deep copy of l, so that an op built from it keeps its
// parameters when the caller changes l.
func (l *MixedLayout) clone() *MixedLayout {
	c := *l
	c.Continuous = slices.Clone(l.Continuous)
	c.Groups = slices.Clone(l.Groups)
	return &c
}

// key spells out every field of l, for an op's String and hash.
func (l *MixedLayout) key() string {
	return fmt.Sprintf("continuous %v×%g, groups %v×%g", l.Continuous, l.ContinuousWeight, l.Groups, l.CategoryWeight)
}

// level returns the level a categorical group shows in v.
func level[T float](g CategoryGroup, v []T) int {
	if g.Ordinal {
		x := float64(v[g.Start])
		if !(x >= 0.5) {
			return -1
		}
		return int(math.Min(math.Round(x), float64(g.Levels))) - 1
	}
	best, bv := -1, T(0)
	for k, x := range v[g.Start : g.Start+g.Width] {
		if x > bv {
			best, bv = k, x
		}
	}
	return best
}

// mixedDistances fills out (b×k) with the mixed distances between the rows
// of x and w. levels is scratch of at least k·len(Groups) ints.
func mixedDistances[T float](l *MixedLayout, x, w, out []T, b, k, d int, levels []int) {
	ng := len(l.Groups)
	for j := 0; j < k; j++ {
		for g, grp := range l.Groups {
			levels[j*ng+g] = level(grp, w[j*d:(j+1)*d])
		}
	}
	par.Rows(b, 4, func(lo, hi int) {
		xl := make([]int, ng)
		for i := lo; i < hi; i++ {
			xr := x[i*d : (i+1)*d]
			for g, grp := range l.Groups {
				xl[g] = level(grp, xr)
			}
			row := out[i*k : (i+1)*k]
			for j := range row {
				wr := w[j*d : (j+1)*d]
				var sq float64
				for _, c := range l.Continuous {
					v := float64(xr[c]) - float64(wr[c])
					sq += v * v
				}
				miss := 0
				for g, lv := range xl {
					if levels[j*ng+g] != lv {
						miss++
					}
				}
				row[j] = T(l.ContinuousWeight*math.Sqrt(sq) + l.CategoryWeight*float64(miss))
			}
		}
	})
}
