package graph

import (
	"errors"
	"fmt"
	"math"

	"github.com/somgraph/somgraph/internal/par"

	"gorgonia.org/tensor"
)

// Stats accumulates, per best-matching unit j, the sum S_j of the records
// it won and their count n_j. Both updates need only these sums:
//
//	Σ_b H[b,k]·x_b = Σ_j G[j,k]·S_j   and   Σ_b H[b,k] = Σ_j G[j,k]·n_j
//
// with G[j,k] = h(gridDist(j, k), σ), which costs (distinct BMUs)·K·D
// instead of B·K·D and is computed as one matrix product per block of
// distinct BMUs.
type Stats struct {
	m       *Map
	sums    []float64 // K×D
	counts  []float64 // K
	sqsums  []float64 // K: Σ ‖x‖² of each unit's records, for Distortion (Euclidean only)
	touched []int     // units with counts > 0, in order of first hit
	present []float64 // K×D with Config.Missing: per unit, records holding each feature
	n       int

	// before is the distortion measured by the last update (measured).
	before   float64
	measured bool

	upd   *updateGraph // built by the first update
	norms []float64    // per record of an Add: ‖x_b‖²
	parts []float64    // per chunk of units: energy terms
}

// NewStats returns empty per-BMU sums for m.
func (m *Map) NewStats() *Stats {
	k, d := m.Units(), m.Dim()
	s := &Stats{m: m, sums: make([]float64, k*d), counts: make([]float64, k), sqsums: make([]float64, k)}
	if m.cfg.Missing {
		s.present = make([]float64, k*d)
	}
	return s
}

// Records returns the number of records added since the last Reset.
func (s *Stats) Records() int { return s.n }

// Hits returns how many records each unit won since the last Reset (not a
// copy: do not change it).
func (s *Stats) Hits() []float64 { return s.counts }

// Add adds the records of x (B×D, float32 or float64) with their BMUs. It
// returns an error wrapping ErrShape, ErrDtype or ErrUnit, and adds
// nothing, if x and bmu do not fit each other or the map.
func (s *Stats) Add(x *tensor.Dense, bmu []int) error {
	d := s.m.Dim()
	if x == nil || x.Dims() != 2 || x.Shape()[0] != len(bmu) || x.Shape()[1] != d {
		var shape any = "nil"
		if x != nil {
			shape = x.Shape()
		}
		return fmt.Errorf("%w: Stats.Add: batch %v with %d BMUs for dimension %d", ErrShape, shape, len(bmu), d)
	}
	for b, j := range bmu {
		if j < 0 || j >= s.m.Units() {
			return fmt.Errorf("%w: Stats.Add: record %d has BMU %d, the map has %d units", ErrUnit, b, j, s.m.Units())
		}
	}
	if x.RequiresIterator() {
		x = x.Materialize().(*tensor.Dense)
	}
	// The squared norms serve only the Euclidean distortion.
	var norms []float64
	if s.euclidean() == nil {
		if cap(s.norms) < len(bmu) {
			s.norms = make([]float64, len(bmu))
		}
		norms = s.norms[:len(bmu)]
	}
	switch v := x.Data().(type) {
	case []float32:
		addSums(s, v, bmu, d, norms)
	case []float64:
		addSums(s, v, bmu, d, norms)
	default:
		return fmt.Errorf("%w: Stats.Add: batch is %v", ErrDtype, x.Dtype())
	}
	s.count(bmu, norms)
	s.n += len(bmu)
	s.measured = false
	return nil
}

// addSums adds the per-unit sums of a BMUSums run (rows of [Σx, n, Q] for
// units, in float64) of a batch of records records.
func (s *Stats) addSums(units []int, rows []float64, records int) {
	d := s.m.Dim()
	dn := sumsWidth(d, s.present != nil)
	for i, j := range units {
		r := rows[i*dn : (i+1)*dn]
		if s.counts[j] == 0 {
			s.touched = append(s.touched, j)
		}
		s.counts[j] += r[d]
		s.sqsums[j] += r[d+1]
		dst := s.sums[j*d : (j+1)*d]
		for f, v := range r[:d] {
			dst[f] += v
		}
		if s.present != nil {
			p := s.present[j*d : (j+1)*d]
			for f, v := range r[d+2 : dn] {
				p[f] += v
			}
		}
	}
	s.n += records
	s.measured = false
}

