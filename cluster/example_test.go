package cluster_test

import (
	"fmt"
	"log"
	"os"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

// A 2×6 map whose left half holds values near 0 and right half near 10:
// automatic k finds the two halves.
func ExampleFit() {
	g := graph.Grid{Rows: 2, Cols: 6}
	codebook := []float64{
		0.0, 0.1, 0.2, 10.0, 10.1, 10.2,
		0.1, 0.2, 0.3, 10.1, 10.2, 10.3,
	}
	r, err := cluster.Fit(codebook, 1, g, &cluster.Options{Method: cluster.WardContiguous, MaxK: 4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("k:", r.K)
	fmt.Println("labels:", r.Labels)
	fmt.Println("sizes:", r.Sizes())
	for _, c := range r.Criteria {
		fmt.Printf("k=%d silhouette %.3f davies-bouldin %.3f\n", c.K, c.Silhouette, c.DaviesBouldin)
	}
	// Output:
	// k: 2
	// labels: [0 0 0 1 1 1 0 0 0 1 1 1]
	// sizes: [6 6]
	// k=2 silhouette 0.987 davies-bouldin 0.017
	// k=3 silhouette 0.797 davies-bouldin 0.360
	// k=4 silhouette 0.607 davies-bouldin 0.533
}

// Every k is a cut of the Ward merge tree.
func ExampleLinkage_Cut() {
	lk, err := cluster.WardLinkage([]float64{0, 1, 5, 6, 20}, 1, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range lk.Merges {
		fmt.Printf("%d + %d -> %d units, cost %.2f\n", m.A, m.B, m.Size, m.Cost)
	}
	for k := 2; k <= 4; k++ {
		labels, _ := lk.Cut(k)
		fmt.Println(k, labels)
	}
	// Output:
	// 0 + 1 -> 2 units, cost 0.50
	// 2 + 3 -> 2 units, cost 0.50
	// 5 + 6 -> 4 units, cost 25.00
	// 4 + 7 -> 5 units, cost 231.20
	// 2 [0 0 0 0 1]
	// 3 [0 0 1 1 2]
	// 4 [0 0 1 2 3]
}

func ExampleAdjustedRand() {
	ari, _ := cluster.AdjustedRand([]int{0, 0, 1, 1}, []int{1, 1, 0, 0})
	fmt.Println(ari)
	ari, _ = cluster.AdjustedRand([]int{0, 0, 1, 2}, []int{0, 0, 1, 1})
	fmt.Printf("%.4f\n", ari)
	// Output:
	// 1
	// 0.5714
}

// Profiles describe each cluster by the records that fall in it.
func ExampleWriteProfilesCSV() {
	ds, _ := loaders.FromRows([][]float64{{1}, {2}, {3}, {11}, {13}}, []string{"x"})
	r := &cluster.Result{Method: cluster.KMeans, K: 2, Labels: []int{0, 0, 1}}
	// records 0-2 hit units 0 and 1 (cluster 0), records 3-4 unit 2
	ps, err := r.Profiles(ds, []int{0, 1, 1, 2, 2}, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := cluster.WriteProfilesCSV(os.Stdout, ps); err != nil {
		log.Fatal(err)
	}
	// Output:
	// cluster,units,records,x_mean,x_sd,x_min,x_q25,x_median,x_q75,x_max
	// 0,2,3,2,1,1,1.5,2,2.5,3
	// 1,1,2,12,1.41421,11,11.5,12,12.5,13
}
