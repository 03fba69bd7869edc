package hooks

import (
	"errors"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

// fakeFit drives hooks through the events of a fit the way the trainer
// does, without training: batch losses, metrics and BMUs come from its
// functions, and the batch size of each epoch is State.BatchSize after
// BeforeEpoch.
type fakeFit struct {
	epochs    int
	trainSize int
	validSize int
	alpha     float64
	sigma     float64
	batchSize int
	m         *graph.Map
	// batchLoss, metrics and bmu default to constant values.
	batchLoss func(epoch, batch int) float64
	metrics   func(epoch int) (train, valid Metrics, loss float64)
	bmu       func(epoch, batch, i int) int
	// sizes records the batch sizes run, per epoch.
	sizes [][]int
}

func newMap(t *testing.T, rows, cols, dim int) *graph.Map {
	t.Helper()
	m, err := graph.New(graph.Config{Grid: graph.Grid{Rows: rows, Cols: cols}, Dim: dim})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fakeFit) run(hs ...Hook) (*State, error) {
	hs = Sorted(hs)
	s := &State{
		Epochs: f.epochs, TrainSize: f.trainSize, ValidSize: f.validSize, Map: f.m,
		Alpha: f.alpha, Sigma: f.sigma, BatchSize: f.batchSize,
		InitialAlpha: f.alpha, InitialSigma: f.sigma, InitialBatchSize: f.batchSize,
	}
	f.sizes = nil
	err := f.loop(hs, s)
	if errors.Is(err, ErrCancelFit) {
		s.Stopped, err = true, nil
	}
	s.Err = err
	if e := Dispatch(hs, AfterFit, s); e != nil && err == nil && !errors.Is(e, ErrCancelFit) && !errors.Is(e, ErrCancelEpoch) {
		err = e
	}
	return s, err
}

func (f *fakeFit) loop(hs []Hook, s *State) error {
	if err := Dispatch(hs, BeforeFit, s); err != nil {
		return err
	}
	for ep := 0; ep < f.epochs; ep++ {
		s.Epoch = ep
		if err := Dispatch(hs, BeforeEpoch, s); err != nil && !errors.Is(err, ErrCancelEpoch) {
			return err
		}
		bs := s.BatchSize
		s.Batches = (f.trainSize + bs - 1) / bs
		f.sizes = append(f.sizes, nil)
		var stop error
		for b := 0; b < s.Batches && stop == nil; b++ {
			s.Batch = b
			n := min(bs, f.trainSize-b*bs)
			s.Index = make([]int, n)
			s.BMU = make([]int, n)
			for i := range n {
				s.Index[i] = b*bs + i
				if f.bmu != nil {
					s.BMU[i] = f.bmu(ep, b, i)
				}
			}
			if err := Dispatch(hs, BeforeBatch, s); err != nil {
				stop = err
			}
			s.BatchLoss = 1
			if f.batchLoss != nil {
				s.BatchLoss = f.batchLoss(ep, b)
			}
			f.sizes[ep] = append(f.sizes[ep], n)
			s.Step++
			s.Records += n
			if err := Dispatch(hs, AfterBatch, s); err != nil && stop == nil {
				stop = err
			}
		}
		if stop != nil && !errors.Is(stop, ErrCancelEpoch) && !errors.Is(stop, ErrCancelFit) {
			return stop
		}
		s.HasValid = f.validSize > 0
		s.Train, s.Valid, s.Loss = Metrics{QE: 1}, Metrics{QE: 1}, 1
		if f.metrics != nil {
			s.Train, s.Valid, s.Loss = f.metrics(ep)
		}
		err := Dispatch(hs, AfterEpoch, s)
		if errors.Is(stop, ErrCancelFit) {
			return stop
		}
		if err != nil && !errors.Is(err, ErrCancelEpoch) {
			return err
		}
	}
	return nil
}
