package graph_test

import (
	"fmt"

	"github.com/somgraph/somgraph/graph"
	"gorgonia.org/tensor"
)

// A table of one continuous column (training range 4 wide) and one
// categorical column embedded in 2 columns: the Mixed distance weighs the
// continuous part by 1/3 of the columns over its range and the cosine part
// by 2/3, so the farthest records are 1 apart.
func ExampleMixedLayout_embedded() {
	layout := &graph.MixedLayout{
		Continuous:       []int{0},
		Groups:           []graph.CategoryGroup{{Start: 1, Width: 2, Levels: 3, Embedded: true}},
		ContinuousWeight: 1.0 / 3, ContinuousScale: 4,
		EmbeddingWeight: 2.0 / 3,
	}
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 2}, Dim: 3, Distance: graph.Mixed, Mixed: layout, Dtype: tensor.Float64})
	m.SetWeights([]float64{
		0, 1, 0, // unit 0: value 0, a level pointing (1, 0)
		4, -1, 0, // unit 1: value 4, the opposite level
	})
	x := []float64{2, 0.5, 0.5} // halfway in value, 45° from unit 0's level
	f, _ := m.NewSearch(1)
	f.Search(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking(x)))
	fmt.Printf("BMU %d at %.4f\n", f.BMU()[0], f.MinDist()[0])
	// Output: BMU 0 at 0.2643
}
