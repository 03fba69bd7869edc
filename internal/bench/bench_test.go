package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/internal/gemm"
	"github.com/somgraph/somgraph/loaders"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestBLASBackend(t *testing.T) {
	if got := graph.BLAS(); got != wantBLAS {
		t.Errorf("graph.BLAS() = %q, want %q for this build", got, wantBLAS)
	}
	for _, c := range []struct {
		name string
		impl any
	}{
		{"gorgonia", gorgonia.WhichBLAS()},
		{"tensor", tensor.WhichBLAS()},
		{"blas32", blas32.Implementation()},
		{"blas64", blas64.Implementation()},
	} {
		if !isWantImpl(c.impl) {
			t.Errorf("%s uses %T, want the %s back end", c.name, c.impl, wantBLAS)
		}
	}
}

// naiveGemm returns op(A)·op(B) for row-major A and B, in float64.
func naiveGemm(tA, tB bool, m, n, k int, a, b []float64) []float64 {
	at := func(i, l int) float64 {
		if tA {
			return a[l*m+i]
		}
		return a[i*k+l]
	}
	bt := func(l, j int) float64 {
		if tB {
			return b[j*k+l]
		}
		return b[l*n+j]
	}
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for l := 0; l < k; l++ {
				s += at(i, l) * bt(l, j)
			}
			c[i*n+j] = s
		}
	}
	return c
}

func randSlice(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

// TestGEMMMatchesNaive checks that the back end of this build (pure Go, or
// OpenBLAS with -tags openblas) computes the products the graph relies on.
func TestGEMMMatchesNaive(t *testing.T) {
	const tol = 1e-4 // relative, on the largest magnitude of the result
	cases := []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"1x1x1", false, false, 1, 1, 1},
		{"XWt rgb", false, true, 37, 25, 3},
		{"XWt som", false, true, 256, 100, 64},
		{"XW", false, false, 64, 48, 33},
		{"AtB", true, false, 17, 29, 130},
		{"AtBt", true, true, 70, 9, 200},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		a, b := randSlice(rng, c.m*c.k), randSlice(rng, c.k*c.n)
		want := naiveGemm(c.tA, c.tB, c.m, c.n, c.k, a, b)
		scale := 0.0
		for _, v := range want {
			scale = max(scale, math.Abs(v))
		}
		lda, ldb := c.k, c.n
		if c.tA {
			lda = c.m
		}
		if c.tB {
			ldb = c.k
		}
		tr := func(t bool) blas.Transpose {
			if t {
				return blas.Trans
			}
			return blas.NoTrans
		}
		t.Run(c.name+"/blas32", func(t *testing.T) {
			got := make([]float32, c.m*c.n)
			blas32.Implementation().Sgemm(tr(c.tA), tr(c.tB), c.m, c.n, c.k, 1, to32(a), lda, to32(b), ldb, 0, got, c.n)
			for i, w := range want {
				if math.Abs(float64(got[i])-w) > tol*scale {
					t.Fatalf("C[%d] = %v, want %v (tolerance %g)", i, got[i], w, tol*scale)
				}
			}
		})
		t.Run(c.name+"/gorgonia64", func(t *testing.T) {
			got := make([]float64, c.m*c.n)
			gorgonia.WhichBLAS().Dgemm(tr(c.tA), tr(c.tB), c.m, c.n, c.k, 1, a, lda, b, ldb, 0, got, c.n)
			for i, w := range want {
				if math.Abs(got[i]-w) > 1e-12*scale*float64(c.k) {
					t.Fatalf("C[%d] = %v, want %v", i, got[i], w)
				}
			}
		})
	}
}

// naiveBMU returns each record's nearest unit by squared Euclidean
// distance, ties to the lowest unit.
func naiveBMU(x []float64, n, d int, w []float64, k int) []int {
	out := make([]int, n)
	for i := 0; i < n; i++ {
		best, bv := 0, math.Inf(1)
		for j := 0; j < k; j++ {
			var s float64
			for f := 0; f < d; f++ {
				v := x[i*d+f] - w[j*d+f]
				s += v * v
			}
			if s < bv {
				best, bv = j, s
			}
		}
		out[i] = best
	}
	return out
}

