package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"time"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/internal/bench"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

var benchHelp = help{
	cmd:  "bench",
	args: "[flags]",
	about: `Time training against the machine's floor. bench generates clustered data
from --seed, trains a map on it with a constant schedule (so α and σ do not
change the work), and prints for every epoch and overall: seconds,
records/s, the achieved GFLOP/s of the best-matching-unit search
(2·N·K·D / epoch seconds), the peak heap, and the ratio of the epoch to
the floor.

The floor is the epoch's best-matching-unit search alone, measured by the
same process just before each run, in chunks of the batch size: for
float32 where the trainer runs the fused search (distances and argmin in
one kernel, the graph's SOMDistanceArgmin node), that kernel over the N×K×D
search; otherwise one GEMM of shape (N×D)·(D×K) through the BLAS that
Gorgonia uses (SGEMM or DGEMM) plus one argmin pass over its result. With
the fused floor the GEMM + argmin of the same shape is printed as a
reference line. The rest of an epoch (per-BMU sums, neighbourhood and
update) is not in the floor. Each run also measures the machine's peak
float32 rate (a register-only FMA loop on every core) and prints each
epoch's share of it, counting 2·N·K·D flops per epoch (the search's
product; the update's products are not counted). "loop s" runs from the start of an epoch to the end
of its last batch, without the batch-mode update and the end of the
metrics. An epoch's metrics come from its own searches; bench also times
one exact evaluation of the trained map (what the trainer's
ExactTrainMetrics option would add to each epoch) and prints it apart.

With --repeat R the whole measurement runs R times and the results are
medians; the heap is the first run's. The BLAS is pure Go unless the binary was built with
-tags openblas (CGO_LDFLAGS=-lopenblas, libopenblas-dev installed).`,
	groups: []group{
		{"Data", []string{"n", "dim", "clusters", "seed"}},
		{"Training", []string{"size", "epochs", "mode", "batch", "dtype"}},
		{"Output", []string{"repeat", "json", "cpuprofile", "write-csv", "ingest"}},
	},
	examples: []string{
		"somgraph bench --n 50000 --dim 64 --size 40x40 --epochs 10 --mode batch --repeat 3",
		"somgraph bench --mode minibatch --batch 256 --json",
		"CGO_LDFLAGS=-lopenblas go run -tags openblas ./cmd/somgraph bench --n 20000 --dim 3 --size 20x20",
	},
}

// benchFlags are the bench command's options as given.
type benchFlags struct {
	n, dim, clusters, epochs, batch, repeat int
	size, mode, dtype, cpuprofile           string
	writeCSV, ingest                        string
	seed                                    uint64
	json                                    bool
}

func (f *benchFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.n, "n", 50000, "number of `records` to generate")
	fs.IntVar(&f.dim, "dim", 64, "number of `features` per record")
	fs.IntVar(&f.clusters, "clusters", 16, "number of clusters the records are drawn around")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed `N` for the data, the initial codebook and the batch order")
	fs.StringVar(&f.size, "size", "40x40", "map size `ROWSxCOLS`")
	fs.IntVar(&f.epochs, "epochs", 10, "number of epochs per run")
	fs.StringVar(&f.mode, "mode", "batch", "`minibatch|batch` update rule")
	fs.IntVar(&f.batch, "batch", 0, "records per batch (per BMU search in batch mode); 0 means the trainer's default, 64 in minibatch and in batch mode 16384 where the fused search runs, else 1024")
	fs.StringVar(&f.dtype, "dtype", "float32", "`float32|float64` precision of the codebook, the batches and the floor")
	fs.IntVar(&f.repeat, "repeat", 1, "run everything `R` times and report medians")
	fs.BoolVar(&f.json, "json", false, "write the result as JSON instead of a table")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of the first run's training (not the floor) to `file`, for go tool pprof")
	fs.StringVar(&f.ingest, "ingest", "", "instead of training, time reading the CSV `file` (read, parse, fit the default pipeline, transform) in memory with its table, streamed, and in one pass as train does, and print MB/s")
	fs.StringVar(&f.writeCSV, "write-csv", "", "write the generated data (--n, --dim, --clusters, --seed) as CSV with a header to `file` and stop, for train, predict and scripts/peer-bench.sh")
}

