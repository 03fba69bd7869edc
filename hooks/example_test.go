package hooks_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
)

// A tiny loop standing in for the trainer: it shows the order hooks run
// in and how a cancel signal ends the fit.
func ExampleDispatch() {
	es, _ := hooks.NewEarlyStopping(hooks.TrainQE, 2, 0)
	rec := hooks.NewRecorder()
	hs := hooks.Sorted([]hooks.Hook{es, rec, hooks.Constant()})
	for _, h := range hs {
		fmt.Println(h.Order(), h.Name())
	}
	qe := []float64{3, 2, 2.5, 2.1, 1, 0.5}
	s := &hooks.State{Epochs: len(qe), InitialAlpha: 0.1, InitialSigma: 2}
	_ = hooks.Dispatch(hs, hooks.BeforeFit, s)
	for e := range qe {
		s.Epoch = e
		_ = hooks.Dispatch(hs, hooks.BeforeEpoch, s)
		s.Train.QE = qe[e]
		if err := hooks.Dispatch(hs, hooks.AfterEpoch, s); errors.Is(err, hooks.ErrCancelFit) {
			fmt.Printf("stopped after epoch %d; best %v at epoch %d\n", e, es.Best, es.BestEpoch)
			break
		}
	}
	fmt.Println("recorded epochs:", len(rec.Epochs))
	// Output:
	// -100 constant
	// 100 recorder
	// 300 early-stopping
	// stopped after epoch 3; best 2 at epoch 1
	// recorded epochs: 4
}

// SaveBest calls the trainer's export whenever the metric improves; here
// a fake Save prints instead of writing.
func ExampleSaveBest() {
	save := func(path string) error { fmt.Println("save", path); return nil }
	sb, _ := hooks.NewSaveBest("best.som", hooks.ValidQE, save)
	s := &hooks.State{Epochs: 4, ValidSize: 10, HasValid: true}
	_ = sb.Handle(hooks.BeforeFit, s)
	for e, qe := range []float64{0.9, 0.7, 0.8, 0.6} {
		s.Epoch, s.Valid.QE = e, qe
		_ = sb.Handle(hooks.AfterEpoch, s)
	}
	fmt.Printf("best %v at epoch %d, %d saves\n", sb.Best, sb.BestEpoch, sb.Saves)
	// Output:
	// save best.som
	// save best.som
	// save best.som
	// best 0.6 at epoch 3, 3 saves
}

// NaNGuard names where the codebook went bad.
func ExampleNaNGuard() {
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 2, Cols: 2}, Dim: 3})
	m.Codebook().Data().([]float32)[7] = float32(0) / float32(zero)
	s := &hooks.State{Map: m, Epoch: 4, Batch: 11, Step: 61, BatchLoss: 0.5}
	err := hooks.NewNaNGuard().Handle(hooks.AfterBatch, s)
	fmt.Println(err)
	fmt.Println(errors.Is(err, hooks.ErrNotFinite))
	// Output:
	// hooks: nan-guard: weight of unit 2 (row 1, col 0), feature 1 is NaN at epoch 4, batch 11 (step 61); lower alpha or sigma, or check the data for NaN and Inf
	// true
}

var zero = 0

// CSVLogger writes one row per epoch; here the α and σ columns of a
// two-phase schedule over four epochs.
func ExampleCSVLogger() {
	var buf bytes.Buffer
	hs := hooks.Sorted([]hooks.Hook{hooks.NewCSVLogger(&buf), hooks.TwoPhase()})
	s := &hooks.State{Epochs: 4, InitialAlpha: 0.5, InitialSigma: 12, InitialBatchSize: 32, BatchSize: 32}
	_ = hooks.Dispatch(hs, hooks.BeforeFit, s)
	for e := range 4 {
		s.Epoch = e
		_ = hooks.Dispatch(hs, hooks.BeforeEpoch, s)
		_ = hooks.Dispatch(hs, hooks.AfterEpoch, s)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	for _, r := range rows {
		fmt.Println(r[0], r[10], r[11], r[12])
	}
	// Output:
	// epoch alpha sigma batch_size
	// 1 0.5 12 32
	// 2 0.05 2 32
	// 3 0.025 1 32
	// 4 0.005 1 32
}

// Progress in lines mode, as when the output is a file or a pipe.
func ExampleProgress() {
	p := hooks.NewProgress(os.Stdout, hooks.ProgressLines)
	fmt.Println(p.Mode())
	mode, err := hooks.ParseProgressMode("fancy")
	fmt.Println(mode, err)
	// Output:
	// lines
	// auto hooks: unknown progress mode "fancy"; want auto, bar, lines or none
}

// HitTracker counts best-matching units per epoch and in total.
func ExampleHitTracker() {
	m, _ := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 4}, Dim: 2})
	h := hooks.NewHitTracker()
	s := &hooks.State{Map: m, Epochs: 2}
	_ = h.Handle(hooks.BeforeFit, s)
	for e, bmus := range [][]int{{0, 0, 3}, {1, 3, 3}} {
		s.Epoch = e
		_ = h.Handle(hooks.BeforeEpoch, s)
		s.BMU = bmus
		_ = h.Handle(hooks.AfterBatch, s)
	}
	fmt.Println(h.PerEpoch, h.Total)
	// Output:
	// [[2 0 0 1] [0 1 0 2]] [2 1 0 3]
}

func ExampleEpochLine() {
	r := hooks.EpochRecord{Epoch: 3, Train: hooks.Metrics{QE: 0.1234, TE: 0.05}, Valid: hooks.Metrics{QE: 0.13, TE: 0.06}, HasValid: true,
		Alpha: 0.3, Sigma: 2.5, BatchSize: 32, Duration: 1200 * time.Millisecond}
	fmt.Println(hooks.EpochLine(r, 10, "te(4)"))
	r.HasValid, r.BatchSize, r.Duration = false, 0, 0
	fmt.Println(hooks.EpochLine(r, 3, ""))
	// Output:
	// epoch  3/10  qe 0.1234  te(4) 0.0500  valid qe 0.1300  te(4) 0.0600  alpha 0.3000  sigma 2.500  bs 32  1.20s
	// epoch 3/3  qe 0.1234  te 0.0500  alpha 0.3000  sigma 2.500
}
