package cluster

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/somgraph/somgraph/graph"
)

// StabilityPoint is the stability of the clustering into K clusters.
type StabilityPoint struct {
	K int
	// MeanARI is the mean adjusted Rand index between the unit labels of
	// every pair of runs (1: the runs always agree).
	MeanARI float64
}

// Stability clusters the map runs times, each on a bootstrap resample of
// its units (units drawn with replacement, each unit weighted by how often
// it was drawn times its weight in opts; k-means runs also get a new seed),
// and returns the mean adjusted Rand index between the runs for each k of
// opts (K, or the range MinK..MaxK). runs must be at least 2.
func Stability(codebook []float64, d int, g graph.Grid, opts *Options, runs int, seed uint64) ([]StabilityPoint, error) {
	if runs < 2 {
		return nil, fmt.Errorf("cluster: stability needs at least 2 runs, got %d", runs)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	n, err := checkMap(codebook, d, g)
	if err != nil {
		return nil, err
	}
	base, err := checkWeights(o.Weights, n, true)
	if err != nil {
		return nil, err
	}
	ks, err := kRange(o, n, distinct(codebook, d))
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x73746162))
	labels := make([][][]int, len(ks)) // [k][run]
	for r := range runs {
		w := make([]float64, n)
		for range n {
			u := rng.IntN(n)
			w[u] += base[u]
		}
		if !slices.ContainsFunc(w, func(v float64) bool { return v > 0 }) {
			return nil, errors.New("cluster: a resample has no weight")
		}
		ro := o
		ro.Weights, ro.KMeans.Seed = w, o.KMeans.Seed+uint64(r)*0x9e3779b97f4a7c15
		var lk *Linkage
		if o.Method != KMeans {
			var grid *graph.Grid
			if o.Method == WardContiguous {
				grid = &g
			}
			if lk, err = WardLinkage(codebook, d, w, grid); err != nil {
				return nil, err
			}
		}
		for i, k := range ks {
			var l []int
			if lk != nil {
				l, err = lk.Cut(k)
			} else {
				var res *KMeansResult
				res, err = FitKMeans(codebook, d, w, k, &ro.KMeans)
				if res != nil {
					l = res.Labels
				}
			}
			if err != nil {
				return nil, err
			}
			labels[i] = append(labels[i], l)
		}
	}
	out := make([]StabilityPoint, len(ks))
	for i, k := range ks {
		sum, pairs := 0.0, 0
		for a := range runs {
			for b := a + 1; b < runs; b++ {
				ari, err := AdjustedRand(labels[i][a], labels[i][b])
				if err != nil {
					return nil, err
				}
				sum += ari
				pairs++
			}
		}
		out[i] = StabilityPoint{K: k, MeanARI: sum / float64(pairs)}
	}
	return out, nil
}
