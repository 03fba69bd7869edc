package trainer_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// A supervised map (R kohonen's xyf): the labels become a target layer
// beside the features, new records are placed by their features and read
// the class of their unit.
func ExampleOptions_supervised() {
	rng := rand.New(rand.NewPCG(1, 2))
	ds := &loaders.Dataset{N: 200, D: 2, Features: []string{"x", "y"}}
	for range ds.N {
		x, y := rng.Float64(), rng.Float64()
		ds.Data = append(ds.Data, x, y)
		if x < 0.5 {
			ds.Labels = append(ds.Labels, "left")
		} else {
			ds.Labels = append(ds.Labels, "right")
		}
	}
	train, valid, _ := ds.Split(0.2, 1)
	l, err := trainer.New(train, valid, &trainer.Options{
		Grid:       graph.Grid{Rows: 5, Cols: 5},
		Supervised: true, // TargetWeight 0 means 0.5, as xyf
		Seed:       1,
	})
	if err != nil {
		panic(err)
	}
	if err := l.Fit(20); err != nil {
		panic(err)
	}
	for _, ly := range *l.Map().Config().Layers {
		fmt.Printf("layer %s: columns %d..%d, %v, weight %v\n", ly.Name, ly.Start, ly.Start+ly.Width-1, ly.Distance, ly.Weight)
	}
	h := l.History()
	fmt.Println("valid accuracy ≥ 0.9:", h[len(h)-1].ValidTarget.Accuracy >= 0.9)

	p, err := l.Predictor() // the features layer
	if err != nil {
		panic(err)
	}
	rows, _ := loaders.FromRows([][]float64{{0.1, 0.5}, {0.9, 0.5}}, nil)
	preds, err := p.Predict(rows)
	if err != nil {
		panic(err)
	}
	for _, pr := range preds {
		proba := p.Proba(pr.Unit) // in the order of l.Target().Classes
		fmt.Printf("%s, p(%s) > 0.5: %v\n", pr.Class, pr.Class, proba[classIndex(l.Target().Classes, pr.Class)] > 0.5)
	}
	// Output:
	// layer features: columns 0..1, euclidean, weight 0.5
	// layer target: columns 2..3, tanimoto, weight 0.5
	// valid accuracy ≥ 0.9: true
	// left, p(left) > 0.5: true
	// right, p(right) > 0.5: true
}

func classIndex(classes []string, c string) int {
	for i, x := range classes {
		if x == c {
			return i
		}
	}
	return -1
}
