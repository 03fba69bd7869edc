package graph

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/somgraph/somgraph/internal/par"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Distances returns a node computing the B×K matrix of distances between
// the rows of x (B×D) and the rows of w (K×D) with metric d. Squared
// Euclidean distances ‖x‖² + ‖w‖² − 2·x·wᵀ come from one matrix product
// through the BLAS that Gorgonia uses (G.WhichBLAS): each row is filled with
// the norms and the GEMM adds −2·x·wᵀ onto it (β = 1), so no pass over the
// product follows it. Values carry float rounding of order 1e-7·‖x‖² in
// float32 and may be slightly negative near 0; Forward recomputes the
// distance to the best-matching unit exactly. Cosine distances come from the
// same product; Manhattan directly. The op keeps its output buffer between
// runs, so running it allocates nothing.
func Distances(x, w *G.Node, d Distance) (*G.Node, error) {
	if x.Dims() != 2 || w.Dims() != 2 {
		return nil, fmt.Errorf("graph: Distances wants two matrices, got %v and %v", x.Shape(), w.Shape())
	}
	if x.Shape()[1] != w.Shape()[1] {
		return nil, fmt.Errorf("graph: Distances: x has %d columns, w has %d", x.Shape()[1], w.Shape()[1])
	}
	if x.Dtype() != w.Dtype() {
		return nil, fmt.Errorf("graph: Distances: x is %v, w is %v", x.Dtype(), w.Dtype())
	}
	if d == Mixed || d > Mixed {
		return nil, fmt.Errorf("graph: Distances: %v needs MixedDistances and a layout", d)
	}
	op := &distanceOp{metric: d, dtype: x.Dtype()}
	return G.ApplyOp(op, x, w)
}

// MixedDistances returns a node computing the B×K matrix of Mixed
// distances (see MixedLayout) between the rows of x and w.
func MixedDistances(x, w *G.Node, layout *MixedLayout) (*G.Node, error) {
	if x.Dims() != 2 || w.Dims() != 2 || x.Shape()[1] != w.Shape()[1] || x.Dtype() != w.Dtype() {
		return nil, fmt.Errorf("graph: MixedDistances wants two matrices of the same width and dtype, got %v %v and %v %v", x.Dtype(), x.Shape(), w.Dtype(), w.Shape())
	}
	if err := layout.validate(x.Shape()[1]); err != nil {
		return nil, err
	}
	return G.ApplyOp(&distanceOp{metric: Mixed, dtype: x.Dtype(), mixed: layout}, x, w)
}

type distanceOp struct {
	metric Distance
	dtype  tensor.Dtype
	out    *tensor.Dense
	wnorm  []float64 // per-unit norms (squared for Euclidean)
	xnorm  []float64 // per-record squared norms (Euclidean)
	// reduced makes a Euclidean run leave ‖x_b‖² out of every row (the
	// rows are then copies of the unit norms before the product): the
	// minimum of a row does not depend on it. Forward sets it for
	// SearchInto, which computes the norms in its own pass over the batch.
	reduced bool
	wnormT  any // wnorm in the element type ([]float32 or []float64)
	mixed   *MixedLayout
	levels  []int // per-unit categorical levels for Mixed
}

func (op *distanceOp) Arity() int { return 2 }

func (op *distanceOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, m)
}

func (op *distanceOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("graph: distance op wants 2 inputs, got %d", len(in))
	}
	xs, ok1 := in[0].(tensor.Shape)
	ws, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(xs) != 2 || len(ws) != 2 {
		return nil, fmt.Errorf("graph: distance op wants matrix shapes, got %v, %v", in[0], in[1])
	}
	return tensor.Shape{xs[0], ws[0]}, nil
}

func (op *distanceOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 2 {
		return nil, fmt.Errorf("graph: distance op wants 2 inputs, got %d", len(vals))
	}
	x, ok1 := vals[0].(*tensor.Dense)
	w, ok2 := vals[1].(*tensor.Dense)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("graph: distance op wants dense tensors")
	}
	b, k := x.Shape()[0], w.Shape()[0]
	if op.out == nil || op.out.Shape()[0] != b || op.out.Shape()[1] != k {
		op.out = tensor.New(tensor.WithShape(b, k), tensor.Of(op.dtype))
		op.wnorm, op.xnorm = make([]float64, k), make([]float64, b)
		if op.mixed != nil {
			op.levels = make([]int, k*len(op.mixed.Groups))
		}
	}
	switch xd := x.Data().(type) {
	case []float32:
		distances(op, xd, w.Data().([]float32), op.out.Data().([]float32), b, k, x.Shape()[1])
	case []float64:
		distances(op, xd, w.Data().([]float64), op.out.Data().([]float64), b, k, x.Shape()[1])
	default:
		return nil, fmt.Errorf("graph: distance op: unsupported dtype %v", x.Dtype())
	}
	return op.out, nil
}

// gemmNT computes out (b×k) = x (b×d) · wᵀ (w is k×d) through Gorgonia's BLAS.
func gemmNT[T float](x, w, out []T, b, k, d int) { gemmNTScaled(x, w, out, b, k, d, 1, 0) }

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
		if op.reduced {
			for i := 0; i < b; i++ {
				copy(out[i*k:(i+1)*k], wn)
			}
			gemmNTScaled(x, w, out, b, k, d, -2, 1)
			return
		}
		par.Rows(b, 16, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				xn := sqNorm(x[i*d : (i+1)*d])
				op.xnorm[i] = xn
				row, xt := out[i*k:(i+1)*k:(i+1)*k], T(xn)
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
		mixedDistances(op.mixed, x, w, out, b, k, d, op.levels)
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

func (op *distanceOp) ReturnsPtr() bool     { return true }
func (op *distanceOp) CallsExtern() bool    { return false }
func (op *distanceOp) OverwritesInput() int { return -1 }
func (op *distanceOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "SOMDistance{%v}", op.metric)
}
func (op *distanceOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *distanceOp) String() string { return fmt.Sprintf("SOMDistance{%v}", op.metric) }

var _ G.Op = (*distanceOp)(nil)
