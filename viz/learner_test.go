package viz

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// trained trains a small map on a built-in data set with the real trainer
// and returns the learner and its recorder.
func trained(t *testing.T, name string, g graph.Grid, epochs int, scaling loaders.Scaling, extra ...hooks.Hook) (*trainer.Learner, *hooks.Recorder) {
	t.Helper()
	db, err := loaders.Builtin(name, &loaders.Options{ValidFrac: 0.2, Seed: 1, Pipeline: loaders.PipelineOptions{Normalize: scaling}})
	if err != nil {
		t.Fatal(err)
	}
	rec := hooks.NewRecorder()
	l, err := trainer.New(db.Train, db.Valid, &trainer.Options{Grid: g, Seed: 3, Init: graph.InitPCA, BatchSize: 16,
		Pipeline: db.Pipeline, Hooks: append([]hooks.Hook{rec}, extra...)})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(epochs); err != nil {
		t.Fatal(err)
	}
	return l, rec
}

func TestFromLearnerWritesEveryChart(t *testing.T) {
	cases := []struct {
		name    string
		data    string
		grid    graph.Grid
		epochs  int
		scaling loaders.Scaling
	}{
		{"iris hex", "iris", graph.Grid{Rows: 8, Cols: 10, Topology: graph.Hexagonal}, 10, loaders.ZScore},
		{"penguins rect", "penguins", graph.Grid{Rows: 8, Cols: 8}, 10, loaders.ZScore},
		{"colours", "colors", graph.Grid{Rows: 12, Cols: 12}, 10, loaders.NoScaling},
		{"one epoch", "iris", graph.Grid{Rows: 4, Cols: 4}, 1, loaders.ZScore},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, rec := trained(t, c.data, c.grid, c.epochs, c.scaling)
			m := l.Map()
			cl, err := cluster.Fit(m.Weights(), m.Dim(), m.Grid(), &cluster.Options{Method: cluster.WardContiguous, MaxK: 6})
			if err != nil {
				t.Fatal(err)
			}
			in, err := FromLearner(l, WithRecorder(rec), WithClusters(cl))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if out := os.Getenv("VIZ_OUT"); out != "" {
				dir = filepath.Join(out, strings.ReplaceAll(c.name, " ", "_"))
			}
			for _, f := range []Format{PNG, SVG} {
				paths, err := in.WriteCharts(dir, f)
				if err != nil {
					t.Fatal(err)
				}
				want := append(ChartNames(), ClusterChartNames()...)
				if l.Train().Labels == nil {
					want = slices.DeleteFunc(want, func(s string) bool { return s == "preds" })
				}
				if len(paths) != len(want) {
					t.Errorf("%v: wrote %d charts %v, want %d", f, len(paths), paths, len(want))
				}
				for _, p := range paths {
					b, err := os.ReadFile(p)
					if err != nil {
						t.Fatal(err)
					}
					if f == PNG {
						decodePNG(t, b)
					} else {
						parseXML(t, b)
					}
				}
			}
			// The hit map of the validation data works too.
			var b bytes.Buffer
			if err := in.Hitmap(&b, PNG, in.Valid()); err != nil {
				t.Errorf("valid hit map: %v", err)
			}
			saveLook(t, strings.ReplaceAll(c.name, " ", "_")+"/hitmap_valid.png", b.Bytes())
		})
	}
}

func TestChartHookWritesEveryNEpochs(t *testing.T) {
	db, err := loaders.Builtin("iris", &loaders.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if out := os.Getenv("VIZ_OUT"); out != "" {
		dir = filepath.Join(out, "hook")
	}
	cases := []struct {
		name   string
		hook   *ChartHook
		epochs int
		want   []string // base names of the frames, in order
	}{
		{"every 2 of 5 with data", NewChartHook(dir, 2, PNG, db.Train), 5,
			[]string{"hitmap_e0002", "pca_e0002", "hyperparams", "loss", "hitmap_e0004", "pca_e0004", "hyperparams", "loss", "hitmap_e0005", "pca_e0005", "hyperparams", "loss"}},
		{"only at the end without data", NewChartHook(filepath.Join(dir, "end"), 0, SVG, nil), 2,
			[]string{"hitmap_e0002", "hyperparams", "loss"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := trainer.New(db.Train, nil, &trainer.Options{Grid: graph.Grid{Rows: 6, Cols: 6}, Seed: 1, Hooks: []hooks.Hook{c.hook}})
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Fit(c.epochs); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range c.hook.Written {
				got = append(got, strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)))
				if _, err := os.Stat(p); err != nil {
					t.Errorf("written file %s: %v", p, err)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("wrote %v, want %v", got, c.want)
			}
		})
	}
	t.Run("reused on another map", func(t *testing.T) {
		h := NewChartHook(filepath.Join(dir, "reused"), 0, PNG, db.Train)
		for _, g := range []graph.Grid{{Rows: 3, Cols: 3}, {Rows: 4, Cols: 4}} {
			l, err := trainer.New(db.Train, nil, &trainer.Options{Grid: g, Seed: 1, Hooks: []hooks.Hook{h}})
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Fit(1); err != nil {
				t.Fatalf("%v map: %v", g, err)
			}
		}
	})
	t.Run("bad setting stops the fit", func(t *testing.T) {
		l, err := trainer.New(db.Train, nil, &trainer.Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Hooks: []hooks.Hook{NewChartHook(dir, -1, PNG, nil)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Fit(1); err == nil || !strings.Contains(err.Error(), "Every is -1") {
			t.Errorf("got %v, want an error about Every", err)
		}
	})
}
