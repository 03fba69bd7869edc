package graph

import (
	"fmt"
	"hash"

	"github.com/somgraph/somgraph/internal/gemm"
	"github.com/somgraph/somgraph/internal/par"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Argmin returns a node holding, for each row of the B×K matrix d, the
// column of its smallest value as a tensor.Int vector of length B. Ties go
// to the lowest column. Gorgonia v0.9.18 has no argmin op; this one also
// keeps each row's smallest and second-smallest values and the column of the
// second, read through ArgminStats, and reuses its buffers between runs.
func Argmin(d *G.Node) (*G.Node, error) {
	if d.Dims() != 2 {
		return nil, fmt.Errorf("%w: Argmin wants a matrix, got shape %v", ErrShape, d.Shape())
	}
	return G.ApplyOp(&argminOp{}, d)
}

// ArgminStats returns the per-row minimum, second-best column and
// second-best value kept by an Argmin or NearestUnits node after a run. It
// returns nils if n is neither or has not run. The slices are reused by
// the next run.
func ArgminStats(n *G.Node) (minVal []float64, second []int, secondVal []float64) {
	var s *rowStats
	switch op := n.Op().(type) {
	case *argminOp:
		s = &op.rowStats
	case *nearestOp:
		s = &op.rowStats
	default:
		return nil, nil, nil
	}
	return s.min, s.second, s.secondVal
}

type argminOp struct {
	rowStats
	out *tensor.Dense
}

func (op *argminOp) Arity() int { return 1 }

func (op *argminOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: tensor.Int})
}

func (op *argminOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: %v wants 1 input, got %d", ErrShape, op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("%w: %v wants a matrix shape, got %v", ErrShape, op, in[0])
	}
	return tensor.Shape{s[0]}, nil
}

// Do finds the row minima into the op's own buffer.
func (op *argminOp) Do(vals ...G.Value) (G.Value, error) {
	d, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	if b := d.Shape()[0]; op.out == nil || op.out.Shape()[0] != b {
		op.out = tensor.New(tensor.WithShape(b), tensor.Of(tensor.Int))
	}
	return op.UsePreallocDo(op.out, vals...)
}

// UsePreallocDo finds the row minima into prealloc (an Int vector of B).
func (op *argminOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	d, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	b, k := d.Shape()[0], d.Shape()[1]
	out, err := preallocated(prealloc, tensor.Int, b, -1)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	op.resize(b)
	idx := out.Data().([]int)
	switch v := d.Data().(type) {
	case []float32:
		argminRows(v, b, k, idx, op)
	case []float64:
		argminRows(v, b, k, idx, op)
	}
	return out, nil
}

func (op *argminOp) input(vals []G.Value) (*tensor.Dense, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%w: %v wants 1 input, got %d", ErrShape, op, len(vals))
	}
	d, ok := vals[0].(*tensor.Dense)
	if !ok || d.Dims() != 2 {
		return nil, fmt.Errorf("%w: %v wants a dense matrix", ErrShape, op)
	}
	if !isFloat(d.Dtype()) {
		return nil, fmt.Errorf("%w: %v: %v values", ErrDtype, op, d.Dtype())
	}
	return d, nil
}

// argminRows finds the best and second-best column of each row, ties to
// the lower column. NaN values never win; a row without any number gets
// column 0, and a row of one column has no second (-1).
// (Values are distances, so +Inf does not occur in practice; a row whose
// values are all +Inf or NaN is treated like a row without numbers.)
func argminRows[T float](v []T, b, k int, idx []int, op *argminOp) {
	par.Rows(b, 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			best, second, bv, sv := gemm.RowArgmin(v[i*k : (i+1)*k])
			idx[i] = best
			op.min[i] = float64(bv)
			op.second[i] = second
			op.secondVal[i] = float64(sv)
		}
	})
}

func (op *argminOp) ReturnsPtr() bool      { return true }
func (op *argminOp) CallsExtern() bool     { return false }
func (op *argminOp) OverwritesInput() int  { return -1 }
func (op *argminOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *argminOp) Hashcode() uint32      { return opHash(op) }

// String names the op; it has no parameters.
func (op *argminOp) String() string { return "SOMArgmin" }

var (
	_ G.Op              = (*argminOp)(nil)
	_ G.UsePreallocDoer = (*argminOp)(nil)
)
