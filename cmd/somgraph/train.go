package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/somgraph/somgraph/embed"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

// trainFlags holds the flags of somgraph train.
type trainFlags struct {
	// map
	size, topology, distance, neighborhood, init, dtype string
	toroidal                                            bool
	exactMetrics                                        bool
	teNeighbors                                         int
	// training
	epochs, batch  int
	mode, schedule string
	lr, sigma      float64
	seed           uint64
	earlyStop      int
	monitor        string
	minDelta       float64
	// data
	dataset, data, cont, cat, target, ignore, na string
	delimiter, encode, normalize, badRows        string
	missing                                      string
	decimal                                      string
	validColumn, comment                         string
	naIndicators, lazyQuotes                     bool
	valid                                        float64
	n                                            int
	streamAbove                                  int64
	embedSize, embedMethod                       string
	embedEpochs                                  int
	embedLog                                     io.Writer // not a flag: where run reports the embedding epochs
	// output
	out, log, checkpoint, charts, format, progress string
	chartsEvery                                    int
	serve                                          string
	// checkpoints, resuming, continued training (resume.go)
	checkpointEvery              int
	stateFile, resume, initModel string
	// supervised maps
	supervised   bool
	targetWeight float64
	targetKind   string
}

var trainHelp = help{
	cmd:  "train",
	args: "[flags]",
	about: `Train a self-organizing map and save it, with its preprocessing, as a model
file. With no flags it trains a 20x20 map on 10,000 random RGB colours for
20 epochs, prints one line per epoch (train quantization error QE,
topographic error TE, learning rate alpha, radius sigma, seconds) and a
summary, and saves the model to somgraph-out/model.somg.

TE is the share of records whose two best units are not grid neighbours;
logs print it as te(N), N the neighbours that count: 4 edge neighbours on a
rect grid by default (--te-neighbors 8 adds the diagonals, as MiniSom
counts), 6 on a hex grid.

The schedule changes the learning rate, the radius and (three-phase) the
batch size from epoch to epoch, starting from --lr, --sigma and --batch.

Tables (--data FILE.csv, or the built-in iris, penguins and housing) go
through a preprocessing pipeline fitted on the training rows and stored in
the model: missing values filled, continuous columns scaled, categorical
columns encoded. Numeric columns are continuous and the others categorical
unless --cont and --cat say otherwise. With --missing skip, missing values
are not filled: the map skips them, as R's kohonen does.

Ctrl-C stops training after the current batch, saves the model and exits
with status 130 (143 for SIGTERM: 128 + the signal's number), so a script
can tell an interrupted run from a finished one; a second Ctrl-C quits at
once without saving.`,
	groups: []group{
		{"Map", []string{"size", "topology", "toroidal", "distance", "neighborhood", "init", "dtype", "te-neighbors"}},
		{"Training", []string{"epochs", "mode", "batch", "lr", "sigma", "schedule", "seed", "early-stop", "monitor", "min-delta", "exact-train-metrics"}},
		{"Data", []string{"dataset", "n", "data", "cont", "cat", "target", "ignore", "na", "delimiter", "decimal", "comment", "lazy-quotes", "stream-above", "bad-rows", "encode", "embed-size", "embed-epochs", "embed-method", "normalize", "na-indicators", "missing", "valid", "valid-column"}},
		{"Output", []string{"out", "progress", "log", "checkpoint", "charts", "format", "charts-every", "serve"}},
		{"Resume and continue", []string{"checkpoint-every", "state-file", "resume", "init-model"}},
		{"Supervised", []string{"supervised", "target-weight", "target-kind"}},
	},
	examples: []string{
		"somgraph train",
		"somgraph train --size 10x10 --topology hex --epochs 50 --schedule two-phase --log epochs.csv",
		"somgraph train --dataset iris --size 8x8 --valid 0.2 --early-stop 5 --charts charts/",
		"somgraph train --data houses.csv --target price --cat district --ignore id --na NA,?",
		"somgraph train --dataset iris --valid 0.2 --supervised --monitor valid_accuracy --early-stop 5",
		"somgraph train --config run.yaml --epochs 40   # run.yaml holds e.g. size: 30x30 and lr: 0.5",
	},
}

