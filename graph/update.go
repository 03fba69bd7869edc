package graph

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
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
	sqsums  []float64 // K: Σ ‖x‖² of each unit's records, for Distortion
	touched []int     // units with counts > 0, in order of first hit
	n       int

	// scratch for the update, in the map's dtype
	gBlock, sBlock, num any
	den                 []float64
}

// statsBlock is the number of distinct BMUs handled per matrix product.
const statsBlock = 256

// NewStats returns empty per-BMU sums for m.
func (m *Map) NewStats() *Stats {
	k, d := m.Units(), m.Dim()
	s := &Stats{m: m, sums: make([]float64, k*d), counts: make([]float64, k), sqsums: make([]float64, k), den: make([]float64, k)}
	bs := min(statsBlock, k)
	if m.cfg.Dtype == tensor.Float32 {
		s.gBlock, s.sBlock, s.num = make([]float32, bs*k), make([]float32, bs*d), make([]float32, k*d)
	} else {
		s.gBlock, s.sBlock, s.num = make([]float64, bs*k), make([]float64, bs*d), make([]float64, k*d)
	}
	return s
}

// Records returns the number of records added since the last Reset.
func (s *Stats) Records() int { return s.n }

// Hits returns how many records each unit won since the last Reset (not a
// copy: do not change it).
func (s *Stats) Hits() []float64 { return s.counts }

// Add adds the records of x (B×D, float32 or float64) with their BMUs.
func (s *Stats) Add(x *tensor.Dense, bmu []int) {
	d := s.m.Dim()
	if x.Shape()[0] != len(bmu) || x.Shape()[1] != d {
		panic(fmt.Sprintf("graph: Stats.Add: batch %v with %d BMUs for dimension %d", x.Shape(), len(bmu), d))
	}
	switch v := x.Data().(type) {
	case []float32:
		addStats(s, v, bmu, d)
	case []float64:
		addStats(s, v, bmu, d)
	}
	s.n += len(bmu)
}

func addStats[T float](s *Stats, x []T, bmu []int, d int) {
	for _, j := range bmu {
		if s.counts[j] == 0 {
			s.touched = append(s.touched, j)
		}
		s.counts[j]++
	}
	// Split the features over the cores: each worker owns a range of
	// columns of every sum, so no two write the same value.
	parallelRows(d, 32, func(lo, hi int) {
		for b, j := range bmu {
			dst := s.sums[j*d+lo : j*d+hi]
			for f, v := range x[b*d+lo : b*d+hi] {
				dst[f] += float64(v)
			}
		}
	})
	for b, j := range bmu {
		s.sqsums[j] += sqNorm(x[b*d : (b+1)*d])
	}
}

// Reset empties the sums.
func (s *Stats) Reset() {
	d := s.m.Dim()
	for _, j := range s.touched {
		s.counts[j], s.sqsums[j] = 0, 0
		clear(s.sums[j*d : (j+1)*d])
	}
	s.touched = s.touched[:0]
	s.n = 0
}

// Distortion returns the SOM energy of the records added to s against the
// map's current codebook at radius sigma, for the Euclidean distance:
//
//	Σ_b Σ_k h(gridDist(bmu_b, k), σ)·‖x_b − w_k‖²
//	  = Σ_j Σ_k G[j,k]·(Q_j − 2·S_j·w_k + n_j·‖w_k‖²)
//
// from the per-unit sums S_j, squared norms Q_j and counts n_j: one
// (distinct BMUs)×K×D product instead of a pass over every record's K
// distances. Divide by Records for the mean. It returns an error for
// another distance or an invalid sigma.
func (s *Stats) Distortion(sigma float64) (float64, error) {
	m := s.m
	if m.cfg.Distance != Euclidean {
		return 0, fmt.Errorf("graph: Stats.Distortion needs the Euclidean distance, the map uses %v", m.cfg.Distance)
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return 0, fmt.Errorf("graph: sigma %v must be a positive number", sigma)
	}
	switch w := m.codebook.Data().(type) {
	case []float32:
		return statsDistortion(s, w, s.gBlock.([]float32), s.sBlock.([]float32), sigma), nil
	case []float64:
		return statsDistortion(s, w, s.gBlock.([]float64), s.sBlock.([]float64), sigma), nil
	}
	return 0, nil
}

