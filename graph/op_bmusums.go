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

// BMUSums returns a node computing a batch's per-BMU sums: for x (B×D),
// the codebook w (K×D), the records' best-matching units bmu (Int, B) and
// their distinct units (Int, U, the output of Distinct), row i of its
// U×(D+2) output holds, for unit j = units[i],
//
//	[ Σ_{bmu_b = j} x_b,  n_j = #{b : bmu_b = j},  Q_j = Σ_{bmu_b = j} ‖x_b‖² ]
//
// and rows past the valid units are zero. Both updates need only these sums
// (see WeightedSums). With euclidean set, the same pass over the batch also
// computes each record's squared norm ‖x_b‖² (the Q column, and what
// ReducedDistances leaves out) and its exact Euclidean distance to its BMU,
// read with Forward.SqNorms and Forward.MinDist; otherwise Q is zero and w
// is not read. The sums are accumulated in float64.
func BMUSums(x, w, bmu, units *G.Node, euclidean bool) (*G.Node, error) {
	if x.Dims() != 2 || w.Dims() != 2 || x.Shape()[1] != w.Shape()[1] {
		return nil, fmt.Errorf("%w: BMUSums wants two matrices of the same width, got %v and %v", ErrShape, x.Shape(), w.Shape())
	}
	if x.Dtype() != w.Dtype() || !isFloat(x.Dtype()) {
		return nil, fmt.Errorf("%w: BMUSums: x is %v, w is %v", ErrDtype, x.Dtype(), w.Dtype())
	}
	if bmu.Dtype() != tensor.Int || units.Dtype() != tensor.Int || bmu.Dims() != 1 || units.Dims() != 1 {
		return nil, fmt.Errorf("%w: BMUSums wants Int vectors of BMUs and units, got %v %v and %v %v", ErrDtype, bmu.Dtype(), bmu.Shape(), units.Dtype(), units.Shape())
	}
	if bmu.Shape()[0] != x.Shape()[0] {
		return nil, fmt.Errorf("%w: BMUSums: %d BMUs for %d records", ErrShape, bmu.Shape()[0], x.Shape()[0])
	}
	return bmuSums(x, w, bmu, units, euclidean, false)
}

// bmuSums builds the op of BMUSums; with missing, NaN features of x are
// missing values: they add nothing to Σx, and D more columns count each
// unit's records that hold each feature (U×(2D+2) in all).
func bmuSums(x, w, bmu, units *G.Node, euclidean, missing bool) (*G.Node, error) {
	op := &bmuSumsOp{units: w.Shape()[0], dim: x.Shape()[1], euclidean: euclidean && !missing, missing: missing, dtype: x.Dtype()}
	return G.ApplyOp(op, x, w, bmu, units)
}

// sumsWidth is the width of a map's per-unit sums: [Σx, n, Q] and, with
// missing values, the per-feature counts of present values.
func sumsWidth(dim int, missing bool) int {
	if missing {
		return 2*dim + 2
	}
	return dim + 2
}

// width is the width of the op's rows.
func (op *bmuSumsOp) width() int { return sumsWidth(op.dim, op.missing) }

// bmuSumsOp is the op of BMUSums. Its parameters are the map's size (K, D),
// whether it measures Euclidean distances, and the dtype.
type bmuSumsOp struct {
	units, dim int
	euclidean  bool
	missing    bool // NaN features are missing (see bmuSums)
	dtype      tensor.Dtype

	out   *tensor.Dense
	acc   []float64 // U×(D+2) float64 sums
	row   []int     // K: the output row of each unit, −1 between runs
	part  []float64 // per feature block and record: partial distances, norms
	minD  []float64 // per record: exact distance to the BMU (euclidean)
	norms []float64 // per record: ‖x_b‖² (euclidean)
	last  int       // valid rows written by the previous run
}

func (op *bmuSumsOp) Arity() int { return 4 }

func (op *bmuSumsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	v := G.TensorType{Dims: 1, Of: tensor.Int}
	return hm.NewFnType(m, m, v, v, m)
}

