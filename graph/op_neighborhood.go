package graph

import (
	"fmt"
	"hash"
	"math"

	"github.com/somgraph/somgraph/internal/par"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Neighborhoods returns a node computing the neighbourhood rows of map m
// for a list of units: for units (a tensor.Int vector of U entries, padded
// with −1, as Distinct returns) and a scalar σ of the map's dtype, row i of
// its U×K output is
//
//	G[i,k] = h(gridDist(units[i], k), σ)
//
// and rows of the padding are zero. The values per σ come from a table over
// grid offsets that the op computes once per σ; each row is gathered from it,
// so no exponential is evaluated per unit. Run on a batch's distinct BMUs it
// is the neighbourhood of every record, grouped by BMU: record b's row of
// the B×K matrix H is the row of its BMU. A σ that is not a finite number
// > 0 is an error wrapping ErrSigma when the node runs.
func Neighborhoods(units, sigma *G.Node, m *Map) (*G.Node, error) {
	if units.Dims() != 1 || units.Dtype() != tensor.Int {
		return nil, fmt.Errorf("%w: Neighborhoods wants an Int vector of units, got %v %v", ErrDtype, units.Dtype(), units.Shape())
	}
	if !sigma.IsScalar() || sigma.Dtype() != m.cfg.Dtype {
		return nil, fmt.Errorf("%w: Neighborhoods wants a %v scalar sigma, got %v %v", ErrDtype, m.cfg.Dtype, sigma.Dtype(), sigma.Shape())
	}
	op := &neighborhoodOp{grid: m.cfg.Grid, hood: m.cfg.Neighborhood, dtype: m.cfg.Dtype, tables: m.tables}
	return G.ApplyOp(op, units, sigma)
}

// neighborhoodOp is the op of Neighborhoods. Its parameters are the grid,
// the neighbourhood function and the dtype; tables is the map's cache of
// the values over grid offsets for the last σ.
type neighborhoodOp struct {
	grid  Grid
	hood  Neighborhood
	dtype tensor.Dtype

	tables *tableCache
	out    *tensor.Dense
	last   int // valid rows written by the previous run
}

func (op *neighborhoodOp) Arity() int { return 2 }

func (op *neighborhoodOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: tensor.Int}, a, G.TensorType{Dims: 2, Of: a})
}

func (op *neighborhoodOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: %v wants 2 inputs, got %d", ErrShape, op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 1 {
		return nil, fmt.Errorf("%w: %v wants a vector of units, got %v", ErrShape, op, in[0])
	}
	return tensor.Shape{s[0], op.grid.Units()}, nil
}

// Do gathers the rows into the op's own buffer.
func (op *neighborhoodOp) Do(vals ...G.Value) (G.Value, error) {
	units, _, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	if op.out == nil || op.out.Shape()[0] != len(units) {
		op.out = tensor.New(tensor.WithShape(len(units), op.grid.Units()), tensor.Of(op.dtype))
		op.last = len(units)
	}
	return op.UsePreallocDo(op.out, vals...)
}

// UsePreallocDo gathers the rows into prealloc (U×K, the map's dtype).
func (op *neighborhoodOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	units, sigma, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	k := op.grid.Units()
	out, err := preallocated(prealloc, op.dtype, len(units), k)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if out != op.out {
		op.last = len(units)
	}
	n := valid(units)
	for _, j := range units[:n] {
		if j >= k {
			return nil, fmt.Errorf("%w: %v: unit %d, the map has %d", ErrUnit, op, j, k)
		}
	}
	switch h := out.Data().(type) {
	case []float32:
		fillRows(op.tables.o, typedTable[float32](op.tables, sigma), units[:n], h, k)
		clear(h[n*k : max(n, op.last)*k])
	case []float64:
		fillRows(op.tables.o, typedTable[float64](op.tables, sigma), units[:n], h, k)
		clear(h[n*k : max(n, op.last)*k])
	}
	op.last = n
	return out, nil
}

func (op *neighborhoodOp) inputs(vals []G.Value) (units []int, sigma float64, err error) {
	if len(vals) != 2 {
		return nil, 0, fmt.Errorf("%w: %v wants 2 inputs, got %d", ErrShape, op, len(vals))
	}
	ut, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, 0, fmt.Errorf("%w: %v wants a dense Int vector", ErrShape, op)
	}
	if units, ok = ut.Data().([]int); !ok {
		return nil, 0, fmt.Errorf("%w: %v wants Int units, got %v", ErrDtype, op, ut.Dtype())
	}
	switch s := vals[1].(type) {
	case *G.F32:
		sigma = float64(*s)
	case *G.F64:
		sigma = float64(*s)
	default:
		return nil, 0, fmt.Errorf("%w: %v: sigma is %T", ErrDtype, op, vals[1])
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, 0, fmt.Errorf("%w: got %v", ErrSigma, sigma)
	}
	return units, sigma, nil
}

// fillRows gathers row i of h (U×k) from the table t for the offsets from
// units[i] to every unit.
func fillRows[T float](o *offsets, t []T, units []int, h []T, k int) {
	par.Rows(len(units), 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gather(o, t, units[i], h[i*k:(i+1)*k])
		}
	})
}

func (op *neighborhoodOp) ReturnsPtr() bool      { return true }
func (op *neighborhoodOp) CallsExtern() bool     { return false }
func (op *neighborhoodOp) OverwritesInput() int  { return -1 }
func (op *neighborhoodOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *neighborhoodOp) Hashcode() uint32      { return opHash(op) }

// String names the op and every parameter.
func (op *neighborhoodOp) String() string {
	return fmt.Sprintf("SOMNeighborhood{%v, %v, %v}", op.hood, op.grid, op.dtype)
}

var (
	_ G.Op              = (*neighborhoodOp)(nil)
	_ G.UsePreallocDoer = (*neighborhoodOp)(nil)
)
