package graph

import (
	"fmt"
	"math"
	"strings"

	"github.com/somgraph/somgraph/internal/par"
)

// Layer is one named block of a layered map's columns, [Start,
// Start+Width), with its own distance and weight, as R's kohonen supersom
// splits a map's codebook into data layers. Config.Layers lists them; they
// must cover the map's columns contiguously, in order, without overlap.
//
// The BMU distance of a layered map is the weighted sum of the layers'
// distances,
//
//	d(x, w) = Σ_l e_l · d_l(x_l, w_l),   e_l = Weight_l·Scale_l / Σ_m Weight_m·Scale_m
//
// which is kohonen's weighting: user weights normalised to sum 1, times
// per-layer distance weights, normalised to sum 1 again. Scale is the
// per-layer distance weight; kohonen (normalizeDataLayers = TRUE) sets it
// to 1/(mean distance between the initial codebook vectors in that
// layer), which NormalizeLayers computes. Scale 0 means 1 (no
// normalisation).
//
// A layer's Distance is Euclidean (the sum of squares, kohonen's
// "sumofsquares"), Cosine, Manhattan, Mixed (with Config.Mixed, whose
// columns must lie inside the layer) or Tanimoto (for one-hot class
// layers: the share of the layer's columns on which x and w fall on
// different sides of 0.5, kohonen's "tanimoto").
type Layer struct {
	Name         string
	Start, Width int
	Weight       float64
	Distance     Distance
	Scale        float64
}

// scale returns the layer's distance weight (1 if unset).
func (l Layer) scale() float64 {
	if l.Scale == 0 {
		return 1
	}
	return l.Scale
}

// validateLayers checks layers against a map of dim columns and the
// map's mixed layout.
func validateLayers(layers []Layer, dim int, mixed *MixedLayout) error {
	next := 0
	names := map[string]bool{}
	for i, l := range layers {
		name := l.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		if names[name] {
			return fmt.Errorf("%w: layer name %q used twice", ErrLayers, name)
		}
		names[name] = true
		if l.Start != next || l.Width < 1 {
			return fmt.Errorf("%w: layer %s covers columns [%d, %d), want a non-empty block starting at column %d", ErrLayers, name, l.Start, l.Start+l.Width, next)
		}
		next = l.Start + l.Width
		if !(l.Weight > 0) || math.IsInf(l.Weight, 0) {
			return fmt.Errorf("%w: layer %s has weight %v, want a finite number > 0", ErrLayers, name, l.Weight)
		}
		if !(l.Scale >= 0) || math.IsInf(l.Scale, 0) {
			return fmt.Errorf("%w: layer %s has scale %v, want a finite number ≥ 0", ErrLayers, name, l.Scale)
		}
		switch l.Distance {
		case Euclidean, Cosine, Manhattan, Tanimoto:
		case Mixed:
			if err := mixed.validateIn(l.Start, l.Width, dim); err != nil {
				return fmt.Errorf("%w: layer %s: %v", ErrLayers, name, err)
			}
		default:
			return fmt.Errorf("%w: layer %s has unknown distance %v", ErrLayers, name, l.Distance)
		}
	}
	if next != dim {
		return fmt.Errorf("%w: the layers cover %d of the map's %d columns", ErrLayers, next, dim)
	}
	return nil
}

// validateIn checks that the layout is valid for dim columns and that all
// its columns lie in [start, start+width).
func (l *MixedLayout) validateIn(start, width, dim int) error {
	if err := l.validate(dim); err != nil {
		return err
	}
	in := func(c int) bool { return c >= start && c < start+width }
	for _, c := range l.Continuous {
		if !in(c) {
			return fmt.Errorf("mixed column %d outside the layer", c)
		}
	}
	for _, g := range l.Groups {
		if !in(g.Start) || !in(g.Start+g.Width-1) {
			return fmt.Errorf("mixed group at column %d outside the layer", g.Start)
		}
	}
	return nil
}

// layerWeights returns the effective weights e_l of the layers.
func layerWeights(layers []Layer) []float64 {
	e := make([]float64, len(layers))
	var total float64
	for i, l := range layers {
		e[i] = l.Weight * l.scale()
		total += e[i]
	}
	for i := range e {
		e[i] /= total
	}
	return e
}

// layersKey spells out every layer, for an op's String and hash.
func layersKey(layers []Layer) string {
	var b strings.Builder
	for i, l := range layers {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s[%d:%d] %v ×%g/%g", l.Name, l.Start, l.Start+l.Width, l.Distance, l.Weight, l.Scale)
	}
	return b.String()
}

