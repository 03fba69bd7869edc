package cluster

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/somgraph/somgraph/graph"
)

// Merge is one step of agglomerative clustering. Leaves (units) are
// clusters 0..N−1; merge i creates cluster N+i from clusters A < B.
type Merge struct {
	A int `json:"a"`
	B int `json:"b"`
	// Cost is Ward's merge cost: the increase of the weighted
	// within-cluster sum of squares, wa·wb/(wa+wb)·‖ca − cb‖².
	Cost float64 `json:"cost"`
	// Size is the number of units in the new cluster.
	Size int `json:"size"`
}

// Linkage is the merge tree of an agglomerative clustering of N units:
// N−1 merges in the order they were made.
type Linkage struct {
	N      int     `json:"n"`
	Merges []Merge `json:"merges"`
}

// Validate returns an error if the tree is not a full binary merge tree
// of N leaves: N−1 merges, each of two distinct clusters that exist and
// were not merged before, with finite costs and consistent sizes.
func (l *Linkage) Validate() error {
	if l == nil {
		return errors.New("cluster: nil linkage")
	}
	if l.N < 1 {
		return fmt.Errorf("cluster: linkage of %d leaves", l.N)
	}
	if len(l.Merges) != l.N-1 {
		return fmt.Errorf("cluster: linkage of %d leaves has %d merges, want %d", l.N, len(l.Merges), l.N-1)
	}
	size := make([]int, 2*l.N-1)
	used := make([]bool, 2*l.N-1)
	for i := range l.N {
		size[i] = 1
	}
	for i, m := range l.Merges {
		id := l.N + i
		if m.A < 0 || m.B >= id || m.A >= m.B {
			return fmt.Errorf("cluster: merge %d joins clusters %d and %d: want two clusters 0 ≤ A < B < %d", i, m.A, m.B, id)
		}
		if used[m.A] || used[m.B] {
			return fmt.Errorf("cluster: merge %d joins cluster %d or %d a second time", i, m.A, m.B)
		}
		if math.IsNaN(m.Cost) || math.IsInf(m.Cost, 0) || m.Cost < 0 {
			return fmt.Errorf("cluster: merge %d has cost %v, want a finite value ≥ 0", i, m.Cost)
		}
		if m.Size != size[m.A]+size[m.B] {
			return fmt.Errorf("cluster: merge %d has size %d, its clusters hold %d units", i, m.Size, size[m.A]+size[m.B])
		}
		used[m.A], used[m.B] = true, true
		size[id] = m.Size
	}
	return nil
}

// Cut returns the labels of the N units when the tree is cut into k
// clusters (the first N−k merges undone in reverse). Clusters are numbered
// in the order of their lowest unit.
func (l *Linkage) Cut(k int) ([]int, error) {
	if l == nil {
		return nil, errors.New("cluster: cut of a nil linkage")
	}
	if k < 1 || k > l.N {
		return nil, fmt.Errorf("cluster: cut into %d clusters: want 1..%d (the number of units)", k, l.N)
	}
	if len(l.Merges) < l.N-k {
		return nil, fmt.Errorf("cluster: cut into %d clusters needs %d merges, the tree has %d", k, l.N-k, len(l.Merges))
	}
	parent := make([]int, l.N+len(l.Merges))
	for i := range parent {
		parent[i] = i
	}
	for i, m := range l.Merges[:l.N-k] {
		parent[m.A], parent[m.B] = l.N+i, l.N+i
	}
	root := func(u int) int {
		for parent[u] != u {
			u = parent[u]
		}
		return u
	}
	labels := make([]int, l.N)
	for u := range labels {
		labels[u] = root(u)
	}
	return canonical(labels), nil
}

// canonical renumbers labels 0, 1, ... in the order each first appears.
func canonical(labels []int) []int {
	ids := map[int]int{}
	for i, c := range labels {
		id, ok := ids[c]
		if !ok {
			id = len(ids)
			ids[c] = id
		}
		labels[i] = id
	}
	return labels
}

// wardCost is the increase of the weighted within-cluster sum of squares
// when clusters of weights wa, wb and centroids ca, cb merge.
func wardCost(ca, cb []float64, wa, wb float64) float64 {
	s := 0.0
	for j, x := range ca {
		v := x - cb[j]
		s += v * v
	}
	return wa * wb / (wa + wb) * s
}

