// Command somgraph-beam trains a self-organizing map on CSV shards with
// Apache Beam (Prism in this process by default; Flink, Spark or Dataflow
// through their job servers) and maps large inputs to a trained map.
//
//	somgraph-beam train --input 'data/*.csv' [--runner prism|flink|spark|dataflow] [--endpoint HOST:PORT] [map and schedule flags] --out model.somg
//	somgraph-beam predict --model model.somg --input 'new/*.csv' --out DIR
//
// The model file is an ordinary somgraph model: somgraph plot, predict,
// cluster and serve read it. Beam's own flags (--runner, --endpoint,
// --environment_type, --environment_config, --job_name, ...) are accepted
// as well.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3" // s3:// paths
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	"github.com/somgraph/somgraph/beam/sombeam"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"gorgonia.org/tensor"
)

const usage = `usage:
  somgraph-beam train --input GLOB [flags] --out MODEL
  somgraph-beam predict --model MODEL --input GLOB --out DIR [flags]

Beam's flags select the runner: --runner prism (default, in this process),
flink, spark (with --endpoint HOST:PORT of the job server) or dataflow (with
--project, --region, --staging_location, --temp_location); --environment_type
and --environment_config choose the SDK harness (for example DOCKER with
apache/beam_go_sdk:2.77.0). --scratch must then be a directory the workers
and this program both reach (for example gs://bucket/dir).

flags:
`

type flags struct {
	input, out, model, scratch, checkpoint        string
	size, topology, distance, neighborhood        string
	init, dtype, schedule, monitor                string
	cont, cat, target, ignore, na, delimiter      string
	comment, badRows, encode, normalize, progress string
	toroidal, lazyQuotes, naIndicators, noCache   bool
	epochs, batch, earlyStop, medianSample        int
	sigma, minDelta                               float64
	seed                                          uint64
	valid                                         float64
	validColumn                                   string
}