func (f *trainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.size, "size", "20x20", "map size as `RxC`, rows x columns (a common rule of thumb: about 5·√N units for N records; train warns when units exceed records)")
	fs.StringVar(&f.topology, "topology", "hex", "`rect|hex` cell shape (hex: six neighbours per unit, lower topographic error)")
	fs.BoolVar(&f.toroidal, "toroidal", false, "wrap the map's edges (a hex map then needs an even number of rows)")
	fs.StringVar(&f.distance, "distance", "euclidean", "`euclidean|cosine|manhattan|mixed` distance between records and units (mixed: Euclidean on continuous columns plus category mismatches, or cosine on columns encoded as embeddings, for tables)")
	fs.StringVar(&f.neighborhood, "neighborhood", "gaussian", "`gaussian|bubble|mexican-hat|triangle` neighbourhood function")
	fs.StringVar(&f.init, "init", "random", "`random|sample|pca|kmeans` codebook initialization")
	fs.StringVar(&f.dtype, "dtype", "float32", "`float32|float64` codebook precision")
	fs.IntVar(&f.teNeighbors, "te-neighbors", 0, "`4|8` grid neighbours adjacent for the topographic error on a rect grid: 4 edge neighbours, or 8 with the diagonals as MiniSom counts (0: 4 on rect; hex always counts its 6)")

	fs.IntVar(&f.epochs, "epochs", 20, "number of training `epochs`")
	fs.StringVar(&f.mode, "mode", "minibatch", "`minibatch|batch` update rule: mini-batch (fastsom) or Kohonen's batch SOM")
	fs.IntVar(&f.batch, "batch", 0, fmt.Sprintf("batch `size`; in batch mode only the chunk size of the BMU search (0: %d, in batch mode %d, or %d for the fused search of float32 Euclidean maps)", trainer.DefaultBatchSize, trainer.DefaultChunkSize, graph.FusedSearchChunk))
	fs.Float64Var(&f.lr, "lr", 0, fmt.Sprintf("initial learning rate `alpha` > 0 (0: %v)", trainer.DefaultAlpha))
	fs.Float64Var(&f.sigma, "sigma", 0, "initial neighbourhood radius `sigma` > 0 in grid units (0: half the longer side)")
	fs.StringVar(&f.schedule, "schedule", "auto", "`auto|linear|linear-to-one|two-phase|three-phase|exponential|asymptotic|constant` how alpha, sigma (and, for three-phase, the batch size) change over the epochs (auto: three-phase in minibatch mode, linear-to-one in batch mode: sigma linearly down to 1 at the last epoch)")
	fs.Uint64Var(&f.seed, "seed", 0, "random `seed`: the same seed gives the same map")
	fs.BoolVar(&f.exactMetrics, "exact-train-metrics", false, "evaluate the training data again after each epoch (default: metrics from the epoch's own searches, no extra pass)")
	fs.IntVar(&f.earlyStop, "early-stop", 0, "stop after `N` epochs without improvement of --monitor (0: never)")
	fs.StringVar(&f.monitor, "monitor", "auto", "`metric` the metric --early-stop and --checkpoint watch (lower is better, except the accuracies of --supervised): "+strings.Join(hooks.MetricNames(), ", ")+" (auto: valid_qe with validation data, else train_qe)")
	fs.Float64Var(&f.minDelta, "min-delta", 0, "smallest `change` of --monitor that counts as an improvement")

	fs.StringVar(&f.dataset, "dataset", "", "`colors|iris|penguins|housing` built-in dataset (default colors)")
	fs.IntVar(&f.n, "n", 10000, "number of random `records` for --dataset colors")
	fs.StringVar(&f.data, "data", "", "train on a CSV `file` with a header row")
	fs.StringVar(&f.cont, "cont", "", "continuous `columns`, comma-separated (default: numeric columns)")
	fs.StringVar(&f.cat, "cat", "", "categorical `columns`, comma-separated (default: non-numeric columns)")
	fs.StringVar(&f.target, "target", "", "label `column`, kept out of training and shown in charts (the built-in tables have one)")
	fs.StringVar(&f.ignore, "ignore", "", "`columns` columns to leave out, comma-separated")
	fs.StringVar(&f.na, "na", "", "missing-value `markers`, comma-separated, replacing the defaults (empty, NA, N/A, NaN, ?, null, None); an empty field is always missing")
	fs.StringVar(&f.delimiter, "delimiter", ",", "with --data: field `separator`, one character (use '\\t' for TSV)")
	fs.StringVar(&f.decimal, "decimal", ".", decimalUsage)
	fs.Int64Var(&f.streamAbove, "stream-above", 0, fmt.Sprintf("with --data: read files larger than `bytes` in two streaming passes instead of into memory (0: %d MiB, -1: never)", loaders.DefaultStreamAbove>>20))
	fs.StringVar(&f.comment, "comment", "", "with --data: lines starting with this `character` are comments")
	fs.BoolVar(&f.lazyQuotes, "lazy-quotes", false, "with --data: accept a quote inside an unquoted field")
	fs.StringVar(&f.badRows, "bad-rows", "error", "`error|skip` what a malformed row does (skipped rows are counted)")
	fs.StringVar(&f.encode, "encode", "onehot", "`onehot|ordinal|embedding` categorical encoding (embedding: vectors learned by an autoencoder, a line per epoch)")
	fs.StringVar(&f.embedSize, "embed-size", "", "with --encode embedding: `name=size,...` embedding sizes of those columns (default min(600, round(1.6·(levels+1)^0.56)))")
	fs.StringVar(&f.embedMethod, "embed-method", loaders.EmbedAutoencoder, "with --encode embedding: `autoencoder|cooccurrence` how the vectors are learned (cooccurrence: PPMI and a truncated SVD of the levels' co-occurrences, no training)")
	fs.IntVar(&f.embedEpochs, "embed-epochs", 0, fmt.Sprintf("with --encode embedding: most `epochs` of the autoencoder, which stops early (0: %d)", embed.DefaultEpochs))
	fs.StringVar(&f.normalize, "normalize", "zscore", "`zscore|minmax|none` scaling of continuous columns")
	fs.BoolVar(&f.naIndicators, "na-indicators", false, "add a 0/1 column <name>_na after each continuous column that had missing values")
	fs.StringVar(&f.missing, "missing", "fill", "`fill|skip` missing values: fill (the median, a \"missing\" category) or skip, as R's kohonen does: the map compares a record on its present features only (scaled to the full dimension) and leaves the others untouched; a record with no feature present is an error")
	fs.Float64Var(&f.valid, "valid", 0, "`fraction` share of records held out for validation, in [0, 1)")
	fs.StringVar(&f.validColumn, "valid-column", "", "the `column` that marks validation rows (1/true/valid) instead of --valid; it is not a feature")

	fs.StringVar(&f.out, "out", "somgraph-out/model.somg", "model `file` to write")
	fs.StringVar(&f.progress, "progress", "auto", "`auto|bar|lines|none` progress display (auto: a bar on a terminal, else one line per epoch)")
	fs.StringVar(&f.log, "log", "", "write one CSV row per epoch (loss, metrics, alpha, sigma) to `file`")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "save the model to `file` whenever --monitor improves: the best model, a plain model file (to continue a run later, use --checkpoint-every)")
	fs.StringVar(&f.charts, "charts", "", "after training, draw every chart into `dir`")
	fs.StringVar(&f.format, "format", "png", "`png|svg` chart format for --charts")
	fs.IntVar(&f.chartsEvery, "charts-every", 0, "with --charts: also write the hit map, PCA scatter and curves every `N` epochs during training, into DIR/training")
	fs.StringVar(&f.serve, "serve", "", "serve the explorer page (somgraph serve) on `host:port` while training, updated after every epoch, and keep serving the trained map until Ctrl-C")
	f.registerResume(fs)
	fs.BoolVar(&f.supervised, "supervised", false, "train a supervised map (R kohonen's xyf): the --target column is a second layer of the codebook (classes one-hot with the Tanimoto distance, or a number scaled), units are found by features and target, new records by their features; epochs report the target's accuracy, or RMSE and MAE, and somgraph predict prints predicted")
	fs.Float64Var(&f.targetWeight, "target-weight", 0, fmt.Sprintf("with --supervised: the target layer's `weight` in (0, 1), the features weighing 1 − it (0: %v, as xyf)", trainer.DefaultTargetWeight))
	fs.StringVar(&f.targetKind, "target-kind", "auto", "with --supervised: `auto|classes|numeric` how the target is read (auto: numeric when every value is a number)")
}

