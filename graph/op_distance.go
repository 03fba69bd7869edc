package graph

import (
	"fmt"
	"hash"
	"math"
	"slices"

	"github.com/somgraph/somgraph/internal/par"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Distances returns a node computing the B×K matrix of distances between
// the rows of x (B×D) and the rows of w (K×D) with metric d (not Mixed, see
// MixedDistances). Squared Euclidean distances ‖x‖² + ‖w‖² − 2·x·wᵀ come
// from one matrix product through the BLAS that Gorgonia uses
// (G.WhichBLAS): each row is filled with the norms and the GEMM adds
// −2·x·wᵀ onto it (β = 1), so no pass over the product follows it. Values
// carry float rounding of order 1e-7·‖x‖² in float32 and may be slightly
// negative near 0; Forward recomputes the distance to the best-matching
// unit exactly. Cosine distances come from the same product; Manhattan
// directly. The op keeps its output buffer between runs, so running it
// allocates nothing. Errors wrap ErrShape or ErrDtype.
func Distances(x, w *G.Node, d Distance) (*G.Node, error) {
	if d >= Mixed {
		return nil, fmt.Errorf("%w: Distances: %v needs MixedDistances and a layout, or LayeredDistances", ErrDtype, d)
	}
	return applyDistance(&distanceOp{metric: d}, x, w)
}

// ReducedDistances returns a node computing squared Euclidean distances
// less each record's squared norm: row b holds ‖w_k‖² − 2·x_b·w_k. A row
// has the same minimum at the same unit as the full distances and costs one
// pass over the B×K matrix less; the training graph uses it and takes
// ‖x_b‖² from its per-BMU sums (BMUSums), which read every record anyway.
func ReducedDistances(x, w *G.Node) (*G.Node, error) {
	return applyDistance(&distanceOp{metric: Euclidean, reduced: true}, x, w)
}

// MixedDistances returns a node computing the B×K matrix of Mixed
// distances (see MixedLayout) between the rows of x and w. The layout is
// copied: changing it afterwards does not change the node.
func MixedDistances(x, w *G.Node, layout *MixedLayout) (*G.Node, error) {
	if x.Dims() == 2 {
		if err := layout.validate(x.Shape()[1]); err != nil {
			return nil, err
		}
	}
	return applyDistance(&distanceOp{metric: Mixed, mixed: layout.clone()}, x, w)
}

// LayeredDistances returns a node computing the B×K matrix of layered
// distances (see Layer) between the rows of x and w: the weighted sum of
// each layer's distance. mixed is the layout of a Mixed layer (nil if
// there is none). With skipMissing, NaN values of x are missing features
// (see Config.Missing) and running the node returns an error wrapping
// ErrMissing for a record with none present. The layers and layout are
// copied. Errors wrap ErrLayers, ErrShape or ErrDtype.
func LayeredDistances(x, w *G.Node, layers []Layer, mixed *MixedLayout, skipMissing bool) (*G.Node, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("%w: LayeredDistances needs at least one layer", ErrLayers)
	}
	if x.Dims() == 2 {
		if err := validateLayers(layers, x.Shape()[1], mixed); err != nil {
			return nil, err
		}
	}
	if skipMissing {
		for _, l := range layers {
			if l.Distance == Mixed {
				return nil, fmt.Errorf("%w: the mixed distance does not support missing values", ErrDistance)
			}
		}
	}
	op := &distanceOp{layers: slices.Clone(layers), eff: layerWeights(layers), missing: skipMissing}
	if mixed != nil {
		op.mixed = mixed.clone()
	}
	return applyDistance(op, x, w)
}

func applyDistance(op *distanceOp, x, w *G.Node) (*G.Node, error) {
	if x.Dims() != 2 || w.Dims() != 2 {
		return nil, fmt.Errorf("%w: %v wants two matrices, got %v and %v", ErrShape, op, x.Shape(), w.Shape())
	}
	if x.Shape()[1] != w.Shape()[1] {
		return nil, fmt.Errorf("%w: %v: x has %d columns, w has %d", ErrShape, op, x.Shape()[1], w.Shape()[1])
	}
	if x.Dtype() != w.Dtype() || !isFloat(x.Dtype()) {
		return nil, fmt.Errorf("%w: %v: x is %v, w is %v", ErrDtype, op, x.Dtype(), w.Dtype())
	}
	op.dtype = x.Dtype()
	return G.ApplyOp(op, x, w)
}

// isFloat reports whether dt is a codebook dtype.
func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float32 || dt == tensor.Float64 }

