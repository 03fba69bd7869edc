// Command missing-compare measures what skipping missing values (R
// kohonen's way, somgraph train --missing skip) gains over filling them
// (--missing fill, the median and a "missing" category), issue 16's
// experiment:
//
//	go run ./scripts/missing-compare                 # 5 seeds, iris, penguins, housing
//	go run ./scripts/missing-compare -seeds 2 -data iris
//
// For each data set, rate and seed it removes that share of the input
// values at random (each value on its own, missing completely at random;
// a record that would lose every value keeps one, drawn at random), trains
// one map on the holed table with each policy — the same seed for the
// removal, the initialization and the batches, the same grid, epochs and
// schedule — and measures both maps in one space: their codebooks are
// decoded to the original units and encoded again by the pipeline fitted
// on the complete table, in which the records are measured with their true
// values. It reports the quantization error (QE) and topographic error
// (TE) on the complete rows (the records that lost no value), QE on all
// records, the mean ± sd over the seeds and in how many seeds skip's QE
// on the complete rows is lower than fill's (same seed, paired).
//
// The data: iris (4 continuous inputs), penguins (5 continuous, 2
// categorical; the records that already miss a value are left out) and a
// seeded sample of -housing records of the California housing table (8
// continuous, 1 categorical; complete records only). Maps are hexagonal,
// about 5·√N units, -epochs epochs of -mode (minibatch: three-phase
// schedule; batch: linear-to-one). QE and TE are measured on the training
// records (every record trains both maps).
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

func main() {
	seeds := flag.Int("seeds", 5, "seeds per data set and rate (removal, initialization and batches)")
	epochs := flag.Int("epochs", 20, "training epochs")
	rates := flag.String("rates", "0.1,0.3", "shares of input values removed, comma-separated")
	data := flag.String("data", "iris,penguins,housing", "data sets, comma-separated")
	housing := flag.Int("housing", 4000, "records drawn from the housing table")
	modeName := flag.String("mode", "minibatch", "minibatch|batch update rule (each with its default schedule)")
	flag.Parse()
	var err error
	if mode, err = trainer.ParseMode(*modeName); err != nil {
		log.Fatalf("-mode: %v", err)
	}
	var rs []float64
	for _, s := range strings.Split(*rates, ",") {
		var r float64
		if _, err := fmt.Sscan(s, &r); err != nil || !(r >= 0 && r < 1) {
			log.Fatalf("-rates: %q is not a share in [0, 1)", s)
		}
		rs = append(rs, r)
	}
	fmt.Printf("missing-compare: %d seeds, %d epochs, hexagonal maps, %v with its default schedule\n\n", *seeds, *epochs, mode)
	fmt.Println("| data | removed | complete rows | QE complete, fill | QE complete, skip | skip lower | TE complete, fill | TE complete, skip | QE all, fill | QE all, skip |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, name := range strings.Split(*data, ",") {
		ds, err := load(strings.TrimSpace(name), *housing)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range rs {
			s, err := compare(ds, r, *seeds, *epochs)
			if err != nil {
				log.Fatalf("%s at %.0f%%: %v", name, 100*r, err)
			}
			fmt.Println(s.row())
		}
	}
	os.Exit(0)
}

// mode is the update rule of every map.
var mode trainer.Mode

// dataset is a complete table and its map size.
type dataset struct {
	name       string
	table      *loaders.Table
	rows, cols int
}

// load returns a built-in table without its records that miss a value.
func load(name string, housing int) (*dataset, error) {
	t, err := loaders.BuiltinTable(name, nil, 1)
	if err != nil {
		return nil, err
	}
	var keep []int
	for i := range t.Rows {
		if !slices.ContainsFunc(t.Columns, func(c loaders.Column) bool { return isInput(c) && c.IsMissing(i) }) {
			keep = append(keep, i)
		}
	}
	if name == "housing" && housing < len(keep) {
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(keep), func(i, j int) { keep[i], keep[j] = keep[j], keep[i] })
		keep = keep[:housing]
		slices.Sort(keep)
	}
	t = t.Subset(keep)
	// About 5·√N units, hexagonal rows × columns.
	side := max(3, int(math.Round(math.Sqrt(5*math.Sqrt(float64(t.Rows))))))
	return &dataset{name: name, table: t, rows: side, cols: side}, nil
}

func isInput(c loaders.Column) bool {
	return c.Role == loaders.Continuous || c.Role == loaders.Categorical
}

// holes returns a copy of t with about rate of its input values removed,
// drawn with seed, and which rows kept every value.
func holes(t *loaders.Table, rate float64, seed uint64) (*loaders.Table, []bool) {
	rng := rand.New(rand.NewPCG(seed, 0x4015))
	out := new(loaders.Table)
	*out = *t
	out.Columns = make([]loaders.Column, len(t.Columns))
	var inputs []int
	for j, c := range t.Columns {
		c.Num, c.Str, c.Missing = slices.Clone(c.Num), slices.Clone(c.Str), slices.Clone(c.Missing)
		if c.Role == loaders.Categorical && c.Missing == nil {
			c.Missing = make([]bool, t.Rows)
		}
		out.Columns[j] = c
		if isInput(c) {
			inputs = append(inputs, j)
		}
	}
	complete := make([]bool, t.Rows)
	drop := make([]bool, len(inputs))
	for i := range t.Rows {
		n := 0
		for k := range inputs {
			drop[k] = rng.Float64() < rate
			if drop[k] {
				n++
			}
		}
		if n == len(inputs) {
			drop[rng.IntN(len(inputs))] = false
		}
		complete[i] = n == 0
		for k, j := range inputs {
			if !drop[k] {
				continue
			}
			c := &out.Columns[j]
			if c.Role == loaders.Continuous {
				c.Num[i] = math.NaN()
			} else {
				c.Str[i], c.Missing[i] = "", true
			}
		}
	}
	return out, complete
}