// trainPlan is a validated train command, ready to run.
type trainPlan struct {
	flags    trainFlags
	opts     trainer.Options
	monitor  hooks.Metric
	progress hooks.ProgressMode

	format       viz.Format
	saved        []byte // every option, kept in the run's checkpoints
	resumed      *trainer.Checkpoint
	checkpointer *trainer.Checkpointer
	initFrom     *trainer.Model // --init-model
	drift        string         // its drift report
	recorder     *hooks.Recorder
	logger       *hooks.CSVLogger
	early        *hooks.EarlyStopping
	interrupted  bool
	status       func() int // the exit status of an interrupted run (stopContext)
	served       bool       // training finished and --serve kept serving until Ctrl-C
}

// plan validates the flags (set names those given explicitly) and turns
// them into trainer options. Every error is a usageError.
func (f *trainFlags) plan(set map[string]bool) (*trainPlan, error) {
	p := &trainPlan{flags: *f}
	o := &p.opts
	rows, cols, err := graph.ParseSize(f.size)
	if err != nil {
		return nil, usagef("--size: %s", bare(err))
	}
	if o.Grid.Topology, err = graph.ParseTopology(f.topology); err != nil {
		return nil, usagef("--topology: %s", bare(err))
	}
	o.Grid.Rows, o.Grid.Cols, o.Grid.Toroidal = rows, cols, f.toroidal
	o.ExactTrainMetrics = f.exactMetrics
	if err := o.Grid.Validate(); err != nil {
		return nil, usagef("--size %s: %s", f.size, bare(err))
	}
	o.TENeighbors = f.teNeighbors
	// With --init-model or --resume the grid is the saved one, not --size and
	// --topology's: the trainer checks --te-neighbors against it.
	fromSaved := f.initModel != "" || f.resume != ""
	if err := (graph.Config{Grid: o.Grid, Dim: 1, TENeighbors: o.TENeighbors}).Validate(); err != nil && !fromSaved {
		return nil, usagef("--te-neighbors %d with --topology %s: %s", f.teNeighbors, o.Grid.Topology, bare(err))
	}
	if o.Distance, err = graph.ParseDistance(f.distance); err != nil {
		return nil, usagef("--distance: %s", bare(err))
	}
	if o.Neighborhood, err = graph.ParseNeighborhood(f.neighborhood); err != nil {
		return nil, usagef("--neighborhood: %s", bare(err))
	}
	if o.Init, err = graph.ParseInit(f.init); err != nil {
		return nil, usagef("--init: %s", bare(err))
	}
	if o.Dtype, err = parseDtype(f.dtype); err != nil {
		return nil, err
	}

	if f.epochs < 1 {
		return nil, usagef("--epochs %d: must be at least 1", f.epochs)
	}
	if o.Mode, err = trainer.ParseMode(f.mode); err != nil {
		return nil, usagef("--mode: %s", bare(err))
	}
	if set["batch"] && f.batch < 1 || f.batch < 0 {
		return nil, usagef("--batch %d: must be at least 1", f.batch)
	}
	o.BatchSize = f.batch
	if err := positive("lr", f.lr, set["lr"] || f.lr != 0); err != nil {
		return nil, err
	}
	if err := positive("sigma", f.sigma, set["sigma"] || f.sigma != 0); err != nil {
		return nil, err
	}
	o.Alpha, o.Sigma, o.Seed = f.lr, f.sigma, f.seed
	if f.schedule != "auto" { // auto: the trainer's default for the mode
		if o.Schedule, err = hooks.ParseSchedule(f.schedule); err != nil {
			return nil, usagef("--schedule: %s", bare(err))
		}
	}
	if f.earlyStop < 0 {
		return nil, usagef("--early-stop %d: must be 0 (off) or a number of epochs", f.earlyStop)
	}
	if f.minDelta < 0 {
		return nil, usagef("--min-delta %v: must be 0 or more", f.minDelta)
	}
	if p.monitor, err = hooks.ParseMetric(f.monitor); err != nil {
		return nil, usagef("--monitor: %s", bare(err))
	}
	if set["monitor"] && f.earlyStop == 0 && f.checkpoint == "" {
		return nil, usagef("--monitor is used by --early-stop and --checkpoint: add one of them")
	}

	if err := f.checkData(set); err != nil {
		return nil, err
	}
	if err := f.checkSupervised(set, o); err != nil {
		return nil, err
	}

	if strings.TrimSpace(f.out) == "" {
		return nil, usagef("--out: give a model file name, for example --out model.somg")
	}
	if p.progress, err = hooks.ParseProgressMode(f.progress); err != nil {
		return nil, usagef("--progress: %s", bare(err))
	}
	if p.format, err = viz.ParseFormat(f.format); err != nil {
		return nil, usagef("--format: %s", bare(err))
	}
	if f.chartsEvery < 0 {
		return nil, usagef("--charts-every %d: must be 0 (off) or a number of epochs", f.chartsEvery)
	}
	if (set["charts-every"] || set["format"]) && f.charts == "" {
		return nil, usagef("--charts-every and --format need --charts DIR")
	}
	if err := f.checkOutputs(); err != nil {
		return nil, err
	}
	if err := f.checkResume(set); err != nil {
		return nil, err
	}
	if set["serve"] {
		if err := checkAddr("serve", f.serve); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkSupervised validates the supervised-map flags into o.
func (f *trainFlags) checkSupervised(set map[string]bool, o *trainer.Options) error {
	if !f.supervised {
		for _, name := range []string{"target-weight", "target-kind"} {
			if set[name] {
				return usagef("--%s applies to a supervised map: add --supervised", name)
			}
		}
		return nil
	}
	if f.colours() {
		return usagef("--supervised needs a target, and the colours data have none: train on a table with a --target column (--data FILE.csv --target COL, or --dataset iris|penguins|housing)")
	}
	if f.data != "" && strings.TrimSpace(f.target) == "" {
		return usagef("--supervised needs a target: name its column with --target COL")
	}
	if set["target-weight"] && !(f.targetWeight > 0 && f.targetWeight < 1) {
		return usagef("--target-weight %v: must be a number strictly between 0 and 1 (the features weigh 1 − it)", f.targetWeight)
	}
	kind, err := trainer.ParseTargetKind(f.targetKind)
	if err != nil {
		return usagef("--target-kind: %s", bare(err))
	}
	if f.initModel != "" {
		return usagef("--supervised cannot be combined with --init-model yet (a supervised map cannot be trained further from its model): train it again, or resume its run with --checkpoint-every and --resume")
	}
	o.Supervised, o.TargetWeight, o.TargetKind = true, f.targetWeight, kind
	return nil
}

// checkOutputs checks every output path before any work is done.
func (f *trainFlags) checkOutputs() error {
	for _, o := range []struct{ flag, path, example string }{
		{"out", f.out, "model.somg"}, {"log", f.log, "epochs.csv"}, {"checkpoint", f.checkpoint, "best.somg"},
	} {
		if err := checkOutFile(o.flag, o.path, o.example); err != nil {
			return err
		}
	}
	return checkOutDir("charts", f.charts)
}

// checkData validates the data flags.
func (f *trainFlags) checkData(set map[string]bool) error {
	if f.data != "" && f.dataset != "" {
		return usagef("--data and --dataset both given: train on one of them")
	}
	switch f.dataset {
	case "", "colors", "colours", "iris", "penguins", "housing":
	default:
		return usagef("--dataset %q: want colors, iris, penguins or housing", f.dataset)
	}
	colours := f.colours()
	if colours {
		for _, name := range []string{"cont", "cat", "target", "ignore", "na", "na-indicators", "missing", "delimiter", "decimal", "comment", "lazy-quotes", "stream-above", "bad-rows", "encode", "embed-size", "embed-epochs", "embed-method", "normalize", "valid-column"} {
			if set[name] {
				return usagef("--%s applies to a table: add --data FILE.csv or --dataset iris, penguins or housing", name)
			}
		}
	} else if f.data == "" {
		for _, name := range []string{"delimiter", "decimal", "comment", "lazy-quotes", "stream-above"} {
			if set[name] {
				return usagef("--%s applies to a CSV file: add --data FILE.csv", name)
			}
		}
	}
	if (set["embed-size"] || set["embed-epochs"] || set["embed-method"]) && !colours {
		if enc, err := loaders.ParseEncoding(f.encode); err == nil && enc != loaders.Embedding {
			return usagef("--embed-size, --embed-epochs and --embed-method configure --encode embedding: add it")
		}
	}
	switch f.embedMethod {
	case loaders.EmbedAutoencoder, loaders.EmbedCoOccurrence:
	default:
		return usagef("--embed-method %q: want %s or %s", f.embedMethod, loaders.EmbedAutoencoder, loaders.EmbedCoOccurrence)
	}
	if f.embedEpochs < 0 {
		return usagef("--embed-epochs %d: must be 0 (the default) or more", f.embedEpochs)
	}
	if r := []rune(f.comment); len(r) > 1 {
		return usagef("--comment %q: want one character, for example #", f.comment)
	}
	if f.n < 1 {
		return usagef("--n %d: must be at least 1", f.n)
	}
	if set["n"] && !colours {
		return usagef("--n sets the size of the colours dataset only")
	}
	if !(f.valid >= 0 && f.valid < 1) {
		return usagef("--valid %v: must be a fraction in [0, 1), for example 0.2", f.valid)
	}
	comma, err := delimiter(f.delimiter)
	if err != nil {
		return err
	}
	if _, err := decimalMark(f.decimal, comma); err != nil {
		return err
	}
	if f.valid > 0 && f.validColumn != "" {
		return usagef("--valid and --valid-column both given: split by one of them")
	}
	o, err := f.loaderOptions()
	if err != nil {
		return err
	}
	if o.Pipeline.Missing == loaders.SkipMissing {
		if f.naIndicators {
			return usagef("--na-indicators marks filled values, and --missing skip fills none: choose one")
		}
		if d, err := graph.ParseDistance(f.distance); err == nil && d == graph.Mixed {
			return usagef("--distance mixed cannot skip missing values: use --missing fill, or another --distance")
		}
		if o.Pipeline.Encode == loaders.Embedding {
			return usagef("--encode embedding learns from complete records: use --missing fill, or --encode onehot|ordinal")
		}
	}
	return nil
}

// colours reports whether the flags train on the random RGB colours: no
// --data, and --dataset colors or none.
func (f *trainFlags) colours() bool {
	return f.data == "" && (f.dataset == "" || f.dataset == "colors" || f.dataset == "colours")
}

// unescape turns the two-character "\t" a shell passes into a tab.
func unescape(s string) string {
	if s == `\t` || s == "tab" {
		return "\t"
	}
	return s
}

func runTrain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config string
	fs := newFlagSet("train", &config)
	var f trainFlags
	f.register(fs)
	set, code := parse(fs, trainHelp, &config, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	var resumed *trainer.Checkpoint
	if f.resume != "" {
		ck, err := resumeFlags(fs, set, f.resume)
		if err != nil {
			return report(stderr, "train", err)
		}
		resumed = ck
	}
	p, err := f.plan(set)
	if err != nil {
		return report(stderr, "train", err)
	}
	p.saved, p.resumed = savedFlags(fs), resumed
	ctx, stop, status := stopContext(stopSignals...)
	defer stop()
	p.status = status
	if err := p.run(ctx, stdout, stderr); err != nil {
		return report(stderr, "train", err)
	}
	if p.interrupted || ctx.Err() != nil && !p.served {
		return p.exitStatus() // a signal stopped training, not the --serve explorer of a finished one
	}
	return exitOK
}

// stopSignals stop a train run early: the current batch finishes, the
// model is saved (see the "cli-interrupt" hook in addHooks) and the command
// exits with 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// exitStatus is the exit status of an interrupted run.
func (p *trainPlan) exitStatus() int {
	if p.status == nil {
		return exitInterrupted
	}
	return p.status()
}

// stopContext is signal.NotifyContext that also tells which signal came:
// status returns the exit status for it, 128 + its number (the shell's
// convention; exitInterrupted before any signal). After the first signal
// the handler is removed, so a second one kills the process the default
// way.
func stopContext(sigs ...os.Signal) (ctx context.Context, stop func(), status func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	var code atomic.Int32
	code.Store(exitInterrupted)
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			if n, ok := s.(syscall.Signal); ok {
				code.Store(int32(128 + int(n)))
			}
			cancel()
		case <-ctx.Done():
		}
	}()
	stop = func() { signal.Stop(ch); cancel() }
	return ctx, stop, func() int { return int(code.Load()) }
}

