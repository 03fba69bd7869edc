package trainer

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// splitPass returns an EpochPass that searches the records of parts, each
// with its own copy of the map, and merges their statistics: what a
// distributed runner does.
func splitPass(t *testing.T, parts [][]float64, sigmas *[]float64) EpochPass {
	return func(m *graph.Map, sigma float64, stats *graph.Stats, metrics *graph.MetricsAcc) error {
		*sigmas = append(*sigmas, sigma)
		for _, rows := range parts {
			w, _ := graph.New(m.Config())
			if err := w.SetWeights(m.Weights()); err != nil {
				return err
			}
			s, acc := w.NewStats(), w.NewMetricsAcc()
			n := len(rows) / m.Dim()
			if n > 0 {
				f, err := w.NewSearch(n)
				if err != nil {
					return err
				}
				x := tensor.New(tensor.WithShape(n, m.Dim()), tensor.Of(tensor.Float32))
				for i, v := range rows {
					x.Data().([]float32)[i] = float32(v)
				}
				if err := f.SearchInto(x, s); err != nil {
					return err
				}
				acc.AddWithoutDistortion(f)
			}
			if err := stats.Merge(s); err != nil {
				return err
			}
			if err := metrics.Merge(acc); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestEpochPassMatchesBatch checks that a Learner whose epochs run through
// an external pass over three unequal parts (one empty) trains the codebook
// of the in-process Batch mode, with the same σ per epoch, metrics and
// hooks: early stopping ends both at the same epoch.
func TestEpochPassMatchesBatch(t *testing.T) {
	data := loaders.Colors(900, 5)
	opts := func() *Options {
		// An improvement must be ≥ 0.02 to count: stops after a few epochs.
		es, err := hooks.NewEarlyStopping(hooks.TrainQE, 1, 0.02)
		if err != nil {
			t.Fatal(err)
		}
		return &Options{Grid: graph.Grid{Rows: 5, Cols: 6}, Mode: Batch, BatchSize: 256, Seed: 2, Hooks: []hooks.Hook{es}}
	}
	ref, err := New(data, nil, opts())
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.Fit(8); err != nil {
		t.Fatal(err)
	}
	l, err := New(data, nil, opts())
	if err != nil {
		t.Fatal(err)
	}
	d := data.D
	parts := [][]float64{data.Data[:100*d], nil, data.Data[100*d:]}
	var sigmas []float64
	if err := l.SetEpochPass(splitPass(t, parts, &sigmas), data.N); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	l.AddHook(hooks.Func("size", 0, func(e hooks.Event, s *hooks.State) error {
		sizes = append(sizes, s.TrainSize)
		return nil
	}, hooks.BeforeFit))
	if err := l.Fit(8); err != nil {
		t.Fatal(err)
	}
	rh, h := ref.History(), l.History()
	t.Logf("%d epochs", len(h))
	if len(h) != len(rh) || len(h) >= 8 || len(h) < 2 {
		t.Fatalf("%d epochs with the pass, %d in process; early stopping should end both before 8", len(h), len(rh))
	}
	for i := range h {
		if sigmas[i] != rh[i].Sigma || h[i].Sigma != rh[i].Sigma {
			t.Fatalf("epoch %d: pass got σ %v, history %v, in process %v", i, sigmas[i], h[i].Sigma, rh[i].Sigma)
		}
		a, b := h[i].Train, rh[i].Train
		if math.Abs(a.QE-b.QE) > 1e-5 || math.Abs(a.Distortion-b.Distortion) > 1e-4 || a.TE != b.TE || a.DeadUnits != b.DeadUnits {
			t.Fatalf("epoch %d: metrics %+v, in process %+v", i, a, b)
		}
	}
	for i, v := range ref.Map().Weights() {
		if got := l.Map().Weights()[i]; math.Abs(got-v) > 1e-5 {
			t.Fatalf("weight %d: %v through the pass, %v in process", i, got, v)
		}
	}
	if sizes[0] != data.N {
		t.Fatalf("TrainSize %d, want %d", sizes[0], data.N)
	}
}

func TestEpochPassErrors(t *testing.T) {
	data := loaders.Colors(50, 1)
	mini, _ := New(data, nil, &Options{Grid: graph.Grid{Rows: 2, Cols: 2}})
	nop := func(*graph.Map, float64, *graph.Stats, *graph.MetricsAcc) error { return nil }
	if err := mini.SetEpochPass(nop, 50); err == nil {
		t.Error("MiniBatch mode with a pass: no error")
	}
	l, _ := New(data, nil, &Options{Grid: graph.Grid{Rows: 2, Cols: 2}, Mode: Batch})
	if err := l.SetEpochPass(nil, 50); err == nil {
		t.Error("nil pass: no error")
	}
	if err := l.SetEpochPass(nop, 0); err == nil {
		t.Error("no records: no error")
	}
	if err := l.SetEpochPass(nop, 50); err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(1); err == nil || !strings.Contains(err.Error(), "added 0 records") {
		t.Errorf("a pass adding nothing: %v", err)
	}
	boom := errors.New("boom")
	l.SetEpochPass(func(*graph.Map, float64, *graph.Stats, *graph.MetricsAcc) error { return boom }, 50)
	if err := l.Fit(1); !errors.Is(err, boom) {
		t.Errorf("a failing pass: %v", err)
	}
}

// TestNewInitialized checks that a codebook initialized through
// NewInitialized from the records graph.Map.InitRecords chose, gathered
// as a distributed pass would, is New's on the whole data, for every init.
func TestNewInitialized(t *testing.T) {
	data := loaders.Colors(700, 3)
	for _, kind := range []graph.Init{graph.InitRandom, graph.InitSample, graph.InitPCA, graph.InitKMeans} {
		opts := &Options{Grid: graph.Grid{Rows: 4, Cols: 5}, Mode: Batch, Init: kind, Seed: 8}
		ref, err := New(data, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		few := &loaders.Dataset{Data: data.Data[:2*data.D], N: 2, D: data.D, Features: data.Features}
		l, err := NewInitialized(few, nil, opts, func(m *graph.Map, rng *rand.Rand) error {
			idx, err := m.InitRecords(kind, data.N, rng)
			if err != nil {
				return err
			}
			rows := data.Data
			if idx != nil {
				rows = nil
				for _, i := range idx {
					rows = append(rows, data.Data[i*data.D:(i+1)*data.D]...)
				}
			}
			return m.InitializeFrom(kind, rows, rng)
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(l.Map().Weights(), ref.Map().Weights()) {
			t.Fatalf("%v: NewInitialized's codebook differs from New's", kind)
		}
	}
	if _, err := NewInitialized(data, nil, nil, nil); err == nil {
		t.Error("nil init: no error")
	}
	boom := errors.New("boom")
	if _, err := NewInitialized(data, nil, nil, func(*graph.Map, *rand.Rand) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("init's error: %v", err)
	}
}

// validPassOf returns a ValidPass over parts, each searched by its own copy
// of the map, merged: what a distributed runner does.
func validPassOf(parts [][]float64) ValidPass {
	return func(m *graph.Map, sigma float64, metrics *graph.MetricsAcc) error {
		for _, rows := range parts {
			w, _ := graph.New(m.Config())
			if err := w.SetWeights(m.Weights()); err != nil {
				return err
			}
			acc := w.NewMetricsAcc()
			if n := len(rows) / m.Dim(); n > 0 {
				f, err := w.NewSearch(n)
				if err != nil {
					return err
				}
				x := tensor.New(tensor.WithShape(n, m.Dim()), tensor.Of(tensor.Float32))
				for i, v := range rows {
					x.Data().([]float32)[i] = float32(v)
				}
				if err := f.Search(x); err != nil {
					return err
				}
				acc.Add(f, sigma)
			}
			if err := metrics.Merge(acc); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestExternalPassValidAndHooks checks the hooks of a fit whose epochs and
// validation metrics come from external passes: the validation metrics
// per epoch are those of the in-process Learner with the validation
// dataset, early stopping on valid_qe ends both at the same epoch, and a
// Checkpointer interrupted after an epoch resumes (Resume, the passes set
// again) to the codebook of the uninterrupted fit.
func TestExternalPassValidAndHooks(t *testing.T) {
	train, valid, err := loaders.Colors(1200, 4).Split(0.25, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := train.D
	trainParts := [][]float64{train.Data[:300*d], nil, train.Data[300*d:]}
	validParts := [][]float64{valid.Data[:10*d], valid.Data[10*d:]}
	opts := func(stop bool) *Options {
		o := &Options{Grid: graph.Grid{Rows: 5, Cols: 6}, Mode: Batch, Init: graph.InitPCA, Seed: 3}
		if stop {
			es, err := hooks.NewEarlyStopping(hooks.ValidQE, 1, 0.01)
			if err != nil {
				t.Fatal(err)
			}
			o.Hooks = []hooks.Hook{es}
		}
		return o
	}
	external := func(l *Learner) *Learner {
		var sigmas []float64
		if err := l.SetEpochPass(splitPass(t, trainParts, &sigmas), train.N); err != nil {
			t.Fatal(err)
		}
		if err := l.SetValidPass(validPassOf(validParts), valid.N); err != nil {
			t.Fatal(err)
		}
		return l
	}
	ref, _ := New(train, valid, opts(true))
	if err := ref.Fit(12); err != nil {
		t.Fatal(err)
	}
	l, _ := New(train, nil, opts(true))
	var validSizes []int
	l.AddHook(hooks.Func("valid-size", 0, func(_ hooks.Event, s *hooks.State) error {
		validSizes = append(validSizes, s.ValidSize)
		return nil
	}, hooks.BeforeFit))
	if err := external(l).Fit(12); err != nil {
		t.Fatal(err)
	}
	rh, h := ref.History(), l.History()
	if len(h) != len(rh) || len(h) >= 12 {
		t.Fatalf("%d epochs through the passes, %d in process; early stopping on valid_qe should end both before 12", len(h), len(rh))
	}
	for i := range h {
		a, b := h[i].Valid, rh[i].Valid
		if !h[i].HasValid || math.Abs(a.QE-b.QE) > 1e-5 || math.Abs(a.Distortion-b.Distortion) > 1e-4 || a.TE != b.TE || a.DeadUnits != b.DeadUnits {
			t.Fatalf("epoch %d: valid metrics %+v, in process %+v", i+1, a, b)
		}
	}
	if validSizes[0] != valid.N {
		t.Fatalf("ValidSize %d, want %d", validSizes[0], valid.N)
	}

	// Checkpoint and resume.
	whole, _ := New(train, nil, opts(false))
	if err := external(whole).Fit(5); err != nil {
		t.Fatal(err)
	}
	cut, _ := New(train, nil, opts(false))
	path := filepath.Join(t.TempDir(), "run.ckpt")
	cp, err := cut.NewCheckpointer(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	cut.AddHook(cp)
	cut.AddHook(hooks.Func("interrupt", hooks.OrderOutput, func(_ hooks.Event, s *hooks.State) error {
		if s.Epoch == 1 {
			cp.Stop() // as a signal would, between two epochs' passes
		}
		return nil
	}, hooks.AfterEpoch))
	if err := external(cut).Fit(5); err != nil {
		t.Fatal(err)
	}
	if len(cut.History()) != 2 || !cp.Interrupted {
		t.Fatalf("interrupted after epoch 2: %d epochs ran, interrupted %v", len(cut.History()), cp.Interrupted)
	}
	ck, err := LoadCheckpointFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Done != 2 || ck.Finished {
		t.Fatalf("checkpoint: done %d, finished %v; want 2, not finished", ck.Done, ck.Finished)
	}
	r, err := Resume(ck, train, nil, opts(false))
	if err != nil {
		t.Fatal(err)
	}
	if err := external(r).Fit(ck.Epochs); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Map().Weights(), whole.Map().Weights()) || len(r.History()) != 5 {
		t.Fatalf("resumed fit: %d epochs, codebook equal %v", len(r.History()), slices.Equal(r.Map().Weights(), whole.Map().Weights()))
	}
	// Bad input.
	if err := l.SetValidPass(nil, 1); err == nil {
		t.Error("nil valid pass: no error")
	}
	if err := l.SetValidPass(validPassOf(validParts), 0); err == nil {
		t.Error("no validation records: no error")
	}
	if err := ref.SetValidPass(validPassOf(validParts), 5); err == nil {
		t.Error("a valid pass on a Learner with validation data: no error")
	}
	sup, err := New(labelled(60, side), nil, &Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Mode: Batch, Supervised: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	nop := func(*graph.Map, float64, *graph.Stats, *graph.MetricsAcc) error { return nil }
	if err := sup.SetEpochPass(nop, 60); err == nil || !strings.Contains(err.Error(), "supervised") {
		t.Errorf("a supervised map with an external pass: %v", err)
	}
	short, _ := New(train, nil, opts(false))
	external(short).SetValidPass(validPassOf(validParts[:1]), valid.N)
	if err := short.Fit(1); err == nil || !strings.Contains(err.Error(), "validation pass added 10 records") {
		t.Errorf("a valid pass short of records: %v", err)
	}
}
