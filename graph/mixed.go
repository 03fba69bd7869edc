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
//	d(x, w) = ContinuousWeight·‖x_c − w_c‖/ContinuousScale
//	        + CategoryWeight·Σ_g [level_g(x) ≠ level_g(w)]
//	        + EmbeddingWeight·Σ_e (1 − cos(x_e, w_e))/2
//
// where x_c are the Continuous columns, g runs over the groups that are
// not Embedded and level_g is the level a group shows (the argmax of a
// one-hot group, ties to the lowest column, −1 when no column is
// positive, or the rounded ordinal code), and e runs over the Embedded
// groups, whose columns hold a learned vector per level. The cosine with
// a zero vector is taken as 0, so that group adds EmbeddingWeight/2.
// ContinuousScale 0 means 1.
//
// With fastsom's mixed categorical weighting (no Embedded group),
// ContinuousWeight is the continuous features' share of all features and
// CategoryWeight is 1/(number of features). With Embedded groups it is
// fastsom's MixedEmbeddingDistance: each part is normalised to [0, 1] and
// weighted by its share of the columns. fastsom min-max normalises each
// part over the batch's B×K distance matrix; here the ranges are fixed
// (the embedding part's cosine range and ContinuousScale, the continuous
// training data's diameter), so a record's distances, and so its
// best-matching unit, do not depend on which other records share its
// batch, and prediction agrees with training.
type MixedLayout struct {
	Continuous                       []int
	Groups                           []CategoryGroup
	ContinuousWeight, CategoryWeight float64
	EmbeddingWeight                  float64
	ContinuousScale                  float64
}

// CategoryGroup is one categorical feature's encoded columns
// [Start, Start+Width). An ordinal group has Width 1 and holds the level's
// code plus one (0 for unknown) among Levels levels. An Embedded group
// holds a level's learned vector; the distance compares it by cosine.
type CategoryGroup struct {
	Start, Width int
	Ordinal      bool
	Levels       int
	Embedded     bool
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
		if g.Ordinal && g.Embedded {
			return fmt.Errorf("graph: mixed layout: group at column %d is both ordinal and embedded", g.Start)
		}
		for c := g.Start; c < g.Start+g.Width; c++ {
			if err := mark(c); err != nil {
				return err
			}
		}
	}
	for _, w := range []float64{l.ContinuousWeight, l.CategoryWeight, l.EmbeddingWeight, l.ContinuousScale} {
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
	k := fmt.Sprintf("continuous %v×%g, groups %v×%g", l.Continuous, l.ContinuousWeight, l.Groups, l.CategoryWeight)
	if l.EmbeddingWeight != 0 || l.ContinuousScale != 0 {
		k += fmt.Sprintf(", embedded ×%g, continuous scale %g", l.EmbeddingWeight, l.ContinuousScale)
	}
	return k
}

// contScale returns the divisor of the continuous part.
func (l *MixedLayout) contScale() float64 {
	if l.ContinuousScale == 0 {
		return 1
	}
	return l.ContinuousScale
}

// cosTerm returns (1 − cos(x, w))/2 from the dot product and the squared
// norms, with the cosine of a zero vector taken as 0.
func cosTerm(xy, xx, ww float64) float64 {
	if xx == 0 || ww == 0 {
		return 0.5
	}
	return (1 - xy/math.Sqrt(xx*ww)) / 2
}