// run loads the data, trains, saves the model and prints the summary.
func (p *trainPlan) run(ctx context.Context, stdout, stderr io.Writer) error {
	f := &p.flags
	if p.progress != hooks.ProgressNone {
		f.embedLog = stdout
	}
	d, err := p.loadData()
	if err != nil {
		return err
	}
	opts := p.opts
	opts.Pipeline = d.pipeline
	if opts.Distance == graph.Mixed && d.pipeline == nil {
		return usagef("--distance mixed compares categorical columns, and the colours data has none: train on a table (--data FILE.csv, or --dataset iris|penguins|housing)")
	}
	if opts.Supervised && d.train.Labels == nil {
		return usagef("--supervised needs a target, and %s has none: name its column with --target COL", d.name)
	}
	l, err := p.newLearner(d, &opts, stdout)
	if err != nil {
		return err
	}
	for _, out := range []struct{ flag, path string }{{"out", f.out}, {"log", f.log}, {"checkpoint", f.checkpoint}} {
		if out.path == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(out.path), 0o755); err != nil {
			return fmt.Errorf("--%s: cannot create its folder: %w", out.flag, err)
		}
	}

	if err := p.addHooks(l, ctx, stdout); err != nil {
		return err
	}
	defer p.closeHooks()
	var srv *server
	if f.serve != "" {
		if srv, err = serveTraining(l, f.serve, stdout, stderr); err != nil {
			return err
		}
		defer srv.srv.Close() // after an error; a no-op after wait's shutdown
	}
	validNote := ""
	if d.valid != nil {
		validNote = fmt.Sprintf(", %d held out for validation", d.valid.N)
	}
	fmt.Fprintf(stdout, "training a %s map on %s: %s × %s%s; %s, %s, schedule %s, seed %d\n",
		opts.Grid, d.name, plural(d.train.N, "record"), plural(d.train.D, "feature"), validNote, plural(f.epochs, "epoch"), opts.Mode, l.Options().Schedule.Name(), opts.Seed)
	if d.note != "" {
		fmt.Fprintln(stdout, d.note)
	}
	if w := sizeWarning(opts.Grid, d.train.N); w != "" {
		fmt.Fprintf(stderr, "somgraph train: warning: %s\n", w)
	}

	start := time.Now()
	fitErr := l.Fit(f.epochs)
	elapsed := time.Since(start)
	if fitErr != nil {
		return fmt.Errorf("training failed: %w", fitErr)
	}
	// The summary's exact measures of the trained map (a full search of the
	// training data) run while the model is written: both only read the map.
	final := make(chan *graph.Metrics, 1)
	go func() { final <- p.finalMetrics(l) }()
	if err := l.ExportFile(f.out); err != nil {
		<-final
		return fmt.Errorf("cannot save the model: %w", err)
	}
	err = p.closeHooks()
	fm := <-final
	if err != nil {
		return err
	}
	p.summary(stdout, l, elapsed, fm)
	p.checkpointNote(stdout)
	if f.charts != "" {
		in, err := viz.FromLearner(l, viz.WithRecorder(p.recorder))
		if err != nil {
			return fmt.Errorf("--charts: %w", err)
		}
		if err := writeCharts(stdout, in, f.charts, p.format, nil); err != nil {
			return fmt.Errorf("--charts: %s", bare(err))
		}
	}
	if srv != nil {
		if ctx.Err() == nil {
			p.served = true
			fmt.Fprintf(stdout, "the explorer shows the trained map at %s until Ctrl-C\n", srv.url)
		}
		return srv.wait(ctx, stdout)
	}
	return nil
}

