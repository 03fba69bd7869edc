package trainer_test

import (
	"bytes"
	"fmt"
	"log"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
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

func ExampleLearner_AddHook() {
	l, err := trainer.New(loaders.Colors(500, 1), nil, &trainer.Options{Grid: graph.Grid{Rows: 6, Cols: 6}})
	if err != nil {
		log.Fatal(err)
	}
	// Print the hyperparameters the default ThreePhase schedule sets.
	l.AddHook(hooks.Func("print", hooks.OrderOutput, func(e hooks.Event, s *hooks.State) error {
		fmt.Printf("epoch %d: alpha %.3f sigma %.1f batch size %d (%d batches)\n", s.Epoch, s.Alpha, s.Sigma, s.BatchSize, s.Batches)
		return nil
	}, hooks.BeforeEpoch))
	// Stop after the fifth epoch.
	l.AddHook(hooks.Func("stop", 0, func(e hooks.Event, s *hooks.State) error {
		if s.Epoch == 4 {
			return hooks.ErrCancelFit
		}
		return nil
	}, hooks.AfterEpoch))
	if err := l.Fit(6); err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs trained:", len(l.History()))
	// Output:
	// epoch 0: alpha 1.000 sigma 3.0 batch size 64 (8 batches)
	// epoch 1: alpha 0.500 sigma 3.0 batch size 32 (16 batches)
	// epoch 2: alpha 0.500 sigma 2.0 batch size 32 (16 batches)
	// epoch 3: alpha 0.500 sigma 1.0 batch size 32 (16 batches)
	// epoch 4: alpha 0.167 sigma 1.0 batch size 10 (50 batches)
	// epochs trained: 5
}

func ExampleLearner_Predict() {
	l, err := trainer.New(loaders.Colors(2000, 1), nil, &trainer.Options{Grid: graph.Grid{Rows: 8, Cols: 8}, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := l.Fit(10); err != nil {
		log.Fatal(err)
	}
	colours, err := loaders.FromRows([][]float64{{1, 0, 0}, {0.95, 0.05, 0}, {0, 0, 1}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	p, err := l.Predict(colours)
	if err != nil {
		log.Fatal(err)
	}
	near := func(a, b trainer.Prediction) bool {
		return max(a.Row-b.Row, b.Row-a.Row) <= 1 && max(a.Col-b.Col, b.Col-a.Col) <= 1
	}
	fmt.Println("red and almost red on neighbouring units:", near(p[0], p[1]))
	fmt.Println("red and blue far apart:", !near(p[0], p[2]))
	fmt.Println("red within 0.5 of its unit:", p[0].Dist < 0.5)

	_, err = l.Predict(loaders.Colors(1, 1).Subset(nil))
	fmt.Println(err)
	// Output:
	// red and almost red on neighbouring units: true
	// red and blue far apart: true
	// red within 0.5 of its unit: true
	// trainer: predict: loaders: dataset is empty
}
