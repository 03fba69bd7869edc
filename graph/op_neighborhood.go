package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/somgraph/somgraph/internal/par"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Neighborhoods returns a node computing the B×K neighbourhood matrix
// H[b,k] = h(gridDist(bmu[b], k), σ) of map m, from a tensor.Int node of
// best-matching units and a scalar node σ of the map's dtype. The values per
// σ come from a table over grid offsets computed once per σ; each row of H
// is gathered from it, so no exponential is evaluated per record.
func Neighborhoods(bmu, sigma *G.Node, m *Map) (*G.Node, error) {
	if bmu.Dims() != 1 || bmu.Dtype() != tensor.Int {
		return nil, fmt.Errorf("graph: Neighborhoods wants an Int vector of BMUs, got %v %v", bmu.Dtype(), bmu.Shape())
	}
	if !sigma.IsScalar() {
		return nil, fmt.Errorf("graph: Neighborhoods wants a scalar sigma, got shape %v", sigma.Shape())
	}
	return G.ApplyOp(&neighborhoodOp{m: m}, bmu, sigma)
}

type neighborhoodOp struct {
	m   *Map
	out *tensor.Dense
}

func (op *neighborhoodOp) Arity() int { return 2 }

func (op *neighborhoodOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: tensor.Int}, a, G.TensorType{Dims: 2, Of: a})
}

func (op *neighborhoodOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("graph: neighborhood op wants 2 inputs, got %d", len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 1 {
		return nil, fmt.Errorf("graph: neighborhood op wants a vector of BMUs, got %v", in[0])
	}
	return tensor.Shape{s[0], op.m.Units()}, nil
}

func (op *neighborhoodOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 2 {
		return nil, fmt.Errorf("graph: neighborhood op wants 2 inputs, got %d", len(vals))
	}
	bt, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("graph: neighborhood op wants a dense Int vector")
	}
	bmu, ok := bt.Data().([]int)
	if !ok {
		return nil, fmt.Errorf("graph: neighborhood op wants Int BMUs, got %v", bt.Dtype())
	}
	var sigma float64
	switch s := vals[1].(type) {
	case *G.F32:
		sigma = float64(*s)
	case *G.F64:
		sigma = float64(*s)
	default:
		return nil, fmt.Errorf("graph: neighborhood op: sigma is %T", vals[1])
	}
	if !(sigma > 0) {
		return nil, fmt.Errorf("graph: sigma %v must be positive", sigma)
	}
	k := op.m.Units()
	dt := op.m.cfg.Dtype
	if op.out == nil || op.out.Shape()[0] != len(bmu) {
		op.out = tensor.New(tensor.WithShape(len(bmu), k), tensor.Of(dt))
	}
	o := op.m.tables.o
	switch h := op.out.Data().(type) {
	case []float32:
		fillHood(o, typedTable[float32](op.m.tables, sigma), bmu, h, k)
	case []float64:
		fillHood(o, typedTable[float64](op.m.tables, sigma), bmu, h, k)
	}
	return op.out, nil
}

func fillHood[T float](o *offsets, tab []T, bmu []int, h []T, k int) {
	par.Rows(len(bmu), 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gather(o, tab, bmu[i], h[i*k:(i+1)*k])
		}
	})
}

func (op *neighborhoodOp) ReturnsPtr() bool     { return true }
func (op *neighborhoodOp) CallsExtern() bool    { return false }
func (op *neighborhoodOp) OverwritesInput() int { return -1 }
func (op *neighborhoodOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "SOMNeighborhood{%v}", op.m.cfg.Neighborhood)
}
func (op *neighborhoodOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *neighborhoodOp) String() string {
	return fmt.Sprintf("SOMNeighborhood{%v}", op.m.cfg.Neighborhood)
}

var _ G.Op = (*neighborhoodOp)(nil)