// addHooks registers the hooks the flags ask for: progress output, the CSV
// log, early stopping, checkpoints, a NaN guard and Ctrl-C handling.
func (p *trainPlan) addHooks(l *trainer.Learner, ctx context.Context, stdout io.Writer) error {
	f := &p.flags
	validN := 0
	if l.Valid() != nil {
		validN = l.Valid().N
	}
	if p.monitor.NeedsValid() && validN == 0 {
		return usagef("--monitor %s needs validation data: add --valid 0.2, or monitor train_%s", p.monitor, strings.TrimPrefix(string(p.monitor), "valid_"))
	}
	monitor, err := p.monitor.Resolve(validN)
	if err != nil {
		return usagef("--monitor: %s", bare(err))
	}
	l.AddHook(hooks.NewNaNGuard())
	if pr := hooks.NewProgress(stdout, p.progress); pr.Mode() != hooks.ProgressNone {
		l.AddHook(pr)
	}
	if f.log != "" {
		lg, err := hooks.CreateCSVLogger(f.log)
		if err != nil {
			return fmt.Errorf("--log: %s", bare(err))
		}
		p.logger = lg
		l.AddHook(lg)
	}
	if f.checkpoint != "" {
		sb, err := hooks.NewSaveBest(f.checkpoint, monitor, l.ExportFile)
		if err != nil {
			return usagef("--checkpoint: %s", bare(err))
		}
		sb.MinDelta = f.minDelta
		l.AddHook(sb)
	}
	if f.earlyStop > 0 {
		es, err := hooks.NewEarlyStopping(monitor, f.earlyStop, f.minDelta)
		if err != nil {
			return usagef("--early-stop: %s", bare(err))
		}
		p.early = es
		l.AddHook(es)
	}
	if f.charts != "" {
		p.recorder = hooks.NewRecorder()
		l.AddHook(p.recorder)
		if f.chartsEvery > 0 {
			l.AddHook(viz.NewChartHook(filepath.Join(f.charts, "training"), f.chartsEvery, p.format, l.Train()))
		}
	}
	if err := p.addCheckpointer(l, ctx); err != nil {
		return err
	}
	l.AddHook(hooks.Func("cli-interrupt", hooks.OrderOutput, func(e hooks.Event, s *hooks.State) error {
		if ctx.Err() != nil {
			p.interrupted = true
			return hooks.ErrCancelFit
		}
		return nil
	}, hooks.AfterBatch))
	return nil
}

