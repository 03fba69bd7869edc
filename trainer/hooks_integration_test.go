package trainer

// Integration tests of the stock hooks (package hooks) in a real Fit.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// TestStockHooksFollowThreePhase runs the default schedule with the
// recorder, hit tracker, CSV logger, NaN guard and progress lines, and
// checks that every hook saw the scheduled values and the real batches.
func TestStockHooksFollowThreePhase(t *testing.T) {
	const tol = 1e-12
	const n, epochs, bs = 100, 7, 48
	l, err := New(loaders.Colors(n, 5), loaders.Colors(40, 6), &Options{Grid: graph.Grid{Rows: 3, Cols: 4}, BatchSize: bs, Alpha: 0.8, Sigma: 2, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	rec, hits, guard := hooks.NewRecorder(), hooks.NewHitTracker(), hooks.NewNaNGuard()
	var csvBuf, progBuf bytes.Buffer
	for _, h := range []hooks.Hook{rec, hits, guard, hooks.NewCSVLogger(&csvBuf), hooks.NewProgress(&progBuf, hooks.ProgressAuto)} {
		l.AddHook(h)
	}
	if err := l.Fit(epochs); err != nil {
		t.Fatal(err)
	}
	plan, err := hooks.ThreePhase().Plan(epochs, 0.8, 2, bs)
	if err != nil {
		t.Fatal(err)
	}
	// Batches really have the scheduled sizes (phases 1/4/2: 48, 24, 8).
	var sizes [][]int
	for _, b := range rec.Batches {
		if b.Batch == 1 {
			sizes = append(sizes, nil)
		}
		sizes[len(sizes)-1] = append(sizes[len(sizes)-1], b.Size)
		if p := plan[b.Epoch-1]; math.Abs(b.Alpha-p.Alpha) > tol || math.Abs(b.Sigma-p.Sigma) > tol {
			t.Errorf("epoch %d batch %d used α %v σ %v, want %v %v", b.Epoch, b.Batch, b.Alpha, b.Sigma, p.Alpha, p.Sigma)
		}
	}
	for e, s := range sizes {
		want := plan[e].BatchSize
		for i, got := range s {
			if i < len(s)-1 && got != want || i == len(s)-1 && got != n-want*(len(s)-1) {
				t.Errorf("epoch %d batch sizes %v, want batches of %d", e, s, want)
				break
			}
		}
	}
	hist := l.History()
	if len(rec.Epochs) != epochs || len(hist) != epochs {
		t.Fatalf("recorder %d epochs, history %d, want %d", len(rec.Epochs), len(hist), epochs)
	}
	for e, r := range rec.Epochs {
		if r.BatchSize != plan[e].BatchSize || r.Records != n || r.Valid != hist[e].Valid || r.Train != hist[e].Train || !r.HasValid {
			t.Errorf("epoch %d record %+v, history %+v", e, r, hist[e])
		}
		if sum(hits.PerEpoch[e]) != n {
			t.Errorf("epoch %d: %d hits, want %d", e, sum(hits.PerEpoch[e]), n)
		}
	}
	if sum(hits.Total) != n*epochs || len(hits.Total) != 12 {
		t.Errorf("total hits %v", hits.Total)
	}
	rows, err := csv.NewReader(&csvBuf).ReadAll()
	if err != nil || len(rows) != epochs+1 {
		t.Fatalf("CSV: %d rows, %v", len(rows), err)
	}
	if lines := strings.Count(progBuf.String(), "\n"); lines != epochs+1 {
		t.Errorf("progress wrote %d lines, want %d:\n%s", lines, epochs+1, progBuf.String())
	}
}

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}

// TestCSVLoggerTwoPhaseFile is the library side of
// `somgraph train --log epochs.csv --schedule two-phase --epochs 10`.
func TestCSVLoggerTwoPhaseFile(t *testing.T) {
	const tol = 1e-12
	path := filepath.Join(t.TempDir(), "epochs.csv")
	logger, err := hooks.CreateCSVLogger(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(loaders.Colors(60, 1), nil, &Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Schedule: hooks.TwoPhase(), Alpha: 0.5, Sigma: 9, BatchSize: 16, Hooks: []hooks.Hook{logger}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(10); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != 11 {
		t.Fatalf("%d rows, %v:\n%s", len(rows), err, b)
	}
	// Two-phase, 5+5 epochs, σ₀ = 9: rough α 0.5→0.05, σ 9→1.5;
	// fine α 0.025→0.005, σ max(0.75,1)→max(0.36,1) = 1.
	wantA := []float64{0.5, 0.3875, 0.275, 0.1625, 0.05, 0.025, 0.02, 0.015, 0.01, 0.005}
	wantS := []float64{9, 7.125, 5.25, 3.375, 1.5, 1, 1, 1, 1, 1}
	for e, row := range rows[1:] {
		a, _ := strconv.ParseFloat(row[10], 64)
		s, _ := strconv.ParseFloat(row[11], 64)
		if row[0] != strconv.Itoa(e+1) || math.Abs(a-wantA[e]) > tol || math.Abs(s-wantS[e]) > tol {
			t.Errorf("row %v, want epoch %d α %v σ %v", row, e+1, wantA[e], wantS[e])
		}
	}
}

// TestEarlyStoppingFit freezes the map after epoch 0 (α = 0), so the
// monitored QE stops improving and the fit ends after patience epochs,
// cleanly and with a usable model.
func TestEarlyStoppingFit(t *testing.T) {
	freeze := hooks.ScheduleFunc("freeze", func(p hooks.Point) hooks.Values {
		if p.Epoch == 0 {
			return hooks.Values{Alpha: 0.5, Sigma: 1.5}
		}
		return hooks.Values{Alpha: 0, Sigma: 1.5}
	})
	es, err := hooks.NewEarlyStopping("", 2, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	var final hooks.State
	l, err := New(loaders.Colors(80, 2), loaders.Colors(30, 3), &Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Schedule: freeze, BatchSize: 16,
		Hooks: []hooks.Hook{es, hooks.Func("final", 0, func(e hooks.Event, s *hooks.State) error { final = *s; return nil }, hooks.AfterFit)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(20); err != nil {
		t.Fatalf("Fit = %v, want nil after early stopping", err)
	}
	if es.StoppedEpoch != 2 || len(l.History()) != 3 || !final.Stopped || es.BestEpoch != 0 {
		t.Errorf("stopped after epoch %d, %d epochs run, Stopped %v, best epoch %d; want 2, 3, true, 0", es.StoppedEpoch, len(l.History()), final.Stopped, es.BestEpoch)
	}
	if !l.Map().Finite() {
		t.Error("map not finite")
	}
	var b bytes.Buffer
	if err := l.Export(&b); err != nil {
		t.Fatal(err)
	}
}

// TestSaveBestFit checks that the checkpoint file holds the best epoch's
// model even when later epochs get worse: the schedule blows σ up for the
// last two epochs, which collapses the map towards the mean.
func TestSaveBestFit(t *testing.T) {
	const epochs = 6
	sched := hooks.ScheduleFunc("worse-at-end", func(p hooks.Point) hooks.Values {
		if p.Epoch >= epochs-2 {
			return hooks.Values{Alpha: 1, Sigma: 50}
		}
		return hooks.Values{Alpha: 0.5, Sigma: 2 - 0.25*float64(p.Epoch)}
	})
	path := filepath.Join(t.TempDir(), "best.som")
	var l *Learner
	sb, err := hooks.NewSaveBest(path, hooks.ValidQE, func(p string) error { return l.ExportFile(p) })
	if err != nil {
		t.Fatal(err)
	}
	var snaps [][]float64
	snap := hooks.Func("snapshot", hooks.OrderOutput+1, func(e hooks.Event, s *hooks.State) error {
		snaps = append(snaps, s.Map.Weights())
		return nil
	}, hooks.AfterEpoch)
	l, err = New(loaders.Colors(200, 8), loaders.Colors(60, 9), &Options{Grid: graph.Grid{Rows: 4, Cols: 4}, Schedule: sched, BatchSize: 20, Seed: 1,
		Hooks: []hooks.Hook{sb, snap}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(epochs); err != nil {
		t.Fatal(err)
	}
	hist := l.History()
	best := 0
	for e := range hist {
		if hist[e].Valid.QE < hist[best].Valid.QE {
			best = e
		}
	}
	if best >= epochs-2 {
		t.Fatalf("valid QE %v: the test needs the last epochs to be worse", validQEs(hist))
	}
	if sb.BestEpoch != best || sb.Best != hist[best].Valid.QE {
		t.Errorf("SaveBest best epoch %d (%v), want %d (%v)", sb.BestEpoch, sb.Best, best, hist[best].Valid.QE)
	}
	m, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Weights, snaps[best]) {
		t.Errorf("checkpoint weights differ from epoch %d's", best)
	}
	if slices.Equal(m.Weights, l.Map().Weights()) {
		t.Error("checkpoint equals the final (worse) map")
	}
	if len(m.History) != best+1 {
		t.Errorf("checkpoint history has %d epochs, want %d", len(m.History), best+1)
	}
}

func validQEs(h []Epoch) []float64 {
	var out []float64
	for _, e := range h {
		out = append(out, e.Valid.QE)
	}
	return out
}

// TestNaNGuardFit plants a NaN in the codebook before epoch 1, batch 2:
// the guard stops Fit with an error naming that epoch and batch.
func TestNaNGuardFit(t *testing.T) {
	poison := hooks.Func("poison", hooks.OrderDefault, func(e hooks.Event, s *hooks.State) error {
		if s.Epoch == 1 && s.Batch == 2 {
			s.Map.Codebook().Data().([]float32)[5] = float32(math.NaN())
		}
		return nil
	}, hooks.BeforeBatch)
	l, err := New(loaders.Colors(80, 2), nil, &Options{Grid: graph.Grid{Rows: 3, Cols: 3}, BatchSize: 10,
		Hooks: []hooks.Hook{poison, hooks.NewNaNGuard()}})
	if err != nil {
		t.Fatal(err)
	}
	err = l.Fit(3)
	var nf *hooks.NotFiniteError
	if !errors.As(err, &nf) || !errors.Is(err, hooks.ErrNotFinite) {
		t.Fatalf("Fit = %v, want a NaN-guard error", err)
	}
	if nf.Epoch != 1 || nf.Batch != 2 || !strings.HasPrefix(err.Error(), `trainer: AfterBatch(hook "nan-guard"): hooks: nan-guard: `) ||
		!strings.Contains(err.Error(), "at epoch 1, batch 2") {
		t.Errorf("error %q (%+v), want one naming epoch 1, batch 2", err, nf)
	}
	t.Log(err)
	if len(l.History()) != 1 {
		t.Errorf("%d epochs recorded, want 1", len(l.History()))
	}
}
