package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/somgraph/somgraph/graph"
)

// DefaultMaxK is the largest k the automatic choice tries when
// Options.MaxK is 0 (fewer on maps of fewer units).
const DefaultMaxK = 15

// Options configures Fit. Every zero field means its default; a nil
// *Options means all defaults. Fit does not change the caller's Options.
type Options struct {
	// Method is the algorithm: Ward (the zero value), WardContiguous or
	// KMeans.
	Method Method
	// K is the number of clusters; 0 chooses k automatically in
	// [MinK, MaxK] by the highest silhouette.
	K int
	// MinK and MaxK bound the automatic choice of k; 0 means 2 and
	// min(DefaultMaxK, units − 1). With K set and MaxK > 0 the criteria
	// of this range are computed too (Result.Criteria), for comparison.
	MinK, MaxK int
	// Weights weighs each unit, usually by its hit count; nil weighs every
	// unit 1. Units of weight 0 (dead units) get a tiny weight: they are
	// labelled but do not move the clusters.
	Weights []float64
	// KMeans configures the k-means runs (restarts, iterations, seed).
	KMeans KMeansOptions
}

// Criterion holds the quality of the clustering into K clusters.
type Criterion struct {
	K int `json:"k"`
	// Silhouette is the weighted mean silhouette (higher is better).
	Silhouette float64 `json:"silhouette"`
	// DaviesBouldin is the Davies–Bouldin index (lower is better; +Inf
	// when two clusters share their centroid).
	DaviesBouldin float64 `json:"davies_bouldin"`
}

// MarshalJSON writes a non-finite value as null.
func (c Criterion) MarshalJSON() ([]byte, error) {
	num := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		K  int      `json:"k"`
		S  *float64 `json:"silhouette"`
		DB *float64 `json:"davies_bouldin"`
	}{c.K, num(c.Silhouette), num(c.DaviesBouldin)})
}