func (op *bmuSumsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("%w: %v wants 4 inputs, got %d", ErrShape, op, len(in))
	}
	u, ok := in[3].(tensor.Shape)
	if !ok || len(u) != 1 {
		return nil, fmt.Errorf("%w: %v wants a vector of units, got %v", ErrShape, op, in[3])
	}
	return tensor.Shape{u[0], op.width()}, nil
}

// Do computes the sums into the op's own buffer.
func (op *bmuSumsOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	if u := len(in.units); op.out == nil || op.out.Shape()[0] != u {
		op.out = tensor.New(tensor.WithShape(u, op.width()), tensor.Of(op.dtype))
		op.last = u
	}
	return op.UsePreallocDo(op.out, vals...)
}

// bmuSumsInputs are the checked inputs of a BMUSums run.
type bmuSumsInputs struct {
	x, w       *tensor.Dense
	bmu, units []int
}

// UsePreallocDo computes the sums into prealloc (U×(D+2), the op's dtype).
func (op *bmuSumsOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	in, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	out, err := preallocated(prealloc, op.dtype, len(in.units), op.width())
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if out != op.out {
		op.last = len(in.units) // a buffer we did not write: clear it all
	}
	if err := op.sum(in); err != nil {
		return nil, err
	}
	switch o := out.Data().(type) {
	case []float32:
		writeRows(op, o, valid(in.units))
	case []float64:
		writeRows(op, o, valid(in.units))
	}
	return out, nil
}

func (op *bmuSumsOp) inputs(vals []G.Value) (bmuSumsInputs, error) {
	var in bmuSumsInputs
	if len(vals) != 4 {
		return in, fmt.Errorf("%w: %v wants 4 inputs, got %d", ErrShape, op, len(vals))
	}
	x, ok1 := vals[0].(*tensor.Dense)
	w, ok2 := vals[1].(*tensor.Dense)
	bt, ok3 := vals[2].(*tensor.Dense)
	ut, ok4 := vals[3].(*tensor.Dense)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return in, fmt.Errorf("%w: %v wants dense tensors", ErrShape, op)
	}
	if x.Dtype() != op.dtype || w.Dtype() != op.dtype {
		return in, fmt.Errorf("%w: %v got %v and %v", ErrDtype, op, x.Dtype(), w.Dtype())
	}
	bmu, ok5 := bt.Data().([]int)
	units, ok6 := ut.Data().([]int)
	if !ok5 || !ok6 {
		return in, fmt.Errorf("%w: %v wants Int BMUs and units", ErrDtype, op)
	}
	if !x.Shape().Eq(tensor.Shape{len(bmu), op.dim}) || !w.Shape().Eq(tensor.Shape{op.units, op.dim}) || x.RequiresIterator() {
		return in, fmt.Errorf("%w: %v: batch %v, codebook %v, %d BMUs", ErrShape, op, x.Shape(), w.Shape(), len(bmu))
	}
	return bmuSumsInputs{x, w, bmu, units}, nil
}

// sum fills op.acc (and, for Euclidean, op.minD and op.norms).
func (op *bmuSumsOp) sum(in bmuSumsInputs) error {
	k, d, dn, b := op.units, op.dim, op.width(), len(in.bmu)
	if len(op.row) != k {
		op.row = make([]int, k)
		for i := range op.row {
			op.row[i] = -1
		}
	}
	n := valid(in.units)
	defer func() {
		for _, j := range in.units[:n] {
			op.row[j] = -1
		}
	}()
	for i, j := range in.units[:n] {
		if j >= k || op.row[j] >= 0 {
			return fmt.Errorf("%w: %v: unit %d listed twice or outside the map", ErrUnit, op, j)
		}
		op.row[j] = i
	}
	for bi, j := range in.bmu {
		if j < 0 || j >= k || op.row[j] < 0 {
			return fmt.Errorf("%w: %v: record %d has BMU %d, not among the units", ErrUnit, op, bi, j)
		}
	}
	if len(op.acc) < len(in.units)*dn {
		op.acc = make([]float64, len(in.units)*dn)
	}
	clear(op.acc[:n*dn])
	if op.euclidean && len(op.minD) != b {
		op.minD, op.norms = make([]float64, b), make([]float64, b)
	}
	switch x := in.x.Data().(type) {
	case []float32:
		sumRecords(op, x, in.w.Data().([]float32), in.bmu)
	case []float64:
		sumRecords(op, x, in.w.Data().([]float64), in.bmu)
	}
	for bi, j := range in.bmu {
		r := op.acc[op.row[j]*dn:]
		r[d]++
		if op.euclidean {
			r[d+1] += op.norms[bi]
		}
	}
	return nil
}