// embeddedPart returns the Σ_e (1 − cos)/2 part of the distance between x and
// w (rows of the same layout).
func embeddedPart[T float](l *MixedLayout, x, w []T) float64 {
	var s float64
	for _, g := range l.Groups {
		if !g.Embedded {
			continue
		}
		var xy, xx, ww float64
		for c := g.Start; c < g.Start+g.Width; c++ {
			a, b := float64(x[c]), float64(w[c])
			xy, xx, ww = xy+a*b, xx+a*a, ww+b*b
		}
		s += cosTerm(xy, xx, ww)
	}
	return s
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

// mixedPoint returns the Mixed distance between one record x and one unit
// w (the LayeredDistances path; mixedDistances is the batched one).
func mixedPoint[T float](l *MixedLayout, x, w []T) float64 {
	miss := 0
	for _, g := range l.Groups {
		if !g.Embedded && level(g, x) != level(g, w) {
			miss++
		}
	}
	return l.ContinuousWeight*contPart(l, x, w, l.contScale()) + l.CategoryWeight*float64(miss) + l.EmbeddingWeight*embeddedPart(l, x, w)
}

// contPart returns ‖x_c − w_c‖/scale over the continuous columns.
func contPart[T float](l *MixedLayout, x, w []T, scale float64) float64 {
	var sq float64
	for _, c := range l.Continuous {
		v := float64(x[c]) - float64(w[c])
		sq += v * v
	}
	return math.Sqrt(sq) / scale
}

// mixedScratch holds the buffers of mixedDistances between runs.
type mixedScratch struct {
	levels []int     // k·groups: each unit's level of each non-embedded group
	wnorm  []float64 // k·groups: 1/‖w_e‖ of each unit in each embedded group (0 for a zero vector)
	xnorm  []float64 // b·groups: 1/‖x_e‖ of each record, likewise
	acc    []float64 // b·k: Σ_e (1 − cos)/2 over the embedded groups
}

// grow sizes the buffers for b records, k units and ng groups.
func (s *mixedScratch) grow(b, k, ng int, embedded bool) {
	if len(s.levels) != k*ng {
		s.levels, s.wnorm = make([]int, k*ng), make([]float64, k*ng)
	}
	if len(s.xnorm) != b*ng {
		s.xnorm = make([]float64, b*ng)
	}
	if embedded && len(s.acc) != b*k {
		s.acc = make([]float64, b*k)
	}
}

// invNorm returns 1/‖v‖, or 0 for a zero vector.
func invNorm[T float](v []T) float64 {
	if n := sqNorm(v); n > 0 {
		return 1 / math.Sqrt(n)
	}
	return 0
}

// mixedDistances fills out (b×k) with the mixed distances between the rows
// of x and w. The dot products of each embedded group come from one GEMM
// through Gorgonia's BLAS on the group's columns (lda = d), written into
// out before the last pass overwrites it; the continuous part and the
// level mismatches are summed per pair.
func mixedDistances[T float](l *MixedLayout, x, w, out []T, b, k, d int, s *mixedScratch) {
	ng := len(l.Groups)
	embedded := slices.ContainsFunc(l.Groups, func(g CategoryGroup) bool { return g.Embedded })
	s.grow(b, k, ng, embedded)
	for j := 0; j < k; j++ {
		wr := w[j*d : (j+1)*d]
		for g, grp := range l.Groups {
			if grp.Embedded {
				s.wnorm[j*ng+g] = invNorm(wr[grp.Start : grp.Start+grp.Width])
				continue
			}
			s.levels[j*ng+g] = level(grp, wr)
		}
	}
	if embedded {
		clear(s.acc)
		for i := 0; i < b; i++ {
			xr := x[i*d : (i+1)*d]
			for g, grp := range l.Groups {
				if grp.Embedded {
					s.xnorm[i*ng+g] = invNorm(xr[grp.Start : grp.Start+grp.Width])
				}
			}
		}
		for g, grp := range l.Groups {
			if !grp.Embedded {
				continue
			}
			gemmNTStrided(x[grp.Start:], w[grp.Start:], out, b, k, grp.Width, d)
			par.Rows(b, 16, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					// A zero vector has inverse norm 0: cosine 0, term ½.
					xn, acc, dots := s.xnorm[i*ng+g], s.acc[i*k:(i+1)*k], out[i*k:(i+1)*k]
					for j, dot := range dots {
						acc[j] += (1 - float64(dot)*xn*s.wnorm[j*ng+g]) / 2
					}
				}
			})
		}
	}
	cw, scale := l.ContinuousWeight, l.contScale()
	par.Rows(b, 4, func(lo, hi int) {
		xl := make([]int, ng)
		for i := lo; i < hi; i++ {
			xr := x[i*d : (i+1)*d]
			for g, grp := range l.Groups {
				if !grp.Embedded {
					xl[g] = level(grp, xr)
				}
			}
			row := out[i*k : (i+1)*k]
			for j := range row {
				miss := 0
				for g, grp := range l.Groups {
					if !grp.Embedded && s.levels[j*ng+g] != xl[g] {
						miss++
					}
				}
				dist := cw*contPart(l, xr, w[j*d:(j+1)*d], scale) + l.CategoryWeight*float64(miss)
				if embedded {
					dist += l.EmbeddingWeight * s.acc[i*k+j]
				}
				row[j] = T(dist)
			}
		}
	})
}
