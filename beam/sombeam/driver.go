package sombeam

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"       // the default runner
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// Defaults of Config.
const (
	// DefaultBatch is the number of records per BMU search on a worker.
	DefaultBatch = 4096
	// DefaultMedianSample is the number of values per column kept for the
	// median of a shard summary (exact below it).
	DefaultMedianSample = 1 << 14
)

// Config says where the data are and how the pipelines run.
type Config struct {
	// Input is a glob of CSV shards with the same header, on any of Beam's
	// filesystems (local paths; gs:// and s3:// where the binary has them
	// and the workers can read them).
	Input string
	// Read says how to read, preprocess and split the shards. A zero
	// StreamSample means DefaultMedianSample. A validation split
	// (ValidColumn, or ValidFrac drawn per row from Seed, the shard's file
	// name and the row's number: see loaders.FitShard) keeps its records
	// out of the fit and the training; the Learner's validation metrics
	// come from a pipeline over them after every epoch's update.
	Read loaders.Options
	// Run runs a pipeline; nil means Beam's Prism runner in this process.
	Run func(context.Context, *beam.Pipeline) error
	// Scratch is a directory every worker and the driver can write and
	// read (a local path for Prism, gs://bucket/dir for Dataflow) where each
	// pipeline leaves its merged result for the driver; empty means a new
	// local temporary directory.
	Scratch string
	// Batch is the number of records per BMU search; 0 means
	// DefaultBatch.
	Batch int
	// NoCache makes every epoch read and parse the CSV shards. By default
	// one pipeline after the preprocessing writes each shard's encoded
	// records in the map's dtype to Scratch, and the epochs read those:
	// no parsing, and about half the bytes of the CSV for float32.
	NoCache bool
}

// Job is a configured run: the shards it matched and its scratch space.
type Job struct {
	cfg      Config
	files    []string
	scratch  string
	tmp      bool // scratch is ours to delete
	runs     int
	readOpts loaders.Options // the read options as fitted (refit columns declared)
}

// NewJob checks cfg and matches its input on the driver, so that a glob
// matching nothing is a clear error before any pipeline runs.
func NewJob(ctx context.Context, cfg Config) (*Job, error) {
	if cfg.Input == "" {
		return nil, errors.New("sombeam: no input: name CSV shards with a glob, for example 'data/*.csv'")
	}
	if cfg.Batch < 0 {
		return nil, fmt.Errorf("sombeam: batch %d must not be negative", cfg.Batch)
	}
	if cfg.Batch == 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Read.StreamSample == 0 {
		cfg.Read.StreamSample = DefaultMedianSample
	}
	if cfg.Run == nil {
		cfg.Run = func(ctx context.Context, p *beam.Pipeline) error {
			_, err := beam.Run(ctx, "prism", p)
			return err
		}
	}
	files, err := Match(ctx, cfg.Input)
	if err != nil {
		return nil, err
	}
	j := &Job{cfg: cfg, files: files, scratch: cfg.Scratch, readOpts: cfg.Read}
	if j.scratch == "" {
		if j.scratch, err = os.MkdirTemp("", "sombeam-"); err != nil {
			return nil, fmt.Errorf("sombeam: scratch directory: %w", err)
		}
		j.tmp = true
	}
	return j, nil
}

// Close removes the job's temporary scratch directory, if it made one.
func (j *Job) Close() error {
	if j.tmp {
		return os.RemoveAll(j.scratch)
	}
	return nil
}

// Files returns the shards the input matched, in name order.
func (j *Job) Files() []string { return slices.Clone(j.files) }