// closeHooks closes the CSV log, if any; it may be called twice.
func (p *trainPlan) closeHooks() error {
	if p.logger == nil {
		return nil
	}
	lg := p.logger
	p.logger = nil
	if err := lg.Close(); err != nil {
		return fmt.Errorf("--log: %s", bare(err))
	}
	return nil
}

// finalMetrics returns the trained map's QE, TE and dead units on the
// training data (one search of it), or nil when no epoch finished or the
// search fails (the summary then shows the last epoch's own measures).
func (p *trainPlan) finalMetrics(l *trainer.Learner) *graph.Metrics {
	if len(l.History()) == 0 {
		return nil
	}
	m, err := l.Map().EvaluateSearch(l.Train().Data)
	if err != nil {
		return nil
	}
	return &m
}

// summary prints the result of training; final, if not nil, holds the
// trained map's exact measures (finalMetrics).
func (p *trainPlan) summary(w io.Writer, l *trainer.Learner, elapsed time.Duration, final *graph.Metrics) {
	h := l.History()
	if len(h) == 0 {
		fmt.Fprintf(w, "no epoch finished; model saved to %s\n", p.flags.out)
		return
	}
	last := h[len(h)-1]
	switch {
	case p.interrupted:
		fmt.Fprintf(w, "interrupted after %d of %d epochs (exit status %d)\n", len(h), p.flags.epochs, p.exitStatus())
	case p.early != nil && p.early.StoppedEpoch >= 0:
		fmt.Fprintf(w, "early stopping after %d of %d epochs: %s did not improve for %d epochs (best %.4f at epoch %d)\n",
			len(h), p.flags.epochs, p.early.Monitor, p.early.Patience, p.early.Best, p.early.BestEpoch+1)
	}
	m := last.Train // the epoch's own measure, unless the trained map's exact one is known (no distortion: not shown)
	if final != nil {
		m = *final
	}
	te := l.Map().Config().TELabel()
	fmt.Fprintf(w, "done in %.2fs: qe %.4f  %s %.4f  dead units %.1f%%", elapsed.Seconds(), m.QE, te, m.TE, 100*m.DeadUnits)
	if last.HasValid {
		fmt.Fprintf(w, "  valid qe %.4f  %s %.4f", last.Valid.QE, te, last.Valid.TE)
	}
	if t := l.Target(); t != nil {
		fmt.Fprintf(w, "\nsupervised on %s (%s, target weight %v): %s", t.Name, targetKindNote(t), l.Options().TargetWeight, targetSummary("train", last.TrainTarget))
		if last.HasValid {
			fmt.Fprintf(w, ", %s", targetSummary("valid", last.ValidTarget))
		}
	}
	fmt.Fprintf(w, "\nmodel saved to %s\n", p.flags.out)
}

