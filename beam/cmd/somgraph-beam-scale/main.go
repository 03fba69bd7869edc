// Command somgraph-beam-scale measures Beam training on Prism against the
// in-process batch trainer on the same machine: it writes N random records
// × D features as CSV shards, trains the same map both ways for a few
// epochs (PCA initialization: the same codebook both ways), and reports
// records per second and the per-epoch overhead of Beam (a pipeline run
// that reads the encoded records, or with -no-cache re-parses the CSV) over
// the in-process epoch (records already encoded in memory), and the largest
// difference between the two codebooks. It also times an epoch over a
// one-record input: the fixed cost of a pipeline run.
//
//	go run ./cmd/somgraph-beam-scale -n 1000000 -d 64 -shards 8 -epochs 2
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/somgraph/somgraph/beam/sombeam"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

func main() {
	n := flag.Int("n", 1_000_000, "records")
	d := flag.Int("d", 64, "features")
	shards := flag.Int("shards", 8, "CSV shards")
	epochs := flag.Int("epochs", 2, "epochs per trainer")
	size := flag.Int("size", 10, "map of size×size units")
	dir := flag.String("dir", "", "directory for the shards (default: a temporary one, removed at the end)")
	skipInProcess := flag.Bool("beam-only", false, "skip the in-process trainer")
	noCache := flag.Bool("no-cache", false, "Beam epochs parse the CSV instead of reading the encoded records")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to `file`")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "somgraph-beam-scale:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	beam.Init()
	beamlog.SetupLogging("warn", "text") // not Prism's INFO lines per job
	if err := run(*n, *d, *shards, *epochs, *size, *dir, *skipInProcess, *noCache); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "somgraph-beam-scale:", err)
		os.Exit(1)
	}
}

func run(n, d, shards, epochs, size int, dir string, beamOnly, noCache bool) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "sombeam-scale-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	if err := generate(dir, n, d, shards); err != nil {
		return err
	}
	fmt.Printf("wrote %d records × %d features as %d shards and one file in %.1fs\n", n, d, shards, time.Since(start).Seconds())
	ctx := context.Background()
	opts := func() *trainer.Options {
		return &trainer.Options{Grid: graph.Grid{Rows: size, Cols: size}, Mode: trainer.Batch, BatchSize: sombeam.DefaultBatch, Seed: 1, Init: graph.InitPCA}
	}
	read := loaders.Options{StreamAbove: 1, StreamSample: sombeam.DefaultMedianSample}

	// Beam on Prism.
	start = time.Now()
	job, err := sombeam.NewJob(ctx, sombeam.Config{Input: filepath.Join(dir, "part-*.csv"), Read: read, NoCache: noCache})
	if err != nil {
		return err
	}
	defer job.Close()
	l, info, err := job.NewLearner(ctx, opts())
	if err != nil {
		return err
	}
	fmt.Printf("beam: fitted the preprocessing, gathered the %d init records and (unless -no-cache) encoded the shards in %.1fs\n", info.Sample, time.Since(start).Seconds())
	beamInit := l.Map().Weights()
	if err := l.Fit(epochs); err != nil {
		return err
	}
	beamEpoch := report("beam (prism)", info.Records, l.History())

	// The fixed cost of a pipeline run: one record.
	tiny := filepath.Join(dir, "tiny")
	if err := os.MkdirAll(tiny, 0o755); err != nil {
		return err
	}
	if err := generate(tiny, 1, d, 1); err != nil {
		return err
	}
	tj, err := sombeam.NewJob(ctx, sombeam.Config{Input: filepath.Join(tiny, "part-*.csv"), Read: read, NoCache: noCache})
	if err != nil {
		return err
	}
	defer tj.Close()
	tl, _, err := tj.NewLearner(ctx, &trainer.Options{Grid: graph.Grid{Rows: size, Cols: size}, Mode: trainer.Batch, Seed: 1})
	if err != nil {
		return err
	}
	if err := tl.Fit(3); err != nil {
		return err
	}
	report("beam (prism), 1 record", 1, tl.History())

	if beamOnly {
		return nil
	}
	start = time.Now()
	db, err := loaders.Load(filepath.Join(dir, "whole.csv"), &read)
	if err != nil {
		return err
	}
	fmt.Printf("in process: read %d records in %.1fs\n", db.Train.N, time.Since(start).Seconds())
	o := opts()
	o.Pipeline = db.Pipeline
	ref, err := trainer.New(db.Train, nil, o)
	if err != nil {
		return err
	}
	initDiff := maxDiff(ref.Map().Weights(), beamInit)
	if err := ref.Fit(epochs); err != nil {
		return err
	}
	inEpoch := report("in process", db.Train.N, ref.History())
	fmt.Printf("beam epoch overhead over in process: %.2fs per epoch (%.2f× the in-process epoch)\n", beamEpoch-inEpoch, beamEpoch/inEpoch)
	// PCA on data whose second principal axis is not well separated (as
	// here: clusters along the diagonal, isotropic noise) amplifies the
	// rounding differences of the two readers' z-scores.
	fmt.Printf("largest codebook difference, beam vs in process: %.3g initially, %.3g after the epochs\n", initDiff, maxDiff(ref.Map().Weights(), l.Map().Weights()))
	return nil
}

func maxDiff(a, b []float64) float64 {
	worst := 0.0
	for i, v := range a {
		worst = max(worst, math.Abs(b[i]-v))
	}
	return worst
}

// report prints each epoch's seconds and returns the mean.
func report(name string, n int, h []trainer.Epoch) float64 {
	total := 0.0
	for _, e := range h {
		total += e.Duration.Seconds()
	}
	mean := total / float64(len(h))
	fmt.Printf("%s: %d epochs, %.2fs per epoch, %.0f records/s", name, len(h), mean, float64(n)/mean)
	for _, e := range h {
		fmt.Printf(" [%.2fs]", e.Duration.Seconds())
	}
	fmt.Println()
	return mean
}

// generate writes n records of d features in shards of unequal sizes
// (part-XX.csv) and as one file (whole.csv).
func generate(dir string, n, d, shards int) error {
	rng := rand.New(rand.NewPCG(42, 1))
	whole, err := os.Create(filepath.Join(dir, "whole.csv"))
	if err != nil {
		return err
	}
	defer whole.Close()
	ww := bufio.NewWriterSize(whole, 1<<20)
	head := make([]byte, 0, 8*d)
	for f := range d {
		if f > 0 {
			head = append(head, ',')
		}
		head = append(head, 'f')
		head = strconv.AppendInt(head, int64(f), 10)
	}
	head = append(head, '\n')
	ww.Write(head)
	// Shard k gets a share proportional to k+1.
	weights := shards * (shards + 1) / 2
	line := make([]byte, 0, 12*d)
	written := 0
	for k := range shards {
		m := n * (k + 1) / weights
		if k == shards-1 {
			m = n - written
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("part-%02d.csv", k)))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.Write(head)
		for range m {
			line = line[:0]
			c := float64(rng.IntN(5))
			for j := range d {
				if j > 0 {
					line = append(line, ',')
				}
				line = strconv.AppendFloat(line, c+rng.NormFloat64(), 'f', 4, 64)
			}
			line = append(line, '\n')
			w.Write(line)
			ww.Write(line)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		written += m
	}
	return ww.Flush()
}
