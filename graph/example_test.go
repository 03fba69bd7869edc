package graph_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/somgraph/somgraph/graph"
	"gorgonia.org/tensor"
)

func ExampleGrid_Neighbors() {
	hex := graph.Grid{Rows: 4, Cols: 4, Topology: graph.Hexagonal}
	fmt.Println(hex.Neighbors(5))
	fmt.Printf("%.3f\n", hex.Dist(5, 10))
	// Output:
	// [1 2 4 6 9 10]
	// 1.000
}

func ExampleMap_NewForward() {
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 3}, Dim: 2})
	m.SetWeights([]float64{0, 0, 1, 1, 2, 2})
	f, _ := m.NewForward(2)
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1.9, 2.2, 0.1, 0}))
	// One mini-batch training step: the graph computes distances, BMUs,
	// the neighbourhood of the distinct BMUs and the weighted sums; the
	// update applies w += α/B·(num − den·w).
	if err := f.Run(x, 1); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("BMU:", f.BMU(), "distinct:", f.Units())
	fmt.Printf("distance: %.2f %.2f\n", f.MinDist()[0], f.MinDist()[1])
	fmt.Printf("neighbourhood of unit 2: %.3f\n", f.Neighborhoods().Data().([]float32)[:3])
	if _, err := f.UpdateMiniBatch(0.5); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("weights: %.3f\n", m.Weights())
	// Output:
	// BMU: [2 0] distinct: [2 0]
	// distance: 0.22 0.10
	// neighbourhood of unit 2: [0.135 0.607 1.000]
	// weights: [0.089 0.074 1.000 1.030 1.911 1.982]
}

func ExampleMap_UpdateMiniBatch() {
	// Bubble of radius 0.5: only the BMU moves, by α·(x − w) = 0.5·2.
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 2}, Dim: 1, Dtype: tensor.Float64, Neighborhood: graph.Bubble})
	m.SetWeights([]float64{0, 10})
	x := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{2}))
	s := m.NewStats()
	s.Add(x, []int{0}) // the record's BMU is unit 0
	m.UpdateMiniBatch(s, 0.5, 0.5)
	fmt.Println(m.Weights())
	// Output:
	// [1 10]
}

func ExampleMap_Evaluate() {
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 2, Cols: 2}, Dim: 2})
	data := []float64{0, 0, 0, 1, 1, 0, 1, 1}
	m.Initialize(graph.InitSample, data, rand.New(rand.NewPCG(1, 2)))
	met, _ := m.Evaluate(data, 1)
	fmt.Printf("QE %.3f, dead units %.2f\n", met.QE, met.DeadUnits)
	met, _ = m.Evaluate([]float64{0.5, 0.5}, 1)
	fmt.Printf("QE %.3f, dead units %.2f\n", met.QE, met.DeadUnits)
	// Output:
	// QE 0.000, dead units 0.00
	// QE 0.707, dead units 0.75
}

func ExampleForward_SearchInto() {
	// Batch-mode training: search each batch and collect its per-BMU sums
	// in one call, then update from the epoch's sums (the neighbourhood
	// comes from the Stats' update graph), and read the distortion the
	// update measured against the codebook it replaced.
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 2}, Dim: 1, Dtype: tensor.Float64, Neighborhood: graph.Bubble})
	m.SetWeights([]float64{0, 10})
	x := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 9}))
	f, _ := m.NewSearch(2)
	s := m.NewStats()
	if err := f.SearchInto(x, s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("BMU:", f.BMU(), "distance:", f.MinDist())
	m.UpdateBatch(s, 0.5)
	before, _ := s.DistortionBefore()
	fmt.Println("weights:", m.Weights(), "distortion before:", before/float64(s.Records()))
	// Output:
	// BMU: [0 1] distance: [1 1]
	// weights: [1 9] distortion before: 1
}

func ExampleStats_Apply() {
	// The epoch statistics of the batch mode: two workers each add their
	// records (Add, or Forward.SearchInto) to the statistics of their own
	// copy of the map; the driver merges them into its map's Stats and
	// applies the batch rule at radius σ.
	newMap := func() *graph.Map {
		m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 2}, Dim: 1, Dtype: tensor.Float64, Neighborhood: graph.Bubble})
		m.SetWeights([]float64{0, 10})
		return m
	}
	a, b := newMap().NewStats(), newMap().NewStats()
	a.Add(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2})), []int{0, 0})
	b.Add(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{9})), []int{1})
	m := newMap()
	s := m.NewStats()
	s.Merge(a)
	s.Merge(b)
	if err := s.Apply(graph.BatchRule(), 0.5); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("records:", s.Records(), "weights:", m.Weights())
	// Output:
	// records: 3 weights: [1.5 9]
}