func statsDistortion[T float](s *Stats, w, gb, sb []T, sigma float64) float64 {
	m := s.m
	k, d := m.Units(), m.Dim()
	o, tab := m.tables.o, m.tables.table(sigma)
	wn := make([]float64, k)
	for u := range wn {
		wn[u] = sqNorm(w[u*d : (u+1)*d])
	}
	var total float64
	h := make([]float64, k)
	for start := 0; start < len(s.touched); start += statsBlock {
		units := s.touched[start:min(start+statsBlock, len(s.touched))]
		nb := len(units)
		for i, j := range units {
			dst := sb[i*d : (i+1)*d]
			for f, v := range s.sums[j*d : (j+1)*d] {
				dst[f] = T(v)
			}
		}
		p := gb[:nb*k] // S_J·Wᵀ, J×K
		gemmNT(sb[:nb*d], w, p, nb, k, d)
		for i, j := range units {
			gather(o, tab, j, h)
			n, q := s.counts[j], s.sqsums[j]
			for u, hv := range h {
				total += hv * (q - 2*float64(p[i*k+u]) + n*wn[u])
			}
		}
	}
	return total
}

// UpdateMiniBatch applies fastsom's mini-batch rule to every unit k,
//
//	w_k += α/B · Σ_b H[b,k]·(x_b − w_k)
//
// over the B records added to s, with H from the map's neighbourhood at
// radius sigma. It does nothing if s is empty.
func (m *Map) UpdateMiniBatch(s *Stats, alpha, sigma float64) error {
	if math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return fmt.Errorf("graph: alpha %v must be a number", alpha)
	}
	return m.update(s, sigma, alpha/float64(max(s.n, 1)), false)
}

// UpdateBatch applies Kohonen's batch rule to every unit k,
//
//	w_k = Σ_b H[b,k]·x_b / Σ_b H[b,k]
//
// over the records added to s (normally a whole epoch). A unit whose
// neighbourhood weight Σ_b H[b,k] is not positive keeps its weights.
func (m *Map) UpdateBatch(s *Stats, sigma float64) error {
	return m.update(s, sigma, 0, true)
}

func (m *Map) update(s *Stats, sigma, step float64, batch bool) error {
	if s.m != m {
		return fmt.Errorf("graph: stats belong to another map")
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("graph: sigma %v must be a positive number", sigma)
	}
	if s.n == 0 {
		return nil
	}
	switch w := m.codebook.Data().(type) {
	case []float32:
		applyUpdate(m, s, w, s.gBlock.([]float32), s.sBlock.([]float32), s.num.([]float32), sigma, step, batch)
	case []float64:
		applyUpdate(m, s, w, s.gBlock.([]float64), s.sBlock.([]float64), s.num.([]float64), sigma, step, batch)
	}
	return nil
}

func applyUpdate[T float](m *Map, s *Stats, w, gb, sb, num []T, sigma, step float64, batch bool) {
	k, d := m.Units(), m.Dim()
	o, tab := m.tables.o, m.tables.table(sigma)
	clear(s.den)
	for start := 0; start < len(s.touched); start += statsBlock {
		units := s.touched[start:min(start+statsBlock, len(s.touched))]
		nb := len(units)
		for i, j := range units {
			g := gb[i*k : (i+1)*k]
			gather(o, tab, j, g)
			n := s.counts[j]
			for u, h := range g {
				s.den[u] += float64(h) * n
			}
			src := s.sums[j*d : (j+1)*d]
			dst := sb[i*d : (i+1)*d]
			for f, v := range src {
				dst[f] = T(v)
			}
		}
		beta := T(1)
		if start == 0 {
			beta = 0
		}
		gemmTN(gb[:nb*k], sb[:nb*d], num, k, d, nb, beta)
	}
	parallelRows(k, 64, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			wr := w[u*d : (u+1)*d]
			nr := num[u*d : (u+1)*d]
			den := s.den[u]
			if batch {
				if den > 1e-12 {
					inv := 1 / den
					for f := range wr {
						wr[f] = T(float64(nr[f]) * inv)
					}
				}
				continue
			}
			for f := range wr {
				wr[f] += T(step * (float64(nr[f]) - den*float64(wr[f])))
			}
		}
	})
}

// gemmTN computes out (k×d) = aᵀ·b + beta·out for a (n×k) and b (n×d)
// through Gorgonia's BLAS.
func gemmTN[T float](a, b, out []T, k, d, n int, beta T) {
	switch as := any(a).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(blas.Trans, blas.NoTrans, k, d, n, 1, as, k, any(b).([]float32), d, float32(beta), any(out).([]float32), d)
	case []float64:
		G.WhichBLAS().Dgemm(blas.Trans, blas.NoTrans, k, d, n, 1, as, k, any(b).([]float64), d, float64(beta), any(out).([]float64), d)
	}
}
