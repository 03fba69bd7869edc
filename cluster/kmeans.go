package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// KMeansOptions configures FitKMeans. The zero value of each field means its
// default.
type KMeansOptions struct {
	// Restarts is the number of seeded runs, the lowest cost kept; 0
	// means 5.
	Restarts int
	// MaxIter bounds Lloyd's iterations per run; 0 means 100.
	MaxIter int
	// Seed seeds the k-means++ draws; the same seed gives the same result.
	Seed uint64
}

// KMeansResult is a k-means clustering.
type KMeansResult struct {
	// Labels gives each row its cluster, numbered in the order of their
	// lowest row.
	Labels []int
	// Centers are the k weighted cluster means, row-major, in label order.
	Centers []float64
	// Cost is the weighted sum of squared distances from each row to its
	// center.
	Cost float64
}

// FitKMeans clusters the n×d row-major data into k clusters with Lloyd's
// algorithm from k-means++ seeds, weighting each row by weights (nil
// weighs every row 1). opts may be nil.
func FitKMeans(data []float64, d int, weights []float64, k int, opts *KMeansOptions) (*KMeansResult, error) {
	n, err := checkData(data, d)
	if err != nil {
		return nil, err
	}
	if err := checkK(k, n); err != nil {
		return nil, err
	}
	w, err := checkWeights(weights, n, false)
	if err != nil {
		return nil, err
	}
	var o KMeansOptions
	if opts != nil {
		o = *opts
	}
	if o.Restarts < 0 || o.MaxIter < 0 {
		return nil, fmt.Errorf("cluster: k-means restarts %d and iterations %d must be ≥ 0", o.Restarts, o.MaxIter)
	}
	if o.Restarts == 0 {
		o.Restarts = 5
	}
	if o.MaxIter == 0 {
		o.MaxIter = 100
	}
	if distinct(data, d) < k {
		return nil, fmt.Errorf("cluster: %d clusters asked for, the codebook has only %d distinct units", k, distinct(data, d))
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x636c7573746572))
	var best *KMeansResult
	for range o.Restarts {
		r := lloyd(data, n, d, w, k, o.MaxIter, rng)
		if best == nil || r.Cost < best.Cost {
			best = r
		}
	}
	// renumber labels and centers in the order of their lowest row
	ids := make([]int, k)
	for i := range ids {
		ids[i] = -1
	}
	next := 0
	for _, c := range best.Labels {
		if ids[c] < 0 {
			ids[c] = next
			next++
		}
	}
	centers := make([]float64, k*d)
	for c, id := range ids {
		copy(centers[id*d:(id+1)*d], best.Centers[c*d:(c+1)*d])
	}
	for i, c := range best.Labels {
		best.Labels[i] = ids[c]
	}
	best.Centers = centers
	return best, nil
}

// checkK returns an error unless 2 ≤ k ≤ n.
func checkK(k, n int) error {
	if k < 2 {
		return fmt.Errorf("cluster: k = %d: want at least 2 clusters", k)
	}
	if k > n {
		return fmt.Errorf("cluster: k = %d: the map has only %d units", k, n)
	}
	return nil
}

// distinct counts the distinct rows of data.
func distinct(data []float64, d int) int {
	seen := map[string]struct{}{}
	buf := make([]byte, 0, 8*d)
	for i := 0; i < len(data); i += d {
		buf = buf[:0]
		for _, v := range data[i : i+d] {
			if v == 0 {
				v = 0 // -0 and +0 are the same value
			}
			b := math.Float64bits(v)
			buf = append(buf, byte(b), byte(b>>8), byte(b>>16), byte(b>>24), byte(b>>32), byte(b>>40), byte(b>>48), byte(b>>56))
		}
		seen[string(buf)] = struct{}{}
	}
	return len(seen)
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for j, x := range a {
		v := x - b[j]
		s += v * v
	}
	return s
}

// lloyd runs one k-means from k-means++ seeds.
func lloyd(data []float64, n, d int, w []float64, k, maxIter int, rng *rand.Rand) *KMeansResult {
	row := func(i int) []float64 { return data[i*d : (i+1)*d] }
	centers := make([]float64, k*d)
	ctr := func(c int) []float64 { return centers[c*d : (c+1)*d] }
	d2 := make([]float64, n)
	// k-means++: the first center drawn by weight, then by weight × D².
	pick := func(p []float64) int {
		total := 0.0
		for _, v := range p {
			total += v
		}
		x := rng.Float64() * total
		for i, v := range p {
			x -= v
			if x < 0 && v > 0 {
				return i
			}
		}
		for i := n - 1; i >= 0; i-- { // rounding: the last row with mass
			if p[i] > 0 {
				return i
			}
		}
		return 0
	}
	copy(ctr(0), row(pick(w)))
	for i := range n {
		d2[i] = sqDist(row(i), ctr(0))
	}
	p := make([]float64, n)
	for c := 1; c < k; c++ {
		for i := range n {
			p[i] = w[i] * d2[i]
		}
		copy(ctr(c), row(pick(p)))
		for i := range n {
			d2[i] = math.Min(d2[i], sqDist(row(i), ctr(c)))
		}
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	sums := make([]float64, k*d)
	wsum := make([]float64, k)
	cost := 0.0
	for it := 0; it < maxIter; it++ {
		changed := false
		cost = 0
		for i := range n {
			best, bd := 0, math.Inf(1)
			for c := range k {
				if v := sqDist(row(i), ctr(c)); v < bd {
					best, bd = c, v
				}
			}
			d2[i] = bd
			cost += w[i] * bd
			if labels[i] != best {
				labels[i], changed = best, true
			}
		}
		if !changed {
			break
		}
		clear(sums)
		clear(wsum)
		for i, c := range labels {
			wsum[c] += w[i]
			s := sums[c*d : (c+1)*d]
			for j, v := range row(i) {
				s[j] += w[i] * v
			}
		}
		for c := range k {
			if wsum[c] == 0 { // an empty cluster takes the row farthest from its center
				far := 0
				for i := range n {
					if w[i]*d2[i] > w[far]*d2[far] {
						far = i
					}
				}
				copy(ctr(c), row(far))
				d2[far] = 0
				continue
			}
			for j := range d {
				centers[c*d+j] = sums[c*d+j] / wsum[c]
			}
		}
	}
	return &KMeansResult{Labels: labels, Centers: centers, Cost: cost}
}
