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
	// DefaultInitSample is the number of records the driver reads to
	// initialize the codebook.
	DefaultInitSample = 100_000
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
	// Read says how to read and preprocess the shards (no validation
	// split). A zero StreamSample means DefaultMedianSample.
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
	// InitSample is the number of records, read by the driver from the
	// first shards in name order, that initialize the codebook; 0 means
	// DefaultInitSample.
	InitSample int
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
	if cfg.Batch < 0 || cfg.InitSample < 0 {
		return nil, fmt.Errorf("sombeam: batch %d and init sample %d must not be negative", cfg.Batch, cfg.InitSample)
	}
	if cfg.Read.ValidFrac > 0 || cfg.Read.ValidColumn != "" {
		return nil, errors.New("sombeam: no validation split yet: split the files instead")
	}
	if cfg.Batch == 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.InitSample == 0 {
		cfg.InitSample = DefaultInitSample
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
	files := fileio.ReadMatches(s, fileio.MatchFiles(s, glob, fileio.MatchEmptyDisallow()))
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

// Sample reads up to Config.InitSample encoded records from the shards in
// name order on the driver, for the codebook's initialization.
func (j *Job) Sample(ctx context.Context, p *loaders.Pipeline) (*loaders.Dataset, error) {
	ds := &loaders.Dataset{D: p.Width(), Features: p.Features()}
	if p.Target != "" {
		ds.Labels = []string{}
	}
	full := errors.New("full")
	for _, f := range j.files {
		open := func() (io.ReadCloser, error) {
			fs, err := filesystem.New(ctx, f)
			if err != nil {
				return nil, err
			}
			defer fs.Close()
			return fs.OpenRead(ctx, f)
		}
		_, _, err := loaders.EncodeShard(f, open, p, &j.readOpts, func(rec []float64, _ int, label string, _ bool) error {
			if ds.N == j.cfg.InitSample {
				return full
			}
			ds.Data = append(ds.Data, rec...)
			if ds.Labels != nil {
				ds.Labels = append(ds.Labels, label)
			}
			ds.N++
			return nil
		})
		if errors.Is(err, full) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if ds.N == 0 {
		return nil, errors.New("sombeam: the shards have no records")
	}
	return ds, nil
}

// Info describes what a training job read.
type Info struct {
	// Records is the number of training records over all shards, Skipped
	// the rows skipped as bad, and SkipErrors the first of their messages.
	Records, Skipped int
	SkipErrors       []string
	// Sample is the number of records the codebook was initialized from.
	Sample int
	// Files are the shards.
	Files []string
}

// NewLearner fits the preprocessing with a pipeline, initializes a
// Batch-mode trainer.Learner from the first Config.InitSample records and
// makes each of its epochs run as a Beam pipeline: the codebook and σ are
// broadcast as a side input (an ordinary model file), every shard's records
// are searched in batches into the epoch statistics (graph.Stats and
// graph.MetricsAcc), and a CombineFn merges them for the Learner's update.
// opts are as for trainer.New (Mode is set to Batch, Pipeline to the
// fitted one); the Learner's hooks run on the driver.
func (j *Job) NewLearner(ctx context.Context, opts *trainer.Options) (*trainer.Learner, *Info, error) {
	p, sum, err := j.FitPipeline(ctx)
	if err != nil {
		return nil, nil, err
	}
	sample, err := j.Sample(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	o := trainer.Options{}
	if opts != nil {
		o = *opts
	}
	o.Mode, o.Pipeline = trainer.Batch, p
	l, err := trainer.New(sample, nil, &o)
	if err != nil {
		return nil, nil, err
	}
	readOpts, err := json.Marshal(j.readOpts)
	if err != nil {
		return nil, nil, err
	}
	glob, cached := j.cfg.Input, ""
	if !j.cfg.NoCache {
		// Encode once: the epochs read the encoded records.
		var model bytes.Buffer
		if err := l.Export(&model); err != nil {
			return nil, nil, err
		}
		j.runs++
		cached = strings.TrimSuffix(j.scratch, "/") + fmt.Sprintf("/encoded-%d-%s", j.runs, randomTag())
		blob, err := j.run(ctx, func(s beam.Scope, files beam.PCollection) beam.PCollection {
			side := beam.Create(s, epochSide{Model: model.Bytes()})
			parts := beam.ParDo(s, &encodeFn{Options: readOpts, Prefix: cached}, files, beam.SideInput{Input: side})
			return beam.Combine(s, &mergeFn{Kind: kindCounts}, parts)
		})
		if err != nil {
			return nil, nil, err
		}
		if len(blob) != 16 || int(binary.LittleEndian.Uint64(blob)) != sum.Rows() {
			return nil, nil, fmt.Errorf("sombeam: encoding the shards gave %d bytes of counts for %d records", len(blob), sum.Rows())
		}
		glob = cached + "-*.bin"
	}
	pass := func(m *graph.Map, sigma float64, stats *graph.Stats, metrics *graph.MetricsAcc) error {
		var model bytes.Buffer
		if err := l.Export(&model); err != nil {
			return err
		}
		blob, err := j.runOn(ctx, glob, func(s beam.Scope, files beam.PCollection) beam.PCollection {
			side := beam.Create(s, epochSide{Model: model.Bytes(), Sigma: sigma})
			parts := beam.ParDo(s, &searchFn{Options: readOpts, Batch: j.cfg.Batch, Encoded: cached != ""}, files, beam.SideInput{Input: side})
			return beam.Combine(s, &mergeFn{Kind: kindEpoch}, parts)
		})
		if err != nil {
			return err
		}
		s, a, err := decodeEpoch(blob)
		if err != nil {
			return err
		}
		if err := stats.Merge(s); err != nil {
			return err
		}
		return metrics.Merge(a)
	}
	if err := l.SetEpochPass(pass, sum.Rows()); err != nil {
		return nil, nil, err
	}
	info := &Info{Records: sum.Rows(), Skipped: sum.Skipped(), SkipErrors: sum.SkipErrors(), Sample: sample.N, Files: j.Files()}
	return l, info, nil
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
