package sombeam

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// TestMain initializes Beam (beam.Init) so that Prism's loopback workers
// run in this process.
// Prism's progress logs go only to a failing test's output.
func TestMain(m *testing.M) {
	slog.SetLogLoggerLevel(slog.LevelWarn)
	ptest.Main(m)
}

const header = "a,b,c,d,colour"

// rows returns n CSV rows: four numeric columns (one with missing values)
// and a categorical one, in three clusters.
func rows(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]string, n)
	for i := range out {
		k := rng.IntN(3)
		v := [4]float64{}
		for f := range v {
			v[f] = float64(k*3+f%2) + rng.NormFloat64()*0.4
		}
		c := fmt.Sprintf("%.5f", v[2])
		if rng.IntN(20) == 0 {
			c = "NA"
		}
		out[i] = fmt.Sprintf("%.5f,%.5f,%s,%.5f,%s", v[0], v[1], c, v[3], []string{"red", "green", "blue"}[k])
	}
	return out
}

// write writes the rows as shards of the given sizes in dir (-1: an empty
// file) and all of them as one file, whose path it returns.
func write(t *testing.T, dir string, rs []string, sizes []int) string {
	t.Helper()
	i := 0
	for k, n := range sizes {
		text := ""
		if n >= 0 {
			text = header + "\n" + strings.Join(rs[i:i+n], "\n") + "\n"
			i += n
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%02d.csv", k)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if i != len(rs) {
		t.Fatalf("sizes cover %d of %d rows", i, len(rs))
	}
	whole := filepath.Join(t.TempDir(), "whole.csv")
	if err := os.WriteFile(whole, []byte(header+"\n"+strings.Join(rs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return whole
}

func trainOpts() *trainer.Options {
	return &trainer.Options{Grid: graph.Grid{Rows: 4, Cols: 5, Topology: graph.Hexagonal}, Mode: trainer.Batch, Init: graph.InitSample, Seed: 11, BatchSize: 300}
}

// sortedRows returns rows(n, seed) ordered by cluster, so that the first
// records of the first shards are all of one cluster: unrepresentative
// for an initialization that would read only them.
func sortedRows(n int, seed uint64) []string {
	rs := rows(n, seed)
	slices.SortStableFunc(rs, func(a, b string) int {
		return strings.Compare(a[strings.LastIndexByte(a, ',')+1:], b[strings.LastIndexByte(b, ',')+1:])
	})
	return rs
}

func maxDiff(a, b []float64) float64 {
	worst := 0.0
	for i, v := range a {
		worst = math.Max(worst, math.Abs(b[i]-v))
	}
	return worst
}

// TestEquivalence checks that training on Prism gives the in-process batch
// SOM's codebook within 1e-5 (float32) on the same data, initialization and
// schedule: with one shard, and with eight shards of unequal size and an
// empty file; with the epochs reading the encoded records (the default)
// and reading the CSV every epoch. The records are sorted by cluster, so
// the first ones are unrepresentative, and the initial codebook (sample,
// PCA, random, k-means) must be the in-process one from all the records.
// The fitted pipeline is the in-process reader's.
func TestEquivalence(t *testing.T) {
	ctx := context.Background()
	rs := sortedRows(1500, 1)
	const epochs = 4
	unequal := []int{1, 400, 13, 250, -1, 300, 36, 200, 300}
	for _, c := range []struct {
		sizes   []int
		noCache bool
		init    graph.Init
	}{{[]int{1500}, false, graph.InitSample}, {unequal, false, graph.InitPCA}, {unequal, true, graph.InitRandom}, {unequal, false, graph.InitKMeans}} {
		sizes := c.sizes
		trainOpts := func() *trainer.Options {
			o := trainOpts()
			o.Init = c.init
			return o
		}
		t.Run(fmt.Sprintf("%d files, no cache %v, %v", len(sizes), c.noCache, c.init), func(t *testing.T) {
			dir := t.TempDir()
			whole := write(t, dir, rs, sizes)
			read := loaders.Options{}
			db, err := loaders.Load(whole, &read)
			if err != nil {
				t.Fatal(err)
			}
			o := trainOpts()
			o.Pipeline = db.Pipeline
			ref, err := trainer.New(db.Train, nil, o)
			if err != nil {
				t.Fatal(err)
			}
			refInit := ref.Map().Weights()
			if err := ref.Fit(epochs); err != nil {
				t.Fatal(err)
			}

			job, err := NewJob(ctx, Config{Input: filepath.Join(dir, "part-*.csv"), Read: read, NoCache: c.noCache})
			if err != nil {
				t.Fatal(err)
			}
			defer job.Close()
			l, info, err := job.NewLearner(ctx, trainOpts())
			if err != nil {
				t.Fatal(err)
			}
			if info.Records != 1500 || len(info.Files) != len(sizes) {
				t.Fatalf("info %+v", info)
			}
			p := l.Options().Pipeline
			for j, c := range p.Columns {
				w := db.Pipeline.Columns[j]
				if c.Name != w.Name || c.Missing != w.Missing || math.Abs(c.Center-w.Center) > 1e-12 || math.Abs(c.Scale-w.Scale) > 1e-12 || c.Fill != w.Fill || strings.Join(c.Levels, ",") != strings.Join(w.Levels, ",") {
					t.Fatalf("pipeline column %d: %+v, in process %+v", j, c, w)
				}
			}
			init := l.Map().Weights()
			if d := maxDiff(init, refInit); d > 1e-6 {
				t.Fatalf("initial codebook differs from the in-process one by %g", d)
			}
			if err := l.Fit(epochs); err != nil {
				t.Fatal(err)
			}
			moved := 0.0
			for i, v := range init {
				moved = math.Max(moved, math.Abs(l.Map().Weights()[i]-v))
			}
			if moved < 0.1 {
				t.Fatalf("the Beam epochs moved the codebook by at most %g", moved)
			}
			worst := 0.0
			for i, v := range ref.Map().Weights() {
				worst = math.Max(worst, math.Abs(l.Map().Weights()[i]-v))
			}
			t.Logf("largest codebook difference %.3g", worst)
			if worst > 1e-5 {
				t.Fatalf("codebook differs from the in-process batch SOM by %g", worst)
			}
			rh, h := ref.History(), l.History()
			for e := range h {
				if h[e].Sigma != rh[e].Sigma || math.Abs(h[e].Train.QE-rh[e].Train.QE) > 1e-5 || h[e].Train.TE != rh[e].Train.TE {
					t.Fatalf("epoch %d: %+v, in process %+v", e, h[e], rh[e])
				}
			}
		})
	}
}

// TestFaults checks a malformed row (the in-process reader's located
// error, or with Skip its skip count) and a glob that matches nothing.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	rs := rows(300, 2)
	rs[150] = "1.0,2.0,3.0"         // a field count error in part-01.csv, line 52
	rs[220] = "1.0,inf,3.0,4.0,red" // an infinite value in part-02.csv
	dir := t.TempDir()
	whole := write(t, dir, rs, []int{100, 100, 100})
	job, err := NewJob(ctx, Config{Input: filepath.Join(dir, "part-*.csv")})
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	_, want := loaders.Load(filepath.Join(dir, "part-01.csv"), nil)
	_, _, err = job.NewLearner(ctx, trainOpts())
	if err == nil || want == nil || !strings.Contains(err.Error(), want.Error()) {
		t.Fatalf("Beam: %v\nin process on the shard: %v", err, want)
	}
	skip := loaders.Options{Read: loaders.ReadOptions{BadRows: loaders.Skip}}
	db, err := loaders.Load(whole, &skip)
	if err != nil {
		t.Fatal(err)
	}
	job2, err := NewJob(ctx, Config{Input: filepath.Join(dir, "part-*.csv"), Read: skip})
	if err != nil {
		t.Fatal(err)
	}
	defer job2.Close()
	l, info, err := job2.NewLearner(ctx, trainOpts())
	if err != nil {
		t.Fatal(err)
	}
	if info.Skipped != db.Skipped || info.Skipped != 2 || info.Records != db.Train.N {
		t.Fatalf("skipped %d of %d, in process %d of %d", info.Skipped, info.Records, db.Skipped, db.Train.N)
	}
	if err := l.Fit(1); err != nil {
		t.Fatal(err)
	}
	if _, err := NewJob(ctx, Config{Input: filepath.Join(dir, "nothing-*.csv")}); err == nil || !strings.Contains(err.Error(), "matches no files") {
		t.Fatalf("a glob matching nothing: %v", err)
	}
}

// TestPredict checks the predict job against the model's in-process
// prediction of each shard.
func TestPredict(t *testing.T) {
	ctx := context.Background()
	rs := rows(500, 3)
	dir := t.TempDir()
	write(t, dir, rs, []int{200, -1, 300})
	job, err := NewJob(ctx, Config{Input: filepath.Join(dir, "part-*.csv"), Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	l, _, err := job.NewLearner(ctx, trainOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(2); err != nil {
		t.Fatal(err)
	}
	model := l.Model()
	out := t.TempDir()
	n, skipped, err := job.Predict(ctx, model, out, loaders.ReadOptions{})
	if err != nil || n != 500 || skipped != 0 {
		t.Fatalf("predict: %d records, %d skipped, %v", n, skipped, err)
	}
	for _, shard := range job.Files() {
		f, err := os.Open(OutputPath(out, shard))
		if err != nil {
			t.Fatal(err)
		}
		got, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got[0], ",") != "row,bmu_row,bmu_col,distance" {
			t.Fatalf("header %v", got[0])
		}
		var want []trainer.Prediction
		if fi, _ := os.Stat(shard); fi.Size() > 0 {
			db, err := loaders.Load(shard, &loaders.Options{Read: model.Pipeline.ReadOptions()})
			if err != nil {
				t.Fatal(err)
			}
			ds, err := model.Pipeline.Transform(db.Table)
			if err != nil {
				t.Fatal(err)
			}
			if want, err = model.Predict(ds); err != nil {
				t.Fatal(err)
			}
		}
		if len(got)-1 != len(want) {
			t.Fatalf("%s: %d predictions, want %d", shard, len(got)-1, len(want))
		}
		for i, p := range want {
			if got[i+1][1] != strconv.Itoa(p.Row) || got[i+1][2] != strconv.Itoa(p.Col) {
				t.Fatalf("%s row %d: %v, want %+v", shard, i, got[i+1], p)
			}
		}
	}
}

// TestValidSplit checks a validation split marked by a column against the
// in-process trainer on the same rows in one file: the same training
// records, validation metrics per epoch, early stopping on valid_qe at the
// same epoch and codebook; and a random split (--valid) that holds out
// about its share and reports validation metrics.
func TestValidSplit(t *testing.T) {
	ctx := context.Background()
	rs := sortedRows(900, 4)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range rs {
		rs[i] += "," + []string{"train", "train", "train", "valid"}[rng.IntN(4)]
	}
	dir := t.TempDir()
	whole := write(t, dir, rs, []int{300, 0, 250, 350})
	for _, f := range append([]string{whole}, must(filepath.Glob(filepath.Join(dir, "part-*.csv")))...) {
		b, _ := os.ReadFile(f)
		os.WriteFile(f, []byte(strings.Replace(string(b), header, header+",split", 1)), 0o644)
	}
	read := loaders.Options{ValidColumn: "split"}
	db, err := loaders.Load(whole, &read)
	if err != nil {
		t.Fatal(err)
	}
	opts := func() *trainer.Options {
		o := trainOpts()
		o.Init = graph.InitPCA
		es, err := hooks.NewEarlyStopping(hooks.ValidQE, 1, 0.08) // stops at epoch 8 of 10
		if err != nil {
			t.Fatal(err)
		}
		o.Hooks = []hooks.Hook{es}
		return o
	}
	o := opts()
	o.Pipeline = db.Pipeline
	ref, err := trainer.New(db.Train, db.Valid, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.Fit(10); err != nil {
		t.Fatal(err)
	}
	job, err := NewJob(ctx, Config{Input: filepath.Join(dir, "part-*.csv"), Read: read})
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	l, info, err := job.NewLearner(ctx, opts())
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != db.Train.N || info.Valid != db.Valid.N {
		t.Fatalf("%d training and %d validation records, in process %d and %d", info.Records, info.Valid, db.Train.N, db.Valid.N)
	}
	if err := l.Fit(10); err != nil {
		t.Fatal(err)
	}
	rh, h := ref.History(), l.History()
	if len(h) != len(rh) || len(h) >= 10 {
		t.Fatalf("%d epochs on Beam, %d in process: early stopping on valid_qe should end both alike, before 10", len(h), len(rh))
	}
	for e := range h {
		a, b := h[e].Valid, rh[e].Valid
		if !h[e].HasValid || math.Abs(a.QE-b.QE) > 1e-5 || a.TE != b.TE || math.Abs(a.Distortion-b.Distortion) > 1e-4 {
			t.Fatalf("epoch %d: valid %+v, in process %+v", e+1, a, b)
		}
	}
	if d := maxDiff(l.Map().Weights(), ref.Map().Weights()); d > 1e-5 {
		t.Fatalf("codebook differs from the in-process one by %g", d)
	}

	// A random split, every epoch parsing the CSV.
	frac := loaders.Options{ValidFrac: 0.3, Seed: 2, Read: loaders.ReadOptions{Ignore: []string{"split"}}}
	job2, err := NewJob(ctx, Config{Input: filepath.Join(dir, "part-*.csv"), Read: frac, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer job2.Close()
	l2, info2, err := job2.NewLearner(ctx, trainOpts())
	if err != nil {
		t.Fatal(err)
	}
	if info2.Records+info2.Valid != 900 || math.Abs(float64(info2.Valid)/900-0.3) > 0.06 {
		t.Fatalf("random split: %d training, %d validation records", info2.Records, info2.Valid)
	}
	if err := l2.Fit(2); err != nil {
		t.Fatal(err)
	}
	if h := l2.History(); !h[1].HasValid || !(h[1].Valid.QE > 0) {
		t.Fatalf("random split: no validation metrics: %+v", h[1])
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestPreparedMerge checks the prepare pass's combiner: counts add, bounds
// are the elementwise minimum and maximum (a shard without training
// records has none), gathered records collect; corrupt input is an error.
func TestPreparedMerge(t *testing.T) {
	a := &prepared{Rows: 3, Skipped: 1, Gathered: []gathered{{Index: 4, Label: "x", Rec: []float64{1, 2}}}}
	a.bound([]float64{1, 5})
	a.bound([]float64{3, -2})
	b := &prepared{Rows: 2, Gathered: []gathered{{Index: 0, Rec: []float64{0, 0}}}}
	b.bound([]float64{-1, 4})
	empty := &prepared{}
	blob := func(p *prepared) []byte {
		out, err := p.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	m, err := mergeBlobs(kindPrepare, blob(a), blob(empty))
	if err != nil {
		t.Fatal(err)
	}
	if m, err = mergeBlobs(kindPrepare, m, blob(b)); err != nil {
		t.Fatal(err)
	}
	var got prepared
	if err := got.UnmarshalBinary(m); err != nil {
		t.Fatal(err)
	}
	if got.Rows != 5 || got.Skipped != 1 || !slices.Equal(got.Lo, []float64{-1, -2}) || !slices.Equal(got.Hi, []float64{3, 5}) || len(got.Gathered) != 2 || got.Gathered[0].Label != "x" {
		t.Fatalf("merged %+v", got)
	}
	if _, err := mergeBlobs(kindPrepare, m[:len(m)/2], m); err == nil {
		t.Error("a truncated blob: no error")
	}
	wide := &prepared{}
	wide.bound([]float64{1, 2, 3})
	if _, err := mergeBlobs(kindPrepare, m, blob(wide)); err == nil {
		t.Error("bounds of different widths: no error")
	}
}
