package trainer

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// small returns a Learner on n colours, a 4×4 map, constant schedule.
func small(t *testing.T, n int, opts Options) *Learner {
	t.Helper()
	if opts.Grid == (graph.Grid{}) {
		opts.Grid = graph.Grid{Rows: 4, Cols: 4}
	}
	if opts.Schedule == nil {
		opts.Schedule = hooks.Constant()
	}
	l, err := New(loaders.Colors(n, 7), nil, &opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestFitColors is the core acceptance test: training the colours data
// orders the map (TE < 0.10) and quantizes it well.
func TestFitColors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"minibatch random init", Options{Seed: 1}},
		{"minibatch pca init", Options{Seed: 2, Init: graph.InitPCA}},
		{"minibatch seed 0", Options{Seed: 0}},
	}
	data := loaders.Colors(2000, 1)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Grid = graph.Grid{Rows: 8, Cols: 8}
			l, err := New(data, nil, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			zero, err := graph.New(l.Map().Config()) // the untrained, all-zero map
			if err != nil {
				t.Fatal(err)
			}
			m0, err := zero.Evaluate(data.Data, 1)
			if err != nil {
				t.Fatal(err)
			}
			mi, err := l.Map().Evaluate(data.Data, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Fit(10); err != nil {
				t.Fatal(err)
			}
			h := l.History()
			if len(h) != 10 {
				t.Fatalf("History has %d epochs, want 10", len(h))
			}
			last, err := l.Map().Evaluate(data.Data, 1) // the trained map, measured exactly
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("zero map QE %.3f; initialized QE %.3f TE %.3f; trained QE %.4f TE %.4f", m0.QE, mi.QE, mi.TE, last.QE, last.TE)
			if last.TE >= 0.10 {
				t.Errorf("trained TE = %.4f, want < 0.10", last.TE)
			}
			if last.QE*5 > m0.QE {
				t.Errorf("trained QE = %.4f, want at least 5× below the untrained map's %.4f", last.QE, m0.QE)
			}
			// Random points already quantize uniform data well; ordering the map
			// must not cost much of that (the best 64-unit quantizer is ≈ 0.12).
			if last.QE > 1.25*mi.QE {
				t.Errorf("trained QE = %.4f, want ≤ 1.25 × the initial map's %.4f", last.QE, mi.QE)
			}
			if last.DeadUnits > 0.05 {
				t.Errorf("dead units %.3f, want ≤ 0.05", last.DeadUnits)
			}
		})
	}
}

func TestFitBatchMode(t *testing.T) {
	data := loaders.Colors(1000, 3)
	train, valid, err := data.Split(0.2, 3)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(train, valid, &Options{Grid: graph.Grid{Rows: 6, Cols: 6}, Mode: Batch, BatchSize: 300, Seed: 4, Schedule: hooks.ThreePhase()})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := l.Map().Evaluate(train.Data, 1)
	var sizes []int
	l.AddHook(hooks.Func("sizes", 0, func(e hooks.Event, s *hooks.State) error {
		sizes = append(sizes, s.X.Shape()[0])
		return nil
	}, hooks.BeforeBatch))
	if err := l.Fit(6); err != nil {
		t.Fatal(err)
	}
	h := l.History()
	last := h[len(h)-1]
	if !last.HasValid || last.Valid.QE <= 0 {
		t.Fatalf("last epoch has no validation metrics: %+v", last)
	}
	if last.Train.TE >= before.TE {
		t.Errorf("TE %.3f did not drop below the initial %.3f", last.Train.TE, before.TE)
	}
	if d := last.Valid.QE - last.Train.QE; d > 0.05 || d < -0.05 {
		t.Errorf("valid QE %.4f far from train QE %.4f (tolerance 0.05)", last.Valid.QE, last.Train.QE)
	}
	// ThreePhase on 6 epochs: phases of 1, 3, 2 epochs with chunks 300, 150, 50.
	if sizes[0] != 300 || !slices.Contains(sizes, 150) || !slices.Contains(sizes, 50) {
		t.Errorf("chunk sizes seen %v, want 300 then 150 then 50", sizes)
	}
}