// result is one data set and rate over the seeds.
type result struct {
	name                 string
	rate                 float64
	complete             []int
	qeFill, qeSkip       []float64 // on the complete rows
	teFill, teSkip       []float64
	qeAllFill, qeAllSkip []float64 // on every record, true values
}

// compare runs the experiment for one data set and rate.
func compare(ds *dataset, rate float64, seeds, epochs int) (*result, error) {
	ref, err := loaders.NewDataBunch(ds.table, nil)
	if err != nil {
		return nil, err
	}
	res := &result{name: ds.name, rate: rate}
	for s := range seeds {
		seed := uint64(s + 1)
		holed, complete := holes(ds.table, rate, seed)
		var rows []int
		for i, ok := range complete {
			if ok {
				rows = append(rows, i)
			}
		}
		res.complete = append(res.complete, len(rows))
		for _, policy := range []loaders.Missing{loaders.FillMissing, loaders.SkipMissing} {
			m, err := train(holed, policy, ds, seed, epochs)
			if err != nil {
				return nil, fmt.Errorf("%v: %w", policy, err)
			}
			onRef, err := inRefSpace(m, ref.Pipeline)
			if err != nil {
				return nil, err
			}
			qe, te, qeAll := math.NaN(), math.NaN(), math.NaN()
			if len(rows) > 0 {
				met, err := onRef.Evaluate(ref.Train.Subset(rows).Data, 1)
				if err != nil {
					return nil, err
				}
				qe, te = met.QE, met.TE
			}
			all, err := onRef.Evaluate(ref.Train.Data, 1)
			if err != nil {
				return nil, err
			}
			qeAll = all.QE
			if policy == loaders.FillMissing {
				res.qeFill, res.teFill, res.qeAllFill = append(res.qeFill, qe), append(res.teFill, te), append(res.qeAllFill, qeAll)
			} else {
				res.qeSkip, res.teSkip, res.qeAllSkip = append(res.qeSkip, qe), append(res.teSkip, te), append(res.qeAllSkip, qeAll)
			}
		}
	}
	return res, nil
}

// train fits the pipeline of policy on the holed table and trains a map.
func train(t *loaders.Table, policy loaders.Missing, ds *dataset, seed uint64, epochs int) (*trainer.Model, error) {
	db, err := loaders.NewDataBunch(t, &loaders.Options{Pipeline: loaders.PipelineOptions{Missing: policy}})
	if err != nil {
		return nil, err
	}
	l, err := trainer.New(db.Train, nil, &trainer.Options{
		Grid: graph.Grid{Rows: ds.rows, Cols: ds.cols, Topology: graph.Hexagonal}, Pipeline: db.Pipeline, Seed: seed, Mode: mode,
	})
	if err != nil {
		return nil, err
	}
	if err := l.Fit(epochs); err != nil {
		return nil, err
	}
	return l.Model(), nil
}

// inRefSpace returns the model's map with its codebook decoded to the
// original units and encoded again by the reference pipeline ref: each
// continuous value rescaled, each one-hot level column copied (fill's
// "missing" level, absent from ref, is dropped).
func inRefSpace(m *trainer.Model, ref *loaders.Pipeline) (*graph.Map, error) {
	mp := m.Pipeline
	mf, rf := mp.Features(), ref.Features()
	col := func(p *loaders.Pipeline, name string) *loaders.FittedColumn {
		for j := range p.Columns {
			if p.Columns[j].Name == name {
				return &p.Columns[j]
			}
		}
		return nil
	}
	k, dm, dr := m.Config.Grid.Units(), m.Config.Dim, len(rf)
	w := make([]float64, k*dr)
	for f, name := range rf {
		j := slices.Index(mf, name)
		if j < 0 {
			return nil, fmt.Errorf("the model has no column %q", name)
		}
		rc, mc := col(ref, name), col(mp, name)
		for u := range k {
			v := m.Weights[u*dm+j]
			if rc != nil && rc.Kind == loaders.Continuous { // a value: rescale; a level column: copy
				v = (v*mc.Scale + mc.Center - rc.Center) / rc.Scale
			}
			w[u*dr+f] = v
		}
	}
	cfg := m.Config
	cfg.Dim, cfg.Missing = dr, false
	g, err := graph.New(cfg)
	if err != nil {
		return nil, err
	}
	return g, g.SetWeights(w)
}

func meanSD(v []float64) (float64, float64) {
	var s, ss float64
	for _, x := range v {
		s += x
	}
	m := s / float64(len(v))
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	if len(v) < 2 {
		return m, 0
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

func (r *result) row() string {
	f := func(v []float64) string {
		m, s := meanSD(v)
		return fmt.Sprintf("%.4f ± %.4f", m, s)
	}
	wins := 0
	for i := range r.qeFill {
		if r.qeSkip[i] < r.qeFill[i] {
			wins++
		}
	}
	c := make([]float64, len(r.complete))
	for i, n := range r.complete {
		c[i] = float64(n)
	}
	cm, _ := meanSD(c)
	return fmt.Sprintf("| %s | %.0f%% | %.0f | %s | %s | %d of %d | %s | %s | %s | %s |", r.name, 100*r.rate, cm,
		f(r.qeFill), f(r.qeSkip), wins, len(r.qeFill), f(r.teFill), f(r.teSkip), f(r.qeAllFill), f(r.qeAllSkip))
}
