package graph

import (
	"fmt"
	"math"

	"github.com/somgraph/somgraph/internal/fused"
	"github.com/somgraph/somgraph/internal/gemm"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Forward is the map's forward pass compiled for batches of one size: a
// Gorgonia expression graph run by a tape machine,
//
//	dist  = ReducedDistances(x, w)        B×K  (Distances, MixedDistances for the other metrics)
//	bmu   = Argmin(dist)                  B
//	units = Distinct(bmu)                 U = min(B, K), the batch's distinct BMUs
//	sums  = BMUSums(x, w, bmu, units)     U×(D+2): per BMU Σx, count, Σ‖x‖²
//	hood  = Neighborhoods(units, σ)       U×K: h(gridDist(units[i], k), σ)
//	num   = WeightedSums(units, hood, sums, 0)   K×(D+2): Σ_b H[b,k]·[x_b, 1, ‖x_b‖²]
//
// with x, w (the live codebook) and σ as inputs. For a float32 Euclidean
// map without layers or missing values the first two nodes are one,
//
//	bmu   = NearestUnits(x, w)            B    distances and argmin in one kernel
//
// which finds the same units without writing the B×K matrix, wherever
// internal/gemm's fused kernel covers the map's dimension
// (gemm.ArgminFused; elsewhere, and for float64, the graph keeps the two
// nodes). NewForward builds all of it, the graph of a mini-batch training
// step, whose update (UpdateMiniBatch) then only applies
// w_k += α/B·(num_k − den_k·w_k).
// NewSearch builds the search alone (dist to sums), which Batch-mode
// training runs on every batch before Stats collects the sums. Running
// either allocates nothing that grows with the data. A Forward is not safe
// for concurrent use.
type Forward struct {
	m     *Map
	batch int
	g     *G.ExprGraph
	x     *tensor.Dense // the graph's own input buffer
	xNode *G.Node
	sigma G.Value // nil for a search

	dist, bmu, units, sums *G.Node // dist is nil when fused
	hood, num              *G.Node // nil for a search

	fused   bool          // bmu is a NearestUnits node
	distOp  *distanceOp   // fused: computes Distances on demand
	distRun *tensor.Dense // fused: Distances of the last run, or nil

	train  G.VM // the whole graph (NewForward only)
	search G.VM // dist to sums
	minD   []float64
	ran    bool      // the last run was a Run: hood and num are valid
	done   bool      // UpdateMiniBatch applied the last Run's sums
	parts  []float64 // scratch of UpdateMiniBatch
}

// NewForward compiles the whole forward graph for batches of exactly batch
// records: the search, the batch's per-BMU sums, their neighbourhood and
// the neighbourhood-weighted sums of a mini-batch update. Errors wrap
// ErrShape.
func (m *Map) NewForward(batch int) (*Forward, error) { return m.newForward(batch, true, true) }

// NewSearch compiles the search part of the forward graph for batches of
// exactly batch records: distances, best-matching units and the per-BMU
// sums, without the neighbourhood (Run returns an error on it). Batch-mode
// training and the metrics use it.
func (m *Map) NewSearch(batch int) (*Forward, error) { return m.newForward(batch, false, true) }

// newForward builds the graph of NewForward (full) or NewSearch, with the
// fused search where the map allows it and fusable is set.
func (m *Map) newForward(batch int, full, fusable bool) (*Forward, error) {
	if batch < 1 {
		return nil, fmt.Errorf("%w: batch size %d must be at least 1", ErrShape, batch)
	}
	dt := m.cfg.Dtype
	f := &Forward{m: m, batch: batch, g: G.NewGraph(), minD: make([]float64, batch)}
	f.x = tensor.New(tensor.WithShape(batch, m.Dim()), tensor.Of(dt))
	f.xNode = G.NewMatrix(f.g, dt, G.WithShape(batch, m.Dim()), G.WithName("x"), G.WithValue(f.x))
	w := G.NewMatrix(f.g, dt, G.WithShape(m.Units(), m.Dim()), G.WithName("w"), G.WithValue(m.codebook))
	var err error
	switch {
	case fusable && m.fusedSearch():
		// dist is not a node: NearestUnits computes the distances and
		// the argmin in one kernel (Distances computes them on demand).
		f.fused = true
		f.bmu, err = NearestUnits(f.xNode, w)
	case len(m.cfg.searchLayers()) > 0:
		f.dist, err = LayeredDistances(f.xNode, w, m.cfg.searchLayers(), m.cfg.Mixed, m.cfg.Missing)
	case m.cfg.Distance == Euclidean:
		f.dist, err = ReducedDistances(f.xNode, w)
	case m.cfg.Distance == Mixed:
		f.dist, err = MixedDistances(f.xNode, w, m.cfg.Mixed)
	default:
		f.dist, err = Distances(f.xNode, w, m.cfg.Distance)
	}
	if err != nil {
		return nil, err
	}
	if !f.fused {
		if f.bmu, err = Argmin(f.dist); err != nil {
			return nil, err
		}
	}
	if f.units, err = Distinct(f.bmu, m.Units()); err != nil {
		return nil, err
	}
	if f.sums, err = bmuSums(f.xNode, w, f.bmu, f.units, m.cfg.euclidean(), m.cfg.Missing); err != nil {
		return nil, err
	}
	if full {
		f.sigma = newScalar(dt, 1)
		sigma := G.NewScalar(f.g, dt, G.WithName("sigma"), G.WithValue(f.sigma))
		if f.hood, err = Neighborhoods(f.units, sigma, m); err != nil {
			return nil, err
		}
		beta := G.NewConstant(newScalar(dt, 0), G.WithName("beta=0"))
		if f.num, err = WeightedSums(f.units, f.hood, f.sums, beta); err != nil {
			return nil, err
		}
		f.train = G.NewTapeMachine(f.g)
		f.search = G.NewTapeMachine(f.g.SubgraphRoots(f.sums))
	} else {
		f.search = G.NewTapeMachine(f.g)
	}
	return f, nil
}

// fusedSearch reports whether the map's forward graphs find the BMUs with
// NearestUnits instead of ReducedDistances and Argmin: a float32 Euclidean
// map without layers or missing values, whose dimension the fused kernel
// computes with the very sums of the unfused graph's GEMM
// (gemm.ArgminFused), so that both find the same units. That holds in the
// OpenBLAS build too: the kernel is internal/gemm's, not the BLAS's (its
// sums are those of the default build's GEMM, which may round differently
// from OpenBLAS's by an ulp, as the two builds' GEMMs already did).
func (m *Map) fusedSearch() bool { return m.cfg.fusedSearch() }

// fusedSearch reports whether maps of config c search with the fused op
// (see Map.fusedSearch).
func (c Config) fusedSearch() bool {
	if c.Dtype != tensor.Float32 || !c.euclidean() {
		return false
	}
	switch fused.Get() {
	case fused.Off:
		return false
	case fused.Always: // tests: the op without the assembly kernel
		return true
	}
	return gemm.ArgminFused(c.Dim)
}

// Records per run of a search: Batch-mode training's default chunk (in
// trainer), Evaluate, EvaluateSearch and Predict.
const (
	// DefaultSearchChunk is the chunk of a search that writes the B×K
	// distance matrix: 1024 records of a 40×40 map are 6.5 MB of float32
	// distances, about what the caches can turn over.
	DefaultSearchChunk = 1024
	// FusedSearchChunk is the chunk of the fused search, which writes no
	// distance matrix: the size only trades the costs paid once per run
	// (packing the codebook, waking the other cores, the graph's
	// dispatch, the last rows that leave a core idle) against the memory
	// of a chunk's records and results. On 50,000 × 64 records and a
	// 40×40 map a batch epoch took 0.119 s in chunks of 1024, 0.108 s in
	// chunks of 4096 and 0.093 s in chunks of 16384 (somgraph bench
	// --batch, one quiet 2-core machine).
	FusedSearchChunk = 16384
)

// SearchChunk returns the records per search run that suit maps of config
// c: FusedSearchChunk where they search with the fused op, else
// DefaultSearchChunk.
func (c Config) SearchChunk() int {
	if c.fusedSearch() {
		return FusedSearchChunk
	}
	return DefaultSearchChunk
}

// newScalar returns a Gorgonia scalar value of dtype dt holding v.
func newScalar(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

// setScalar changes a scalar made by newScalar in place (G.Let would
// allocate).
func setScalar(s G.Value, v float64) {
	switch a := s.(type) {
	case *G.F32:
		*a = G.F32(v)
	case *G.F64:
		*a = G.F64(v)
	}
}

// Batch returns the batch size the graph was compiled for.
func (f *Forward) Batch() int { return f.batch }

// Graph returns the expression graph, for inspection (for example
// G.ToDot): the exact graph Run or Search executes.
func (f *Forward) Graph() *G.ExprGraph { return f.g }

// Run computes the whole graph for x (Batch×D, the map's dtype) at radius
// sigma: distances, BMUs, per-BMU sums, their neighbourhood rows and the
// neighbourhood-weighted sums that UpdateMiniBatch applies. Errors wrap
// ErrShape, ErrDtype or ErrSigma.
func (f *Forward) Run(x *tensor.Dense, sigma float64) error {
	if f.train == nil {
		return fmt.Errorf("%w: Run needs the whole graph (NewForward), this one is a search (NewSearch)", ErrShape)
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("%w: got %v", ErrSigma, sigma)
	}
	setScalar(f.sigma, sigma)
	err := f.run(f.train, x)
	f.ran, f.done = err == nil, false
	return err
}

// Search computes only the search part of the graph for x: distances,
// BMUs and the per-BMU sums (and, for Euclidean, the exact distances to
// the BMUs and the records' squared norms).
func (f *Forward) Search(x *tensor.Dense) error {
	f.ran = false
	return f.run(f.search, x)
}

// SearchInto runs Search and adds the batch's per-BMU sums to s (a Stats
// of the same map), as s.Add would: the graph's pass over the batch that
// computes the exact distances to the BMUs also collects the sums.
func (f *Forward) SearchInto(x *tensor.Dense, s *Stats) error {
	if s == nil || s.m != f.m {
		return fmt.Errorf("%w: SearchInto needs a Stats of the forward pass's map", ErrOtherMap)
	}
	if err := f.Search(x); err != nil {
		return err
	}
	s.addSums(f.Units(), f.sumsOp().acc, f.batch)
	return nil
}

func (f *Forward) run(vm G.VM, x *tensor.Dense) error {
	if x == nil || x.Dims() != 2 || x.Shape()[0] != f.batch || x.Shape()[1] != f.m.Dim() {
		var shape any = "nil"
		if x != nil {
			shape = x.Shape()
		}
		return fmt.Errorf("%w: batch of shape %v, graph compiled for (%d, %d)", ErrShape, shape, f.batch, f.m.Dim())
	}
	if x.Dtype() != f.m.cfg.Dtype {
		return fmt.Errorf("%w: batch is %v, map is %v", ErrDtype, x.Dtype(), f.m.cfg.Dtype)
	}
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
	err := vm.RunAll()
	vm.Reset()
	f.distRun = nil
	if err != nil {
		if f.dist != nil {
			if op, ok := f.dist.Op().(*distanceOp); ok && op.err != nil {
				err = op.err // keep the sentinel for errors.Is
			}
		}
		return fmt.Errorf("graph: forward pass: %w", err)
	}
	if f.m.cfg.euclidean() {
		// The GEMM expansion leaves a rounding residue of order
		// 1e-7·‖x‖² in float32, which the square root magnifies near
		// zero: BMUSums recomputed the distance to the BMU directly.
		copy(f.minD, f.sumsOp().minD)
	} else {
		mins, _, _ := ArgminStats(f.bmu)
		copy(f.minD, mins)
		if f.m.cfg.squared() { // missing values: the search's squared distances
			for i, v := range f.minD {
				f.minD[i] = math.Sqrt(max(v, 0))
			}
		}
	}
	return nil
}

func (f *Forward) sumsOp() *bmuSumsOp { return f.sums.Op().(*bmuSumsOp) }

// Input returns the graph's own input buffer (Batch×D), for a caller that
// has no tensor of its own to pass to Run. Run and Search read any
// contiguous batch in place; only a view is copied into this buffer.
func (f *Forward) Input() *tensor.Dense { return f.x }

// SqNorms returns the squared norm ‖x_b‖² of each record of the last run
// for the Euclidean distance, or nil for the other distances. Valid until
// the next run.
func (f *Forward) SqNorms() []float64 {
	if !f.m.cfg.euclidean() {
		return nil
	}
	return f.sumsOp().norms
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

// Distances returns the B×K distance matrix of the last run, valid until
// the next run. For the Euclidean distance row b holds the squared
// distances less ‖x_b‖² (SqNorms): the same minimum, one pass over the
// batch fewer. A graph whose search is fused (NearestUnits) never forms
// the matrix: the first call after a run computes it as ReducedDistances
// does, from the run's batch and the codebook as it is then, so call it
// before an update changes the codebook (UpdateMiniBatch, Stats.Apply).
func (f *Forward) Distances() *tensor.Dense {
	if !f.fused {
		return f.dist.Value().(*tensor.Dense)
	}
	if f.distRun == nil {
		if f.distOp == nil {
			f.distOp = &distanceOp{metric: Euclidean, reduced: true, dtype: f.m.cfg.Dtype}
		}
		v, err := f.distOp.Do(f.xNode.Value(), f.m.codebook)
		if err != nil { // the run checked both shapes and dtypes
			panic(fmt.Sprintf("graph: Forward.Distances: %v", err))
		}
		f.distRun = v.(*tensor.Dense)
	}
	return f.distRun
}

// Units returns the distinct BMUs of the last run in the order of their
// first record: the rows of Neighborhoods and of the per-BMU sums. Valid
// until the next run.
func (f *Forward) Units() []int {
	u := f.units.Value().Data().([]int)
	return u[:valid(u)]
}

// Neighborhoods returns the neighbourhood node's output of the last Run
// (min(B, K)×K, row i for unit Units()[i], zero past them), or nil if the
// last run was a Search. Valid until the next run.
func (f *Forward) Neighborhoods() *tensor.Dense {
	if !f.ran {
		return nil
	}
	return f.hood.Value().(*tensor.Dense)
}

// WeightedSums returns the K×(D+2) neighbourhood-weighted sums of the last
// Run, row k holding [Σ_b H[b,k]·x_b, Σ_b H[b,k], Σ_b H[b,k]·‖x_b‖²], or
// nil if the last run was a Search. Valid until the next run.
func (f *Forward) WeightedSums() *tensor.Dense {
	if !f.ran {
		return nil
	}
	return f.num.Value().(*tensor.Dense)
}

// UpdateMiniBatch applies fastsom's mini-batch rule to every unit k with
// the neighbourhood-weighted sums of the last Run,
//
//	w_k += α/B · (Σ_b H[b,k]·x_b − Σ_b H[b,k]·w_k)
//
// and returns the SOM energy of the batch against the codebook it replaced
// at the run's σ, Σ_b Σ_k H[b,k]·‖x_b − w_k‖² (meaningful for the Euclidean
// distance only; NaN with Config.Missing). It returns an error wrapping ErrAlpha for a NaN or
// infinite alpha, and ErrShape if the last run was not a Run or its sums
// were applied already.
func (f *Forward) UpdateMiniBatch(alpha float64) (float64, error) {
	if math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return 0, fmt.Errorf("%w: got %v", ErrAlpha, alpha)
	}
	if !f.ran || f.done {
		return 0, fmt.Errorf("%w: UpdateMiniBatch needs a Run of the batch first, once per Run", ErrShape)
	}
	f.done = true // the sums describe the codebook this update replaces
	return f.m.applyRule(f.num.Value().(*tensor.Dense), alpha/float64(f.batch), miniBatchRule, &f.parts), nil
}
