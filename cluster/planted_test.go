package cluster_test

import (
	"math/rand/v2"
	"testing"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// planted returns n records of d features around k Gaussian centers
// (spread 3 per feature, noise 1), with the true cluster of each record.
func planted(k, perCluster, d int, seed uint64) (*loaders.Dataset, []int) {
	rng := rand.New(rand.NewPCG(seed, 11))
	centers := make([]float64, k*d)
	for i := range centers {
		centers[i] = 3 * rng.NormFloat64()
	}
	ds := &loaders.Dataset{N: k * perCluster, D: d}
	truth := make([]int, 0, ds.N)
	for i := range ds.N {
		c := i % k
		truth = append(truth, c)
		for j := range d {
			ds.Data = append(ds.Data, centers[c*d+j]+rng.NormFloat64())
		}
	}
	return ds, truth
}

// TestPlantedClusters trains a map on 12 Gaussian clusters in 64
// dimensions and checks that every method, choosing k by itself in 2..20,
// picks k within ±1 of 12 and that the records' labels (their BMU's
// cluster) recover the planted clusters with an adjusted Rand index of at
// least 0.9.
func TestPlantedClusters(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a map")
	}
	const k = 12
	ds, truth := planted(k, 60, 64, 1)
	l, err := trainer.New(ds, nil, &trainer.Options{
		Grid: graph.Grid{Rows: 12, Cols: 12, Topology: graph.Hexagonal},
		Mode: trainer.Batch, Init: graph.InitPCA, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(15); err != nil {
		t.Fatal(err)
	}
	m := l.Map()
	bmus, _, err := m.Predict(ds.Data)
	if err != nil {
		t.Fatal(err)
	}
	hits := make([]float64, m.Units())
	for _, u := range bmus {
		hits[u]++
	}
	for _, method := range []cluster.Method{cluster.Ward, cluster.WardContiguous, cluster.KMeans} {
		r, err := cluster.Fit(m.Weights(), m.Dim(), m.Grid(), &cluster.Options{
			Method: method, MinK: 2, MaxK: 20, Weights: hits,
		})
		if err != nil {
			t.Fatal(err)
		}
		labels, err := r.RecordLabels(bmus)
		if err != nil {
			t.Fatal(err)
		}
		ari, err := cluster.AdjustedRand(labels, truth)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: k = %d, ARI %.4f", method, r.K, ari)
		if r.K < k-1 || r.K > k+1 {
			t.Errorf("%v: chose k = %d, want %d ± 1 (criteria %v)", method, r.K, k, r.Criteria)
		}
		if ari < 0.9 {
			t.Errorf("%v: ARI against the planted clusters %.4f, want ≥ 0.9", method, ari)
		}
	}
}

// TestIrisReport clusters a map of the iris flowers and reports (does not
// assert) the adjusted Rand index of the flowers' clusters against their
// species, for each method, with k chosen by the silhouette and with k = 3.
// Run with -v to see the numbers.
func TestIrisReport(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a map")
	}
	db, err := loaders.Builtin("iris", &loaders.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	l, err := trainer.New(db.Train, nil, &trainer.Options{
		Grid: graph.Grid{Rows: 8, Cols: 8, Topology: graph.Hexagonal}, Pipeline: db.Pipeline, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(30); err != nil {
		t.Fatal(err)
	}
	m := l.Map()
	bmus, _, err := m.Predict(db.Train.Data)
	if err != nil {
		t.Fatal(err)
	}
	hits := make([]float64, m.Units())
	for _, u := range bmus {
		hits[u]++
	}
	species := map[string]int{}
	truth := make([]int, len(db.Train.Labels))
	for i, s := range db.Train.Labels {
		if _, ok := species[s]; !ok {
			species[s] = len(species)
		}
		truth[i] = species[s]
	}
	for _, method := range []cluster.Method{cluster.Ward, cluster.WardContiguous, cluster.KMeans} {
		for _, k := range []int{0, 3} {
			r, err := cluster.Fit(m.Weights(), m.Dim(), m.Grid(), &cluster.Options{Method: method, K: k, MinK: 2, MaxK: 10, Weights: hits})
			if err != nil {
				t.Fatal(err)
			}
			labels, err := r.RecordLabels(bmus)
			if err != nil {
				t.Fatal(err)
			}
			ari, err := cluster.AdjustedRand(labels, truth)
			if err != nil || ari < -1 || ari > 1 {
				t.Fatalf("ARI %v, %v", ari, err)
			}
			t.Logf("iris, %d flowers, %v, k = %d (asked %d): ARI against the species %.3f", len(truth), method, r.K, k, ari)
		}
	}
}