func define(fs *flag.FlagSet) *flags {
	f := &flags{}
	fs.StringVar(&f.input, "input", "", "`glob` of CSV shards with the same header, quoted (local, gs://, s3://)")
	fs.StringVar(&f.out, "out", "", "train: model `file` to write; predict: `directory` for the CSV shards")
	fs.StringVar(&f.model, "model", "", "predict: model `file`")
	fs.StringVar(&f.scratch, "scratch", "", "`directory` where each pipeline leaves its result for this program (default: a local temporary directory; use a shared one on a cluster)")
	fs.StringVar(&f.size, "size", "20x20", "map size as `RxC`")
	fs.StringVar(&f.topology, "topology", "hex", "`rect|hex` cell shape")
	fs.BoolVar(&f.toroidal, "toroidal", false, "wrap the map's edges")
	fs.StringVar(&f.distance, "distance", "euclidean", "`euclidean|cosine|manhattan|mixed` distance")
	fs.StringVar(&f.neighborhood, "neighborhood", "gaussian", "`gaussian|bubble|mexican-hat|triangle` neighbourhood")
	fs.StringVar(&f.init, "init", "random", "`random|sample|pca|kmeans` initialization: the records somgraph train would read, gathered from the shards")
	fs.StringVar(&f.dtype, "dtype", "float32", "`float32|float64` codebook precision")
	fs.IntVar(&f.epochs, "epochs", 20, "number of `epochs` (one Beam pipeline each)")
	fs.IntVar(&f.batch, "batch", sombeam.DefaultBatch, "`records` per BMU search on a worker")
	fs.Float64Var(&f.valid, "valid", 0, "`fraction` of records held out for validation, in [0, 1): each row drawn on its own from --seed, its shard's file name and its row number")
	fs.StringVar(&f.validColumn, "valid-column", "", "the `column` that marks validation rows (1/true/valid) instead of --valid; it is not a feature")
	fs.IntVar(&f.medianSample, "median-sample", sombeam.DefaultMedianSample, "`values` per column kept for the median (exact below)")
	fs.Float64Var(&f.sigma, "sigma", 0, "initial radius `sigma` in grid units (0: half the longer side)")
	fs.StringVar(&f.schedule, "schedule", "three-phase", "`linear|two-phase|three-phase|exponential|asymptotic|constant` schedule")
	fs.Uint64Var(&f.seed, "seed", 0, "random `seed`")
	fs.IntVar(&f.earlyStop, "early-stop", 0, "stop after `N` epochs without improvement of --monitor (0: never)")
	fs.StringVar(&f.monitor, "monitor", "auto", "`metric` for --early-stop: "+strings.Join(hooks.MetricNames(), ", "))
	fs.Float64Var(&f.minDelta, "min-delta", 0, "smallest `change` of --monitor that counts")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "save the model to `file` whenever --monitor improves (on the driver, after the epoch's update)")
	fs.StringVar(&f.cont, "cont", "", "continuous `columns`, comma-separated")
	fs.StringVar(&f.cat, "cat", "", "categorical `columns`, comma-separated")
	fs.StringVar(&f.target, "target", "", "label `column`")
	fs.StringVar(&f.ignore, "ignore", "", "`columns` to leave out")
	fs.StringVar(&f.na, "na", "", "missing-value `markers`, comma-separated (default: empty, NA, N/A, NaN, ?, null, None)")
	fs.StringVar(&f.delimiter, "delimiter", ",", "field `separator`, one character")
	fs.StringVar(&f.comment, "comment", "", "comment `character`")
	fs.BoolVar(&f.lazyQuotes, "lazy-quotes", false, "accept a quote inside an unquoted field")
	fs.StringVar(&f.badRows, "bad-rows", "error", "`error|skip` what a malformed row does (skipped rows are counted)")
	fs.StringVar(&f.encode, "encode", "onehot", "`onehot|ordinal` categorical encoding")
	fs.StringVar(&f.normalize, "normalize", "zscore", "`zscore|minmax|none` scaling")
	fs.BoolVar(&f.naIndicators, "na-indicators", false, "add <name>_na columns")
	fs.BoolVar(&f.noCache, "no-cache", false, "every epoch parses the CSV shards instead of reading the records encoded once into --scratch")
	fs.StringVar(&f.progress, "progress", "lines", "`lines|none` one line per epoch on standard error")
	return f
}

func main() {
	f := define(flag.CommandLine)
	flag.Usage = func() {
		fmt.Fprint(os.Stderr, usage)
		flag.PrintDefaults()
	}
	if len(os.Args) < 2 || (os.Args[1] != "train" && os.Args[1] != "predict") {
		flag.Usage()
		os.Exit(2)
	}
	cmd := os.Args[1]
	if err := flag.CommandLine.Parse(os.Args[2:]); err != nil {
		os.Exit(2)
	}
	beam.Init()
	beamlog.SetupLogging("warn", "text") // not Prism's INFO lines per job
	if flag.NArg() > 0 {
		fail(cmd, fmt.Errorf("unexpected arguments %q: quote the --input glob so that the shell does not expand it", flag.Args()))
	}
	ctx := context.Background()
	var err error
	if cmd == "train" {
		err = train(ctx, f, os.Stdout, os.Stderr)
	} else {
		err = predict(ctx, f, os.Stdout)
	}
	if err != nil {
		fail(cmd, err)
	}
}

func fail(cmd string, err error) {
	fmt.Fprintf(os.Stderr, "somgraph-beam %s: %v\n", cmd, err)
	os.Exit(1)
}