// count adds the records' counts and, unless norms is nil, their squared
// norms to their BMUs.
func (s *Stats) count(bmu []int, norms []float64) {
	for b, j := range bmu {
		if s.counts[j] == 0 {
			s.touched = append(s.touched, j)
		}
		s.counts[j]++
		if norms != nil {
			s.sqsums[j] += norms[b]
		}
	}
}

// addSums adds each record of x to its BMU's sum and, unless norms is nil,
// writes the records' squared norms into norms.
func addSums[T float](s *Stats, x []T, bmu []int, d int, norms []float64) {
	if norms != nil {
		rowNorms(norms, x, d)
	}
	// Split the features over the cores: each worker owns a range of
	// columns of every sum, so no two write the same value.
	par.Rows(d, 32, func(lo, hi int) {
		for b, j := range bmu {
			dst := s.sums[j*d+lo : j*d+hi]
			if s.present != nil { // missing values: NaN adds nothing
				p := s.present[j*d+lo : j*d+hi]
				for f, v := range x[b*d+lo : b*d+hi] {
					if v == v {
						dst[f] += float64(v)
						p[f]++
					}
				}
				continue
			}
			for f, v := range x[b*d+lo : b*d+hi] {
				dst[f] += float64(v)
			}
		}
	})
}

// errNoUpdate is DistortionBefore's error before any update.
var errNoUpdate = errors.New("graph: Stats.DistortionBefore: no update since the records were added")

// Reset empties the sums.
func (s *Stats) Reset() {
	d := s.m.Dim()
	for _, j := range s.touched {
		s.counts[j], s.sqsums[j] = 0, 0
		clear(s.sums[j*d : (j+1)*d])
		if s.present != nil {
			clear(s.present[j*d : (j+1)*d])
		}
	}
	s.touched = s.touched[:0]
	s.n = 0
	s.measured = false
}

// Distortion returns the SOM energy of the records added to s against the
// map's current codebook at radius sigma, for the Euclidean distance:
//
//	Σ_b Σ_k h(gridDist(bmu_b, k), σ)·‖x_b − w_k‖²
//	  = Σ_j Q_j·Σ_k G[j,k] − 2·Σ_k w_k·N_k + Σ_k den_k·‖w_k‖²
//
// from the per-unit sums S_j, squared norms Q_j and counts n_j, where
// N_k = Σ_j G[j,k]·S_j and den_k = Σ_j G[j,k]·n_j are exactly what the
// updates compute: one (distinct BMUs)×K×(D+2) product instead of a pass over
// every record's K distances. Divide by Records for the mean. It returns an
// error for another distance or an invalid sigma.
func (s *Stats) Distortion(sigma float64) (float64, error) {
	if err := s.euclidean(); err != nil {
		return 0, err
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return 0, fmt.Errorf("%w: got %v", ErrSigma, sigma)
	}
	if s.n == 0 {
		return 0, nil
	}
	return s.update(sigma, 0, measureOnly)
}

// DistortionBefore returns the SOM energy (as Distortion) of the records
// in s against the codebook the last UpdateMiniBatch or UpdateBatch of s
// replaced, at that update's radius. The update measures it on the way, at
// O(K·D) extra cost. It returns an error if no update ran since the last
// Add or Reset, or for a distance other than Euclidean.
func (s *Stats) DistortionBefore() (float64, error) {
	if err := s.euclidean(); err != nil {
		return 0, err
	}
	if !s.measured {
		return 0, errNoUpdate
	}
	return s.before, nil
}

func (s *Stats) euclidean() error {
	if !s.m.cfg.euclidean() {
		d := any(s.m.cfg.Distance)
		if len(s.m.cfg.layers()) > 0 {
			d = "layers"
		}
		return fmt.Errorf("%w: the distortion from per-unit sums needs the Euclidean distance, the map uses %v", ErrDistance, d)
	}
	return nil
}