func TestFloorBMU(t *testing.T) {
	cases := []struct {
		name           string
		n, d, k, chunk int
		dtype          tensor.Dtype
	}{
		{"one record", 1, 3, 4, 0, tensor.Float32},
		{"rgb whole", 500, 3, 25, 0, tensor.Float32},
		{"rgb chunks", 500, 3, 25, 64, tensor.Float32},
		{"ragged last chunk", 301, 8, 36, 100, tensor.Float32},
		{"chunk above N", 50, 5, 9, 1000, tensor.Float32},
		{"wide", 200, 64, 100, 32, tensor.Float32},
		{"float64", 300, 16, 49, 128, tensor.Float64},
		{"float64 whole", 300, 2, 4, 0, tensor.Float64},
		// Chunks of at least 1<<15 distances have their argmin split over
		// the cores (the last, ragged chunk here is not).
		{"split argmin", 1000, 4, 64, 600, tensor.Float32},
		{"split argmin float64", 1000, 4, 64, 600, tensor.Float64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := Clustered(DataSpec{N: c.n, Dim: c.d, Clusters: 7, Spread: 0.2, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			w, err := Sample(ds, c.k, 4)
			if err != nil {
				t.Fatal(err)
			}
			// Move the units off the records so that no distance is an
			// exact tie that float32 rounding could break either way.
			for i := range w {
				w[i] += 0.01 * float64(i%7)
			}
			f, err := NewFloor(FloorSpec{X: ds.Data, N: c.n, D: c.d, W: w, K: c.k, Chunk: c.chunk, Dtype: c.dtype})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fl := f.Run()
			want := naiveBMU(ds.Data, c.n, c.d, w, c.k)
			// float32 may pick another unit only when both are equally
			// near, within rounding: check the distance, not the index.
			for name, bmus := range map[string][]int{"floor": f.BMU(), "reference": f.ReferenceBMU()} {
				bad := 0
				for i, got := range bmus {
					if got == want[i] {
						continue
					}
					dg, dw := sqDist(ds.Row(i), w[got*c.d:(got+1)*c.d]), sqDist(ds.Row(i), w[want[i]*c.d:(want[i]+1)*c.d])
					if dg-dw > 1e-5*(1+dw) {
						bad++
						if bad < 4 {
							t.Errorf("%s: record %d: BMU %d at %v, want %d at %v", name, i, got, dg, want[i], dw)
						}
					}
				}
			}
			wantFused := c.dtype == tensor.Float32 && gemm.ArgminFused(c.d)
			if f.Fused() != wantFused || fl.Fused != wantFused {
				t.Errorf("fused %t (runner %t), want %t", fl.Fused, f.Fused(), wantFused)
			}
			// The fused kernel's sums are gemm's Sgemm's: with gemm as
			// the BLAS both searches find the same units.
			if wantFused && fl.BLAS == graph.GemmAsmName && !slices.Equal(f.BMU(), f.ReferenceBMU()) {
				t.Error("fused and unfused BMUs differ with gemm as the BLAS")
			}
			wantChunk := c.chunk
			if wantChunk == 0 || wantChunk > c.n {
				wantChunk = c.n
			}
			if fl.Chunk != wantChunk || fl.N != c.n || fl.K != c.k || fl.D != c.d {
				t.Errorf("floor shape N=%d D=%d K=%d chunk %d, want %d %d %d %d", fl.N, fl.D, fl.K, fl.Chunk, c.n, c.d, c.k, wantChunk)
			}
			switch {
			case !(fl.Seconds > 0) || !(fl.GEMMSeconds > 0) || !(fl.ArgminSeconds > 0):
				t.Errorf("floor %v s, GEMM %v s, argmin %v s: want all positive", fl.Seconds, fl.GEMMSeconds, fl.ArgminSeconds)
			case fl.Fused && (fl.Seconds != fl.SearchSeconds || math.Abs(fl.SearchGFLOPS-Flops(c.n, c.k, c.d)/fl.SearchSeconds/1e9) > 1e-9*fl.SearchGFLOPS):
				t.Errorf("fused floor %v s (%v GFLOP/s), search %v s", fl.Seconds, fl.SearchGFLOPS, fl.SearchSeconds)
			case !fl.Fused && (math.Abs(fl.Seconds-fl.GEMMSeconds-fl.ArgminSeconds) > 1e-12 || fl.SearchSeconds != 0 || fl.SearchGFLOPS != 0):
				t.Errorf("floor seconds %v ≠ GEMM %v + argmin %v (search %v)", fl.Seconds, fl.GEMMSeconds, fl.ArgminSeconds, fl.SearchSeconds)
			}
			if fl.BLAS != wantBLAS || fl.Dtype != c.dtype.String() {
				t.Errorf("floor BLAS %q dtype %q, want %q %q", fl.BLAS, fl.Dtype, wantBLAS, c.dtype)
			}
		})
	}
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i := range a {
		v := a[i] - b[i]
		s += v * v
	}
	return s
}

func TestFloorTiesGoLow(t *testing.T) {
	// Units 1 and 3 are equally near the record, and both nearer than 0, 2.
	w := []float64{5, 5, 1, 0, 9, 9, 0, 1}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		f, err := NewFloor(FloorSpec{X: []float64{0.5, 0.5}, N: 1, D: 2, W: w, K: 4, Dtype: dt})
		if err != nil {
			t.Fatal(err)
		}
		f.Run()
		if got := f.BMU()[0]; got != 1 {
			t.Errorf("%v: BMU %d, want the lower of the tied units, 1", dt, got)
		}
		f.Close()
		f.Close() // a second Close is harmless
	}
}

