package graph

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// WeightedSums returns a node computing, from a list of units (Int, U,
// padded with −1), their neighbourhood rows hood (U×K, Neighborhoods) and
// their per-unit sums (U×(D+2), BMUSums), the neighbourhood-weighted sums
// every update needs, for each unit k:
//
//	out[k,:] = Σ_i hood[i,k]·sums[i,:] + β·out[k,:]
//	         = [ Σ_b H[b,k]·x_b,  Σ_b H[b,k],  Σ_b H[b,k]·‖x_b‖² ]   (β = 0)
//
// as one matrix product (hoodᵀ·sums over the valid rows) through
// Gorgonia's BLAS: grouping the records by BMU costs (distinct BMUs)·K·D
// instead of B·K·D. beta is a scalar of the dtype, 0 or 1: 1 adds the
// product to the node's previous output, for a list of units longer than U
// run in blocks.
func WeightedSums(units, hood, sums, beta *G.Node) (*G.Node, error) {
	if units.Dims() != 1 || units.Dtype() != tensor.Int {
		return nil, fmt.Errorf("%w: WeightedSums wants an Int vector of units, got %v %v", ErrDtype, units.Dtype(), units.Shape())
	}
	if hood.Dims() != 2 || sums.Dims() != 2 || hood.Shape()[0] != units.Shape()[0] || sums.Shape()[0] != units.Shape()[0] {
		return nil, fmt.Errorf("%w: WeightedSums: %v units, neighbourhood %v, sums %v", ErrShape, units.Shape(), hood.Shape(), sums.Shape())
	}
	if hood.Dtype() != sums.Dtype() || !isFloat(hood.Dtype()) || !beta.IsScalar() || beta.Dtype() != hood.Dtype() {
		return nil, fmt.Errorf("%w: WeightedSums: neighbourhood %v, sums %v, beta %v", ErrDtype, hood.Dtype(), sums.Dtype(), beta.Dtype())
	}
	op := &weightedSumsOp{units: hood.Shape()[1], cols: sums.Shape()[1], dtype: hood.Dtype()}
	return G.ApplyOp(op, units, hood, sums, beta)
}

// weightedSumsOp is the op of WeightedSums; its parameters are the number
// of map units K, the width of the sums and the dtype.
type weightedSumsOp struct {
	units, cols int
	dtype       tensor.Dtype

	out *tensor.Dense
}

func (op *weightedSumsOp) Arity() int { return 4 }

func (op *weightedSumsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(G.TensorType{Dims: 1, Of: tensor.Int}, m, m, a, m)
}

func (op *weightedSumsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("%w: %v wants 4 inputs, got %d", ErrShape, op, len(in))
	}
	return tensor.Shape{op.units, op.cols}, nil
}

// Do computes the sums into the op's own buffer (which β = 1 adds to).
func (op *weightedSumsOp) Do(vals ...G.Value) (G.Value, error) {
	if op.out == nil {
		op.out = tensor.New(tensor.WithShape(op.units, op.cols), tensor.Of(op.dtype))
	}
	return op.UsePreallocDo(op.out, vals...)
}

// UsePreallocDo computes the sums into prealloc (K×(D+2)), adding to its
// values when β = 1.
func (op *weightedSumsOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	if len(vals) != 4 {
		return nil, fmt.Errorf("%w: %v wants 4 inputs, got %d", ErrShape, op, len(vals))
	}
	ut, ok1 := vals[0].(*tensor.Dense)
	ht, ok2 := vals[1].(*tensor.Dense)
	st, ok3 := vals[2].(*tensor.Dense)
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("%w: %v wants dense tensors", ErrShape, op)
	}
	units, ok := ut.Data().([]int)
	if !ok || ht.Dtype() != op.dtype || st.Dtype() != op.dtype {
		return nil, fmt.Errorf("%w: %v got %v, %v and %v", ErrDtype, op, ut.Dtype(), ht.Dtype(), st.Dtype())
	}
	u := len(units)
	if !ht.Shape().Eq(tensor.Shape{u, op.units}) || !st.Shape().Eq(tensor.Shape{u, op.cols}) {
		return nil, fmt.Errorf("%w: %v: %d units, neighbourhood %v, sums %v", ErrShape, op, u, ht.Shape(), st.Shape())
	}
	out, err := preallocated(prealloc, op.dtype, op.units, op.cols)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	var beta float64
	switch b := vals[3].(type) {
	case *G.F32:
		beta = float64(*b)
	case *G.F64:
		beta = float64(*b)
	default:
		return nil, fmt.Errorf("%w: %v: beta is %T", ErrDtype, op, vals[3])
	}
	n := valid(units)
	switch o := out.Data().(type) {
	case []float32:
		weightedSums(ht.Data().([]float32), st.Data().([]float32), o, op.units, op.cols, n, float32(beta))
	case []float64:
		weightedSums(ht.Data().([]float64), st.Data().([]float64), o, op.units, op.cols, n, beta)
	}
	return out, nil
}

// weightedSums computes out (k×d) = aᵀ·b + beta·out for the first n rows
// of a (·×k) and b (·×d) through Gorgonia's BLAS.
func weightedSums[T float](a, b, out []T, k, d, n int, beta T) {
	if n == 0 {
		if beta == 0 {
			clear(out)
		}
		return
	}
	switch as := any(a).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(blas.Trans, blas.NoTrans, k, d, n, 1, as, k, any(b).([]float32), d, float32(beta), any(out).([]float32), d)
	case []float64:
		G.WhichBLAS().Dgemm(blas.Trans, blas.NoTrans, k, d, n, 1, as, k, any(b).([]float64), d, float64(beta), any(out).([]float64), d)
	}
}

func (op *weightedSumsOp) ReturnsPtr() bool      { return true }
func (op *weightedSumsOp) CallsExtern() bool     { return false }
func (op *weightedSumsOp) OverwritesInput() int  { return -1 }
func (op *weightedSumsOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *weightedSumsOp) Hashcode() uint32      { return opHash(op) }

// String names the op and every parameter.
func (op *weightedSumsOp) String() string {
	return fmt.Sprintf("SOMWeightedSums{K=%d, cols=%d, %v}", op.units, op.cols, op.dtype)
}

var (
	_ G.Op              = (*weightedSumsOp)(nil)
	_ G.UsePreallocDoer = (*weightedSumsOp)(nil)
)
