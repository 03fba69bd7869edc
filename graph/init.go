package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/somgraph/somgraph/internal/par"
	"github.com/somgraph/somgraph/internal/pca"
)

// maxPCARecords bounds the records used to fit principal components; larger
// datasets are subsampled with the initializer's random source.
const maxPCARecords = 20000

// Initialize sets the codebook from data (row-major, Dim values per record)
// with the given method, drawing randomness from rng. It returns an error
// for empty or non-finite data, or for k-means with fewer records than
// units. It is InitRecords followed by InitializeFrom on the records
// InitRecords chose. With Config.Missing the initializers see each missing
// value (NaN) replaced by the mean of its feature's present values in data.
func (m *Map) Initialize(kind Init, data []float64, rng *rand.Rand) error {
	d := m.Dim()
	if err := m.checkData(data); err != nil {
		return fmt.Errorf("graph: init: %w", err)
	}
	if m.cfg.Missing {
		data = fillMeans(data, d)
	}
	idx, err := m.InitRecords(kind, len(data)/d, rng)
	if err != nil {
		return err
	}
	if idx != nil {
		sub := make([]float64, 0, len(idx)*d)
		for _, i := range idx {
			sub = append(sub, data[i*d:(i+1)*d]...)
		}
		data = sub
	}
	return m.InitializeFrom(kind, data, rng)
}

// InitRecords returns which of n records Initialize(kind, data, rng)
// reads, in the order it reads them, drawing from rng exactly as
// Initialize does: k records for InitSample, a subsample for InitPCA above
// 20,000 records and for InitKMeans above max(10·units, 5000), and nil
// (every record, in order) otherwise. InitRandom reads only each feature's
// minimum and maximum over every record. With InitializeFrom on the
// records chosen and the same rng, it splits Initialize so that the
// records can be gathered elsewhere, for example from shards by a
// distributed pass. It returns an error for an unknown kind, n < 1, or
// k-means with fewer records than units.
func (m *Map) InitRecords(kind Init, n int, rng *rand.Rand) ([]int, error) {
	k := m.Units()
	if n < 1 {
		return nil, fmt.Errorf("%w: init: no records", ErrShape)
	}
	switch kind {
	case InitRandom:
		return nil, nil
	case InitSample:
		if n >= k {
			return rng.Perm(n)[:k], nil
		}
		idx := make([]int, k)
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
		return idx, nil
	case InitPCA:
		return subsampleIndex(n, maxPCARecords, rng), nil
	case InitKMeans:
		if n < k {
			return nil, fmt.Errorf("graph: init: k-means needs at least %d records (one per unit), got %d: use --init pca or a smaller map", k, n)
		}
		return subsampleIndex(n, kmeansRecords(k), rng), nil
	}
	return nil, fmt.Errorf("graph: unknown init %d", kind)
}

// InitializeFrom sets the codebook by method kind from the records
// InitRecords chose (row-major, in its order; every record if it returned
// nil, or for InitRandom any records with the same per-feature minimum and
// maximum), drawing from rng in the state InitRecords left it. With
// Config.Missing a missing value is replaced by its feature's mean over
// data (Initialize fills them from all its records first). It returns
// an error for non-finite data or too few records.
func (m *Map) InitializeFrom(kind Init, data []float64, rng *rand.Rand) error {
	d, k := m.Dim(), m.Units()
	if err := m.checkData(data); err != nil {
		return fmt.Errorf("graph: init: %w", err)
	}
	if m.cfg.Missing {
		data = fillMeans(data, d)
	}
	n := len(data) / d
	w := make([]float64, k*d)
	switch kind {
	case InitRandom:
		lo, hi := bounds(data, d)
		for i := range w {
			f := i % d
			w[i] = lo[f] + rng.Float64()*(hi[f]-lo[f])
		}
	case InitSample:
		if n < k {
			return fmt.Errorf("graph: init: the sample has %d records for %d units: pass the records InitRecords chose", n, k)
		}
		copy(w, data[:k*d])
	case InitPCA:
		mean, axes, sd := principalPlane(data, d, rng)
		rowAxis, colAxis := 0, 1
		if m.cfg.Grid.Cols > m.cfg.Grid.Rows {
			rowAxis, colAxis = 1, 0
		}
		for u := 0; u < k; u++ {
			r, c := m.cfg.Grid.RowCol(u)
			a := spread(r, m.cfg.Grid.Rows) * 2 * sd[rowAxis]
			b := spread(c, m.cfg.Grid.Cols) * 2 * sd[colAxis]
			for f := 0; f < d; f++ {
				w[u*d+f] = mean[f] + a*axes[rowAxis][f] + b*axes[colAxis][f]
			}
		}
	case InitKMeans:
		if n < k {
			return fmt.Errorf("graph: init: k-means needs at least %d records (one per unit), got %d: use --init pca or a smaller map", k, n)
		}
		var err error
		if w, err = m.kmeans(data, rng); err != nil {
			return err
		}
	default:
		return fmt.Errorf("graph: unknown init %d", kind)
	}
	return m.SetWeights(w)
}

