package graph

import (
	"fmt"
	"math"
	"slices"

	"github.com/somgraph/somgraph/internal/par"
)

// Metrics are the quality measures of a map on a dataset.
type Metrics struct {
	// QE is the quantization error: the mean distance from each record to
	// its best-matching unit (the Euclidean distance, not its square, for
	// the Euclidean metric).
	QE float64
	// TE is the topographic error: the share of records whose best and
	// second-best units are not grid neighbours, in [0, 1]. It is 0 for a
	// map of one unit. Which units are neighbours is Config.TENeighbors:
	// by default the 4 edge neighbours on a rectangular grid (MiniSom
	// counts the 8 around a unit) and the 6 on a hexagonal one; see
	// Config.TEAdjacent.
	TE float64
	// Distortion is the SOM energy at radius σ: the mean over records of
	// Σ_k h(gridDist(bmu, k), σ)·d(x, w_k)², with d the map's distance.
	Distortion float64
	// DeadUnits is the share of units that are no record's best match.
	DeadUnits float64
}

// search runs the BMU search over data (row-major n×D) in chunks, calling
// fn with the index of each chunk's first record and the forward pass that
// searched it. With everyDistance fn reads every record's distances
// (Forward.Distances), so the search keeps the distance node rather than
// the fused one, which would compute them a second time.
func (m *Map) search(data []float64, everyDistance bool, fn func(lo int, f *Forward)) error {
	d := m.Dim()
	if err := m.checkData(data); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	n := len(data) / d
	m.evalMu.Lock()
	defer m.evalMu.Unlock()
	chunk := DefaultSearchChunk // the distance node's
	if !everyDistance {
		chunk = m.cfg.SearchChunk()
	}
	for lo := 0; lo < n; lo += chunk {
		b := min(chunk, n-lo)
		key := b // the graphs with the distance node under −b
		if everyDistance {
			key = -b
		}
		f := m.evalForwards[key]
		if f == nil {
			var err error
			if f, err = m.newForward(b, false, !everyDistance); err != nil {
				return err
			}
			if len(m.evalForwards) >= 4 {
				clear(m.evalForwards) // keep at most a few sizes alive
			}
			m.evalForwards[key] = f
		}
		fillInput(f, data[lo*d:(lo+b)*d])
		if err := f.Search(f.x); err != nil {
			return err
		}
		fn(lo, f)
	}
	return nil
}

// checkData returns an error unless data holds a whole, non-zero number of
// records of the map's dimension, all finite (or NaN, a missing value,
// with Config.Missing, as long as each record has a feature present).
func (m *Map) checkData(data []float64) error {
	d := m.Dim()
	if len(data) == 0 || len(data)%d != 0 {
		return fmt.Errorf("%w: %d values are not a whole number of records of dimension %d", ErrShape, len(data), d)
	}
	for i, v := range data {
		if m.cfg.Missing && math.IsNaN(v) {
			continue // a missing value
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: record %d, feature %d is %v", ErrNotFinite, i/d, i%d, v)
		}
	}
	if m.cfg.Missing {
		return checkPresent(data, d)
	}
	return nil
}

// checkPresent returns an error wrapping ErrMissing naming the first
// record of data (rows of d values) whose values are all NaN.
func checkPresent(data []float64, d int) error {
	for r := 0; r < len(data)/d; r++ {
		if !slices.ContainsFunc(data[r*d:(r+1)*d], func(v float64) bool { return !math.IsNaN(v) }) {
			return fmt.Errorf("%w: record %d has no feature present", ErrMissing, r)
		}
	}
	return nil
}

// fillInput copies float64 records into a forward pass's input buffer.
func fillInput(f *Forward, rows []float64) {
	switch dst := f.x.Data().(type) {
	case []float32:
		for i, v := range rows {
			dst[i] = float32(v)
		}
	case []float64:
		copy(dst, rows)
	}
}