// benchPlan is a checked bench: its settings and the trainer's options.
type benchPlan struct {
	set        bench.Settings
	clusters   int
	cpuprofile string
	opts       trainer.Options
	json       bool
}

// maxBenchValues bounds N·D so that a typo cannot ask for all the memory.
const maxBenchValues = 1 << 29 // 4 GiB of float64

func (f *benchFlags) plan() (*benchPlan, error) {
	if f.n < 1 {
		return nil, usagef("--n %d: want at least 1 record", f.n)
	}
	if f.dim < 1 {
		return nil, usagef("--dim %d: want at least 1 feature", f.dim)
	}
	if float64(f.n)*float64(f.dim) > maxBenchValues {
		return nil, usagef("--n %d × --dim %d is more than %d values (4 GiB): use fewer records or features", f.n, f.dim, maxBenchValues)
	}
	if f.clusters < 1 {
		return nil, usagef("--clusters %d: want at least 1", f.clusters)
	}
	if f.epochs < 1 {
		return nil, usagef("--epochs %d: want at least 1", f.epochs)
	}
	if f.batch < 0 {
		return nil, usagef("--batch %d: want 0 (the default) or more records", f.batch)
	}
	if f.repeat < 1 {
		return nil, usagef("--repeat %d: want at least 1", f.repeat)
	}
	rows, cols, err := graph.ParseSize(f.size)
	if err != nil {
		return nil, usagef("--size %q: %s", f.size, bare(err))
	}
	mode, err := trainer.ParseMode(f.mode)
	if err != nil {
		return nil, usagef("--mode %q: want minibatch or batch", f.mode)
	}
	dtype, err := parseDtype(f.dtype)
	if err != nil {
		return nil, err
	}
	batch := f.batch
	if batch == 0 {
		batch = trainer.DefaultBatchSize
		if mode == trainer.Batch { // the trainer's default for this map
			batch = graph.Config{Grid: graph.Grid{Rows: rows, Cols: cols}, Dim: f.dim, Dtype: dtype}.SearchChunk()
		}
	}
	batch = min(batch, f.n)
	return &benchPlan{clusters: f.clusters, json: f.json, cpuprofile: f.cpuprofile,
		set: bench.Settings{N: f.n, Dim: f.dim, Rows: rows, Cols: cols, Epochs: f.epochs,
			Mode: mode.String(), Batch: batch, Dtype: dtype.String(), Seed: f.seed, Repeat: f.repeat},
		opts: trainer.Options{Grid: graph.Grid{Rows: rows, Cols: cols}, Dtype: dtype, Mode: mode,
			BatchSize: batch, Seed: f.seed, Schedule: hooks.Constant()},
	}, nil
}

func runBench(args []string, stdout, stderr io.Writer) int {
	var config string
	fs := newFlagSet("bench", &config)
	var f benchFlags
	f.register(fs)
	if _, code := parse(fs, benchHelp, &config, args, stdout, stderr); code >= 0 {
		return code
	}
	p, err := f.plan()
	if err != nil {
		return report(stderr, "bench", err)
	}
	if f.ingest != "" {
		if err := runIngest(f.ingest, p.set.Repeat, stdout); err != nil {
			return report(stderr, "bench", err)
		}
		return exitOK
	}
	if f.writeCSV != "" {
		if err := p.writeData(f.writeCSV, stdout); err != nil {
			return report(stderr, "bench", err)
		}
		return exitOK
	}
	res, err := p.run(stderr)
	if err != nil {
		return report(stderr, "bench", err)
	}
	if p.json {
		err = res.WriteJSON(stdout)
	} else {
		err = res.WriteTable(stdout)
	}
	if err != nil {
		return report(stderr, "bench", err)
	}
	return exitOK
}

