package graph_test

import (
	"fmt"
	"math"

	"github.com/somgraph/somgraph/graph"
)

// A two-layer map as kohonen's xyf builds it: two features X and a
// one-hot class layer Y (Tanimoto), weighted 0.5/0.5 after each layer's
// distances are scaled by 1/(mean distance between the initial codebook
// vectors), then a record with a missing feature and no class.
func ExampleNormalizeLayers() {
	codebook := []float64{
		0, 0, 1, 0, // unit 0: near (0, 0), class a
		1, 1, 0, 1, // unit 1: near (1, 1), class b
		0, 1, 1, 0, // unit 2: near (0, 1), class a
	}
	layers, err := graph.NormalizeLayers([]graph.Layer{
		{Name: "X", Width: 2, Weight: 0.5, Distance: graph.Euclidean},
		{Name: "Y", Start: 2, Width: 2, Weight: 0.5, Distance: graph.Tanimoto},
	}, nil, codebook, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("scales: X %.3f, Y %.3f\n", layers[0].Scale, layers[1].Scale)
	ls := graph.Layers(layers)
	m, err := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 3}, Dim: 4, Layers: &ls, Missing: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	m.SetWeights(codebook)
	nan := math.NaN()
	bmu, dist, err := m.Predict([]float64{
		0.9, 1, 0, 1, // X near unit 1, class b
		nan, 0.1, nan, nan, // only the second feature: unit 0
	})
	fmt.Println(bmu, err)
	fmt.Printf("%.3f %.3f\n", dist[0], dist[1])
	_, _, err = m.Predict([]float64{nan, nan, nan, nan})
	fmt.Println(err)
	// Output:
	// scales: X 0.750, Y 1.500
	// [1 0] <nil>
	// 0.003 0.020
	// graph: graph: missing values: record 0 has no feature present
}