// kmeansRecords is the number of records k-means runs on for k units.
func kmeansRecords(k int) int { return max(10*k, 5000) }

// fillMeans returns data (rows of d values) with each NaN replaced by the
// mean of its feature's other values (0 if it has none), or data itself if
// it holds no NaN.
func fillMeans(data []float64, d int) []float64 {
	if !slices.ContainsFunc(data, math.IsNaN) {
		return data
	}
	sum, n := make([]float64, d), make([]float64, d)
	for i, v := range data {
		if !math.IsNaN(v) {
			sum[i%d] += v
			n[i%d]++
		}
	}
	out := slices.Clone(data)
	for i, v := range out {
		if f := i % d; math.IsNaN(v) {
			out[i] = 0
			if n[f] > 0 {
				out[i] = sum[f] / n[f]
			}
		}
	}
	return out
}

// spread maps i in [0, n) evenly onto [−1, 1] (0 when n = 1).
func spread(i, n int) float64 {
	if n == 1 {
		return 0
	}
	return 2*float64(i)/float64(n-1) - 1
}

func bounds(data []float64, d int) (lo, hi []float64) {
	n := (len(data) + d - 1) / d // records, the last maybe partial
	chunks := par.Chunks(n, 4096)
	los, his := make([][]float64, chunks), make([][]float64, chunks)
	par.Split(n, chunks, func(c, r0, r1 int) {
		los[c], his[c] = boundsOf(data[r0*d:min(r1*d, len(data))], d)
	})
	// math.Min and math.Max are commutative and associative (-Inf over
	// NaN over the rest, -0 below +0), so the chunks' bounds combine to
	// the whole's.
	lo, hi = los[0], his[0]
	for c := 1; c < chunks; c++ {
		mergeBounds(lo, hi, los[c], his[c])
	}
	return lo, hi
}

// boundsOf is bounds in one goroutine.
func boundsOf(data []float64, d int) (lo, hi []float64) {
	lo, hi = append([]float64(nil), data[:d]...), append([]float64(nil), data[:d]...)
	for i := d; i < len(data); i += d {
		r := data[i:min(i+d, len(data))]
		mergeBounds(lo, hi, r, r)
	}
	return lo, hi
}

// mergeBounds sets lo[f] to math.Min(lo[f], los[f]) and hi[f] to
// math.Max(hi[f], his[f]) for f < len(los), with comparisons: the math
// functions cost about three times more. The results are theirs
// (TestBoundsMinMax): -Inf (+Inf) wins over NaN, a NaN over the rest, -0
// is below +0. The outer tests are false for most values.
func mergeBounds(lo, hi, los, his []float64) {
	lo, hi, his = lo[:len(los)], hi[:len(los)], his[:len(los)]
	for f, v := range los {
		if l := lo[f]; !(v >= l) || v == 0 {
			if v < l || v != v && !math.IsInf(l, -1) || l != l && math.IsInf(v, -1) || v == 0 && l == 0 && math.Signbit(v) {
				lo[f] = v
			}
		}
	}
	for f, v := range his {
		if h := hi[f]; !(v <= h) || v == 0 {
			if v > h || v != v && !math.IsInf(h, 1) || h != h && math.IsInf(v, 1) || v == 0 && h == 0 && !math.Signbit(v) {
				hi[f] = v
			}
		}
	}
}

// subsample returns data (row-major, d values per record) if it holds at
// most limit records, and otherwise limit of its records drawn without
// replacement with rng (subsampleIndex).
func subsample(data []float64, d, limit int, rng *rand.Rand) []float64 {
	idx := subsampleIndex(len(data)/d, limit, rng)
	if idx == nil {
		return data
	}
	sub := make([]float64, 0, limit*d)
	for _, i := range idx {
		sub = append(sub, data[i*d:(i+1)*d]...)
	}
	return sub
}