// Predict returns each record's best-matching unit and its distance to it
// (the Euclidean distance, not its square, for the Euclidean metric). data
// holds the records row-major, Dim values each.
func (m *Map) Predict(data []float64) (bmu []int, dist []float64, err error) {
	n := len(data) / max(m.Dim(), 1)
	bmu, dist = make([]int, n), make([]float64, n)
	err = m.search(data, false, func(lo int, f *Forward) {
		copy(bmu[lo:], f.BMU())
		copy(dist[lo:], f.MinDist())
	})
	if err != nil {
		return nil, nil, err
	}
	return bmu, dist, nil
}

// Evaluate returns the map's metrics on data (row-major, Dim values per
// record), with the distortion taken at radius sigma.
func (m *Map) Evaluate(data []float64, sigma float64) (Metrics, error) {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return Metrics{}, fmt.Errorf("%w: got %v", ErrSigma, sigma)
	}
	acc := m.NewMetricsAcc()
	if err := m.search(data, true, func(_ int, f *Forward) { acc.Add(f, sigma) }); err != nil {
		return Metrics{}, err
	}
	return acc.Metrics(), nil
}

// EvaluateSearch returns the map's QE, TE and dead units on data like
// Evaluate, without the distortion (left 0): one BMU search and nothing
// over each record's whole neighbourhood, for callers that do not show it
// (the distortion's pass over every unit can cost as much as the search).
func (m *Map) EvaluateSearch(data []float64) (Metrics, error) {
	acc := m.NewMetricsAcc()
	if err := m.search(data, false, func(_ int, f *Forward) { acc.AddWithoutDistortion(f) }); err != nil {
		return Metrics{}, err
	}
	return acc.Metrics(), nil
}

// MetricsAcc accumulates the metrics of the records searched by forward
// passes of one map, so that a training loop can report them from the
// searches it runs anyway instead of evaluating the data again.
type MetricsAcc struct {
	m              *Map
	hits           []bool
	parts          []metricsPart
	qe, distortion float64
	topoErrors, n  int
}

// NewMetricsAcc returns an empty accumulator for m's forward passes.
func (m *Map) NewMetricsAcc() *MetricsAcc {
	return &MetricsAcc{m: m, hits: make([]bool, m.Units())}
}

// Reset empties the accumulator.
func (a *MetricsAcc) Reset() {
	clear(a.hits)
	a.qe, a.distortion, a.topoErrors, a.n = 0, 0, 0, 0
}

// Records returns the number of records added since the last Reset.
func (a *MetricsAcc) Records() int { return a.n }

// Add adds the records of the last run of f (a Forward of the same map),
// with the distortion taken at radius sigma (σ > 0). The records are split
// over the available cores.
func (a *MetricsAcc) Add(f *Forward, sigma float64) { a.add(f, sigma, true) }

// AddWithoutDistortion adds the records of the last run of f like Add but
// leaves their distortion to AddDistortion, for a caller that computes it
// more cheaply from per-unit sums (Stats.DistortionBefore).
func (a *MetricsAcc) AddWithoutDistortion(f *Forward) { a.add(f, 1, false) }

// AddDistortion adds total, the summed distortion of records added with
// AddWithoutDistortion.
func (a *MetricsAcc) AddDistortion(total float64) { a.distortion += total }

