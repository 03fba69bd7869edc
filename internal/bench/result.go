package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/somgraph/somgraph/internal/gemm"
)

// Settings are the parameters of a bench run, as given on the command line.
type Settings struct {
	// N records of Dim features, on a Rows×Cols map, for Epochs epochs.
	N      int `json:"n"`
	Dim    int `json:"dim"`
	Rows   int `json:"rows"`
	Cols   int `json:"cols"`
	Epochs int `json:"epochs"`
	// Mode is "minibatch" or "batch"; Batch is the number of records per
	// batch (per BMU search in batch mode).
	Mode  string `json:"mode"`
	Batch int    `json:"batch"`
	// Dtype is "float32" or "float64".
	Dtype string `json:"dtype"`
	// Seed drives the data, the initial codebook and the batch order.
	Seed uint64 `json:"seed"`
	// Repeat is how many times training (and the floor) ran; the results
	// are medians over the repeats.
	Repeat int `json:"repeat"`
}

// Units returns the number of map units K = Rows·Cols.
func (s Settings) Units() int { return s.Rows * s.Cols }

// EpochTiming is the measured time of one epoch of one run.
type EpochTiming struct {
	// Seconds runs from the start of the epoch to its end, as hooks see
	// it (BeforeEpoch to AfterEpoch): the batches, the update and
	// whatever the trainer does at the end of an epoch, such as metrics.
	Seconds float64 `json:"seconds"`
	// LoopSeconds runs from BeforeEpoch to the last batch's AfterBatch:
	// the BMU searches and mini-batch updates, without the batch-mode
	// update or the end-of-epoch metrics.
	LoopSeconds float64 `json:"loop_seconds"`
	// LoopAllocs and LoopAllocBytes count the heap allocations over the
	// same span (ReadAllocs): the per-batch path should add none.
	LoopAllocs     float64 `json:"loop_allocs"`
	LoopAllocBytes float64 `json:"loop_alloc_bytes"`
}

// Run is one repeat: its floor, the machine's peak measured with it, its
// epochs and its heap.
type Run struct {
	Floor Floor
	// PeakGFLOPS is MeasurePeak's float32 rate measured in this repeat
	// (0: not measured).
	PeakGFLOPS float64
	Epochs     []EpochTiming
	Heap       Heap
}

// EpochStats are an epoch's times and the rates derived from them.
type EpochStats struct {
	// Epoch is 1-based; 0 in a summary.
	Epoch int `json:"epoch,omitempty"`
	EpochTiming
	// RecordsPerSecond is N / Seconds.
	RecordsPerSecond float64 `json:"records_per_second"`
	// GFLOPS is the BMU search's rate over the whole epoch,
	// 2·N·K·D / Seconds / 1e9.
	GFLOPS float64 `json:"gflops"`
	// Ratio is Seconds / floor seconds and LoopRatio LoopSeconds / floor
	// seconds.
	Ratio     float64 `json:"ratio"`
	LoopRatio float64 `json:"loop_ratio"`
	// PeakShare is GFLOPS / the result's PeakGFLOPS: the share of the
	// machine's peak the epoch reaches (0 without a peak).
	PeakShare float64 `json:"peak_share"`
}

// Result is the outcome of a bench: medians over the repeats.
type Result struct {
	Settings Settings `json:"settings"`
	// BLAS names the back end, CPUs is GOMAXPROCS and GoVersion the
	// toolchain.
	BLAS      string `json:"blas"`
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
	// Floor is the repeat's floor of median seconds.
	Floor Floor `json:"floor"`
	// PeakGFLOPS is the median over the repeats of the machine's peak
	// float32 rate (MeasurePeak: a register-only FMA loop on every core),
	// measured in the same process; PeakAsm says whether that loop was
	// the AVX2/FMA assembly (false: an unvectorized Go loop, not a peak).
	PeakGFLOPS float64 `json:"peak_gflops"`
	PeakAsm    bool    `json:"peak_asm"`
	// Epochs holds each epoch's median over the repeats.
	Epochs []EpochStats `json:"epochs"`
	// Summary is the median over the repeats of each repeat's median
	// epoch: the number to compare with the floor.
	Summary EpochStats `json:"summary"`
	// EvalSeconds is the time of one graph.Map.Evaluate of the trained map
	// on the training data, measured after training: what the trainer's
	// ExactTrainMetrics option adds to every epoch (by default an epoch's
	// metrics come from its own searches and cost little). 0 if not
	// measured.
	EvalSeconds float64 `json:"eval_seconds"`
	// Heap is the heap of the first repeat, the one that no earlier
	// training can have left garbage or caches for; DataBytes
	// is the size of the training data as held (N·D float64 values).
	Heap      Heap   `json:"heap"`
	DataBytes uint64 `json:"data_bytes"`
}

