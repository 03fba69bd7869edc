// Command docrender trains small maps on the built-in data sets and
// writes the reference charts shown in docs/ (run from the repository
// root: go run ./viz/internal/docrender -out docs).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

func main() {
	out := flag.String("out", "docs", "folder to write the charts to")
	all := flag.Bool("all", false, "write every chart of every data set, not only the reference set")
	flag.Parse()
	if err := run(*out, *all); err != nil {
		fmt.Fprintln(os.Stderr, "docrender:", err)
		os.Exit(1)
	}
}

type job struct {
	data    string
	grid    graph.Grid
	epochs  int
	scaling loaders.Scaling
	charts  []string // reference charts written as <data>_<chart>.png
	// clusters, if not nil, clusters the units (weighted by the training
	// hits) and draws the clusters' borders on every map chart.
	clusters *cluster.Options
}

func run(out string, all bool) error {
	jobs := []job{
		{"colors", graph.Grid{Rows: 20, Cols: 20}, 20, loaders.NoScaling, []string{"weights"}, nil},
		{"iris", graph.Grid{Rows: 7, Cols: 9, Topology: graph.Hexagonal}, 30, loaders.ZScore, []string{"hitmap", "preds"}, nil},
		{"penguins", graph.Grid{Rows: 10, Cols: 10}, 30, loaders.ZScore, []string{"features", "loss"}, nil},
		{"iris", graph.Grid{Rows: 7, Cols: 9, Topology: graph.Hexagonal}, 30, loaders.ZScore, []string{"clusters"},
			&cluster.Options{Method: cluster.WardContiguous, K: 3, MinK: 2, MaxK: 8}},
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, j := range jobs {
		in, err := train(j)
		if err != nil {
			return fmt.Errorf("%s: %w", j.data, err)
		}
		if all {
			if _, err := in.WriteCharts(filepath.Join(out, j.data), viz.PNG); err != nil {
				return err
			}
			continue
		}
		for _, c := range j.charts {
			var b bytes.Buffer
			if err := in.Chart(c, &b, viz.PNG); err != nil {
				return fmt.Errorf("%s %s: %w", j.data, c, err)
			}
			p := filepath.Join(out, j.data+"_"+c+".png")
			if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Printf("%s (%d bytes)\n", p, b.Len())
		}
	}
	return nil
}

func train(j job) (*viz.Interpretation, error) {
	db, err := loaders.Builtin(j.data, &loaders.Options{ValidFrac: 0.2, Seed: 7, Pipeline: loaders.PipelineOptions{Normalize: j.scaling}})
	if err != nil {
		return nil, err
	}
	rec := hooks.NewRecorder()
	l, err := trainer.New(db.Train, db.Valid, &trainer.Options{Grid: j.grid, Seed: 7, Init: graph.InitPCA,
		Pipeline: db.Pipeline, Hooks: []hooks.Hook{rec}})
	if err != nil {
		return nil, err
	}
	if err := l.Fit(j.epochs); err != nil {
		return nil, err
	}
	opts := []viz.Option{viz.WithRecorder(rec)}
	if j.clusters != nil {
		m := l.Map()
		bmus, _, err := m.Predict(db.Train.Data)
		if err != nil {
			return nil, err
		}
		o := *j.clusters
		o.Weights = make([]float64, m.Units())
		for _, u := range bmus {
			o.Weights[u]++
		}
		r, err := cluster.Fit(m.Weights(), m.Dim(), m.Grid(), &o)
		if err != nil {
			return nil, err
		}
		opts = append(opts, viz.WithClusters(r))
	}
	return viz.FromLearner(l, opts...)
}