func list(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func rune1(name, s string) (rune, error) {
	if s == "" {
		return 0, nil
	}
	if s == `\t` {
		return '\t', nil
	}
	r := []rune(s)
	if len(r) != 1 {
		return 0, fmt.Errorf("--%s %q: want one character", name, s)
	}
	return r[0], nil
}

// readOptions builds the loaders options from the flags.
func readOptions(f *flags) (loaders.Options, error) {
	o := loaders.Options{StreamSample: f.medianSample, Seed: f.seed, ValidColumn: strings.TrimSpace(f.validColumn)}
	if !(f.valid >= 0 && f.valid < 1) {
		return o, fmt.Errorf("--valid %v: must be a fraction in [0, 1), for example 0.2", f.valid)
	}
	if f.valid > 0 && o.ValidColumn != "" {
		return o, errors.New("--valid and --valid-column both given: split by one of them")
	}
	o.ValidFrac = f.valid
	var err error
	if o.Read.Delimiter, err = rune1("delimiter", f.delimiter); err != nil {
		return o, err
	}
	if o.Read.Comment, err = rune1("comment", f.comment); err != nil {
		return o, err
	}
	if o.Read.BadRows, err = loaders.ParseBadRows(f.badRows); err != nil {
		return o, err
	}
	if o.Pipeline.Encode, err = loaders.ParseEncoding(f.encode); err != nil {
		return o, err
	}
	if o.Pipeline.Normalize, err = loaders.ParseScaling(f.normalize); err != nil {
		return o, err
	}
	o.Pipeline.NAIndicators = f.naIndicators
	o.Read.LazyQuotes = f.lazyQuotes
	o.Read.Cont, o.Read.Cat, o.Read.Ignore, o.Read.Target = list(f.cont), list(f.cat), list(f.ignore), strings.TrimSpace(f.target)
	if f.na != "" {
		o.Read.NA = append(list(f.na), "")
	}
	return o, nil
}

// validSplit returns 1 if the flags ask for a validation split, else 0:
// the validation size the automatic --monitor is resolved with.
func (f *flags) validSplit() int {
	if f.valid > 0 || strings.TrimSpace(f.validColumn) != "" {
		return 1
	}
	return 0
}

// monitorMetric returns the metric --monitor names, resolved with the
// validation split the flags ask for.
func (f *flags) monitorMetric() (hooks.Metric, error) {
	m, err := hooks.ParseMetric(f.monitor)
	if err != nil {
		return "", fmt.Errorf("--monitor: %w", err)
	}
	if m.NeedsValid() && f.validSplit() == 0 {
		return "", fmt.Errorf("--monitor %s needs validation data: add --valid 0.2 or --valid-column", m)
	}
	if m, err = m.Resolve(f.validSplit()); err != nil {
		return "", fmt.Errorf("--monitor: %w", err)
	}
	return m, nil
}

// trainOptions builds the trainer options from the flags.
func trainOptions(f *flags) (*trainer.Options, error) {
	rows, cols, err := graph.ParseSize(f.size)
	if err != nil {
		return nil, fmt.Errorf("--size: %w", err)
	}
	o := &trainer.Options{Mode: trainer.Batch, BatchSize: f.batch, Sigma: f.sigma, Seed: f.seed}
	o.Grid = graph.Grid{Rows: rows, Cols: cols, Toroidal: f.toroidal}
	if o.Grid.Topology, err = graph.ParseTopology(f.topology); err != nil {
		return nil, fmt.Errorf("--topology: %w", err)
	}
	if o.Distance, err = graph.ParseDistance(f.distance); err != nil {
		return nil, fmt.Errorf("--distance: %w", err)
	}
	if o.Neighborhood, err = graph.ParseNeighborhood(f.neighborhood); err != nil {
		return nil, fmt.Errorf("--neighborhood: %w", err)
	}
	if o.Init, err = graph.ParseInit(f.init); err != nil {
		return nil, fmt.Errorf("--init: %w", err)
	}
	switch f.dtype {
	case "float32":
		o.Dtype = tensor.Float32
	case "float64":
		o.Dtype = tensor.Float64
	default:
		return nil, fmt.Errorf("--dtype %q: want float32 or float64", f.dtype)
	}
	if o.Schedule, err = hooks.ParseSchedule(f.schedule); err != nil {
		return nil, fmt.Errorf("--schedule: %w", err)
	}
	if f.earlyStop > 0 {
		m, err := f.monitorMetric()
		if err != nil {
			return nil, err
		}
		es, err := hooks.NewEarlyStopping(m, f.earlyStop, f.minDelta)
		if err != nil {
			return nil, err
		}
		o.Hooks = append(o.Hooks, es)
	}
	return o, nil
}

func config(f *flags) (sombeam.Config, error) {
	read, err := readOptions(f)
	if err != nil {
		return sombeam.Config{}, err
	}
	return sombeam.Config{Input: f.input, Read: read, Run: beamx.Run, Scratch: f.scratch, Batch: f.batch, NoCache: f.noCache}, nil
}

func train(ctx context.Context, f *flags, stdout, stderr io.Writer) error {
	if f.out == "" {
		return errors.New("--out: name the model file to write, for example --out model.somg")
	}
	if f.epochs < 1 {
		return fmt.Errorf("--epochs %d: want at least 1", f.epochs)
	}
	cfg, err := config(f)
	if err != nil {
		return err
	}
	opts, err := trainOptions(f)
	if err != nil {
		return err
	}
	if f.progress == "lines" {
		opts.Hooks = append(opts.Hooks, hooks.Func("epoch-lines", hooks.OrderOutput, func(e hooks.Event, s *hooks.State) error {
			valid := ""
			if s.HasValid {
				valid = fmt.Sprintf(", valid QE %.5g, valid TE %.4f", s.Valid.QE, s.Valid.TE)
			}
			fmt.Fprintf(stderr, "epoch %d/%d: σ %.3g, QE %.5g, TE %.4f, dead units %.3f%s\n", s.Epoch+1, s.Epochs, s.Sigma, s.Train.QE, s.Train.TE, s.Train.DeadUnits, valid)
			return nil
		}, hooks.AfterEpoch))
	} else if f.progress != "none" {
		return fmt.Errorf("--progress %q: want lines or none", f.progress)
	}
	job, err := sombeam.NewJob(ctx, cfg)
	if err != nil {
		return err
	}
	defer job.Close()
	start := time.Now()
	l, info, err := job.NewLearner(ctx, opts)
	if err != nil {
		return err
	}
	if f.validSplit() > 0 && info.Valid == 0 {
		return errors.New("--valid/--valid-column held out no records: the validation metrics --monitor may watch would be missing")
	}
	if f.checkpoint != "" {
		m, err := f.monitorMetric()
		if err != nil {
			return err
		}
		sb, err := hooks.NewSaveBest(f.checkpoint, m, l.ExportFile)
		if err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
		l.AddHook(sb)
	}
	fmt.Fprintf(stdout, "fitted the preprocessing on %d records in %d shards (%d held out for validation, %d skipped as bad) in %.1fs; initialized from %d\n",
		info.Records, len(info.Files), info.Valid, info.Skipped, time.Since(start).Seconds(), info.Sample)
	for _, e := range info.SkipErrors {
		fmt.Fprintf(stderr, "skipped: %s\n", e)
	}
	start = time.Now()
	if err := l.Fit(f.epochs); err != nil {
		return err
	}
	h := l.History()
	fmt.Fprintf(stdout, "trained %d epochs in %.1fs (%.0f records/s)\n", len(h), time.Since(start).Seconds(), float64(info.Records*len(h))/time.Since(start).Seconds())
	if err := l.ExportFile(f.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", f.out)
	return nil
}

func predict(ctx context.Context, f *flags, stdout io.Writer) error {
	if f.model == "" {
		return errors.New("--model: name the model file")
	}
	if f.out == "" {
		return errors.New("--out: name the directory for the CSV shards")
	}
	model, err := trainer.LoadFile(f.model)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	cfg, err := config(f)
	if err != nil {
		return err
	}
	if !strings.Contains(f.out, "://") {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	job, err := sombeam.NewJob(ctx, cfg)
	if err != nil {
		return err
	}
	defer job.Close()
	n, skipped, err := job.Predict(ctx, model, f.out, cfg.Read.Read)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "mapped %d records of %d shards (%d skipped as bad) into %s\n", n, len(job.Files()), skipped, f.out)
	return nil
}