// WardLinkage clusters the n×d row-major data with Ward's criterion and
// returns the full merge tree. weights gives each row a positive weight (nil
// weighs every row 1). With a non-nil grid of n units, only clusters
// adjacent on the grid merge (contiguous clusters). Ties go to the pair of
// lowest indices.
func WardLinkage(data []float64, d int, weights []float64, grid *graph.Grid) (*Linkage, error) {
	n, err := checkData(data, d)
	if err != nil {
		return nil, err
	}
	w, err := checkWeights(weights, n, true)
	if err != nil {
		return nil, err
	}
	if grid != nil && grid.Units() != n {
		return nil, fmt.Errorf("cluster: a %v grid has %d units, the data %d rows", *grid, grid.Units(), n)
	}
	if grid == nil {
		return nnChain(data, d, w), nil
	}
	cent := slices.Clone(data)
	size := make([]int, n)
	id := make([]int, n)
	active := make([]bool, n)
	for i := range n {
		size[i], id[i], active[i] = 1, i, true
	}
	var nbrs [][]int // nil: every active cluster is a candidate
	if grid != nil {
		nbrs = make([][]int, n)
		for u := range n {
			nbrs[u] = grid.Neighbors(u)
		}
	}
	c := func(a int) []float64 { return cent[a*d : (a+1)*d] }
	cost := func(a, b int) float64 { return wardCost(c(a), c(b), w[a], w[b]) }
	// candidates calls f for every cluster that may merge with a.
	candidates := func(a int, f func(b int)) {
		if nbrs != nil {
			for _, b := range nbrs[a] {
				f(b)
			}
			return
		}
		for b := range n {
			if b != a && active[b] {
				f(b)
			}
		}
	}
	nn := make([]int, n)
	nnCost := make([]float64, n)
	better := func(cst float64, b int, a int) bool { // is b a better partner of a than nn[a]?
		return nn[a] < 0 || cst < nnCost[a] || (cst == nnCost[a] && b < nn[a])
	}
	findNN := func(a int) {
		nn[a], nnCost[a] = -1, math.Inf(1)
		candidates(a, func(b int) {
			if cst := cost(a, b); better(cst, b, a) {
				nn[a], nnCost[a] = b, cst
			}
		})
	}
	for a := range n {
		findNN(a)
	}
	lk := &Linkage{N: n, Merges: make([]Merge, 0, n-1)}
	for step := range n - 1 {
		a := -1
		for i := range n {
			if !active[i] || nn[i] < 0 {
				continue
			}
			if a < 0 || nnCost[i] < nnCost[a] || (nnCost[i] == nnCost[a] && min(i, nn[i]) < min(a, nn[a])) {
				a = i
			}
		}
		if a < 0 {
			return nil, errors.New("cluster: the grid is not connected") // cannot happen on a Grid
		}
		b, mcost := nn[a], nnCost[a]
		if b < a {
			a, b = b, a
		}
		lk.Merges = append(lk.Merges, Merge{A: min(id[a], id[b]), B: max(id[a], id[b]), Cost: mcost, Size: size[a] + size[b]})
		// a becomes the union; b is retired.
		ca, cb := c(a), c(b)
		wt := w[a] + w[b]
		for j := range ca {
			ca[j] = (w[a]*ca[j] + w[b]*cb[j]) / wt
		}
		w[a], size[a], id[a] = wt, size[a]+size[b], n+step
		active[b] = false
		if nbrs != nil {
			merged := make([]int, 0, len(nbrs[a])+len(nbrs[b]))
			for _, x := range append(nbrs[a], nbrs[b]...) {
				if x != a && x != b {
					merged = append(merged, x)
				}
			}
			slices.Sort(merged)
			nbrs[a] = slices.Compact(merged)
			for _, x := range nbrs[b] {
				if x == a {
					continue
				}
				nx := nbrs[x][:0]
				for _, y := range nbrs[x] {
					if y != b && y != a {
						nx = append(nx, y)
					}
				}
				nx = append(nx, a)
				slices.Sort(nx)
				nbrs[x] = nx
			}
			nbrs[b] = nil
		}
		findNN(a)
		candidates(a, func(x int) {
			if nn[x] == a || nn[x] == b {
				findNN(x)
				return
			}
			if cst := cost(x, a); better(cst, a, x) {
				nn[x], nnCost[x] = a, cst
			}
		})
	}
	return lk, nil
}

// checkData returns the number of rows of the row-major data of d columns
// and an error for a bad shape or a value that is not finite.
func checkData(data []float64, d int) (int, error) {
	if d < 1 {
		return 0, fmt.Errorf("cluster: %d features: want at least 1", d)
	}
	if len(data)%d != 0 {
		return 0, fmt.Errorf("cluster: %d values are not rows of %d features", len(data), d)
	}
	n := len(data) / d
	if n < 2 {
		return 0, fmt.Errorf("cluster: %d units: a map needs at least 2 units to be clustered", n)
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("cluster: unit %d, feature %d is %v: the codebook must be finite", i/d, i%d, v)
		}
	}
	return n, nil
}