// layerDistance returns the layer's distance between the rows x and w
// (full rows of the map's width).
func layerDistance[T float](l Layer, mixed *MixedLayout, x, w []T) float64 {
	xs, ws := x[l.Start:l.Start+l.Width], w[l.Start:l.Start+l.Width]
	switch l.Distance {
	case Euclidean:
		var s float64
		for i, v := range xs {
			d := float64(v) - float64(ws[i])
			s += d * d
		}
		return s
	case Manhattan:
		var s float64
		for i, v := range xs {
			s += math.Abs(float64(v) - float64(ws[i]))
		}
		return s
	case Cosine:
		var xy, xx, yy float64
		for i, v := range xs {
			a, b := float64(v), float64(ws[i])
			xy, xx, yy = xy+a*b, xx+a*a, yy+b*b
		}
		if xx == 0 || yy == 0 {
			return 1
		}
		return 1 - xy/math.Sqrt(xx*yy)
	case Tanimoto:
		miss := 0
		for i, v := range xs {
			if (v > 0.5) != (ws[i] > 0.5) {
				miss++
			}
		}
		return float64(miss) / float64(len(xs))
	case Mixed:
		return mixedPoint(mixed, x, w)
	}
	return math.NaN()
}

// layerDistanceMissing returns the layer's distance between x (which may
// hold NaN for missing features) and w over the present features, scaled
// to the layer's width as kohonen scales it, and whether any feature of
// the layer is present. Mixed layers are refused before.
func layerDistanceMissing[T float](l Layer, x, w []T) (float64, bool) {
	xs, ws := x[l.Start:l.Start+l.Width], w[l.Start:l.Start+l.Width]
	var s, xy, xx, yy float64
	present := 0
	for i, v := range xs {
		if v != v { // NaN
			continue
		}
		present++
		a, b := float64(v), float64(ws[i])
		switch l.Distance {
		case Euclidean:
			s += (a - b) * (a - b)
		case Manhattan:
			s += math.Abs(a - b)
		case Cosine:
			xy, xx, yy = xy+a*b, xx+a*a, yy+b*b
		case Tanimoto:
			if (a > 0.5) != (b > 0.5) {
				s++
			}
		}
	}
	if present == 0 {
		return 0, false
	}
	switch l.Distance {
	case Euclidean, Manhattan:
		return s * float64(len(xs)) / float64(present), true
	case Cosine:
		if xx == 0 || yy == 0 {
			return 1, true
		}
		return 1 - xy/math.Sqrt(xx*yy), true
	}
	return s / float64(present), true // Tanimoto
}

// layeredDistances fills out (b×k) with the layered distances between the
// rows of x and w. With op.missing, a layer with no present feature drops
// out and the others' weights are renormalised; a record with no feature
// present at all is an error wrapping ErrMissing.
func layeredDistances[T float](op *distanceOp, x, w, out []T, b, k, d int) error {
	layers, e := op.layers, op.eff
	bad := make([]int, par.Chunks(b, 4))
	for i := range bad {
		bad[i] = -1
	}
	par.Split(b, len(bad), func(c, lo, hi int) {
		for i := lo; i < hi; i++ {
			xr := x[i*d : (i+1)*d]
			row := out[i*k : (i+1)*k]
			for j := range row {
				wr := w[j*d : (j+1)*d]
				var s, used float64
				for li, l := range layers {
					if !op.missing {
						s += e[li] * layerDistance(l, op.mixed, xr, wr)
						continue
					}
					if v, ok := layerDistanceMissing(l, xr, wr); ok {
						s += e[li] * v
						used += e[li]
					}
				}
				if op.missing {
					if used == 0 {
						if bad[c] < 0 {
							bad[c] = i
						}
						break
					}
					s /= used
				}
				row[j] = T(s)
			}
		}
	})
	for _, i := range bad { // the first such record, in order
		if i >= 0 {
			return fmt.Errorf("%w: record %d of the batch has no feature present", ErrMissing, i)
		}
	}
	return nil
}

// NormalizeLayers returns a copy of layers with each Scale set as
// kohonen's supersom sets its distance weights (normalizeDataLayers =
// TRUE): 1 / the mean of the layer's distances between all pairs of rows
// of rows (n×dim, row-major), normally the initial codebook. It returns
// an error wrapping ErrLayers for invalid layers or a layer whose mean
// distance is zero (kohonen: "non-informative layers present"), and
// ErrShape for fewer than two rows or a length that is not a multiple of
// dim.
func NormalizeLayers(layers []Layer, mixed *MixedLayout, rows []float64, dim int) ([]Layer, error) {
	if err := validateLayers(layers, dim, mixed); err != nil {
		return nil, err
	}
	if dim < 1 || len(rows)%dim != 0 || len(rows)/dim < 2 {
		return nil, fmt.Errorf("%w: NormalizeLayers needs at least two rows of %d values, got %d values", ErrShape, dim, len(rows))
	}
	n := len(rows) / dim
	out := make([]Layer, len(layers))
	for li, l := range layers {
		var s float64
		for a := 0; a < n; a++ {
			for b := a + 1; b < n; b++ {
				s += layerDistance(l, mixed, rows[a*dim:(a+1)*dim], rows[b*dim:(b+1)*dim])
			}
		}
		mean := s / float64(n*(n-1)/2)
		if !(mean > 1e-300) || math.IsInf(mean, 0) {
			return nil, fmt.Errorf("%w: layer %q is non-informative: mean distance %v between rows", ErrLayers, l.Name, mean)
		}
		out[li] = l
		out[li].Scale = 1 / mean
	}
	return out, nil
}