// UnmarshalJSON reads null as NaN for the silhouette and +Inf for the
// Davies–Bouldin index.
func (c *Criterion) UnmarshalJSON(b []byte) error {
	var v struct {
		K  int      `json:"k"`
		S  *float64 `json:"silhouette"`
		DB *float64 `json:"davies_bouldin"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	c.K, c.Silhouette, c.DaviesBouldin = v.K, math.NaN(), math.Inf(1)
	if v.S != nil {
		c.Silhouette = *v.S
	}
	if v.DB != nil {
		c.DaviesBouldin = *v.DB
	}
	return nil
}

// Result is a clustering of a map's units.
type Result struct {
	// Method is the algorithm that made it.
	Method Method `json:"method"`
	// K is the number of clusters.
	K int `json:"k"`
	// Labels gives each unit its cluster in [0, K), numbered in the order
	// of their lowest unit.
	Labels []int `json:"labels"`
	// Linkage is the merge tree of the Ward methods (nil for k-means):
	// Linkage.Cut(k) gives the clustering into any other k.
	Linkage *Linkage `json:"linkage,omitempty"`
	// Criteria are the silhouette and Davies–Bouldin index of every k
	// tried, in increasing k (only K's when K was given without a
	// range).
	Criteria []Criterion `json:"criteria,omitempty"`
	// Weighted is true if the units were weighted (by hit counts).
	Weighted bool `json:"weighted,omitempty"`
}

// Fit clusters the units of a map: codebook holds the grid's units × d
// weights, row-major (graph.Map.Weights). opts may be nil.
func Fit(codebook []float64, d int, g graph.Grid, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	n, err := checkMap(codebook, d, g)
	if err != nil {
		return nil, err
	}
	if _, err := checkData(codebook, d); err != nil {
		return nil, err
	}
	w, err := checkWeights(o.Weights, n, false)
	if err != nil {
		return nil, err
	}
	if o.Method > KMeans {
		return nil, fmt.Errorf("cluster: unknown method %d", o.Method)
	}
	distinctUnits := distinct(codebook, d)
	ks, err := kRange(o, n, distinctUnits)
	if err != nil {
		return nil, err
	}
	r := &Result{Method: o.Method, Weighted: o.Weights != nil}
	labelsOf := func(k int) ([]int, error) {
		res, err := FitKMeans(codebook, d, w, k, &o.KMeans)
		if err != nil {
			return nil, err
		}
		return res.Labels, nil
	}
	if o.Method != KMeans {
		var grid *graph.Grid
		if o.Method == WardContiguous {
			grid = &g
		}
		if r.Linkage, err = WardLinkage(codebook, d, w, grid); err != nil {
			return nil, err
		}
		labelsOf = r.Linkage.Cut
	}
	all := make([][]int, len(ks))
	for i, k := range ks {
		if all[i], err = labelsOf(k); err != nil {
			return nil, err
		}
	}
	var sil []float64
	if len(ks) > 1 {
		sil = silhouettes(newDistMatrix(codebook, d), w, all, ks)
	} else {
		dm := &distMatrix{data: codebook, d: d}
		sil = []float64{silhouette(n, ks[0], all[0], w, dm.row)}
	}
	best := -1
	var bestLabels []int
	for i, k := range ks {
		c := Criterion{K: k, Silhouette: sil[i]}
		if c.DaviesBouldin, err = DaviesBouldin(codebook, d, all[i], w); err != nil {
			return nil, err
		}
		r.Criteria = append(r.Criteria, c)
		if o.K != 0 {
			if k == o.K {
				best, bestLabels = i, all[i]
			}
		} else if best < 0 || c.Silhouette > r.Criteria[best].Silhouette {
			best, bestLabels = i, all[i]
		}
	}
	r.K, r.Labels = r.Criteria[best].K, bestLabels
	return r, nil
}

// kRange returns the k to try.
func kRange(o Options, n, distinctUnits int) ([]int, error) {
	k := o.K
	if o.K != 0 {
		if err := checkK(o.K, n); err != nil {
			return nil, err
		}
		if o.K > distinctUnits {
			return nil, fmt.Errorf("cluster: k = %d: the codebook has only %d distinct units", o.K, distinctUnits)
		}
		if o.MaxK == 0 {
			return []int{o.K}, nil
		}
		// the criteria of the range too, for comparison
		o.K = 0
		ks, err := kRange(o, n, distinctUnits)
		if err != nil {
			return nil, err
		}
		return slices.Compact(slices.Sorted(slices.Values(append(ks, k)))), nil
	}
	lo, hi := o.MinK, o.MaxK
	if lo == 0 {
		lo = 2
	}
	if hi == 0 {
		hi = min(DefaultMaxK, n-1)
	}
	switch {
	case lo < 2:
		return nil, fmt.Errorf("cluster: range %d:%d: k starts at 2 at least", lo, hi)
	case hi < lo:
		return nil, fmt.Errorf("cluster: range %d:%d is out of order: want MIN:MAX with MIN ≤ MAX", lo, hi)
	case hi > n:
		return nil, fmt.Errorf("cluster: range %d:%d: the map has only %d units", lo, hi, n)
	case lo > distinctUnits:
		return nil, fmt.Errorf("cluster: range %d:%d: the codebook has only %d distinct units", lo, hi, distinctUnits)
	}
	hi = min(hi, distinctUnits)
	ks := make([]int, 0, hi-lo+1)
	for k := lo; k <= hi; k++ {
		ks = append(ks, k)
	}
	return ks, nil
}

// maxDistMatrix is the largest number of units whose distance matrix
// (float32) the criteria keep in memory; beyond it rows are recomputed.
const maxDistMatrix = 6000

// distMatrix serves rows of Euclidean distances between units, from a
// stored matrix when it is small enough.
type distMatrix struct {
	data []float64
	d    int
	m    []float32 // n×n, or nil
}

func newDistMatrix(data []float64, d int) *distMatrix {
	dm := &distMatrix{data: data, d: d}
	n := len(data) / d
	if n > maxDistMatrix {
		return dm
	}
	dm.m = make([]float32, n*n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := float32(math.Sqrt(sqDist(data[i*d:(i+1)*d], data[j*d:(j+1)*d])))
			dm.m[i*n+j], dm.m[j*n+i] = v, v
		}
	}
	return dm
}

func (dm *distMatrix) row(i int, out []float64) {
	n := len(out)
	if dm.m != nil {
		for j, v := range dm.m[i*n : (i+1)*n] {
			out[j] = float64(v)
		}
		return
	}
	d := dm.d
	for j := range n {
		out[j] = math.Sqrt(sqDist(dm.data[i*d:(i+1)*d], dm.data[j*d:(j+1)*d]))
	}
}

// Validate returns an error if the result is inconsistent: labels outside
// [0, K), an empty cluster, a Ward result without a valid merge tree of as
// many units, or criteria for k out of range.
func (r *Result) Validate() error {
	if r == nil {
		return errors.New("cluster: nil result")
	}
	if r.Method > KMeans {
		return fmt.Errorf("cluster: unknown method %d", r.Method)
	}
	n := len(r.Labels)
	if n < 2 {
		return fmt.Errorf("cluster: %d unit labels: a clustering has at least 2 units", n)
	}
	if r.K < 1 || r.K > n {
		return fmt.Errorf("cluster: k = %d for %d units", r.K, n)
	}
	size := make([]int, r.K)
	for u, c := range r.Labels {
		if c < 0 || c >= r.K {
			return fmt.Errorf("cluster: unit %d has cluster %d, want 0..%d", u, c, r.K-1)
		}
		size[c]++
	}
	for c, s := range size {
		if s == 0 {
			return fmt.Errorf("cluster: cluster %d of %d has no unit", c, r.K)
		}
	}
	if r.Method != KMeans {
		if r.Linkage == nil {
			return fmt.Errorf("cluster: a %v clustering without its merge tree", r.Method)
		}
		if err := r.Linkage.Validate(); err != nil {
			return err
		}
		if r.Linkage.N != n {
			return fmt.Errorf("cluster: merge tree of %d units for %d labels", r.Linkage.N, n)
		}
	}
	for _, c := range r.Criteria {
		if c.K < 1 || c.K > n {
			return fmt.Errorf("cluster: criterion for k = %d of %d units", c.K, n)
		}
	}
	return nil
}

// UnmarshalJSON decodes a result and validates it.
func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	v := Result(p)
	if err := v.Validate(); err != nil {
		return err
	}
	*r = v
	return nil
}

// Sizes returns the number of units in each cluster.
func (r *Result) Sizes() []int { return Counts(r.Labels, r.K) }

// Counts returns how many of labels are each of 0..k−1 (labels outside
// are not counted).
func Counts(labels []int, k int) []int {
	out := make([]int, k)
	for _, c := range labels {
		if c >= 0 && c < k {
			out[c]++
		}
	}
	return out
}

// RecordLabels returns each record's cluster: the cluster of its
// best-matching unit. It returns an error for a unit outside the map.
func (r *Result) RecordLabels(bmus []int) ([]int, error) {
	out := make([]int, len(bmus))
	for i, u := range bmus {
		if u < 0 || u >= len(r.Labels) {
			return nil, fmt.Errorf("cluster: record %d has best-matching unit %d, want 0..%d", i, u, len(r.Labels)-1)
		}
		out[i] = r.Labels[u]
	}
	return out, nil
}

// Cut returns the clustering into k clusters from the merge tree of a Ward
// result, keeping its method and criteria. k-means results have no tree:
// cluster again with Fit.
func (r *Result) Cut(k int) (*Result, error) {
	if r.Linkage == nil {
		return nil, fmt.Errorf("cluster: a %v result has no merge tree to cut: run Fit with K = %d", r.Method, k)
	}
	if err := checkK(k, r.Linkage.N); err != nil {
		return nil, err
	}
	labels, err := r.Linkage.Cut(k)
	if err != nil {
		return nil, err
	}
	out := *r
	out.K, out.Labels = k, labels
	return &out, nil
}

// checkMap returns the number of units of g, or an error unless g is a
// valid grid of at least 2 units and codebook holds d ≥ 1 weights for each.
func checkMap(codebook []float64, d int, g graph.Grid) (int, error) {
	if err := g.Validate(); err != nil {
		return 0, fmt.Errorf("cluster: %w", err)
	}
	n := g.Units()
	if n < 2 {
		return 0, fmt.Errorf("cluster: a %v map has %d unit: a map needs at least 2 units to be clustered", g, n)
	}
	if d < 1 || len(codebook) != n*d {
		return 0, fmt.Errorf("cluster: codebook of %d values for a %v map of %d units × %d features", len(codebook), g, n, d)
	}
	return n, nil
}