func TestDeterminism(t *testing.T) {
	export := func(seed uint64, mode Mode) []byte {
		t.Helper()
		data := loaders.Colors(500, 11)
		l, err := New(data, nil, &Options{Grid: graph.Grid{Rows: 5, Cols: 5}, Seed: seed, Mode: mode, BatchSize: 32})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Fit(4); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := l.Export(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, mode := range []Mode{MiniBatch, Batch} {
		t.Run(mode.String(), func(t *testing.T) {
			a, b := export(42, mode), export(42, mode)
			if !bytes.Equal(a, b) {
				t.Fatalf("two runs with seed 42 exported different bytes (%d vs %d bytes)", len(a), len(b))
			}
			if c := export(43, mode); bytes.Equal(a, c) {
				t.Errorf("seeds 42 and 43 exported identical models")
			}
		})
	}
}

// event is one hook call as seen by a recording hook.
type event struct {
	hook  string
	e     hooks.Event
	epoch int
	batch int
}

func (ev event) String() string {
	return fmt.Sprintf("%s:%s:%d:%d", ev.hook, ev.e, ev.epoch, ev.batch)
}

func recorder(name string, order int, log *[]event) hooks.Hook {
	return hooks.Func(name, order, func(e hooks.Event, s *hooks.State) error {
		*log = append(*log, event{name, e, s.Epoch, s.Batch})
		return nil
	})
}

func TestHookOrder(t *testing.T) {
	var log []event
	l := small(t, 10, Options{BatchSize: 5,
		Schedule: recorder("schedule", hooks.OrderSchedule, &log),
		Hooks: []hooks.Hook{
			recorder("b", 0, &log),
			recorder("output", hooks.OrderOutput, &log),
			recorder("a", -10, &log),
		}})
	l.AddHook(recorder("c", 0, &log))
	if err := l.Fit(1); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range log {
		got = append(got, ev.String())
	}
	var want []string
	add := func(e hooks.Event, epoch, batch int) {
		for _, h := range []string{"schedule", "a", "b", "c", "output"} {
			want = append(want, event{h, e, epoch, batch}.String())
		}
	}
	add(hooks.BeforeFit, 0, 0)
	add(hooks.BeforeEpoch, 0, 0)
	add(hooks.BeforeBatch, 0, 0)
	add(hooks.AfterBatch, 0, 0)
	add(hooks.BeforeBatch, 0, 1)
	add(hooks.AfterBatch, 0, 1)
	add(hooks.AfterEpoch, 0, 1)
	add(hooks.AfterFit, 0, 1)
	if !slices.Equal(got, want) {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHookState(t *testing.T) {
	l := small(t, 30, Options{BatchSize: 8})
	var steps, records []int
	var afterEpoch hooks.State
	l.AddHook(hooks.Func("check", 0, func(e hooks.Event, s *hooks.State) error {
		switch e {
		case hooks.BeforeBatch:
			if s.X == nil || s.X.Shape()[0] != len(s.Index) || s.BMU != nil {
				return fmt.Errorf("BeforeBatch: X %v, %d indices, BMU %v", s.X.Shape(), len(s.Index), s.BMU)
			}
		case hooks.AfterBatch:
			if len(s.BMU) != len(s.Index) || s.BatchLoss <= 0 {
				return fmt.Errorf("AfterBatch: %d BMUs for %d records, loss %v", len(s.BMU), len(s.Index), s.BatchLoss)
			}
			steps = append(steps, s.Step)
			records = append(records, s.Records)
		case hooks.AfterEpoch:
			afterEpoch = *s
		}
		return nil
	}))
	if err := l.Fit(2); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(steps, want) {
		t.Errorf("steps %v, want %v", steps, want)
	}
	if want := []int{8, 16, 24, 30, 38, 46, 54, 60}; !slices.Equal(records, want) {
		t.Errorf("records %v, want %v", records, want)
	}
	s := afterEpoch
	if s.Epoch != 1 || s.Epochs != 2 || s.Batches != 4 || s.TrainSize != 30 || s.ValidSize != 0 || s.HasValid {
		t.Errorf("AfterEpoch state: epoch %d/%d, %d batches, sizes %d/%d, HasValid %v", s.Epoch, s.Epochs, s.Batches, s.TrainSize, s.ValidSize, s.HasValid)
	}
	if s.Loss != s.Train.QE || s.Loss <= 0 {
		t.Errorf("Loss %v, want the training QE %v", s.Loss, s.Train.QE)
	}
	if h := l.History(); h[1].Train != s.Train {
		t.Errorf("History %+v does not hold the metrics hooks saw %+v", h[1].Train, s.Train)
	}
}

func TestHookError(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		event   hooks.Event
		epochs  int // History length expected
		wantMsg string
	}{
		{hooks.BeforeFit, 0, `trainer: BeforeFit(hook "bad"): boom`},
		{hooks.BeforeEpoch, 0, `trainer: BeforeEpoch(hook "bad"): boom`},
		{hooks.BeforeBatch, 0, `trainer: BeforeBatch(hook "bad"): boom`},
		{hooks.AfterBatch, 0, `trainer: AfterBatch(hook "bad"): boom`},
		{hooks.AfterEpoch, 1, `trainer: AfterEpoch(hook "bad"): boom`},
		{hooks.AfterFit, 3, `trainer: AfterFit(hook "bad"): boom`},
	}
	for _, tc := range tests {
		t.Run(tc.event.String(), func(t *testing.T) {
			var after hooks.State
			afterFit, laterRan := 0, false
			l := small(t, 20, Options{BatchSize: 10})
			l.AddHook(hooks.Func("bad", 0, func(hooks.Event, *hooks.State) error { return boom }, tc.event))
			l.AddHook(hooks.Func("later", 0, func(e hooks.Event, s *hooks.State) error {
				if e == tc.event {
					laterRan = true
				}
				if e == hooks.AfterFit {
					afterFit++
					after = *s
				}
				return nil
			}))
			err := l.Fit(3)
			if err == nil || err.Error() != tc.wantMsg || !errors.Is(err, boom) {
				t.Fatalf("Fit error %v, want %q wrapping boom", err, tc.wantMsg)
			}
			var he *hooks.HookError
			if !errors.As(err, &he) || he.Event != tc.event || he.Hook != "bad" {
				t.Errorf("Fit error %v is not a *hooks.HookError for %v and \"bad\"", err, tc.event)
			}
			if laterRan {
				t.Errorf("a hook after the failing one ran at %v", tc.event)
			}
			if tc.event != hooks.AfterFit && (afterFit != 1 || after.Err == nil || !errors.Is(after.Err, boom) || after.Stopped) {
				t.Errorf("AfterFit ran %d times with Err %v, Stopped %v; want once with the error", afterFit, after.Err, after.Stopped)
			}
			if got := len(l.History()); got != tc.epochs {
				t.Errorf("History has %d epochs, want %d", got, tc.epochs)
			}
			if !l.Map().Finite() {
				t.Error("map not finite after the error")
			}
		})
	}
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name        string
		sig         error
		at          hooks.Event
		epoch       int
		batch       int
		wantBatches []int // batches run per epoch
		wantStopped bool
	}{
		{"cancel epoch after its first batch", hooks.ErrCancelEpoch, hooks.AfterBatch, 1, 0, []int{4, 1, 4}, false},
		{"cancel epoch in BeforeBatch", hooks.ErrCancelEpoch, hooks.BeforeBatch, 0, 2, []int{3, 4, 4}, false},
		{"cancel epoch before it starts", hooks.ErrCancelEpoch, hooks.BeforeEpoch, 2, 0, []int{4, 4, 0}, false},
		{"cancel fit in AfterBatch", hooks.ErrCancelFit, hooks.AfterBatch, 1, 1, []int{4, 2}, true},
		{"cancel fit in AfterEpoch", hooks.ErrCancelFit, hooks.AfterEpoch, 0, 3, []int{4}, true},
		{"cancel fit in BeforeFit", hooks.ErrCancelFit, hooks.BeforeFit, 0, 0, nil, true},
		{"wrapped cancel fit", fmt.Errorf("early stop: %w", hooks.ErrCancelFit), hooks.AfterEpoch, 1, 3, []int{4, 4}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := small(t, 40, Options{BatchSize: 10})
			var batches []int
			var final hooks.State
			afterEpochs := 0
			l.AddHook(hooks.Func("cancel", 0, func(e hooks.Event, s *hooks.State) error {
				if e == tc.at && s.Epoch == tc.epoch && s.Batch == tc.batch {
					return tc.sig
				}
				return nil
			}))
			l.AddHook(hooks.Func("count", 10, func(e hooks.Event, s *hooks.State) error {
				switch e {
				case hooks.BeforeEpoch:
					batches = append(batches, 0)
				case hooks.AfterBatch:
					batches[len(batches)-1]++
				case hooks.AfterEpoch:
					afterEpochs++
				case hooks.AfterFit:
					final = *s
				}
				return nil
			}))
			if err := l.Fit(3); err != nil {
				t.Fatalf("Fit = %v, want nil after a cancel", err)
			}
			if !slices.Equal(batches, tc.wantBatches) {
				t.Errorf("batches per epoch %v, want %v", batches, tc.wantBatches)
			}
			if afterEpochs != len(tc.wantBatches) || len(l.History()) != len(tc.wantBatches) {
				t.Errorf("AfterEpoch ran %d times, History has %d epochs; want %d", afterEpochs, len(l.History()), len(tc.wantBatches))
			}
			if final.Stopped != tc.wantStopped || final.Err != nil {
				t.Errorf("AfterFit saw Stopped %v, Err %v; want Stopped %v", final.Stopped, final.Err, tc.wantStopped)
			}
			// The model stays valid and usable.
			var b bytes.Buffer
			if err := l.Export(&b); err != nil {
				t.Fatalf("Export after cancel: %v", err)
			}
			if _, err := Load(&b); err != nil {
				t.Fatalf("Load after cancel: %v", err)
			}
		})
	}
}

func TestBatchSizeChange(t *testing.T) {
	l := small(t, 20, Options{BatchSize: 10})
	var seen [][]int
	var batchesAtBeforeEpoch, batchesFirst []int
	// A hook that runs before the schedule already sees the batches of the
	// batch size a hook set at the last AfterEpoch (or mid-epoch).
	l.AddHook(hooks.Func("first", hooks.OrderSchedule-1, func(e hooks.Event, s *hooks.State) error {
		batchesFirst = append(batchesFirst, s.Batches)
		return nil
	}, hooks.BeforeFit, hooks.BeforeEpoch))
	l.AddHook(hooks.Func("resize", 0, func(e hooks.Event, s *hooks.State) error {
		switch {
		case e == hooks.AfterEpoch && s.Epoch == 0:
			s.BatchSize = 7 // applies to epoch 1
		case e == hooks.BeforeBatch && s.Epoch == 1 && s.Batch == 0:
			s.BatchSize = 3 // mid-epoch: applies to epoch 2
		case e == hooks.BeforeEpoch && s.Epoch == 3:
			s.BatchSize = 100 // clamped to the 20 records
		}
		return nil
	}))
	l.AddHook(hooks.Func("watch", 1, func(e hooks.Event, s *hooks.State) error {
		switch e {
		case hooks.BeforeEpoch:
			seen = append(seen, nil)
			batchesAtBeforeEpoch = append(batchesAtBeforeEpoch, s.Batches)
		case hooks.BeforeBatch:
			seen[len(seen)-1] = append(seen[len(seen)-1], s.X.Shape()[0])
		}
		return nil
	}))
	if err := l.Fit(4); err != nil {
		t.Fatal(err)
	}
	want := [][]int{{10, 10}, {7, 7, 6}, {3, 3, 3, 3, 3, 3, 2}, {20}}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("batch sizes per epoch %v, want %v", seen, want)
	}
	if wantB := []int{2, 3, 7, 1}; !slices.Equal(batchesAtBeforeEpoch, wantB) {
		t.Errorf("State.Batches at BeforeEpoch %v, want %v", batchesAtBeforeEpoch, wantB)
	}
	if wantB := []int{2, 2, 3, 7, 7}; !slices.Equal(batchesFirst, wantB) {
		t.Errorf("State.Batches seen first at BeforeFit and BeforeEpoch %v, want %v", batchesFirst, wantB)
	}
	var hb []int
	for _, e := range l.History() {
		hb = append(hb, e.BatchSize)
	}
	if want := []int{10, 7, 3, 20}; !slices.Equal(hb, want) {
		t.Errorf("History batch sizes %v, want %v", hb, want)
	}
}

