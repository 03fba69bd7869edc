package trainer_test

import (
	"bytes"
	"fmt"
	"log"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

func ExampleNew() {
	data := loaders.Colors(1000, 1)
	l, err := trainer.New(data, nil, &trainer.Options{Grid: graph.Grid{Rows: 6, Cols: 8, Topology: graph.Hexagonal}})
	if err != nil {
		log.Fatal(err)
	}
	o := l.Options()
	fmt.Println("grid:", o.Grid)
	fmt.Println("mode:", o.Mode, "batch size:", o.BatchSize)
	fmt.Println("alpha:", o.Alpha, "sigma:", o.Sigma)
	fmt.Println("init:", o.Init, "distance:", o.Distance, "neighborhood:", o.Neighborhood)

	_, err = trainer.New(data, nil, &trainer.Options{Alpha: -1})
	fmt.Println(err)
	// Output:
	// grid: 6x8 hex
	// mode: minibatch batch size: 64
	// alpha: 1 sigma: 4
	// init: random distance: euclidean neighborhood: gaussian
	// trainer: learning rate alpha -1 must be a positive number (0 means 1)
}

func ExampleLearner_Fit() {
	train, valid, err := loaders.Colors(2500, 1).Split(0.2, 1)
	if err != nil {
		log.Fatal(err)
	}
	l, err := trainer.New(train, valid, &trainer.Options{Grid: graph.Grid{Rows: 8, Cols: 8}, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	before, err := l.Map().Evaluate(train.Data, 1)
	if err != nil {
		log.Fatal(err)
	}
	if err := l.Fit(10); err != nil {
		log.Fatal(err)
	}
	h := l.History()
	last := h[len(h)-1]
	fmt.Println("epochs:", len(h))
	fmt.Println("batch sizes:", h[0].BatchSize, h[5].BatchSize, h[9].BatchSize)
	fmt.Printf("TE before > 0.5: %v, after < 0.1: %v\n", before.TE > 0.5, last.Train.TE < 0.1)
	fmt.Println("has valid metrics:", last.HasValid)
	// Output:
	// epochs: 10
	// batch sizes: 64 32 10
	// TE before > 0.5: true, after < 0.1: true
	// has valid metrics: true
}

func ExampleLoad() {
	l, err := trainer.New(loaders.Colors(200, 1), nil, &trainer.Options{Grid: graph.Grid{Rows: 3, Cols: 4}})
	if err != nil {
		log.Fatal(err)
	}
	if err := l.Fit(2); err != nil {
		log.Fatal(err)
	}
	var file bytes.Buffer
	if err := l.Export(&file); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.SplitN(file.String(), "\n", 2)[0])

	m, err := trainer.Load(&file)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Config.Grid, m.Config.Dim, len(m.Weights), m.Features, m.ScheduleName)

	red, _ := loaders.FromRows([][]float64{{1, 0, 0}}, nil)
	p, err := m.Predict(red)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p[0].Unit == p[0].Row*4+p[0].Col)

	_, err = trainer.Load(strings.NewReader("somgraph-model v2\n"))
	fmt.Println(err)
	// Output:
	// somgraph-model v1
	// 3x4 rect 3 36 [red green blue] three-phase
	// true
	// trainer: model version 2 is newer than this somgraph (1): upgrade
}