// sumRecords adds each record of x to its BMU's row of op.acc. The
// features are cut into a fixed number of blocks (it depends on D only, so
// the sums do not depend on the number of cores) and the cores share the
// blocks. For Euclidean, each block's pass over the records also sums its
// part of the squared distances to the BMUs and of the records' squared
// norms: one pass over the data for all three.
func sumRecords[T float](op *bmuSumsOp, x, w []T, bmu []int) {
	d, dn, n := op.dim, op.width(), len(bmu)
	if op.missing {
		par.Rows(d, 32, func(lo, hi int) {
			for b, j := range bmu {
				r := op.row[j] * dn
				dst, cnt := op.acc[r+lo:r+hi], op.acc[r+d+2+lo:r+d+2+hi]
				for f, v := range x[b*d+lo : b*d+hi] {
					if v == v { // not NaN
						dst[f] += float64(v)
						cnt[f]++
					}
				}
			}
		})
		return
	}
	if !op.euclidean {
		par.Rows(d, 32, func(lo, hi int) {
			for b, j := range bmu {
				dst := op.acc[op.row[j]*dn+lo : op.row[j]*dn+hi]
				for f, v := range x[b*d+lo : b*d+hi] {
					dst[f] += float64(v)
				}
			}
		})
		return
	}
	blocks := max(1, min(8, d/32))
	width := (d + blocks - 1) / blocks
	if len(op.part) < 2*blocks*n {
		op.part = make([]float64, 2*blocks*n)
	}
	dist, norm := op.part[:blocks*n], op.part[blocks*n:2*blocks*n]
	par.Rows(blocks, 1, func(first, last int) {
		for blk := first; blk < last; blk++ {
			lo, hi := blk*width, min((blk+1)*width, d)
			pd, pn := dist[blk*n:(blk+1)*n], norm[blk*n:(blk+1)*n]
			if lo >= hi {
				clear(pd)
				clear(pn)
				continue
			}
			for b, j := range bmu {
				xs := x[b*d+lo : b*d+hi]
				pd[b], pn[b] = sqDistNorm(xs, w[j*d+lo:j*d+hi])
				sum := op.acc[op.row[j]*dn+lo : op.row[j]*dn+hi]
				for c, v := range xs {
					sum[c] += float64(v)
				}
			}
		}
	})
	for b := range bmu {
		t, q := dist[b], norm[b]
		for blk := 1; blk < blocks; blk++ {
			t += dist[blk*n+b]
			q += norm[blk*n+b]
		}
		op.minD[b] = math.Sqrt(t)
		op.norms[b] = q
	}
}

// writeRows converts the first n rows of op.acc into out and zeroes the
// rows the previous run left valid beyond them.
func writeRows[T float](op *bmuSumsOp, out []T, n int) {
	dn := op.width()
	for i, v := range op.acc[:n*dn] {
		out[i] = T(v)
	}
	if op.last > n {
		clear(out[n*dn : op.last*dn])
	}
	op.last = n
}

func (op *bmuSumsOp) ReturnsPtr() bool      { return true }
func (op *bmuSumsOp) CallsExtern() bool     { return false }
func (op *bmuSumsOp) OverwritesInput() int  { return -1 }
func (op *bmuSumsOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *bmuSumsOp) Hashcode() uint32      { return opHash(op) }

// String names the op and every parameter.
func (op *bmuSumsOp) String() string {
	return fmt.Sprintf("SOMBMUSums{K=%d, D=%d, euclidean=%t, missing=%t, %v}", op.units, op.dim, op.euclidean, op.missing, op.dtype)
}

var (
	_ G.Op              = (*bmuSumsOp)(nil)
	_ G.UsePreallocDoer = (*bmuSumsOp)(nil)
)