// targetKindNote describes a target: its classes, or numeric.
func targetKindNote(t *trainer.Target) string {
	if t.Kind == trainer.TargetClasses {
		return fmt.Sprintf("%d classes", len(t.Classes))
	}
	return "numeric"
}

// targetSummary formats the target metrics of one split.
func targetSummary(split string, m hooks.TargetMetrics) string {
	if !math.IsNaN(m.Accuracy) {
		return fmt.Sprintf("%s accuracy %.4f", split, m.Accuracy)
	}
	return fmt.Sprintf("%s rmse %.4g mae %.4g", split, m.RMSE, m.MAE)
}

// sizeWarning returns a warning when grid has more units than there are
// training records n (most units then never win a record, and time, memory
// and the model grow with the map for nothing), suggesting the common rule
// of thumb of about 5·√n units; "" when the size is plausible.
func sizeWarning(grid graph.Grid, n int) string {
	k := grid.Units()
	if k <= n {
		return ""
	}
	want := 5 * math.Sqrt(float64(n))
	side := max(2, int(math.Round(math.Sqrt(want))))
	return fmt.Sprintf("the %s map has %d units for %s: most units will get no record; a common rule of thumb is about 5·√N = %.0f units for N records, for example --size %dx%d",
		grid, k, plural(n, "record"), want, side, side)
}

// plural formats n and a noun, adding an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