// Match returns the files a glob matches on Beam's filesystems, sorted; a
// glob that matches nothing is an error.
func Match(ctx context.Context, glob string) ([]string, error) {
	fs, err := filesystem.New(ctx, glob)
	if err != nil {
		return nil, fmt.Errorf("sombeam: input %q: %w", glob, err)
	}
	defer fs.Close()
	files, err := fs.List(ctx, glob)
	if err != nil {
		return nil, fmt.Errorf("sombeam: input %q: %w", glob, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("sombeam: input %q matches no files: check the path and quote the glob so that the shell does not expand it", glob)
	}
	slices.Sort(files)
	return files, nil
}

// run builds a pipeline with build (which returns the merged Part), runs
// it and returns the Part's blob, or the error it carries.
func (j *Job) run(ctx context.Context, build func(s beam.Scope, files beam.PCollection) beam.PCollection) ([]byte, error) {
	return j.runOn(ctx, j.cfg.Input, build)
}

// runOn is run over the files of glob.
func (j *Job) runOn(ctx context.Context, glob string, build func(s beam.Scope, files beam.PCollection) beam.PCollection) ([]byte, error) {
	p, s := beam.NewPipelineWithRoot()
	// Reshuffle breaks the fusion of the match (one element: the glob)
	// with the per-shard work, so that the shards can go to different
	// bundles and workers instead of one bundle reading them in turn.
	files := fileio.ReadMatches(s, beam.Reshuffle(s, fileio.MatchFiles(s, glob, fileio.MatchEmptyDisallow())))
	merged := build(s, files)
	j.runs++
	out := strings.TrimSuffix(j.scratch, "/") + fmt.Sprintf("/result-%d-%s.out", j.runs, randomTag())
	beam.ParDo0(s, &writeFn{Path: out}, merged)
	if err := j.cfg.Run(ctx, p); err != nil {
		return nil, fmt.Errorf("sombeam: pipeline: %w", err)
	}
	fs, err := filesystem.New(ctx, out)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, out)
	if err != nil {
		return nil, fmt.Errorf("sombeam: reading the pipeline's result %s: %w", out, err)
	}
	data, err := io.ReadAll(r)
	r.Close()
	if rm, ok := fs.(filesystem.Remover); ok {
		rm.Remove(ctx, out)
	}
	if err != nil || len(data) == 0 {
		return nil, fmt.Errorf("sombeam: reading the pipeline's result %s: %v (%d bytes)", out, err, len(data))
	}
	if data[0] == 1 {
		return nil, errors.New(string(data[1:]))
	}
	return data[1:], nil
}

func randomTag() string {
	var tag [8]byte
	rand.Read(tag[:])
	return hex.EncodeToString(tag[:])
}

