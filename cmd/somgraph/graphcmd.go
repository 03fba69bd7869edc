package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"gorgonia.org/gorgonia"
)

var graphHelp = help{
	cmd:  "graph",
	args: "[flags]",
	about: `Print the Gorgonia expression graphs a Learner trains with, for a map of
--size and records of --dim features: the exact graphs train compiles and
runs, as DOT (Gorgonia's ToDot, for Graphviz: somgraph graph | dot -Tsvg) or
as text, one node per line.

In minibatch mode one graph runs per batch: distances → best-matching
units → the batch's distinct BMUs → their per-BMU sums → their
neighbourhood rows at σ → the neighbourhood-weighted sums (for a float32
Euclidean map the first two are one node, SOMDistanceArgmin, which finds
the same units without writing the distance matrix); the update rule
w += α/B·(num − den·w) is the only arithmetic outside it. In batch mode
the search graph (distances to per-BMU sums) runs per batch and the update
graph (neighbourhood and weighted sums of the epoch's distinct BMUs) at the
end of every epoch, followed by w = num/den.`,
	groups: []group{
		{"Map", []string{"size", "topology", "toroidal", "dim", "distance", "neighborhood", "dtype"}},
		{"Training", []string{"mode", "batch"}},
		{"Output", []string{"format"}},
	},
	examples: []string{
		"somgraph graph --size 10x10 --dim 3 | dot -Tsvg > graph.svg",
		"somgraph graph --mode batch --format text",
	},
}

// graphFlags are the graph command's options as given.
type graphFlags struct {
	size, topology, distance, neighborhood, dtype, mode, format string
	toroidal                                                    bool
	dim, batch                                                  int
}

func (f *graphFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.size, "size", "10x10", "map size `ROWSxCOLS`")
	fs.StringVar(&f.topology, "topology", "hex", "`rect|hex` cell shape")
	fs.BoolVar(&f.toroidal, "toroidal", false, "wrap the map's edges")
	fs.IntVar(&f.dim, "dim", 3, "number of `features` per record")
	fs.StringVar(&f.distance, "distance", "euclidean", "`euclidean|cosine|manhattan` distance (mixed needs a table's pipeline: see train)")
	fs.StringVar(&f.neighborhood, "neighborhood", "gaussian", "`gaussian|bubble|mexican-hat|triangle` neighbourhood function")
	fs.StringVar(&f.dtype, "dtype", "float32", "`float32|float64` precision")
	fs.StringVar(&f.mode, "mode", "minibatch", "`minibatch|batch` update rule")
	fs.IntVar(&f.batch, "batch", 0, "records per batch; 0 means the trainer's default, 64 in minibatch and in batch mode 16384 where the fused search runs, else 1024")
	fs.StringVar(&f.format, "format", "dot", "`dot|text` output: Graphviz DOT, or one node per line")
}

// maxGraphValues bounds the synthetic records behind the graph (batch×dim).
const maxGraphValues = 1 << 26

// options checks the flags and returns the trainer's options and the
// number of records the graphs are compiled for.
func (f *graphFlags) options() (trainer.Options, int, error) {
	var o trainer.Options
	rows, cols, err := graph.ParseSize(f.size)
	if err != nil {
		return o, 0, usagef("--size %q: %s", f.size, bare(err))
	}
	if o.Grid.Topology, err = graph.ParseTopology(f.topology); err != nil {
		return o, 0, usagef("--topology: %s", bare(err))
	}
	o.Grid.Rows, o.Grid.Cols, o.Grid.Toroidal = rows, cols, f.toroidal
	if err := o.Grid.Validate(); err != nil {
		return o, 0, usagef("--size %s: %s", f.size, bare(err))
	}
	if o.Distance, err = graph.ParseDistance(f.distance); err != nil {
		return o, 0, usagef("--distance: %s", bare(err))
	}
	if o.Distance == graph.Mixed {
		return o, 0, usagef("--distance mixed compares a table's categorical columns, which only a trained pipeline describes: graph shows euclidean, cosine and manhattan")
	}
	if o.Neighborhood, err = graph.ParseNeighborhood(f.neighborhood); err != nil {
		return o, 0, usagef("--neighborhood: %s", bare(err))
	}
	if o.Dtype, err = parseDtype(f.dtype); err != nil {
		return o, 0, err
	}
	if o.Mode, err = trainer.ParseMode(f.mode); err != nil {
		return o, 0, usagef("--mode %q: want minibatch or batch", f.mode)
	}
	if f.dim < 1 {
		return o, 0, usagef("--dim %d: want at least 1 feature", f.dim)
	}
	if f.batch < 0 {
		return o, 0, usagef("--batch %d: want 0 (the default) or more records", f.batch)
	}
	if f.format != "dot" && f.format != "text" {
		return o, 0, usagef("--format %q: want dot or text", f.format)
	}
	o.BatchSize = f.batch
	n := max(f.batch, trainer.DefaultChunkSize)
	if float64(n)*float64(f.dim) > maxGraphValues {
		return o, 0, usagef("--batch %d × --dim %d is more than %d values: use a smaller batch or fewer features", n, f.dim, maxGraphValues)
	}
	o.Schedule = hooks.Constant()
	return o, n, nil
}

func runGraph(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var config string
	fs := newFlagSet("graph", &config)
	var f graphFlags
	f.register(fs)
	if _, code := parse(fs, graphHelp, &config, args, stdout, stderr); code >= 0 {
		return code
	}
	o, n, err := f.options()
	if err != nil {
		return report(stderr, "graph", err)
	}
	gs, err := trainingGraphs(o, n, f.dim)
	if err != nil {
		return report(stderr, "graph", err)
	}
	var b strings.Builder
	for i, g := range gs {
		if f.format == "dot" {
			b.WriteString(g.ToDot())
			b.WriteString("\n")
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		writeGraphText(&b, g, graphTitle(o.Mode, i))
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return report(stderr, "graph", err)
	}
	return exitOK
}

// trainingGraphs builds a Learner on n synthetic records of dim features
// and returns the graphs it trains with (trainer.Learner.Graphs).
func trainingGraphs(o trainer.Options, n, dim int) ([]*gorgonia.ExprGraph, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	ds := &loaders.Dataset{N: n, D: dim, Data: make([]float64, n*dim)}
	for i := range ds.Data {
		ds.Data[i] = rng.Float64()
	}
	l, err := trainer.New(ds, nil, &o)
	if err != nil {
		return nil, err
	}
	return l.Graphs()
}

// graphTitle names graph i of a Learner in mode.
func graphTitle(mode trainer.Mode, i int) string {
	switch {
	case mode == trainer.MiniBatch:
		return "training step (one run per batch)"
	case i == 0:
		return "search (one run per batch)"
	}
	return "epoch update (one run per 256 distinct BMUs at the end of the epoch)"
}

// writeGraphText writes g's nodes in order, one per line: id, name (an op
// node's name is its op and inputs), shape and dtype.
func writeGraphText(b *strings.Builder, g *gorgonia.ExprGraph, title string) {
	fmt.Fprintf(b, "# %s\n", title)
	nodes := slices.Clone(g.AllNodes())
	slices.SortFunc(nodes, func(a, c *gorgonia.Node) int { return int(a.ID() - c.ID()) })
	for _, n := range nodes {
		kind := "input"
		switch {
		case n.Op() != nil && n.Op().Arity() == 0:
			kind = "const"
		case n.Op() != nil:
			kind = "op"
		}
		fmt.Fprintf(b, "%%%d %-5s %s %v %v\n", n.ID(), kind, n.Name(), n.Shape(), n.Dtype())
	}
}