// TestThreePhaseBatchSizes checks that the default schedule's batch sizes
// reach the loader.
func TestThreePhaseBatchSizes(t *testing.T) {
	l, err := New(loaders.Colors(120, 1), nil, &Options{Grid: graph.Grid{Rows: 3, Cols: 3}, BatchSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(6); err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, e := range l.History() {
		got = append(got, e.BatchSize)
	}
	if want := []int{24, 12, 12, 12, 4, 4}; !slices.Equal(got, want) {
		t.Errorf("batch sizes %v, want %v", got, want)
	}
}

func TestFitBadHyperparameters(t *testing.T) {
	tests := []struct {
		name string
		set  func(s *hooks.State)
		at   hooks.Event
		want string
	}{
		{"zero sigma", func(s *hooks.State) { s.Sigma = 0 }, hooks.BeforeBatch, "sigma 0"},
		{"negative alpha", func(s *hooks.State) { s.Alpha = -1 }, hooks.BeforeEpoch, "alpha -1"},
		{"zero batch size", func(s *hooks.State) { s.BatchSize = 0 }, hooks.BeforeEpoch, "batch size 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := small(t, 20, Options{})
			l.AddHook(hooks.Func("set", 0, func(e hooks.Event, s *hooks.State) error { tc.set(s); return nil }, tc.at))
			err := l.Fit(1)
			if err == nil || !strings.HasPrefix(err.Error(), "trainer: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Fit error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestFitArguments(t *testing.T) {
	l := small(t, 20, Options{})
	for _, n := range []int{0, -1} {
		if err := l.Fit(n); err == nil || !strings.Contains(err.Error(), "at least 1") {
			t.Errorf("Fit(%d) error %v, want an 'at least 1' error", n, err)
		}
	}
	l.AddHook(nil)
	if err := l.Fit(1); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("Fit with a nil hook: error %v", err)
	}
}

func TestFitContinues(t *testing.T) {
	l := small(t, 100, Options{Seed: 3})
	var epochs []int
	l.AddHook(hooks.Func("epochs", 0, func(e hooks.Event, s *hooks.State) error {
		epochs = append(epochs, s.Epoch)
		return nil
	}, hooks.BeforeEpoch))
	if err := l.Fit(2); err != nil {
		t.Fatal(err)
	}
	w := l.Map().Weights()
	if err := l.Fit(3); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(epochs, []int{0, 1, 0, 1, 2}) {
		t.Errorf("State.Epoch per epoch %v, want 0 1 0 1 2", epochs)
	}
	var hist []int
	for _, e := range l.History() {
		hist = append(hist, e.Epoch)
	}
	if !slices.Equal(hist, []int{1, 2, 3, 4, 5}) {
		t.Errorf("History epochs %v, want 1..5", hist)
	}
	if slices.Equal(w, l.Map().Weights()) {
		t.Error("the second Fit did not change the codebook")
	}
}