// NewResult summarises runs (at least one, each with s.Epochs epochs) of
// the bench described by s.
func NewResult(s Settings, runs []Run, evalSeconds float64) (*Result, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("bench: no runs to summarise")
	}
	for i, r := range runs {
		if len(r.Epochs) == 0 || len(r.Epochs) != len(runs[0].Epochs) {
			return nil, fmt.Errorf("bench: run %d has %d epochs, run 0 has %d: every run needs the same number, at least 1", i, len(r.Epochs), len(runs[0].Epochs))
		}
		if !(r.Floor.Seconds > 0) {
			return nil, fmt.Errorf("bench: run %d has no floor measurement", i)
		}
	}
	res := &Result{Settings: s, BLAS: runs[0].Floor.BLAS, CPUs: runtime.GOMAXPROCS(0),
		GoVersion: runtime.Version(), EvalSeconds: evalSeconds,
		DataBytes: uint64(s.N) * uint64(s.Dim) * 8}
	res.Heap = runs[0].Heap
	floors := make([]Floor, len(runs))
	for i, r := range runs {
		floors[i] = r.Floor
	}
	res.Floor = medianFloor(floors)
	peaks := make([]float64, len(runs))
	for i, r := range runs {
		peaks[i] = r.PeakGFLOPS
	}
	res.PeakGFLOPS, res.PeakAsm = Median(peaks), gemm.Asm()

	// med returns the median of field over the runs' epoch e, or over
	// each run's median epoch when e < 0.
	med := func(e int, field func(EpochTiming) float64) float64 {
		col := make([]float64, len(runs))
		for i, r := range runs {
			if e >= 0 {
				col[i] = field(r.Epochs[e])
				continue
			}
			per := make([]float64, len(r.Epochs))
			for j, t := range r.Epochs {
				per[j] = field(t)
			}
			col[i] = Median(per)
		}
		return Median(col)
	}
	timing := func(e int) EpochTiming {
		return EpochTiming{
			Seconds:        med(e, func(t EpochTiming) float64 { return t.Seconds }),
			LoopSeconds:    med(e, func(t EpochTiming) float64 { return t.LoopSeconds }),
			LoopAllocs:     med(e, func(t EpochTiming) float64 { return t.LoopAllocs }),
			LoopAllocBytes: med(e, func(t EpochTiming) float64 { return t.LoopAllocBytes }),
		}
	}
	for e := range runs[0].Epochs {
		res.Epochs = append(res.Epochs, res.stats(e+1, timing(e)))
	}
	res.Summary = res.stats(0, timing(-1))
	return res, nil
}

// stats derives the rates of an epoch timing.
func (r *Result) stats(epoch int, t EpochTiming) EpochStats {
	st := EpochStats{Epoch: epoch, EpochTiming: t}
	if t.Seconds > 0 {
		st.RecordsPerSecond = float64(r.Settings.N) / t.Seconds
		st.GFLOPS = Flops(r.Settings.N, r.Settings.Units(), r.Settings.Dim) / t.Seconds / 1e9
	}
	if r.Floor.Seconds > 0 {
		st.Ratio = t.Seconds / r.Floor.Seconds
		st.LoopRatio = t.LoopSeconds / r.Floor.Seconds
	}
	if r.PeakGFLOPS > 0 {
		st.PeakShare = st.GFLOPS / r.PeakGFLOPS
	}
	return st
}

// Median returns the median of v (the mean of the middle two for an even
// count) without reordering v; 0 for none.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("bench: writing JSON: %w", err)
	}
	return nil
}

