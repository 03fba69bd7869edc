package graph

import (
	"fmt"
	"hash"

	"github.com/somgraph/somgraph/internal/gemm"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NearestUnits returns a node computing, for each row of x (B×D, float32),
// its best-matching unit among the rows of w (K×D) by the Euclidean
// distance, as a tensor.Int vector of length B: Argmin(ReducedDistances(x,
// w)) in one op that never writes the B×K distance matrix. Its kernel
// (internal/gemm's ArgminNT) computes the reduced distances ‖w_k‖² −
// 2·x_b·w_k of a block of records and units in registers, with ‖w_k‖² as
// the bias of the product, and keeps only each row's best and second-best
// unit and value; the rules are Argmin's (ties to the lowest unit, NaN never
// wins). Where gemm.ArgminFused(D) holds its distances are bit for bit
// those of ReducedDistances run through internal/gemm's Sgemm, so it finds
// the same units; Map.NewForward and NewSearch use it there for a float32
// Euclidean map without layers or missing values.
//
// ArgminStats reads its per-row minimum (a reduced distance), second-best
// unit and second-best value, as for an Argmin node. Running it allocates
// nothing that grows with the data once its buffers fit the batch. Errors
// wrap ErrShape or ErrDtype (float64 matrices are not supported: the
// kernel is float32).
func NearestUnits(x, w *G.Node) (*G.Node, error) {
	op := &nearestOp{}
	if x.Dims() != 2 || w.Dims() != 2 {
		return nil, fmt.Errorf("%w: %v wants two matrices, got %v and %v", ErrShape, op, x.Shape(), w.Shape())
	}
	if x.Shape()[1] != w.Shape()[1] {
		return nil, fmt.Errorf("%w: %v: x has %d columns, w has %d", ErrShape, op, x.Shape()[1], w.Shape()[1])
	}
	if x.Dtype() != tensor.Float32 || w.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("%w: %v: x is %v, w is %v, want float32", ErrDtype, op, x.Dtype(), w.Dtype())
	}
	return G.ApplyOp(op, x, w)
}

// rowStats are the per-row results an argmin keeps besides the best
// column: the smallest value, the second-best column and its value. The
// slices are reused between runs.
type rowStats struct {
	min       []float64
	second    []int
	secondVal []float64
}

// resize makes the slices hold b rows.
func (s *rowStats) resize(b int) {
	if len(s.min) != b {
		s.min = make([]float64, b)
		s.second = make([]int, b)
		s.secondVal = make([]float64, b)
	}
}

// nearestOp is the op of NearestUnits. It has no parameters: the shapes
// come from its inputs and the dtype is float32. The unit norms and the
// kernel's float32 results are buffers kept between runs.
type nearestOp struct {
	rowStats
	out            *tensor.Dense
	wnorm          []float64
	bias           []float32
	bestV, secondV []float32
}

func (op *nearestOp) Arity() int { return 2 }

func (op *nearestOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, G.TensorType{Dims: 1, Of: tensor.Int})
}

func (op *nearestOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: %v wants 2 inputs, got %d", ErrShape, op, len(in))
	}
	xs, ok1 := in[0].(tensor.Shape)
	ws, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(xs) != 2 || len(ws) != 2 {
		return nil, fmt.Errorf("%w: %v wants matrix shapes, got %v, %v", ErrShape, op, in[0], in[1])
	}
	return tensor.Shape{xs[0]}, nil
}

// Do finds the best-matching units into the op's own buffer.
func (op *nearestOp) Do(vals ...G.Value) (G.Value, error) {
	x, _, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	if b := x.Shape()[0]; op.out == nil || op.out.Shape()[0] != b {
		op.out = tensor.New(tensor.WithShape(b), tensor.Of(tensor.Int))
	}
	return op.UsePreallocDo(op.out, vals...)
}

// UsePreallocDo finds the best-matching units into prealloc (an Int vector
// of B).
func (op *nearestOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	x, w, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	b, k, d := x.Shape()[0], w.Shape()[0], x.Shape()[1]
	out, err := preallocated(prealloc, tensor.Int, b, -1)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	op.resize(b)
	if len(op.bestV) != b {
		op.bestV, op.secondV = make([]float32, b), make([]float32, b)
	}
	if len(op.wnorm) != k {
		op.wnorm, op.bias = make([]float64, k), make([]float32, k)
	}
	wd := w.Data().([]float32)
	// The bias is ReducedDistances' row fill: float64 norms rounded to
	// float32, so that the sums are the same.
	rowNorms(op.wnorm, wd, d)
	for j, v := range op.wnorm {
		op.bias[j] = float32(v)
	}
	gemm.ArgminNT(b, k, d, -2, x.Data().([]float32), d, wd, d, op.bias,
		out.Data().([]int), op.rowStats.second, op.bestV, op.secondV)
	for i := range b {
		op.min[i], op.secondVal[i] = float64(op.bestV[i]), float64(op.secondV[i])
	}
	return out, nil
}

func (op *nearestOp) inputs(vals []G.Value) (x, w *tensor.Dense, err error) {
	if x, w, err = matrixPair(op, vals, tensor.Float32); err != nil {
		return nil, nil, err
	}
	if x.RequiresIterator() || w.RequiresIterator() {
		return nil, nil, fmt.Errorf("%w: %v wants contiguous matrices", ErrShape, op)
	}
	return x, w, nil
}

func (op *nearestOp) ReturnsPtr() bool      { return true }
func (op *nearestOp) CallsExtern() bool     { return false }
func (op *nearestOp) OverwritesInput() int  { return -1 }
func (op *nearestOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *nearestOp) Hashcode() uint32      { return opHash(op) }

// String names the op: the distance and the argmin it fuses, and its only
// dtype; it has no other parameters.
func (op *nearestOp) String() string {
	return "SOMDistanceArgmin{euclidean, less ‖x‖², float32}"
}

var (
	_ G.Op              = (*nearestOp)(nil)
	_ G.UsePreallocDoer = (*nearestOp)(nil)
)
