package cluster

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// checkLabels returns the number of clusters of labels (max label + 1)
// for n rows and an error for a wrong length or a negative label.
func checkLabels(labels []int, n int) (int, error) {
	if len(labels) != n {
		return 0, fmt.Errorf("cluster: %d labels for %d rows", len(labels), n)
	}
	k := 0
	for i, c := range labels {
		if c < 0 {
			return 0, fmt.Errorf("cluster: row %d has label %d, want ≥ 0", i, c)
		}
		k = max(k, c+1)
	}
	return k, nil
}

// Silhouette returns the mean silhouette of the n×d row-major data
// clustered by labels, with Euclidean distances. For row i, a is the mean
// distance to the other rows of its cluster and b the lowest mean distance
// to the rows of another cluster; its silhouette is (b − a) / max(a, b),
// 0 in a cluster of one row. With weights (nil weighs every row 1) the
// means are weighted, and so is the mean over rows. It is in [−1, 1];
// higher is better. It needs at least two clusters.
func Silhouette(data []float64, d int, labels []int, weights []float64) (float64, error) {
	n, k, w, err := checkClustering(data, d, labels, weights)
	if err != nil {
		return 0, err
	}
	if k < 2 {
		return 0, errors.New("cluster: the silhouette needs at least 2 clusters")
	}
	dist := func(i int, out []float64) {
		for j := range n {
			out[j] = math.Sqrt(sqDist(data[i*d:(i+1)*d], data[j*d:(j+1)*d]))
		}
	}
	return silhouette(n, k, labels, w, dist), nil
}

// silhouette computes the weighted mean silhouette; dist fills the
// distances from row i to every row.
func silhouette(n, k int, labels []int, w []float64, dist func(i int, out []float64)) float64 {
	sums := make([]float64, n*k) // sums[i*k+c]: Σ w_j·d(i, j) over cluster c
	row := make([]float64, n)
	for i := range n {
		dist(i, row)
		sum := sums[i*k : (i+1)*k]
		for j, c := range labels {
			sum[c] += w[j] * row[j]
		}
	}
	return silhouetteFromSums(k, labels, w, sums, identity(k))
}

func identity(k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = i
	}
	return out
}

// silhouettes returns the silhouette of each labeling of the rows of dm,
// labelings[i] having ks[i] clusters. When a labeling splits exactly one
// cluster of the one before (successive cuts of a merge tree), the
// per-cluster sums of distances are updated from the smaller part of the
// split alone instead of from every row.
func silhouettes(dm *distMatrix, w []float64, labelings [][]int, ks []int) []float64 {
	n := len(w)
	stride := slices.Max(ks)
	sums := make([]float64, n*stride) // sums[i*stride+slot[c]]: Σ w_j·d(i, j) over cluster c
	row := make([]float64, n)
	full := func(labels []int, k int) []int {
		clear(sums)
		for i := range n {
			dm.row(i, row)
			sum := sums[i*stride : i*stride+k]
			for j, c := range labels {
				sum[c] += w[j] * row[j]
			}
		}
		return identity(k)
	}
	out := make([]float64, len(ks))
	var slot []int
	for li, labels := range labelings {
		k := ks[li]
		var q []int
		var from int
		if li > 0 && k == ks[li-1]+1 {
			slot, q, from = splitSlots(labelings[li-1], labels, slot, k)
		}
		if q == nil {
			slot = full(labels, k)
		} else {
			for _, j := range q {
				dm.row(j, row) // distances are symmetric: column j
				for i := range n {
					sums[i*stride+k-1] += w[j] * row[i]
				}
			}
			for i := range n {
				sums[i*stride+from] -= sums[i*stride+k-1]
			}
		}
		out[li] = silhouetteFromSums(stride, labels, w, sums, slot)
	}
	return out
}

// splitSlots checks that labels (k clusters) split exactly one cluster of
// prev (k−1 clusters, whose sums sit in the columns prevSlot). It returns
// the columns of the new clusters: the larger part of the split keeps the
// split cluster's column from, the smaller part q gets column k−1. q is
// nil if labels do not split one cluster of prev.
func splitSlots(prev, labels, prevSlot []int, k int) (slot, q []int, from int) {
	parent := make([]int, k)
	for i := range parent {
		parent[i] = -1
	}
	for j, c := range labels {
		switch parent[c] {
		case -1:
			parent[c] = prev[j]
		case prev[j]:
		default:
			return nil, nil, 0 // a new cluster straddles two old ones
		}
	}
	children := make([][]int, k-1)
	for c, p := range parent {
		if p < 0 || p >= k-1 {
			return nil, nil, 0
		}
		children[p] = append(children[p], c)
	}
	split := -1
	for p, ch := range children {
		if len(ch) == 2 {
			split = p
		} else if len(ch) != 1 {
			return nil, nil, 0
		}
	}
	if split < 0 {
		return nil, nil, 0
	}
	size := Counts(labels, k)
	big, small := children[split][0], children[split][1]
	if size[small] > size[big] {
		big, small = small, big
	}
	slot = make([]int, k)
	for c, p := range parent {
		slot[c] = prevSlot[p]
	}
	slot[small] = k - 1
	for j, c := range labels {
		if c == small {
			q = append(q, j)
		}
	}
	return slot, q, prevSlot[split]
}

