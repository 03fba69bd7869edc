package graph

import (
	"fmt"
	"math"

	"github.com/somgraph/somgraph/internal/par"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Forward is the map's forward pass compiled for batches of one size: a
// Gorgonia expression graph
//
//	dist  = Distances(x, w)           B×K
//	bmu   = Argmin(dist)              B
//	H     = Neighborhoods(bmu, σ)     B×K
//	step  = α / B                     scalar, the mini-batch update's rate
//
// with x, w (the live codebook), α and σ as inputs. It is built once and run
// again for every batch by a tape machine; running it allocates nothing that
// grows with the data. A Forward is not safe for concurrent use.
type Forward struct {
	m      *Map
	batch  int
	g      *G.ExprGraph
	x      *tensor.Dense // the graph's own input buffer
	xNode  *G.Node
	distOp *distanceOp
	alpha  G.Value
	sigma  G.Value
	dist   *G.Node
	bmu    *G.Node
	hood   *G.Node
	step   *G.Node
	full   G.VM // computes every node
	search G.VM // computes dist, bmu and step only
	minD   []float64
	part   []float64 // per feature block and record: partial distances
	ranH   bool
}

// NewForward compiles the forward graph for batches of exactly batch
// records.
func (m *Map) NewForward(batch int) (*Forward, error) {
	if batch < 1 {
		return nil, fmt.Errorf("graph: batch size %d must be at least 1", batch)
	}
	dt := m.cfg.Dtype
	f := &Forward{m: m, batch: batch, g: G.NewGraph(), minD: make([]float64, batch)}
	f.x = tensor.New(tensor.WithShape(batch, m.Dim()), tensor.Of(dt))
	if dt == tensor.Float32 {
		f.alpha, f.sigma = G.NewF32(0), G.NewF32(1)
	} else {
		f.alpha, f.sigma = G.NewF64(0), G.NewF64(1)
	}
	f.xNode = G.NewMatrix(f.g, dt, G.WithShape(batch, m.Dim()), G.WithName("x"), G.WithValue(f.x))
	w := G.NewMatrix(f.g, dt, G.WithShape(m.Units(), m.Dim()), G.WithName("w"), G.WithValue(m.codebook))
	alpha := G.NewScalar(f.g, dt, G.WithName("alpha"), G.WithValue(f.alpha))
	sigma := G.NewScalar(f.g, dt, G.WithName("sigma"), G.WithValue(f.sigma))
	var invB any = 1 / float64(batch)
	if dt == tensor.Float32 {
		invB = float32(1 / float64(batch))
	}
	var err error
	if m.cfg.Distance == Mixed {
		f.dist, err = MixedDistances(f.xNode, w, m.cfg.Mixed)
	} else {
		f.dist, err = Distances(f.xNode, w, m.cfg.Distance)
	}
	if err != nil {
		return nil, err
	}
	f.distOp = f.dist.Op().(*distanceOp)
	if f.bmu, err = Argmin(f.dist); err != nil {
		return nil, err
	}
	if f.hood, err = Neighborhoods(f.bmu, sigma, m); err != nil {
		return nil, err
	}
	if f.step, err = G.Mul(alpha, G.NewConstant(invB, G.WithName("1/B"))); err != nil {
		return nil, fmt.Errorf("graph: building step: %w", err)
	}
	f.full = G.NewTapeMachine(f.g)
	f.search = G.NewTapeMachine(f.g.SubgraphRoots(f.bmu, f.step))
	return f, nil
}

// Batch returns the batch size the graph was compiled for.
func (f *Forward) Batch() int { return f.batch }

// Graph returns the expression graph, for inspection (for example
// G.ToDot).
func (f *Forward) Graph() *G.ExprGraph { return f.g }

// Run computes distances, BMUs and the neighbourhood matrix H for x
// (Batch×D, the map's dtype) with learning rate alpha and radius sigma.
func (f *Forward) Run(x *tensor.Dense, alpha, sigma float64) error {
	return f.run(f.full, x, alpha, sigma, true, nil)
}

// Search computes only distances and BMUs (and the update step), skipping
// H: the training loop's per-BMU update reads the neighbourhood from the
// map's table instead of from H.
func (f *Forward) Search(x *tensor.Dense, alpha, sigma float64) error {
	return f.run(f.search, x, alpha, sigma, false, nil)
}

// SearchInto runs Search and then adds the batch with its best-matching
// units to s (a Stats of the same map), as s.Add would. For the Euclidean
// distance the addition shares its pass over the data with the exact
// distances to the BMUs and the records' squared norms, which the training
// loop needs all of; the search then leaves ‖x_b‖² out of the distance
// rows (see Distances).
func (f *Forward) SearchInto(x *tensor.Dense, alpha, sigma float64, s *Stats) error {
	if s == nil || s.m != f.m {
		return fmt.Errorf("graph: SearchInto needs the Stats of the forward pass's map")
	}
	return f.run(f.search, x, alpha, sigma, false, s)
}

func (f *Forward) run(vm G.VM, x *tensor.Dense, alpha, sigma float64, withH bool, s *Stats) error {
	if x == nil || x.Dims() != 2 || x.Shape()[0] != f.batch || x.Shape()[1] != f.m.Dim() {
		var shape any = "nil"
		if x != nil {
			shape = x.Shape()
		}
		return fmt.Errorf("graph: batch of shape %v, graph compiled for (%d, %d)", shape, f.batch, f.m.Dim())
	}
	if x.Dtype() != f.m.cfg.Dtype {
		return fmt.Errorf("graph: batch is %v, map is %v", x.Dtype(), f.m.cfg.Dtype)
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("graph: sigma %v must be a positive number", sigma)
	}
	if math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return fmt.Errorf("graph: alpha %v must be a number", alpha)
	}
	// SearchInto's own pass computes the records' norms, so its search
	// leaves them out of the distance rows.
	f.distOp.reduced = s != nil && f.m.cfg.Distance == Euclidean
	// A contiguous batch is bound to the graph's input as it is; a view
	// is copied into the graph's own buffer.
	if x.RequiresIterator() {
		if err := tensor.Copy(f.x, x); err != nil {
			return fmt.Errorf("graph: copying the batch: %w", err)
		}
		x = f.x
	}
	if err := G.Let(f.xNode, x); err != nil {
		return fmt.Errorf("graph: binding the batch: %w", err)
	}
	switch a := f.alpha.(type) {
	case *G.F32:
		*a, *f.sigma.(*G.F32) = G.F32(alpha), G.F32(sigma)
	case *G.F64:
		*a, *f.sigma.(*G.F64) = G.F64(alpha), G.F64(sigma)
	}
	err := vm.RunAll()
	vm.Reset()
	if err != nil {
		return fmt.Errorf("graph: forward pass: %w", err)
	}
	f.ranH = withH
	if f.m.cfg.Distance == Euclidean {
		// The GEMM expansion leaves a rounding residue of order
		// 1e-7·‖x‖² in float32, which the square root magnifies near zero:
		// recompute the distance to the BMU directly (B·D operations).
		switch xs := x.Data().(type) {
		case []float32:
			exactEuclidean(f, s, xs, f.m.codebook.Data().([]float32))
		case []float64:
			exactEuclidean(f, s, xs, f.m.codebook.Data().([]float64))
		}
		return nil
	}
	mins, _, _ := ArgminStats(f.bmu)
	copy(f.minD, mins)
	if s != nil {
		s.Add(x, f.BMU())
	}
	return nil
}