func (a *MetricsAcc) add(f *Forward, sigma float64, withDistortion bool) {
	if f.m != a.m {
		panic("graph: MetricsAcc.Add: forward pass of another map")
	}
	k := a.m.Units()
	var tab []float64
	var dist any // only the distortion reads it: a fused search computes it on demand
	if withDistortion {
		tab = typedTable[float64](a.m.tables, sigma)
		dist = f.Distances().Data()
	}
	bmu := f.BMU()
	xn := f.SqNorms()
	reduced := xn != nil // Euclidean rows lack ‖x_b‖²
	squared := a.m.cfg.squared()
	for _, j := range bmu {
		a.hits[j] = true
	}
	// Blocks of sumBlock records, counted from the first record since
	// Reset, are summed on their own and the block sums added in order.
	first := (sumBlock - a.n%sumBlock) % sumBlock // the rest of a block begun by the last Add
	first = min(first, len(bmu))
	blocks := (len(bmu) - first + sumBlock - 1) / sumBlock
	if first > 0 {
		blocks++
	}
	block := func(i int) (lo, hi int) {
		if first > 0 {
			if i == 0 {
				return 0, first
			}
			i--
		}
		lo = first + i*sumBlock
		return lo, min(lo+sumBlock, len(bmu))
	}
	if len(a.parts) < blocks {
		a.parts = make([]metricsPart, blocks)
	}
	parts := a.parts[:blocks]
	par.Split(blocks, par.Chunks(blocks, 1), func(_, b0, b1 int) {
		for i := b0; i < b1; i++ {
			lo, hi := block(i)
			parts[i] = a.sum(f, lo, hi, k, tab, dist, xn, reduced, squared, withDistortion)
		}
	})
	for _, p := range parts { // in record order: the same sums however the records were searched
		a.qe, a.distortion, a.topoErrors = a.qe+p.qe, a.distortion+p.distortion, a.topoErrors+p.topo
	}
	a.n += len(bmu)
}

// sumBlock is the number of records MetricsAcc sums on their own before
// adding the sum to its totals. Blocks start at multiples of it counted
// from the first record added since Reset, so the totals do not depend on
// the number of cores nor on how the records were split into searches, as
// long as every search but the last holds a multiple of sumBlock records
// (the default chunks of 1024 and 16384 do).
const sumBlock = 256

// sum returns the QE, distortion and topographic errors of records
// [lo, hi) of f's last run.
func (a *MetricsAcc) sum(f *Forward, lo, hi, k int, tab []float64, dist any, xn []float64, reduced, squared, withDistortion bool) metricsPart {
	bmu, second := f.BMU(), f.Second()
	var qe, distortion float64
	topo := 0
	for b := lo; b < hi; b++ {
		j := bmu[b]
		qe += f.minD[b]
		if k > 1 && !a.m.cfg.TEAdjacent(j, second[b]) {
			topo++
		}
		if !withDistortion {
			continue
		}
		var e, hs float64
		switch d := dist.(type) {
		case []float32:
			e, hs = hoodEnergy(a.m.tables.o, tab, j, squared, d[b*k:(b+1)*k], reduced)
		case []float64:
			e, hs = hoodEnergy(a.m.tables.o, tab, j, squared, d[b*k:(b+1)*k], reduced)
		}
		if reduced { // the rows lack ‖x_b‖²
			e += xn[b] * hs
		}
		distortion += e
	}
	return metricsPart{qe, distortion, topo}
}

// metricsPart is one block's share of a MetricsAcc.Add.
type metricsPart struct {
	qe, distortion float64
	topo           int
}

// Metrics returns the metrics of the records added; all zero if none were.
func (a *MetricsAcc) Metrics() Metrics {
	if a.n == 0 {
		return Metrics{}
	}
	dead := 0
	for _, h := range a.hits {
		if !h {
			dead++
		}
	}
	n := float64(a.n)
	return Metrics{QE: a.qe / n, TE: float64(a.topoErrors) / n, Distortion: a.distortion / n, DeadUnits: float64(dead) / float64(len(a.hits))}
}

// hoodEnergy returns Σ_k h(gridDist(j, k))·d_k² for one row of the
// distance matrix (which holds squared distances if squared), and Σ_k h
// if withSum, reading the neighbourhood straight from the offset table t: the row is R
// runs of C contiguous values, so nothing is gathered.
func hoodEnergy[T float](o *offsets, t []float64, j int, squared bool, row []T, withSum bool) (e, hs float64) {
	base, w := o.origin(j), 2*o.cols-1
	for r := 0; r < o.rows; r++ {
		h := t[base+r*w:][:o.cols]
		seg := row[r*o.cols : (r+1)*o.cols]
		if squared {
			e += dot(h, seg)
		} else {
			e += dotSq(h, seg)
		}
		if withSum {
			hs += sum(h)
		}
	}
	return e, hs
}