// distanceOp is the op of Distances, ReducedDistances and MixedDistances.
// Its parameters (metric, reduced, mixed, dtype) are fixed when it is
// built; out and the norms are buffers it keeps between runs.
type distanceOp struct {
	metric  Distance
	reduced bool // Euclidean without ‖x_b‖² (ReducedDistances)
	mixed   *MixedLayout
	layers  []Layer   // LayeredDistances: the layers; metric is unused
	eff     []float64 // the layers' effective weights
	missing bool      // LayeredDistances: NaN features are missing
	err     error     // the last run's error (the tape machine loses its chain)
	dtype   tensor.Dtype

	out    *tensor.Dense
	wnorm  []float64    // per-unit norms (squared for Euclidean)
	wnormT any          // wnorm in the element type ([]float32 or []float64)
	mix    mixedScratch // Mixed's buffers
}

func (op *distanceOp) Arity() int { return 2 }

func (op *distanceOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, m)
}

func (op *distanceOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: %v wants 2 inputs, got %d", ErrShape, op, len(in))
	}
	xs, ok1 := in[0].(tensor.Shape)
	ws, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(xs) != 2 || len(ws) != 2 {
		return nil, fmt.Errorf("%w: %v wants matrix shapes, got %v, %v", ErrShape, op, in[0], in[1])
	}
	return tensor.Shape{xs[0], ws[0]}, nil
}

// Do computes the distances into the op's own buffer.
func (op *distanceOp) Do(vals ...G.Value) (G.Value, error) {
	x, w, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	b, k := x.Shape()[0], w.Shape()[0]
	if op.out == nil || !op.out.Shape().Eq(tensor.Shape{b, k}) {
		op.out = tensor.New(tensor.WithShape(b, k), tensor.Of(op.dtype))
	}
	return op.UsePreallocDo(op.out, vals...)
}

// UsePreallocDo computes the distances into prealloc (B×K, the op's dtype).
func (op *distanceOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	x, w, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	b, k, d := x.Shape()[0], w.Shape()[0], x.Shape()[1]
	out, err := preallocated(prealloc, op.dtype, b, k)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if len(op.wnorm) != k {
		op.wnorm = make([]float64, k)
	}
	if op.layers != nil {
		var err error
		switch xd := x.Data().(type) {
		case []float32:
			err = layeredDistances(op, xd, w.Data().([]float32), out.Data().([]float32), b, k, d)
		case []float64:
			err = layeredDistances(op, xd, w.Data().([]float64), out.Data().([]float64), b, k, d)
		}
		op.err = err
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	switch xd := x.Data().(type) {
	case []float32:
		distances(op, xd, w.Data().([]float32), out.Data().([]float32), b, k, d)
	case []float64:
		distances(op, xd, w.Data().([]float64), out.Data().([]float64), b, k, d)
	}
	return out, nil
}

func (op *distanceOp) inputs(vals []G.Value) (x, w *tensor.Dense, err error) {
	return matrixPair(op, vals, op.dtype)
}

// matrixPair returns the two values of an op of x and w as dense matrices
// of the same width and dtype dt, or an error naming op that wraps
// ErrShape or ErrDtype.
func matrixPair(op fmt.Stringer, vals []G.Value, dt tensor.Dtype) (x, w *tensor.Dense, err error) {
	if len(vals) != 2 {
		return nil, nil, fmt.Errorf("%w: %v wants 2 inputs, got %d", ErrShape, op, len(vals))
	}
	x, ok1 := vals[0].(*tensor.Dense)
	w, ok2 := vals[1].(*tensor.Dense)
	if !ok1 || !ok2 || x.Dims() != 2 || w.Dims() != 2 || x.Shape()[1] != w.Shape()[1] {
		return nil, nil, fmt.Errorf("%w: %v wants two dense matrices of the same width", ErrShape, op)
	}
	if x.Dtype() != dt || w.Dtype() != dt {
		return nil, nil, fmt.Errorf("%w: %v got %v and %v, wants %v", ErrDtype, op, x.Dtype(), w.Dtype(), dt)
	}
	return x, w, nil
}

// preallocated returns v as a dense rows×cols matrix of dtype dt, or an
// error wrapping ErrShape or ErrDtype.
func preallocated(v G.Value, dt tensor.Dtype, rows, cols int) (*tensor.Dense, error) {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%w: preallocated value is %T, want *tensor.Dense", ErrShape, v)
	}
	if t.Dtype() != dt {
		return nil, fmt.Errorf("%w: preallocated value is %v, want %v", ErrDtype, t.Dtype(), dt)
	}
	want := tensor.Shape{rows, cols}
	if cols < 0 {
		want = tensor.Shape{rows}
	}
	if !t.Shape().Eq(want) || t.RequiresIterator() {
		return nil, fmt.Errorf("%w: preallocated value of shape %v, want contiguous %v", ErrShape, t.Shape(), want)
	}
	return t, nil
}

// gemmNT computes out (b×k) = x (b×d) · wᵀ (w is k×d) through Gorgonia's BLAS.
func gemmNT[T float](x, w, out []T, b, k, d int) { gemmNTScaled(x, w, out, b, k, d, 1, 0) }