// subsampleIndex returns nil (every record) if n is at most limit, and
// otherwise limit indices of n drawn without replacement with rng.
func subsampleIndex(n, limit int, rng *rand.Rand) []int {
	if n <= limit {
		return nil
	}
	return rng.Perm(n)[:limit]
}

// principalPlane returns the data's mean, its first two principal axes
// (the second is zero when D = 1) and the standard deviation along each.
func principalPlane(data []float64, d int, rng *rand.Rand) (mean []float64, axes [2][]float64, sd [2]float64) {
	rows := subsample(data, d, maxPCARecords, rng)
	vecs, vars, mean, ok := pca.Components(rows, len(rows)/d, d)
	axes = [2][]float64{make([]float64, d), make([]float64, d)}
	if !ok {
		return mean, axes, sd
	}
	for a := 0; a < 2 && a < d; a++ {
		for f := 0; f < d; f++ {
			axes[a][f] = vecs.At(f, a)
		}
		sd[a] = math.Sqrt(math.Max(vars[a], 0))
	}
	return mean, axes, sd
}

// kmeans runs k-means (k-means++ seeding, Lloyd iterations through the map's
// own BMU search) with K = Units and returns the centroids laid out on the
// grid in the order of their projections on the data's principal plane.
func (m *Map) kmeans(data []float64, rng *rand.Rand) ([]float64, error) {
	d, k := m.Dim(), m.Units()
	data = subsample(data, d, kmeansRecords(k), rng)
	n := len(data) / d
	// k-means++ seeding.
	cent := make([]float64, 0, k*d)
	near := make([]float64, n)
	for i := range near {
		near[i] = math.Inf(1)
	}
	first := rng.IntN(n)
	cent = append(cent, data[first*d:(first+1)*d]...)
	for c := 1; c < k; c++ {
		last := cent[(c-1)*d : c*d]
		var total float64
		for i := 0; i < n; i++ {
			var s float64
			for f, v := range data[i*d : (i+1)*d] {
				s += (v - last[f]) * (v - last[f])
			}
			near[i] = math.Min(near[i], s)
			total += near[i]
		}
		pick := rng.IntN(n)
		if total > 0 {
			r := rng.Float64() * total
			for i, v := range near {
				if r -= v; r <= 0 {
					pick = i
					break
				}
			}
		}
		cent = append(cent, data[pick*d:(pick+1)*d]...)
	}
	// Lloyd iterations with the map's GEMM-based search.
	sums := make([]float64, k*d)
	counts := make([]float64, k)
	for it := 0; it < 25; it++ {
		if err := m.SetWeights(cent); err != nil {
			return nil, err
		}
		bmu, _, err := m.Predict(data)
		if err != nil {
			return nil, err
		}
		clear(sums)
		clear(counts)
		for i, j := range bmu {
			counts[j]++
			for f, v := range data[i*d : (i+1)*d] {
				sums[j*d+f] += v
			}
		}
		moved := false
		for j := 0; j < k; j++ {
			if counts[j] == 0 {
				continue
			}
			for f := 0; f < d; f++ {
				v := sums[j*d+f] / counts[j]
				if v != cent[j*d+f] {
					moved = true
				}
				cent[j*d+f] = v
			}
		}
		if !moved {
			break
		}
	}
	// Lay the centroids out on the grid: rows by the first principal
	// coordinate, columns within a row by the second.
	mean, axes, _ := principalPlane(data, d, rng)
	type proj struct {
		unit int
		a, b float64
	}
	ps := make([]proj, k)
	for j := range ps {
		ps[j].unit = j
		for f := 0; f < d; f++ {
			v := cent[j*d+f] - mean[f]
			ps[j].a += v * axes[0][f]
			ps[j].b += v * axes[1][f]
		}
	}
	g := m.cfg.Grid
	rowKey := func(p proj) float64 { return p.a }
	colKey := func(p proj) float64 { return p.b }
	if g.Cols > g.Rows {
		rowKey, colKey = colKey, rowKey
	}
	sort.SliceStable(ps, func(i, j int) bool { return rowKey(ps[i]) < rowKey(ps[j]) })
	for r := 0; r < g.Rows; r++ {
		row := ps[r*g.Cols : (r+1)*g.Cols]
		sort.SliceStable(row, func(i, j int) bool { return colKey(row[i]) < colKey(row[j]) })
	}
	w := make([]float64, k*d)
	for u, p := range ps {
		copy(w[u*d:(u+1)*d], cent[p.unit*d:(p.unit+1)*d])
	}
	return w, nil
}