// UpdateMiniBatch applies fastsom's mini-batch rule to every unit k,
//
//	w_k += α/B · Σ_b H[b,k]·(x_b − w_k)
//
// over the B records added to s, with H from the map's neighbourhood at
// radius sigma, computed by the Stats' update graph (see Stats.Graph). It
// does nothing if s is empty.
func (m *Map) UpdateMiniBatch(s *Stats, alpha, sigma float64) error {
	if s == nil || s.m != m {
		return fmt.Errorf("%w: the stats were made by another map", ErrOtherMap)
	}
	return s.Apply(MiniBatchRule(alpha), sigma)
}

// UpdateBatch applies Kohonen's batch rule to every unit k,
//
//	w_k = Σ_b H[b,k]·x_b / Σ_b H[b,k]
//
// over the records added to s (normally a whole epoch), with H computed by
// the Stats' update graph (see Stats.Graph). A unit whose neighbourhood
// weight Σ_b H[b,k] is not positive keeps its weights.
func (m *Map) UpdateBatch(s *Stats, sigma float64) error {
	if s == nil || s.m != m {
		return fmt.Errorf("%w: the stats were made by another map", ErrOtherMap)
	}
	return s.Apply(BatchRule(), sigma)
}

// Rule is an update rule for Stats.Apply: BatchRule or MiniBatchRule. The
// zero Rule is none (Apply returns an error).
type Rule struct {
	kind  rule
	alpha float64
}

// BatchRule returns Kohonen's batch rule (see Map.UpdateBatch): every
// unit moves to the neighbourhood-weighted mean of the records.
func BatchRule() Rule { return Rule{kind: batchRule} }

// MiniBatchRule returns fastsom's mini-batch rule with learning rate alpha
// (see Map.UpdateMiniBatch).
func MiniBatchRule(alpha float64) Rule { return Rule{kind: miniBatchRule, alpha: alpha} }

// String names the rule.
func (r Rule) String() string {
	switch r.kind {
	case batchRule:
		return "batch"
	case miniBatchRule:
		return fmt.Sprintf("mini-batch(alpha=%v)", r.alpha)
	}
	return "none"
}

// ErrRule means Stats.Apply got no update rule (the zero Rule).
var ErrRule = errors.New("graph: no update rule: use BatchRule() or MiniBatchRule(alpha)")

// Apply updates the codebook of the map s belongs to from the records
// added to (or merged into) s, with rule r at neighbourhood radius sigma,
// through the Stats' update graph (see Stats.Graph). It is the step that
// ends an epoch of the batch mode, in process (trainer) and distributed
// (beam/) alike: fill Stats with Add or Forward.SearchInto, Merge the
// parts, Apply. It does nothing if s is empty, and measures the distortion
// against the codebook it replaces (DistortionBefore). It returns an error
// for a detached Stats (decoded into a zero Stats: merge it into the map's
// own), for an invalid sigma or alpha, or for the zero Rule.
func (s *Stats) Apply(r Rule, sigma float64) error {
	if s == nil || s.m == nil {
		return fmt.Errorf("%w: the statistics are detached (decoded or merged into a zero Stats): merge them into the map's own NewStats to update", ErrOtherMap)
	}
	step := 0.0
	switch r.kind {
	case batchRule:
	case miniBatchRule:
		if math.IsNaN(r.alpha) || math.IsInf(r.alpha, 0) {
			return fmt.Errorf("%w: got %v", ErrAlpha, r.alpha)
		}
		step = r.alpha / float64(max(s.n, 1))
	default:
		return ErrRule
	}
	return s.checkedUpdate(sigma, step, r.kind)
}

// rule says what update does with the neighbourhood sums.
type rule int

const (
	measureOnly   rule = iota // leave the codebook, return the distortion
	miniBatchRule             // w += step·(N − den·w)
	batchRule                 // w = N / den
)

