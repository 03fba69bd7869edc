package loaders

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// ErrVectors means an Embedding group's table (Group.Vectors) is not one
// row per level plus the unknown level's, each of Width finite values
// with a positive norm.
var ErrVectors = errors.New("loaders: bad embedding table")

// CheckVectors reports whether an Embedding group's table can decode:
// len(Levels)+1 rows (the last the unknown level's), each of Width finite
// values and not all zero (the cosine with a zero vector is undefined).
// Errors wrap ErrVectors and name the group and the row. Other encodings
// have no table and return nil.
func (g Group) CheckVectors() error {
	if g.Encoding != Embedding {
		return nil
	}
	if len(g.Vectors) != len(g.Levels)+1 {
		return fmt.Errorf("%w: column %q has %d vectors for %d levels (want %d: one per level and the unknown level's)", ErrVectors, g.Name, len(g.Vectors), len(g.Levels), len(g.Levels)+1)
	}
	for k, row := range g.Vectors {
		name := UnknownLevel
		if k < len(g.Levels) {
			name = g.Levels[k]
		}
		if len(row) != g.Width {
			return fmt.Errorf("%w: column %q, level %q: vector of %d values, the group is %d wide", ErrVectors, g.Name, name, len(row), g.Width)
		}
		var nn float64
		for _, x := range row {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%w: column %q, level %q: vector holds %v", ErrVectors, g.Name, name, x)
			}
			nn += x * x
		}
		if nn == 0 {
			return fmt.Errorf("%w: column %q, level %q: zero vector (no direction, so no cosine)", ErrVectors, g.Name, name)
		}
	}
	return nil
}

// Nearest returns the two levels whose vectors in an Embedding group's
// table are nearest by cosine to the group's columns of v, and the margin
// between them: the second's cosine distance (1 − cos) less the best's, in
// [0, 2]. A small margin means the vector sits between two levels. Levels
// are indices into Levels; ties go to the lower index.
//
// The unknown level's row (the last) is the average row the autoencoder
// learned, not a level of the data, so a codebook unit between two levels
// would often fall nearest to it: it decodes the unknown level (−1) only
// for a vector in its very direction (cosine distance at most 1e-9, as a
// record of a value the pipeline did not see is encoded), with the nearest
// level second; any other vector decodes to the nearest level.
//
// When the group's part of v has no direction (all zero) or holds NaN or
// Inf, no cosine is defined: Nearest returns −1, −1 and margin 0, and Code
// decodes the unknown level. Rows that CheckVectors rejects (wrong width,
// zero, not finite) are never nearest. With fewer than two usable rows
// second is −1 and the margin 0. Other encodings return Code(v), −1, 0.
func (g Group) Nearest(v []float64) (best, second int, margin float64) {
	if g.Encoding != Embedding {
		return g.Code(v), -1, 0
	}
	part := v[g.Start : g.Start+g.Width]
	var xx float64
	for _, x := range part {
		xx += x * x
	}
	if xx == 0 || math.IsNaN(xx) || math.IsInf(xx, 0) {
		return -1, -1, 0
	}
	xn := math.Sqrt(xx)
	// cosDist returns the cosine distance from part to row, false for a
	// row that cannot be nearest.
	cosDist := func(row []float64) (float64, bool) {
		if len(row) != g.Width {
			return 0, false
		}
		var xy, yy float64
		for i, y := range row {
			xy += part[i] * y
			yy += y * y
		}
		if !(yy > 0) || math.IsInf(yy, 0) || math.IsNaN(xy) {
			return 0, false
		}
		return 1 - xy/(xn*math.Sqrt(yy)), true
	}
	bi, si := -1, -1
	bd, sd := math.Inf(1), math.Inf(1)
	for k := 0; k < len(g.Levels) && k < len(g.Vectors); k++ {
		d, ok := cosDist(g.Vectors[k])
		switch {
		case !ok:
		case d < bd:
			si, sd = bi, bd
			bi, bd = k, d
		case d < sd:
			si, sd = k, d
		}
	}
	if len(g.Vectors) > len(g.Levels) {
		if d, ok := cosDist(g.Vectors[len(g.Levels)]); ok && d <= unknownTol {
			if bi < 0 {
				return -1, -1, 0
			}
			return -1, bi, bd - d
		}
	}
	if bi < 0 {
		return -1, -1, 0
	}
	if si < 0 {
		return bi, -1, 0
	}
	return bi, si, sd - bd
}

// unknownTol is the cosine distance within which a vector is the unknown
// level's (see Nearest).
const unknownTol = 1e-9

// WriteCodebookNearest writes the codebook as WriteCodebook does, with two
// more columns after the features for each Embedding group: "<name>_second",
// the level second-nearest by cosine to the unit's vector, and
// "<name>_margin", its cosine distance less the nearest's (see
// Group.Nearest; a small margin marks a unit between two levels). The
// unknown level, or none, is UnknownLevel; a unit with no direction has
// margin 0. Without Embedding groups it is WriteCodebook. A group whose
// table CheckVectors rejects is an error wrapping ErrVectors.
func (p *Pipeline) WriteCodebookNearest(w io.Writer, codebook []float64, rows, cols int) error {
	for _, g := range p.embeddingGroups() {
		if err := g.CheckVectors(); err != nil {
			return err
		}
	}
	return p.writeCodebook(w, codebook, rows, cols, true)
}

// embeddingGroups returns the pipeline's Embedding groups.
func (p *Pipeline) embeddingGroups() []Group {
	var out []Group
	for _, g := range p.layout.Groups {
		if g.Kind == Categorical && g.Encoding == Embedding {
			out = append(out, g)
		}
	}
	return out
}

// nearestHeader names WriteCodebookNearest's columns for groups gs.
func nearestHeader(gs []Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Name+"_second", g.Name+"_margin")
	}
	return out
}

// appendNearest appends the second-nearest level and the margin of each
// group in gs for the encoded vector v.
func appendNearest(rec []string, gs []Group, v []float64) []string {
	for _, g := range gs {
		_, second, margin := g.Nearest(v)
		rec = append(rec, levelName(g, second), strconv.FormatFloat(margin, 'g', 6, 64))
	}
	return rec
}