// run generates the data and measures the floor and training p.set.Repeat
// times, writing one progress line per run to progress.
func (p *benchPlan) run(progress io.Writer) (res *bench.Result, err error) {
	s := p.set
	ds, err := bench.Clustered(bench.DataSpec{N: s.N, Dim: s.Dim, Clusters: p.clusters, Seed: s.Seed})
	if err != nil {
		return nil, err
	}
	w, err := bench.Sample(ds, s.Units(), s.Seed)
	if err != nil {
		return nil, err
	}
	var prof *os.File // nil: no profile
	if p.cpuprofile != "" {
		if prof, err = os.Create(p.cpuprofile); err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		defer func() {
			if cerr := prof.Close(); cerr != nil && err == nil {
				res, err = nil, fmt.Errorf("--cpuprofile: %w", cerr)
			}
		}()
	}
	fspec := bench.FloorSpec{X: ds.Data, N: s.N, D: s.Dim, W: w, K: s.Units(), Chunk: s.Batch, Dtype: p.opts.Dtype}
	runs := make([]bench.Run, 0, s.Repeat)
	evals := make([]float64, 0, s.Repeat)
	for r := range s.Repeat {
		fl, err := bench.MeasureFloor(fspec, 3)
		if err != nil {
			return nil, err
		}
		var pw io.Writer // the profile covers the first run only
		if prof != nil && r == 0 {
			pw = prof
		}
		run, eval, err := p.train(ds, pw)
		if err != nil {
			return nil, err
		}
		run.Floor = fl
		run.PeakGFLOPS = bench.MeasurePeak(peakTime)
		runs = append(runs, run)
		evals = append(evals, eval)
		secs := make([]float64, len(run.Epochs))
		for i, e := range run.Epochs {
			secs[i] = e.Seconds
		}
		fmt.Fprintf(progress, "somgraph bench: run %d/%d: floor %.3f s, median epoch %.3f s, metrics %.3f s, peak %.1f GFLOP/s (%s)\n",
			r+1, s.Repeat, fl.Seconds, bench.Median(secs), eval, run.PeakGFLOPS, fl.BLAS)
	}
	return bench.NewResult(s, runs, bench.Median(evals))
}

// runIngest times reading the CSV at path, repeat times, and prints the
// medians and MB/s: in memory (loaders.ReadCSV, then NewDataBunch fitting
// the default pipeline and transforming), streamed (loaders.LoadStream,
// two passes over the file), and as train reads it (loaders.Load with
// NoTable: one pass for a plain numeric file).
func runIngest(path string, repeat int, stdout io.Writer) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	mb := float64(fi.Size()) / 1e6
	var read, fit, stream, cpuMem, cpuStream, one, cpuOne []float64
	var rows, cols int
	for range repeat {
		c0 := cpuSeconds()
		t0 := time.Now()
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		t, err := loaders.ReadCSV(f, &loaders.ReadOptions{Name: path})
		f.Close()
		if err != nil {
			return err
		}
		t1 := time.Now()
		db, err := loaders.NewDataBunch(t, nil)
		if err != nil {
			return err
		}
		t2, c2 := time.Now(), cpuSeconds()
		rows, cols = db.Train.N, db.Train.D
		if _, err := loaders.LoadStream(func() (io.ReadCloser, error) { return os.Open(path) }, &loaders.Options{Read: loaders.ReadOptions{Name: path}}); err != nil {
			return err
		}
		read, fit, stream = append(read, t1.Sub(t0).Seconds()), append(fit, t2.Sub(t1).Seconds()), append(stream, time.Since(t2).Seconds())
		cpuMem, cpuStream = append(cpuMem, c2-c0), append(cpuStream, cpuSeconds()-c2)
		c3, t3 := cpuSeconds(), time.Now()
		if _, err := loaders.Load(path, &loaders.Options{Read: loaders.ReadOptions{Name: path}, NoTable: true, StreamAbove: -1}); err != nil {
			return err
		}
		one, cpuOne = append(one, time.Since(t3).Seconds()), append(cpuOne, cpuSeconds()-c3)
	}
	r, ft, st := bench.Median(read), bench.Median(fit), bench.Median(stream)
	_, err = fmt.Fprintf(stdout, "ingest %s: %.1f MB, %d rows × %d features, median of %d\n"+
		"  in memory: %.3f s = read+parse %.3f s + fit+transform %.3f s: %.0f MB/s (CPU %.3f s)\n"+
		"  streamed (two passes): %.3f s: %.0f MB/s (CPU %.3f s)\n"+
		"  one pass, no table (train's path): %.3f s: %.0f MB/s (CPU %.3f s)\n"+
		"  (CPU is the process's user+system time; wall far above CPU/cores means a busy machine)\n",
		path, mb, rows, cols, repeat, r+ft, r, ft, mb/(r+ft), bench.Median(cpuMem), st, mb/st, bench.Median(cpuStream),
		bench.Median(one), mb/bench.Median(one), bench.Median(cpuOne))
	return err
}