// FitPipeline fits the preprocessing on all shards in one pipeline (a
// second one if shards disagree on a column's inferred role) and returns
// it with the summary of the rows read.
func (j *Job) FitPipeline(ctx context.Context) (*loaders.Pipeline, *loaders.ShardSummary, error) {
	for attempt := 0; ; attempt++ {
		opts, err := json.Marshal(j.readOpts)
		if err != nil {
			return nil, nil, err
		}
		blob, err := j.run(ctx, func(s beam.Scope, files beam.PCollection) beam.PCollection {
			parts := beam.ParDo(s, &fitShardFn{Options: opts}, files)
			return beam.Combine(s, &mergeFn{Kind: kindSummary}, parts)
		})
		if err != nil {
			return nil, nil, err
		}
		var sum loaders.ShardSummary
		if err := sum.UnmarshalBinary(blob); err != nil {
			return nil, nil, err
		}
		p, err := sum.Pipeline(&j.readOpts)
		if errors.Is(err, loaders.ErrRefit) && attempt == 0 {
			j.readOpts.Read.Cat = append(slices.Clone(j.readOpts.Read.Cat), sum.Refit()...)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		return p, &sum, nil
	}
}

// ReadOptions returns the read options the pipeline was fitted with:
// Config.Read with the columns FitPipeline found categorical declared.
func (j *Job) ReadOptions() loaders.Options { return j.readOpts }

// Info describes what a training job read.
type Info struct {
	// Records is the number of training records over all shards, Valid
	// the validation records, Skipped the rows skipped as bad, and
	// SkipErrors the first of their messages.
	Records, Valid, Skipped int
	SkipErrors              []string
	// Sample is the number of training records the initialization read
	// (graph.Map.InitRecords; InitRandom reads only the bounds: 0).
	Sample int
	// Files are the shards.
	Files []string
}

// NewLearner fits the preprocessing with a pipeline, then prepares the
// shards with a second one that gathers the training records the
// initialization reads — the records trainer.New would read from all the
// training records in one dataset (shards in name order), so the codebook
// is New's — and, unless Config.NoCache, writes each shard's encoded
// records. It returns a Batch-mode trainer.Learner whose every epoch runs
// as a Beam pipeline: the codebook and σ are broadcast as a side input (an
// ordinary model file), every shard's records are searched in batches into
// the epoch statistics (graph.Stats and graph.MetricsAcc), and a CombineFn
// merges them for the Learner's update (Stats.Apply). With a validation
// split, another pipeline measures the validation metrics after each
// update (trainer.Learner.SetValidPass). opts are as for trainer.New (Mode
// is set to Batch, Pipeline to the fitted one); the Learner's hooks run on
// the driver.
func (j *Job) NewLearner(ctx context.Context, opts *trainer.Options) (*trainer.Learner, *Info, error) {
	p, sum, err := j.FitPipeline(ctx)
	if err != nil {
		return nil, nil, err
	}
	o := trainer.Options{}
	if opts != nil {
		o = *opts
	}
	o.Mode, o.Pipeline = trainer.Batch, p
	n, nv := sum.Rows(), sum.ValidRows()
	// Plan the initialization: which training records it reads.
	plan := initPlan{Offsets: map[string]int{}, Bounds: o.Init == graph.InitRandom}
	at := 0
	for _, f := range j.files {
		plan.Offsets[f] = at
		at += sum.Shards()[f].Train
	}
	if at != n {
		return nil, nil, fmt.Errorf("sombeam: the shards' training records add up to %d, the summary has %d", at, n)
	}
	placeholder := &loaders.Dataset{Data: make([]float64, p.Width()), N: 1, D: p.Width(), Features: p.Features()}
	var idx []int
	planner, err := trainer.NewInitialized(placeholder, nil, &o, func(m *graph.Map, rng *mrand.Rand) (err error) {
		idx, err = m.InitRecords(o.Init, n, rng)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	switch {
	case idx != nil:
		plan.Want = slices.Compact(slices.Sorted(slices.Values(idx)))
	case !plan.Bounds:
		plan.Want = make([]int, n) // every record (few: InitRecords subsamples many)
		for i := range plan.Want {
			plan.Want[i] = i
		}
	}
	prep, cached, err := j.prepare(ctx, planner, &plan, nv > 0)
	if err != nil {
		return nil, nil, err
	}
	if prep.Rows != n+nv {
		return nil, nil, fmt.Errorf("sombeam: the shards held %d records when prepared, %d when fitted: do not change them during a run", prep.Rows, n+nv)
	}
	// The records the initialization reads, in its order.
	byIndex := make(map[int]gathered, len(prep.Gathered))
	for _, g := range prep.Gathered {
		byIndex[g.Index] = g
	}
	init := &loaders.Dataset{D: p.Width(), Features: p.Features()}
	if p.Target != "" {
		init.Labels = []string{}
	}
	add := func(rec []float64, label string) {
		init.Data = append(init.Data, rec...)
		init.N++
		if init.Labels != nil {
			init.Labels = append(init.Labels, label)
		}
	}
	if plan.Bounds {
		if prep.Lo == nil {
			return nil, nil, errors.New("sombeam: the prepare pass found no training records")
		}
		add(prep.Lo, "")
		add(prep.Hi, "")
	} else {
		order := idx
		if order == nil {
			order = plan.Want
		}
		for _, i := range order {
			g, ok := byIndex[i]
			if !ok {
				return nil, nil, fmt.Errorf("sombeam: training record %d was not gathered for the initialization", i)
			}
			add(g.Rec, g.Label)
		}
	}
	l, err := trainer.NewInitialized(init, nil, &o, func(m *graph.Map, rng *mrand.Rand) error {
		if _, err := m.InitRecords(o.Init, n, rng); err != nil { // the same draws as the plan's
			return err
		}
		return m.InitializeFrom(o.Init, init.Data, rng)
	})
	if err != nil {
		return nil, nil, err
	}
	readOpts, err := json.Marshal(j.readOpts)
	if err != nil {
		return nil, nil, err
	}
	glob := func(split string) string {
		if cached == "" {
			return j.cfg.Input
		}
		return cached + "-" + split + "-*.bin"
	}
	search := func(sigma float64, valid bool) (*graph.Stats, *graph.MetricsAcc, error) {
		var model bytes.Buffer
		if err := l.Export(&model); err != nil {
			return nil, nil, err
		}
		split := map[bool]string{false: "train", true: "valid"}[valid]
		blob, err := j.runOn(ctx, glob(split), func(s beam.Scope, files beam.PCollection) beam.PCollection {
			side := beam.Create(s, epochSide{Model: model.Bytes(), Sigma: sigma})
			parts := beam.ParDo(s, &searchFn{Options: readOpts, Batch: j.cfg.Batch, Encoded: cached != "", Valid: valid}, files, beam.SideInput{Input: side})
			return beam.Combine(s, &mergeFn{Kind: kindEpoch}, parts)
		})
		if err != nil {
			return nil, nil, err
		}
		return decodeEpoch(blob)
	}
	pass := func(m *graph.Map, sigma float64, stats *graph.Stats, metrics *graph.MetricsAcc) error {
		s, a, err := search(sigma, false)
		if err != nil {
			return err
		}
		if err := stats.Merge(s); err != nil {
			return err
		}
		return metrics.Merge(a)
	}
	if err := l.SetEpochPass(pass, n); err != nil {
		return nil, nil, err
	}
	if nv > 0 {
		validPass := func(m *graph.Map, sigma float64, metrics *graph.MetricsAcc) error {
			_, a, err := search(sigma, true)
			if err != nil {
				return err
			}
			return metrics.Merge(a)
		}
		if err := l.SetValidPass(validPass, nv); err != nil {
			return nil, nil, err
		}
	}
	info := &Info{Records: n, Valid: nv, Skipped: sum.Skipped(), SkipErrors: sum.SkipErrors(), Files: j.Files()}
	if !plan.Bounds {
		info.Sample = len(plan.Want)
	}
	return l, info, nil
}

// prepare runs the prepare pass (prepareFn) with the planner's pipeline
// and dtype, and returns its merged result and the cache's prefix ("" with
// Config.NoCache).
func (j *Job) prepare(ctx context.Context, planner *trainer.Learner, plan *initPlan, split bool) (*prepared, string, error) {
	var model bytes.Buffer
	if err := planner.Export(&model); err != nil {
		return nil, "", err
	}
	readOpts, err := json.Marshal(j.readOpts)
	if err != nil {
		return nil, "", err
	}
	planJSON, err := json.Marshal(plan)
	if err != nil {
		return nil, "", err
	}
	cached := ""
	if !j.cfg.NoCache {
		cached = strings.TrimSuffix(j.scratch, "/") + fmt.Sprintf("/encoded-%d-%s", j.runs+1, randomTag())
	}
	blob, err := j.run(ctx, func(s beam.Scope, files beam.PCollection) beam.PCollection {
		side := beam.Create(s, epochSide{Model: model.Bytes()})
		parts := beam.ParDo(s, &prepareFn{Options: readOpts, Prefix: cached, Split: split, Plan: planJSON}, files, beam.SideInput{Input: side})
		return beam.Combine(s, &mergeFn{Kind: kindPrepare}, parts)
	})
	if err != nil {
		return nil, "", err
	}
	var prep prepared
	if err := prep.UnmarshalBinary(blob); err != nil {
		return nil, "", err
	}
	return &prep, cached, nil
}

// OutputPath returns the CSV file Predict writes for the shard in outDir:
// the shard's base name with ".bmu.csv".
func OutputPath(outDir, shard string) string {
	return strings.TrimSuffix(outDir, "/") + "/" + path.Base(strings.ReplaceAll(shard, "\\", "/")) + ".bmu.csv"
}

// Predict maps every record of the shards to its best-matching unit with
// the model, as a pipeline: each shard gives a CSV file in outDir
// (OutputPath) with the columns of somgraph predict — row (0-based, in the
// shard), bmu_row, bmu_col, distance and, when the model has clusters,
// cluster. read says how to read the shards (its roles and markers are
// replaced by the model pipeline's). It returns the numbers of records and
// of rows skipped as bad.
func (j *Job) Predict(ctx context.Context, model *trainer.Model, outDir string, read loaders.ReadOptions) (records, skipped int, err error) {
	if model.Pipeline == nil {
		return 0, 0, errors.New("sombeam: the model has no preprocessing pipeline: predict needs a model trained from CSV")
	}
	seen := map[string]string{}
	for _, f := range j.files {
		out := OutputPath(outDir, f)
		if g, dup := seen[out]; dup {
			return 0, 0, fmt.Errorf("sombeam: shards %s and %s would both write %s: give them different names", g, f, out)
		}
		seen[out] = f
	}
	ro := model.Pipeline.ReadOptions()
	ro.BadRows, ro.Delimiter, ro.Comment, ro.LazyQuotes = read.BadRows, read.Delimiter, read.Comment, read.LazyQuotes
	opts, err := json.Marshal(loaders.Options{Read: ro, StreamSample: 1})
	if err != nil {
		return 0, 0, err
	}
	var buf bytes.Buffer
	if err := model.Export(&buf); err != nil {
		return 0, 0, err
	}
	blob, err := j.run(ctx, func(s beam.Scope, files beam.PCollection) beam.PCollection {
		side := beam.Create(s, epochSide{Model: buf.Bytes(), Sigma: 1})
		parts := beam.ParDo(s, &predictFn{Options: opts, OutDir: outDir, Batch: j.cfg.Batch}, files, beam.SideInput{Input: side})
		return beam.Combine(s, &mergeFn{Kind: kindCounts}, parts)
	})
	if err != nil {
		return 0, 0, err
	}
	if len(blob) != 16 {
		return 0, 0, fmt.Errorf("sombeam: predict returned %d bytes of counts", len(blob))
	}
	return int(binary.LittleEndian.Uint64(blob)), int(binary.LittleEndian.Uint64(blob[8:])), nil
}

// predictWriter writes predict's CSV.
type predictWriter struct {
	cw    *csv.Writer
	model *trainer.Model
	row   int
	rec   []string
}

func newPredictWriter(w io.Writer, model *trainer.Model) *predictWriter {
	pw := &predictWriter{cw: csv.NewWriter(w), model: model}
	head := []string{"row", "bmu_row", "bmu_col", "distance"}
	if model.Clusters != nil {
		head = append(head, "cluster")
	}
	pw.cw.Write(head)
	return pw
}

func (pw *predictWriter) write(bmu []int, dist []float64) error {
	cols := pw.model.Config.Grid.Cols
	for i, u := range bmu {
		pw.rec = append(pw.rec[:0], strconv.Itoa(pw.row), strconv.Itoa(u/cols), strconv.Itoa(u%cols), strconv.FormatFloat(dist[i], 'g', 7, 64))
		if c := pw.model.Clusters; c != nil {
			pw.rec = append(pw.rec, strconv.Itoa(c.Labels[u]))
		}
		if err := pw.cw.Write(pw.rec); err != nil {
			return err
		}
		pw.row++
	}
	return nil
}

func (pw *predictWriter) flush() error {
	pw.cw.Flush()
	return pw.cw.Error()
}