// exactEuclidean writes the Euclidean distance from each record of x to
// its best-matching unit's weights in w into f.MinDist, and adds the
// records to s if it is not nil. The features are cut into a fixed number
// of blocks (it depends on D only, so the sums do not depend on the number
// of cores), the cores share the blocks, and each block's pass over the
// records both sums its part of the squared distances and, with s, of the
// records' squared norms, and adds its part of every record to its BMU's
// sums: one pass over the data for all three.
func exactEuclidean[T float](f *Forward, s *Stats, x, w []T) {
	d, bmu := f.m.Dim(), f.BMU()
	n := len(bmu)
	blocks := max(1, min(8, d/32))
	width := (d + blocks - 1) / blocks
	if len(f.part) < 2*blocks*n {
		f.part = make([]float64, 2*blocks*n)
	}
	dist, norm := f.part[:blocks*n], f.part[blocks*n:2*blocks*n]
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
				if s == nil {
					pd[b] = sqDist(xs, w[j*d+lo:j*d+hi])
					continue
				}
				pd[b], pn[b] = sqDistNorm(xs, w[j*d+lo:j*d+hi])
				sum := s.sums[j*d+lo : j*d+hi]
				for c, v := range xs {
					sum[c] += float64(v)
				}
			}
		}
	})
	xn := f.distOp.xnorm
	for b := range bmu {
		t, q := dist[b], norm[b]
		for blk := 1; blk < blocks; blk++ {
			t += dist[blk*n+b]
			q += norm[blk*n+b]
		}
		f.minD[b] = math.Sqrt(t)
		if s != nil { // the search left the norms to this pass
			xn[b] = q
		}
	}
	if s != nil {
		s.count(bmu, xn)
		s.n += n
		s.measured = false
	}
}

// Input returns the graph's own input buffer (Batch×D), for a caller that
// has no tensor of its own to pass to Run. Run and Search read any
// contiguous batch in place; only a view is copied into this buffer.
func (f *Forward) Input() *tensor.Dense { return f.x }

// SqNorms returns the squared norm ‖x_b‖² of each record of the last run
// for the Euclidean distance (computed by the distance op, or by
// SearchInto's pass over the batch), or nil for the other distances. Valid
// until the next run.
func (f *Forward) SqNorms() []float64 {
	if f.m.cfg.Distance != Euclidean {
		return nil
	}
	return f.distOp.xnorm
}

// BMU returns each record's best-matching unit, valid until the next run.
func (f *Forward) BMU() []int { return f.bmu.Value().Data().([]int) }

// MinDist returns each record's distance to its BMU (Euclidean distance,
// not squared, for the Euclidean metric), valid until the next run.
func (f *Forward) MinDist() []float64 { return f.minD }

// Second returns each record's second-best unit, valid until the next run.
func (f *Forward) Second() []int {
	_, s, _ := ArgminStats(f.bmu)
	return s
}

// Distances returns the B×K distance matrix of the last run (squared for
// Euclidean), valid until the next run. After a Euclidean SearchInto each
// row b holds the squared distances less ‖x_b‖² (SqNorms): the same
// minimum, one pass over the batch fewer.
func (f *Forward) Distances() *tensor.Dense { return f.dist.Value().(*tensor.Dense) }

// H returns the B×K neighbourhood matrix of the last Run, or nil if the last
// run was a Search.
func (f *Forward) H() *tensor.Dense {
	if !f.ranH {
		return nil
	}
	return f.hood.Value().(*tensor.Dense)
}

// Step returns α/B as computed by the last run.
func (f *Forward) Step() float64 {
	switch v := f.step.Value().(type) {
	case *G.F32:
		return float64(*v)
	case *G.F64:
		return float64(*v)
	}
	return math.NaN()
}