// writeData writes the data p generates to path ("-" for stdout) as CSV.
func (p *benchPlan) writeData(path string, stdout io.Writer) error {
	ds, err := bench.Clustered(bench.DataSpec{N: p.set.N, Dim: p.set.Dim, Clusters: p.clusters, Seed: p.set.Seed})
	if err != nil {
		return err
	}
	return writeOutput(path, stdout, func(w io.Writer) error { return bench.WriteCSV(w, ds) })
}

// peakTime is how long each run measures the machine's peak.
const peakTime = 400 * time.Millisecond

// evalRepeat is how many evaluations of the trained map train times; it
// returns their median.
const evalRepeat = 3

// train fits one map on ds, timing each epoch with a hook, and then times
// evaluations of the trained map on ds apart. With prof non-nil it writes
// a CPU profile of the fit (not the floor nor the extra evaluations).
func (p *benchPlan) train(ds *loaders.Dataset, prof io.Writer) (run bench.Run, evalSeconds float64, err error) {
	heap := bench.StartHeap(0)
	l, err := trainer.New(ds, nil, &p.opts)
	if err != nil {
		heap.Stop()
		return run, 0, err
	}
	var start, loopEnd time.Time
	var objects, bytes, loopObjects, loopBytes uint64
	sigma := 0.0
	timer := hooks.Func("bench-timer", math.MinInt, func(e hooks.Event, st *hooks.State) error {
		now := time.Now()
		switch e {
		case hooks.BeforeEpoch:
			start, loopEnd = now, now
			objects, bytes = bench.ReadAllocs()
			loopObjects, loopBytes = objects, bytes
		case hooks.AfterBatch:
			if st.Batch == st.Batches-1 {
				loopEnd = now
				loopObjects, loopBytes = bench.ReadAllocs()
			}
		case hooks.AfterEpoch:
			run.Epochs = append(run.Epochs, bench.EpochTiming{
				Seconds: now.Sub(start).Seconds(), LoopSeconds: loopEnd.Sub(start).Seconds(),
				LoopAllocs: float64(loopObjects - objects), LoopAllocBytes: float64(loopBytes - bytes)})
			sigma = st.Sigma
		}
		return nil
	}, hooks.BeforeEpoch, hooks.AfterBatch, hooks.AfterEpoch)
	l.AddHook(timer)
	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			heap.Stop()
			return run, 0, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	err = l.Fit(p.set.Epochs)
	if prof != nil {
		pprof.StopCPUProfile()
	}
	run.Heap = heap.Stop()
	if err != nil {
		return run, 0, err
	}
	if len(run.Epochs) != p.set.Epochs {
		return run, 0, fmt.Errorf("bench: timed %d epochs of %d", len(run.Epochs), p.set.Epochs)
	}
	evals := make([]float64, evalRepeat)
	for i := range evals {
		t0 := time.Now()
		if _, err := l.Map().Evaluate(ds.Data, sigma); err != nil {
			return run, 0, fmt.Errorf("bench: timing the metrics: %w", err)
		}
		evals[i] = time.Since(t0).Seconds()
	}
	return run, bench.Median(evals), nil
}