// gemmNTStrided computes out (b×k) = x·wᵀ for the width columns that start
// x's and w's rows of ld values each (a block of columns of wider
// matrices).
func gemmNTStrided[T float](x, w, out []T, b, k, width, ld int) {
	switch xs := any(x).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(blas.NoTrans, blas.Trans, b, k, width, 1, xs, ld, any(w).([]float32), ld, 0, any(out).([]float32), k)
	case []float64:
		G.WhichBLAS().Dgemm(blas.NoTrans, blas.Trans, b, k, width, 1, xs, ld, any(w).([]float64), ld, 0, any(out).([]float64), k)
	}
}

// gemmNTScaled computes out = alpha·x·wᵀ + beta·out.
func gemmNTScaled[T float](x, w, out []T, b, k, d int, alpha, beta T) {
	switch xs := any(x).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(blas.NoTrans, blas.Trans, b, k, d, float32(alpha), xs, d, any(w).([]float32), d, float32(beta), any(out).([]float32), k)
	case []float64:
		G.WhichBLAS().Dgemm(blas.NoTrans, blas.Trans, b, k, d, float64(alpha), xs, d, any(w).([]float64), d, float64(beta), any(out).([]float64), k)
	}
}

func distances[T float](op *distanceOp, x, w, out []T, b, k, d int) {
	switch op.metric {
	case Euclidean:
		// out = ‖x‖² + ‖w‖² − 2·x·wᵀ: fill each row with the norms, then
		// one GEMM with alpha −2 and beta 1 adds the products in place.
		rowNorms(op.wnorm, w, d)
		wn := typedNorms[T](op)
		par.Rows(b, 16, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				row := out[i*k : (i+1)*k : (i+1)*k]
				if op.reduced {
					copy(row, wn)
					continue
				}
				xt := T(sqNorm(x[i*d : (i+1)*d]))
				for j, v := range wn[:len(row)] {
					row[j] = xt + v
				}
			}
		})
		gemmNTScaled(x, w, out, b, k, d, -2, 1)
	case Cosine:
		gemmNT(x, w, out, b, k, d)
		rowNorms(op.wnorm, w, d)
		for j, v := range op.wnorm {
			op.wnorm[j] = math.Sqrt(v)
		}
		par.Rows(b, 16, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				xn := math.Sqrt(sqNorm(x[i*d : (i+1)*d]))
				row := out[i*k : (i+1)*k]
				for j, dot := range row {
					den := xn * op.wnorm[j]
					if den == 0 {
						row[j] = 1
						continue
					}
					row[j] = T(1 - float64(dot)/den)
				}
			}
		})
	case Mixed:
		mixedDistances(op.mixed, x, w, out, b, k, d, &op.mix)
	case Manhattan:
		par.Rows(b, 4, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				xr := x[i*d : (i+1)*d]
				row := out[i*k : (i+1)*k]
				for j := range row {
					wr := w[j*d : (j+1)*d]
					var s T
					for f, xv := range xr {
						v := xv - wr[f]
						if v < 0 {
							v = -v
						}
						s += v
					}
					row[j] = s
				}
			}
		})
	}
}

// typedNorms returns the op's unit norms in the element type, reusing a
// buffer kept with the op.
func typedNorms[T float](op *distanceOp) []T {
	buf, ok := op.wnormT.([]T)
	if !ok || len(buf) != len(op.wnorm) {
		buf = make([]T, len(op.wnorm))
		op.wnormT = buf
	}
	for j, v := range op.wnorm {
		buf[j] = T(v)
	}
	return buf
}

// rowNorms writes the squared norm of each row of w (len(dst) rows of d
// values) into dst, split over par.Workers goroutines.
func rowNorms[T float](dst []float64, w []T, d int) {
	par.Rows(len(dst), max(1, 16384/d), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			dst[j] = sqNorm(w[j*d : (j+1)*d])
		}
	})
}

func (op *distanceOp) ReturnsPtr() bool      { return true }
func (op *distanceOp) CallsExtern() bool     { return false }
func (op *distanceOp) OverwritesInput() int  { return -1 }
func (op *distanceOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *distanceOp) Hashcode() uint32      { return opHash(op) }

// String names the op and every parameter.
func (op *distanceOp) String() string {
	switch {
	case op.layers != nil:
		mixed := "no mixed layout"
		if op.mixed != nil {
			mixed = op.mixed.key()
		}
		return fmt.Sprintf("SOMDistance{layers %s, %s, skip missing %t, %v}", layersKey(op.layers), mixed, op.missing, op.dtype)
	case op.reduced:
		return fmt.Sprintf("SOMDistance{%v, less ‖x‖², %v}", op.metric, op.dtype)
	case op.mixed != nil:
		return fmt.Sprintf("SOMDistance{%v, %s, %v}", op.metric, op.mixed.key(), op.dtype)
	}
	return fmt.Sprintf("SOMDistance{%v, %v}", op.metric, op.dtype)
}

var (
	_ G.Op              = (*distanceOp)(nil)
	_ G.UsePreallocDoer = (*distanceOp)(nil)
)
