package trainer

import (
	"math"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// TestTrainMetrics pins what an epoch's training metrics measure. In Batch
// mode every batch meets the same codebook, so the metrics gathered from
// the epoch's own searches must equal an evaluation of the codebook before
// the epoch's update; with ExactTrainMetrics they must equal an evaluation
// after it.
func TestTrainMetrics(t *testing.T) {
	for _, exact := range []bool{false, true} {
		data := loaders.Colors(700, 5)
		var want []graph.Metrics
		snapshot := func(e hooks.Event, s *hooks.State) error {
			if (e == hooks.BeforeEpoch) != exact { // before the update, or after it
				m, err := s.Map.Evaluate(data.Data, s.Sigma)
				want = append(want, m)
				return err
			}
			return nil
		}
		check := func(e hooks.Event, s *hooks.State) error {
			if exact {
				if err := snapshot(e, s); err != nil {
					return err
				}
			}
			w := want[s.Epoch]
			for _, p := range [][2]float64{{s.Train.QE, w.QE}, {s.Train.TE, w.TE}, {s.Train.Distortion, w.Distortion}, {s.Train.DeadUnits, w.DeadUnits}} {
				if math.Abs(p[0]-p[1]) > 1e-9*math.Max(1, math.Abs(p[1])) {
					t.Errorf("exact=%v, epoch %d: train metrics %+v, evaluation %+v", exact, s.Epoch, s.Train, w)
					break
				}
			}
			return nil
		}
		opts := &Options{Grid: graph.Grid{Rows: 6, Cols: 6}, Mode: Batch, BatchSize: 128, Dtype: tensor.Float64,
			Schedule: hooks.LinearDecay(), ExactTrainMetrics: exact,
			Hooks: []hooks.Hook{
				hooks.Func("snapshot", hooks.OrderDefault, snapshot, hooks.BeforeEpoch),
				hooks.Func("check", hooks.OrderDefault, check, hooks.AfterEpoch),
			}}
		l, err := New(data, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Fit(4); err != nil {
			t.Fatal(err)
		}
		if len(l.History()) != 4 {
			t.Fatalf("%d epochs recorded, want 4", len(l.History()))
		}
	}
}

// TestMiniBatchTrainMetrics pins the mini-batch mode's running metrics,
// whose distortion comes from each update's sums: with a learning rate of
// 0 no update changes the codebook, so the metrics of the epoch's searches
// must equal an evaluation of that codebook, in both dtypes.
func TestMiniBatchTrainMetrics(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		data := loaders.Colors(700, 5)
		tol := 1e-9
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		check := func(e hooks.Event, s *hooks.State) error {
			w, err := s.Map.Evaluate(data.Data, s.Sigma)
			if err != nil {
				return err
			}
			for _, p := range [][2]float64{{s.Train.QE, w.QE}, {s.Train.TE, w.TE}, {s.Train.Distortion, w.Distortion}, {s.Train.DeadUnits, w.DeadUnits}} {
				if math.Abs(p[0]-p[1]) > tol*math.Max(1, math.Abs(p[1])) {
					t.Errorf("%v, epoch %d: train metrics %+v, evaluation %+v", dt, s.Epoch, s.Train, w)
					break
				}
			}
			if !(s.Train.Distortion > 0) {
				t.Errorf("%v: distortion %v, want > 0", dt, s.Train.Distortion)
			}
			return nil
		}
		frozen := hooks.ScheduleFunc("frozen", func(hooks.Point) hooks.Values { return hooks.Values{Alpha: 0, Sigma: 1.5} })
		opts := &Options{Grid: graph.Grid{Rows: 6, Cols: 6}, Mode: MiniBatch, BatchSize: 50, Dtype: dt, Schedule: frozen,
			Hooks: []hooks.Hook{hooks.Func("check", hooks.OrderDefault, check, hooks.AfterEpoch)}}
		l, err := New(data, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Fit(2); err != nil {
			t.Fatal(err)
		}
	}
}
