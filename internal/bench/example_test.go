package bench_test

import (
	"fmt"

	"github.com/somgraph/somgraph/internal/bench"
)

// The floor's argmin finds each record's nearest unit, as the SOM's BMU
// search must.
func ExampleNewFloor() {
	x := []float64{ // four records of two features
		0, 0,
		1, 1,
		0.9, 0.1,
		0.2, 0.8,
	}
	w := []float64{ // three units
		0, 0,
		1, 0,
		0, 1,
	}
	f, err := bench.NewFloor(bench.FloorSpec{X: x, N: 4, D: 2, W: w, K: 3, Chunk: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fl := f.Run()
	fmt.Println("BMUs:", f.BMU())
	fmt.Println("chunk:", fl.Chunk, "dtype:", fl.Dtype)
	// Output:
	// BMUs: [0 1 1 2]
	// chunk: 2 dtype: float32
}

func ExampleClustered() {
	ds, err := bench.Clustered(bench.DataSpec{N: 1000, Dim: 3, Clusters: 4, Seed: 1, Labels: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	count := map[string]int{}
	for _, l := range ds.Labels {
		count[l]++
	}
	fmt.Println(ds.N, "records of", ds.D, "features in", len(count), "clusters")
	// Output: 1000 records of 3 features in 4 clusters
}

func ExampleFlops() {
	// The BMU search of a 50,000-record, 64-feature epoch on a 40×40 map.
	fmt.Printf("%.1f GFLOP\n", bench.Flops(50000, 40*40, 64)/1e9)
	// Output: 10.2 GFLOP
}