func TestNewFloorErrors(t *testing.T) {
	x := make([]float64, 6)
	w := make([]float64, 4)
	cases := []struct {
		name string
		spec FloorSpec
		want string
	}{
		{"no records", FloorSpec{X: nil, N: 0, D: 2, W: w, K: 2}, "must be at least 1"},
		{"short X", FloorSpec{X: x[:5], N: 3, D: 2, W: w, K: 2}, "5 values for 3×2"},
		{"short W", FloorSpec{X: x, N: 3, D: 2, W: w[:3], K: 2}, "3 values for 2×2"},
		{"negative chunk", FloorSpec{X: x, N: 3, D: 2, W: w, K: 2, Chunk: -1}, "chunk -1"},
		{"int dtype", FloorSpec{X: x, N: 3, D: 2, W: w, K: 2, Dtype: tensor.Int}, "want float32 or float64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := NewFloor(c.spec)
			if err == nil {
				f.Close()
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.HasPrefix(err.Error(), "bench: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to start with \"bench: \" and contain %q", err, c.want)
			}
		})
	}
	if _, err := MeasureFloor(FloorSpec{N: 1, D: 1, K: 1}, 3); err == nil {
		t.Error("MeasureFloor of an inconsistent spec: no error")
	}
}

func TestMeasureFloor(t *testing.T) {
	ds, _ := Clustered(DataSpec{N: 2000, Dim: 16, Seed: 1})
	w, _ := Sample(ds, 64, 2)
	fl, err := MeasureFloor(FloorSpec{X: ds.Data, N: ds.N, D: ds.D, W: w, K: 64, Chunk: 256}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := Flops(2000, 64, 16) / fl.GEMMSeconds / 1e9
	if math.Abs(fl.GFLOPS-want) > 1e-9*want || !(fl.GFLOPS > 0.01) {
		t.Errorf("GFLOPS %v, want 2NKD/GEMM seconds = %v", fl.GFLOPS, want)
	}
	if fl.Dtype != "float32" {
		t.Errorf("default dtype %q, want float32", fl.Dtype)
	}
}

func TestClustered(t *testing.T) {
	cases := []struct {
		name string
		spec DataSpec
	}{
		{"defaults", DataSpec{N: 4000, Dim: 4, Seed: 1}},
		{"one cluster", DataSpec{N: 3000, Dim: 2, Clusters: 1, Spread: 0.1, Seed: 2, Labels: true}},
		{"more clusters than records", DataSpec{N: 3, Dim: 5, Clusters: 10, Seed: 3, Labels: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := Clustered(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if err := ds.Check(); err != nil {
				t.Fatal(err)
			}
			if ds.N != c.spec.N || ds.D != c.spec.Dim {
				t.Fatalf("shape %d×%d, want %d×%d", ds.N, ds.D, c.spec.N, c.spec.Dim)
			}
			if (ds.Labels != nil) != c.spec.Labels {
				t.Errorf("labels present = %v, want %v", ds.Labels != nil, c.spec.Labels)
			}
			again, _ := Clustered(c.spec)
			if !slices.Equal(ds.Data, again.Data) {
				t.Error("same spec gave different data")
			}
			other := c.spec
			other.Seed++
			if o, _ := Clustered(other); slices.Equal(ds.Data, o.Data) {
				t.Error("another seed gave the same data")
			}
		})
	}
	t.Run("spread", func(t *testing.T) {
		// One cluster: the records' standard deviation is the spread.
		ds, _ := Clustered(DataSpec{N: 20000, Dim: 2, Clusters: 1, Spread: 0.1, Seed: 9})
		var s, ss float64
		for i := 0; i < ds.N; i++ {
			v := ds.Data[i*2]
			s += v
			ss += v * v
		}
		mean := s / float64(ds.N)
		sd := math.Sqrt(ss/float64(ds.N) - mean*mean)
		if math.Abs(sd-0.1) > 0.005 {
			t.Errorf("standard deviation %v, want 0.1 ± 0.005", sd)
		}
	})
	t.Run("clusters", func(t *testing.T) {
		// Records of a label lie near each other, those of two labels not.
		ds, _ := Clustered(DataSpec{N: 1000, Dim: 8, Clusters: 4, Spread: 0.01, Seed: 5, Labels: true})
		for i := 1; i < ds.N; i++ {
			d := math.Sqrt(sqDist(ds.Row(0), ds.Row(i)))
			if same := ds.Labels[i] == ds.Labels[0]; same != (d < 0.1) {
				t.Fatalf("record %d (%s) at %v from record 0 (%s)", i, ds.Labels[i], d, ds.Labels[0])
			}
		}
	})
	for _, bad := range []DataSpec{{N: 0, Dim: 3}, {N: 3, Dim: 0}, {N: 3, Dim: 3, Clusters: -1}, {N: 3, Dim: 3, Spread: math.NaN()}} {
		if _, err := Clustered(bad); err == nil || !strings.HasPrefix(err.Error(), "bench: ") {
			t.Errorf("Clustered(%+v): error %v, want a bench error", bad, err)
		}
	}
}

func TestSample(t *testing.T) {
	ds, _ := Clustered(DataSpec{N: 10, Dim: 2, Seed: 1})
	for _, k := range []int{1, 10, 25} {
		w, err := Sample(ds, k, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != k*2 {
			t.Fatalf("k=%d: %d values, want %d", k, len(w), k*2)
		}
		seen := map[[2]float64]int{}
		for j := 0; j < k; j++ {
			u := [2]float64{w[2*j], w[2*j+1]}
			found := false
			for i := 0; i < ds.N; i++ {
				found = found || (ds.Row(i)[0] == u[0] && ds.Row(i)[1] == u[1])
			}
			if !found {
				t.Fatalf("k=%d: unit %d %v is no record", k, j, u)
			}
			seen[u]++
		}
		if k <= ds.N && len(seen) != k {
			t.Errorf("k=%d: %d distinct records, want %d", k, len(seen), k)
		}
	}
	for _, c := range []struct {
		ds *loaders.Dataset
		k  int
	}{{nil, 1}, {ds, 0}} {
		if _, err := Sample(c.ds, c.k, 1); err == nil {
			t.Errorf("Sample(%v, %d): no error", c.ds != nil, c.k)
		}
	}
}

var sink []byte

func TestHeapSampler(t *testing.T) {
	h := StartHeap(time.Millisecond)
	sink = make([]byte, 64<<20)
	for i := range sink {
		sink[i] = byte(i)
	}
	time.Sleep(20 * time.Millisecond)
	got := h.Stop()
	sink = nil
	if got.PeakBytes < got.BaseBytes+64<<20 {
		t.Errorf("peak %d, want at least base %d + 64 MiB", got.PeakBytes, got.BaseBytes)
	}
	if got.Samples < 3 {
		t.Errorf("%d samples in 20 ms at 1 ms, want several", got.Samples)
	}
	if again := h.Stop(); again.PeakBytes < got.PeakBytes {
		t.Error("a second Stop lowered the peak")
	}
}

func TestNewResult(t *testing.T) {
	s := Settings{N: 1000, Dim: 10, Rows: 5, Cols: 4, Epochs: 3, Mode: "batch", Batch: 1000, Dtype: "float32", Repeat: 3}
	fl := func(sec float64) Floor {
		return Floor{Seconds: sec, GEMMSeconds: sec / 2, ArgminSeconds: sec / 2, Chunk: 1000, BLAS: "x"}
	}
	ep := func(v ...float64) []EpochTiming {
		out := make([]EpochTiming, len(v))
		for i, x := range v {
			out[i] = EpochTiming{Seconds: x, LoopSeconds: x / 2, LoopAllocs: 10 * x, LoopAllocBytes: 100 * x}
		}
		return out
	}
	runs := []Run{
		{Floor: fl(0.1), Epochs: ep(1, 2, 3), Heap: Heap{PeakBytes: 10}, PeakGFLOPS: 1e-5},
		{Floor: fl(0.3), Epochs: ep(5, 4, 6), Heap: Heap{PeakBytes: 30}, PeakGFLOPS: 4e-5},
		{Floor: fl(0.2), Epochs: ep(2, 2, 2), Heap: Heap{PeakBytes: 20}, PeakGFLOPS: 2e-5},
	}
	r, err := NewResult(s, runs, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	checks := []struct {
		name      string
		got, want float64
	}{
		{"floor is the median", r.Floor.Seconds, 0.2},
		{"epoch 1 median", r.Epochs[0].Seconds, 2},
		{"epoch 2 median", r.Epochs[1].Seconds, 2},
		{"epoch 3 median", r.Epochs[2].Seconds, 3},
		{"summary: median of run medians 2, 5, 2", r.Summary.Seconds, 2},
		{"summary loop", r.Summary.LoopSeconds, 1},
		{"summary allocations", r.Summary.LoopAllocs, 20},
		{"epoch 3 allocated bytes", r.Epochs[2].LoopAllocBytes, 300},
		{"ratio", r.Summary.Ratio, 10},
		{"loop ratio", r.Summary.LoopRatio, 5},
		{"eval seconds kept", r.EvalSeconds, 0.05},
		{"records/s", r.Summary.RecordsPerSecond, 500},
		{"GFLOP/s", r.Summary.GFLOPS, 2 * 1000 * 20 * 10 / 2 / 1e9},
		{"peak is the median", r.PeakGFLOPS, 2e-5},
		{"share of peak", r.Summary.PeakShare, 2 * 1000 * 20 * 10 / 2 / 1e9 / 2e-5},
		{"heap of the first run", float64(r.Heap.PeakBytes), 10},
		{"data bytes", float64(r.DataBytes), 80000},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > tol*max(1, math.Abs(c.want)) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	var tb, jb bytes.Buffer
	if err := r.WriteTable(&tb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"batch, N=1000 D=10 map 5×4 (K=20)", "median of 3 run(s)", "epoch/floor", "median", "10.00", "floor: 0.200 s", "exact metrics: one Evaluate on the training data takes 0.050 s", "allocations in the batch loop: 20 per epoch, 20.0 per batch (200 bytes per batch)", "heap: peak", "of peak", "1000%", "peak: 0.0 GFLOP/s float32"} {
		if !strings.Contains(tb.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tb.String())
		}
	}
	if err := r.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(jb.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not read back: %v", err)
	}
	if back.Summary.Ratio != r.Summary.Ratio || len(back.Epochs) != 3 || back.Settings != s {
		t.Errorf("JSON round trip changed the result: %+v", back.Summary)
	}

	bad := []struct {
		name string
		runs []Run
	}{
		{"no runs", nil},
		{"no epochs", []Run{{Floor: fl(1)}}},
		{"ragged", []Run{{Floor: fl(1), Epochs: ep(1)}, {Floor: fl(1), Epochs: ep(1, 2)}}},
		{"no floor", []Run{{Epochs: ep(1)}}},
	}
	for _, c := range bad {
		if _, err := NewResult(s, c.runs, 0); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1}, 2}, {[]float64{5, 1, 3}, 3}} {
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteErrors(t *testing.T) {
	r := &Result{Floor: Floor{Seconds: 1}}
	if err := r.WriteTable(errWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteTable: %v, want the writer's error", err)
	}
	if err := r.WriteJSON(errWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteJSON: %v, want the writer's error", err)
	}
}

// TestMeasurePeak checks that the peak measurement returns a positive rate.
func TestMeasurePeak(t *testing.T) {
	p := MeasurePeak(50 * time.Millisecond)
	if !(p > 0) {
		t.Fatalf("MeasurePeak = %v", p)
	}
}

// TestWriteCSV checks that WriteCSV writes a header and values that
// parse back to the data within the six decimals written.
func TestWriteCSV(t *testing.T) {
	ds, err := Clustered(DataSpec{N: 30, Dim: 4, Seed: 3, Labels: true})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, ds); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 31 || lines[0] != "f0,f1,f2,f3,label" {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	for i, line := range lines[1:] {
		fields := strings.Split(line, ",")
		if len(fields) != 5 || fields[4] != ds.Labels[i] {
			t.Fatalf("row %d: %q", i, line)
		}
		for f, s := range fields[:4] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.Abs(v-ds.Row(i)[f]) > 5e-7 {
				t.Fatalf("row %d field %d: %q for %v (%v)", i, f, s, ds.Row(i)[f], err)
			}
		}
	}
}

// TestFusedFloorReport pins the arithmetic and the lines of a fused floor
// in the table and the JSON: the floor is the search kernel's time, the
// unfused GEMM + argmin is printed as a reference with its ratio to the
// floor, the peak line gives the floor's and the GEMM's shares, and the
// epochs' ratios are to the fused floor.
func TestFusedFloorReport(t *testing.T) {
	s := Settings{N: 1000, Dim: 8, Rows: 5, Cols: 5, Epochs: 1, Mode: "batch", Batch: 500, Dtype: "float32", Repeat: 1}
	fl := Floor{N: 1000, D: 8, K: 25, Chunk: 500, Dtype: "float32", BLAS: "gemm", Fused: true,
		Seconds: 0.1, SearchSeconds: 0.1, SearchGFLOPS: 80, GEMMSeconds: 0.12, GFLOPS: 66.7, ArgminSeconds: 0.03}
	r, err := NewResult(s, []Run{{Floor: fl, Epochs: []EpochTiming{{Seconds: 0.25, LoopSeconds: 0.2}}, PeakGFLOPS: 160}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Ratio != 2.5 || r.Summary.LoopRatio != 2 {
		t.Errorf("epoch/floor %v, loop/floor %v: want 2.5 and 2 (to the fused floor)", r.Summary.Ratio, r.Summary.LoopRatio)
	}
	if got := fl.GFLOPSOfFloor(); got != 80 {
		t.Errorf("GFLOPSOfFloor %v, want the search's 80", got)
	}
	var tb, jb bytes.Buffer
	if err := r.WriteTable(&tb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"floor: 0.100 s = fused search kernel (distances and argmin in registers, 80.0 GFLOP/s), in chunks of 500 records\n",
		"  reference, the unfused search through gemm: GEMM 0.120 s (66.7 GFLOP/s) + argmin 0.030 s = 0.150 s (1.50× the floor)\n",
		"floor at 50% of it, GEMM at 42%\n",
	} {
		if !strings.Contains(tb.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tb.String())
		}
	}
	if err := r.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	var back struct{ Floor Floor }
	if err := json.Unmarshal(jb.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Floor != fl {
		t.Errorf("JSON floor %+v, want %+v", back.Floor, fl)
	}
	for _, key := range []string{`"fused": true`, `"search_seconds": 0.1`, `"search_gflops": 80`, `"gemm_seconds": 0.12`} {
		if !strings.Contains(jb.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}

	// Not fused: the floor is GEMM + argmin, on one line, no reference.
	fl = Floor{Chunk: 500, BLAS: "gemm", Seconds: 0.15, GEMMSeconds: 0.12, GFLOPS: 66.7, ArgminSeconds: 0.03}
	if got, want := fl.describe(), "floor: 0.150 s = GEMM 0.120 s (66.7 GFLOP/s) + argmin 0.030 s, in chunks of 500 records\n"; got != want {
		t.Errorf("unfused floor:\n%q\nwant\n%q", got, want)
	}
	if got := fl.GFLOPSOfFloor(); got != 66.7 {
		t.Errorf("GFLOPSOfFloor %v, want the GEMM's 66.7", got)
	}
}