func (s *Stats) checkedUpdate(sigma, step float64, r rule) error {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("%w: got %v", ErrSigma, sigma)
	}
	if s.n == 0 {
		return nil
	}
	before, err := s.update(sigma, step, r)
	if err != nil {
		return err
	}
	s.before, s.measured = before, true
	return nil
}

// update runs the Stats' update graph over the touched units, applies rule
// r to the codebook and returns the distortion of s's records against the
// codebook as it was (meaningful for the Euclidean distance only).
func (s *Stats) update(sigma, step float64, r rule) (float64, error) {
	ug, err := s.graph()
	if err != nil {
		return 0, err
	}
	num, err := ug.run(s, sigma)
	if err != nil {
		return 0, err
	}
	return s.m.applyRule(num, step, r, &s.parts), nil
}

// applyRule applies rule r to the codebook from the neighbourhood-weighted
// sums num (K×(D+2), rows [N_k, den_k, qden_k], as WeightedSums computes
// them) and returns Σ_k (qden_k + den_k·‖w_k‖² − 2·w_k·N_k) on the
// codebook as it was: the distortion of the records behind num. This is
// the only arithmetic of an update outside the graph.
func (m *Map) applyRule(num *tensor.Dense, step float64, r rule, parts *[]float64) float64 {
	switch w := m.codebook.Data().(type) {
	case []float32:
		return applyRule(m, w, num.Data().([]float32), step, r, parts)
	case []float64:
		return applyRule(m, w, num.Data().([]float64), step, r, parts)
	}
	return math.NaN()
}

func applyRule[T float](m *Map, w, num []T, step float64, r rule, scratch *[]float64) float64 {
	k, d := m.Units(), m.Dim()
	if m.cfg.Missing {
		applyRuleMissing(w, num, k, d, T(step), r)
		return math.NaN()
	}
	dn := d + 2
	// One pass over the units measures Σ_k (qden_k + den_k·‖w_k‖² −
	// 2·w_k·N_k) on the codebook as it is and then applies the rule to it.
	nc := par.Chunks(k, 64)
	if len(*scratch) < nc {
		*scratch = make([]float64, nc)
	}
	parts := (*scratch)[:nc]
	clear(parts)
	par.Split(k, len(parts), func(c, lo, hi int) {
		var e float64
		for u := lo; u < hi; u++ {
			wr := w[u*d : (u+1)*d]
			nr := num[u*dn : u*dn+d]
			den := float64(num[u*dn+d])
			var ww, wn float64
			switch { // in T: converting every value to float64 and back costs more than the arithmetic
			case r == batchRule && den > 1e-12:
				ww, wn = sqNorm(wr), dot(wr, nr)
				inv := T(1 / den)
				for f, v := range nr {
					wr[f] = v * inv
				}
			case r == miniBatchRule:
				ww, wn = stepRow(wr, nr, T(step), T(den))
			default:
				ww, wn = sqNorm(wr), dot(wr, nr)
			}
			e += float64(num[u*dn+d+1]) + den*ww - 2*wn
		}
		parts[c] = e
	})
	var total float64
	for _, e := range parts { // in chunk order: a deterministic sum
		total += e
	}
	return total
}

// applyRuleMissing applies rule r feature by feature with the per-feature
// neighbourhood weights of the records that hold the feature (the last D
// columns of num's rows, see bmuSums): a unit's feature moves only by the
// records where it is present. The batch rule keeps a feature whose weight
// is not positive.
func applyRuleMissing[T float](w, num []T, k, d int, step T, r rule) {
	dn := sumsWidth(d, true)
	par.Rows(k, 64, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			wr := w[u*d : (u+1)*d]
			nr := num[u*dn : u*dn+d]
			den := num[u*dn+d+2 : (u+1)*dn]
			for f := range wr {
				switch r {
				case miniBatchRule:
					wr[f] += step * (nr[f] - den[f]*wr[f])
				case batchRule:
					if den[f] > 1e-12 {
						wr[f] = nr[f] / den[f]
					}
				}
			}
		}
	})
}
