package graph

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Distinct returns a node listing the distinct values of bmu (a tensor.Int
// vector of B best-matching units of a map of k units) in the order of their
// first appearance, as a tensor.Int vector of min(B, k) entries padded with
// −1. Its output is the row order of BMUSums and Neighborhoods: the rows of a
// batch's per-BMU sums and of its neighbourhood. A BMU outside [0, k) is an
// error wrapping ErrUnit when the node runs.
func Distinct(bmu *G.Node, k int) (*G.Node, error) {
	if bmu.Dims() != 1 || bmu.Dtype() != tensor.Int {
		return nil, fmt.Errorf("%w: Distinct wants an Int vector, got %v %v", ErrDtype, bmu.Dtype(), bmu.Shape())
	}
	if k < 1 {
		return nil, fmt.Errorf("%w: Distinct: %d units", ErrShape, k)
	}
	return G.ApplyOp(&distinctOp{units: k}, bmu)
}

// distinctOp is the op of Distinct; units (K) is its only parameter.
type distinctOp struct {
	units int

	out  *tensor.Dense
	seen []bool // K, all false between runs
}

func (op *distinctOp) Arity() int { return 1 }

func (op *distinctOp) Type() hm.Type {
	v := G.TensorType{Dims: 1, Of: tensor.Int}
	return hm.NewFnType(v, v)
}

func (op *distinctOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: %v wants 1 input, got %d", ErrShape, op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 1 {
		return nil, fmt.Errorf("%w: %v wants a vector, got %v", ErrShape, op, in[0])
	}
	return tensor.Shape{min(s[0], op.units)}, nil
}

// Do lists the distinct units into the op's own buffer.
func (op *distinctOp) Do(vals ...G.Value) (G.Value, error) {
	bmu, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	if u := min(len(bmu), op.units); op.out == nil || op.out.Shape()[0] != u {
		op.out = tensor.New(tensor.WithShape(u), tensor.Of(tensor.Int))
	}
	return op.UsePreallocDo(op.out, vals...)
}

// UsePreallocDo lists the distinct units into prealloc (Int, min(B, K)).
func (op *distinctOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	bmu, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	out, err := preallocated(prealloc, tensor.Int, min(len(bmu), op.units), -1)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if len(op.seen) != op.units {
		op.seen = make([]bool, op.units)
	}
	units := out.Data().([]int)
	n := 0
	for b, j := range bmu {
		if j < 0 || j >= op.units {
			for _, u := range units[:n] {
				op.seen[u] = false
			}
			return nil, fmt.Errorf("%w: record %d has BMU %d, the map has %d units", ErrUnit, b, j, op.units)
		}
		if !op.seen[j] {
			op.seen[j] = true
			units[n] = j
			n++
		}
	}
	for _, u := range units[:n] {
		op.seen[u] = false
	}
	for i := n; i < len(units); i++ {
		units[i] = -1
	}
	return out, nil
}

func (op *distinctOp) input(vals []G.Value) ([]int, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%w: %v wants 1 input, got %d", ErrShape, op, len(vals))
	}
	t, ok := vals[0].(*tensor.Dense)
	if !ok || t.Dims() != 1 {
		return nil, fmt.Errorf("%w: %v wants a dense vector", ErrShape, op)
	}
	bmu, ok := t.Data().([]int)
	if !ok {
		return nil, fmt.Errorf("%w: %v wants Int values, got %v", ErrDtype, op, t.Dtype())
	}
	return bmu, nil
}

// valid returns the number of entries of a Distinct output before its −1
// padding.
func valid(units []int) int {
	for i, u := range units {
		if u < 0 {
			return i
		}
	}
	return len(units)
}

func (op *distinctOp) ReturnsPtr() bool      { return true }
func (op *distinctOp) CallsExtern() bool     { return false }
func (op *distinctOp) OverwritesInput() int  { return -1 }
func (op *distinctOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *distinctOp) Hashcode() uint32      { return opHash(op) }

// String names the op and its parameter.
func (op *distinctOp) String() string { return fmt.Sprintf("SOMDistinct{K=%d}", op.units) }

var (
	_ G.Op              = (*distinctOp)(nil)
	_ G.UsePreallocDoer = (*distinctOp)(nil)
)