// WriteTable writes the result as a small table: a header naming the
// work and the machine, one line per epoch, the summary, the floor and
// the heap.
func (r *Result) WriteTable(w io.Writer) error {
	var b strings.Builder
	s := r.Settings
	fmt.Fprintf(&b, "somgraph bench: %s, N=%d D=%d map %d×%d (K=%d), batch %d, %s, %d epochs\n",
		s.Mode, s.N, s.Dim, s.Rows, s.Cols, s.Units(), s.Batch, s.Dtype, s.Epochs)
	fmt.Fprintf(&b, "BLAS %s, %d CPUs, %s, median of %d run(s)\n\n", r.BLAS, r.CPUs, r.GoVersion, max(1, s.Repeat))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "epoch\tseconds\tloop s\trecords/s\tGFLOP/s\tof peak\tepoch/floor\tloop/floor\t")
	row := func(name string, st EpochStats) {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.0f\t%.1f\t%.0f%%\t%.2f\t%.2f\t\n", name, st.Seconds, st.LoopSeconds,
			st.RecordsPerSecond, st.GFLOPS, 100*st.PeakShare, st.Ratio, st.LoopRatio)
	}
	for _, e := range r.Epochs {
		row(fmt.Sprint(e.Epoch), e)
	}
	row("median", r.Summary)
	tw.Flush()
	f := r.Floor
	b.WriteString("\n")
	b.WriteString(f.describe())
	if r.PeakGFLOPS > 0 {
		kind := "register-only AVX2 FMA loop"
		if !r.PeakAsm {
			kind = "unvectorized Go loop: no assembly on this CPU or build, not the real peak"
		}
		fmt.Fprintf(&b, "peak: %.1f GFLOP/s float32 on %d cores (%s, measured in this run); floor at %.0f%% of it",
			r.PeakGFLOPS, r.CPUs, kind, 100*f.GFLOPSOfFloor()/r.PeakGFLOPS)
		if f.Fused {
			fmt.Fprintf(&b, ", GEMM at %.0f%%", 100*f.GFLOPS/r.PeakGFLOPS)
		}
		b.WriteString("\n")
	}
	if r.EvalSeconds > 0 {
		fmt.Fprintf(&b, "exact metrics: one Evaluate on the training data takes %.3f s (%.2f× floor), not part of an epoch unless ExactTrainMetrics\n", r.EvalSeconds, r.EvalSeconds/f.Seconds)
	}
	if batches := (s.N + max(1, s.Batch) - 1) / max(1, s.Batch); batches > 0 {
		fmt.Fprintf(&b, "allocations in the batch loop: %.0f per epoch, %.1f per batch (%.0f bytes per batch)\n",
			r.Summary.LoopAllocs, r.Summary.LoopAllocs/float64(batches), r.Summary.LoopAllocBytes/float64(batches))
	}
	fmt.Fprintf(&b, "heap: peak %s in use (%s live after GC), %s before training, data %s\n",
		mib(r.Heap.PeakBytes), mib(r.Heap.PeakLiveBytes), mib(r.Heap.BaseBytes), mib(r.DataBytes))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("bench: writing table: %w", err)
	}
	return nil
}

// describe writes the floor's lines of WriteTable: the floor and, with
// the fused search, the unfused search of the same shape as a reference.
func (f Floor) describe() string {
	if !f.Fused {
		return fmt.Sprintf("floor: %.3f s = GEMM %.3f s (%.1f GFLOP/s) + argmin %.3f s, in chunks of %d records\n",
			f.Seconds, f.GEMMSeconds, f.GFLOPS, f.ArgminSeconds, f.Chunk)
	}
	return fmt.Sprintf("floor: %.3f s = fused search kernel (distances and argmin in registers, %.1f GFLOP/s), in chunks of %d records\n"+
		"  reference, the unfused search through %s: GEMM %.3f s (%.1f GFLOP/s) + argmin %.3f s = %.3f s (%.2f× the floor)\n",
		f.Seconds, f.SearchGFLOPS, f.Chunk, f.BLAS, f.GEMMSeconds, f.GFLOPS, f.ArgminSeconds,
		f.GEMMSeconds+f.ArgminSeconds, (f.GEMMSeconds+f.ArgminSeconds)/f.Seconds)
}

// mib formats bytes in MiB.
func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