// deadWeight is the weight of a unit without hits, as a share of the mean
// weight of the units with hits.
const deadWeight = 1e-6

// checkWeights returns a copy of the weights (all 1 if nil) in which zero
// weights are replaced by deadWeight times the mean positive weight. It
// returns an error for a wrong length, a negative or non-finite weight, or
// all weights zero (a map whose units are all dead).
func checkWeights(weights []float64, n int, copyAlways bool) ([]float64, error) {
	if weights == nil {
		w := make([]float64, n)
		for i := range w {
			w[i] = 1
		}
		return w, nil
	}
	if len(weights) != n {
		return nil, fmt.Errorf("cluster: %d weights for %d units", len(weights), n)
	}
	sum, live := 0.0, 0
	for i, v := range weights {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("cluster: weight of unit %d is %v: want a finite hit count ≥ 0", i, v)
		}
		if v > 0 {
			sum += v
			live++
		}
	}
	if live == 0 {
		return nil, errors.New("cluster: every unit has weight 0 (the map's units are all dead: no record hits any unit)")
	}
	w := weights
	if copyAlways || live < n {
		w = slices.Clone(weights)
	}
	floor := deadWeight * sum / float64(live)
	for i, v := range w {
		if v == 0 {
			w[i] = floor
		}
	}
	return w, nil
}

// nnChain is unconstrained Ward clustering by the nearest-neighbour chain
// algorithm: O(n²) merge-cost evaluations. Ward's criterion is reducible,
// so the chain finds the same merges as the greedy algorithm; sorting them
// by cost gives the greedy order.
func nnChain(data []float64, d int, w []float64) *Linkage {
	n := len(data) / d
	cent := slices.Clone(data)
	c := func(a int) []float64 { return cent[a*d : (a+1)*d] }
	active := make([]bool, n)
	for i := range active {
		active[i] = true
	}
	type pair struct {
		a, b int // leaves standing for the two clusters
		cost float64
	}
	merges := make([]pair, 0, n-1)
	chain := make([]int, 0, n)
	for len(merges) < n-1 {
		if len(chain) == 0 {
			chain = append(chain, slices.Index(active, true))
		}
		a := chain[len(chain)-1]
		prev := -1
		if len(chain) > 1 {
			prev = chain[len(chain)-2]
		}
		b, best := prev, math.Inf(1)
		if prev >= 0 {
			best = wardCost(c(a), c(prev), w[a], w[prev])
		}
		ca, wa := c(a), w[a]
		for x := range n {
			if x == a || !active[x] {
				continue
			}
			if cst := wardCost(ca, c(x), wa, w[x]); cst < best {
				b, best = x, cst
			}
		}
		if b != prev {
			chain = append(chain, b)
			continue
		}
		chain = chain[:len(chain)-2]
		lo, hi := min(a, b), max(a, b)
		merges = append(merges, pair{lo, hi, best})
		cl, ch := c(lo), c(hi)
		wt := w[lo] + w[hi]
		for j := range cl {
			cl[j] = (w[lo]*cl[j] + w[hi]*ch[j]) / wt
		}
		w[lo] = wt
		active[hi] = false
	}
	slices.SortStableFunc(merges, func(x, y pair) int {
		switch {
		case x.cost < y.cost:
			return -1
		case x.cost > y.cost:
			return 1
		}
		return 0
	})
	// Number the clusters as the greedy algorithm would: follow the merges
	// in order with a union-find over leaves.
	parent := make([]int, n)
	id := make([]int, n) // cluster id of each root
	size := make([]int, n)
	for i := range parent {
		parent[i], id[i], size[i] = i, i, 1
	}
	root := func(u int) int {
		for parent[u] != u {
			parent[u] = parent[parent[u]]
			u = parent[u]
		}
		return u
	}
	lk := &Linkage{N: n, Merges: make([]Merge, len(merges))}
	for i, m := range merges {
		ra, rb := root(m.a), root(m.b)
		ia, ib := id[ra], id[rb]
		lk.Merges[i] = Merge{A: min(ia, ib), B: max(ia, ib), Cost: m.cost, Size: size[ra] + size[rb]}
		parent[rb] = ra
		size[ra] += size[rb]
		id[ra] = n + i
	}
	return lk
}