// silhouetteFromSums is the weighted mean silhouette from the sums of
// weighted distances of each row to each cluster (column slot[c] of a
// row of stride columns).
func silhouetteFromSums(stride int, labels []int, w, sums []float64, slot []int) float64 {
	k := len(slot)
	cw := make([]float64, k) // weight per cluster
	for i, c := range labels {
		cw[c] += w[i]
	}
	total, wt := 0.0, 0.0
	for i, ci := range labels {
		sum := sums[i*stride : (i+1)*stride]
		s := 0.0
		if own := cw[ci] - w[i]; own > 0 && own > 1e-12*cw[ci] {
			a := sum[slot[ci]] / own
			b := math.Inf(1)
			for c := range k {
				if c != ci && cw[c] > 0 {
					b = math.Min(b, sum[slot[c]]/cw[c])
				}
			}
			if m := math.Max(a, b); m > 0 && !math.IsInf(b, 1) {
				s = (b - a) / m
			}
		}
		total += w[i] * s
		wt += w[i]
	}
	return total / wt
}

// DaviesBouldin returns the Davies–Bouldin index of the n×d row-major data
// clustered by labels: the mean over clusters of the largest
// (s_i + s_j) / ‖c_i − c_j‖, where c is a cluster's (weighted) centroid and
// s the (weighted) mean distance of its rows to it. Lower is better; 0 is
// the ideal. Two clusters with the same centroid give +Inf. Empty labels
// (numbers no row has) are skipped. It needs at least two clusters.
func DaviesBouldin(data []float64, d int, labels []int, weights []float64) (float64, error) {
	_, k, w, err := checkClustering(data, d, labels, weights)
	if err != nil {
		return 0, err
	}
	cent := make([]float64, k*d)
	cw := make([]float64, k)
	for i, c := range labels {
		cw[c] += w[i]
		for j := range d {
			cent[c*d+j] += w[i] * data[i*d+j]
		}
	}
	var live []int
	for c := range k {
		if cw[c] > 0 {
			live = append(live, c)
			for j := range d {
				cent[c*d+j] /= cw[c]
			}
		}
	}
	if len(live) < 2 {
		return 0, errors.New("cluster: the Davies–Bouldin index needs at least 2 clusters")
	}
	s := make([]float64, k)
	for i, c := range labels {
		s[c] += w[i] * math.Sqrt(sqDist(data[i*d:(i+1)*d], cent[c*d:(c+1)*d]))
	}
	for _, c := range live {
		s[c] /= cw[c]
	}
	total := 0.0
	for _, a := range live {
		worst := 0.0
		for _, b := range live {
			if a == b {
				continue
			}
			m := math.Sqrt(sqDist(cent[a*d:(a+1)*d], cent[b*d:(b+1)*d]))
			r := math.Inf(1)
			if m > 0 {
				r = (s[a] + s[b]) / m
			}
			worst = math.Max(worst, r)
		}
		total += worst
	}
	return total / float64(len(live)), nil
}

// AdjustedRand returns the adjusted Rand index of two labelings of the
// same rows: 1 for identical partitions (whatever the numbering), about 0
// for independent ones, negative for less agreement than chance. Two
// partitions that are both a single cluster (or both all singletons)
// score 1.
func AdjustedRand(a, b []int) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("cluster: adjusted Rand index of %d and %d labels", len(a), len(b))
	}
	if len(a) == 0 {
		return 0, errors.New("cluster: adjusted Rand index of no labels")
	}
	ka, err := checkLabels(a, len(a))
	if err != nil {
		return 0, err
	}
	kb, err := checkLabels(b, len(b))
	if err != nil {
		return 0, err
	}
	table := map[[2]int]float64{}
	ra, rb := make([]float64, ka), make([]float64, kb)
	for i := range a {
		table[[2]int{a[i], b[i]}]++
		ra[a[i]]++
		rb[b[i]]++
	}
	c2 := func(x float64) float64 { return x * (x - 1) / 2 }
	index := 0.0
	for _, v := range table {
		index += c2(v)
	}
	sa, sb := 0.0, 0.0
	for _, v := range ra {
		sa += c2(v)
	}
	for _, v := range rb {
		sb += c2(v)
	}
	expected := sa * sb / c2(float64(len(a)))
	maxIndex := (sa + sb) / 2
	if maxIndex == expected {
		return 1, nil // both trivial in the same way
	}
	return (index - expected) / (maxIndex - expected), nil
}

// checkClustering checks the arguments of a criterion (Silhouette,
// DaviesBouldin) and returns the number of rows, of clusters and the
// weights (1 for each row when weights is nil).
func checkClustering(data []float64, d int, labels []int, weights []float64) (n, k int, w []float64, err error) {
	if n, err = checkData(data, d); err != nil {
		return 0, 0, nil, err
	}
	if k, err = checkLabels(labels, n); err != nil {
		return 0, 0, nil, err
	}
	if w, err = checkWeights(weights, n, false); err != nil {
		return 0, 0, nil, err
	}
	return n, k, w, nil
}
