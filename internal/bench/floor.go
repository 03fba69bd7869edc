package bench

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/somgraph/somgraph/internal/gemm"
	"github.com/somgraph/somgraph/internal/par"

	"github.com/somgraph/somgraph/graph"
	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// FloorSpec is the work whose floor is measured: N records X (row-major
// N×D) against K units W (row-major K×D).
type FloorSpec struct {
	// X holds the N×D records and W the K×D codebook, row-major.
	X    []float64
	N, D int
	W    []float64
	K    int
	// Chunk is the number of records per GEMM, the trainer's batch size;
	// 0 or more than N means all N records at once (N×K floats).
	Chunk int
	// Dtype is tensor.Float32 (SGEMM) or tensor.Float64 (DGEMM); the zero
	// value means Float32.
	Dtype tensor.Dtype
}

// Floor is one measurement of the floor: the least an epoch's BMU search
// over the same N×K×D can take on this machine with this build.
//
// Where the trainer's graph runs the fused search (float32, and
// gemm.ArgminFused(D): graph.NearestUnits), the floor is that kernel alone
// over all N records (SearchSeconds): the distances of every record to
// every unit are the epoch's one irreducible O(N·K·D) part, and the kernel
// computes them at the rate of a GEMM of that shape without writing them
// to memory, keeping only each record's best unit. Everything else an
// epoch does is not counted: the unit norms (K·D), the per-BMU sums (N·D),
// the neighbourhood and its weighted sums (batch mode: one U×K by K×(D+2)
// product per epoch for its U ≤ K distinct BMUs, a few per cent of the
// search at the workload; mini-batch: one per batch, comparable
// to the search itself at B = 256), so the floor bounds the epoch from
// below and an epoch/floor ratio shows what the rest costs.
//
// The unfused search — the unit norms filled into C, one GEMM of the
// same shape through the BLAS that Gorgonia uses, then an argmin pass over
// C — is measured too (GEMMSeconds, ArgminSeconds, GFLOPS) and is the
// floor where the fused kernel does not run (float64, a dimension beyond
// the kernel, -tags purego or a CPU without AVX2/FMA); with the fused
// search it is a reference: what a plain GEMM of the shape achieves.
type Floor struct {
	N int `json:"n"`
	D int `json:"d"`
	K int `json:"k"`
	// Chunk is the number of records per GEMM.
	Chunk int `json:"chunk"`
	// Dtype is "float32" or "float64"; BLAS names the back end
	// (graph.BLAS()).
	Dtype string `json:"dtype"`
	BLAS  string `json:"blas"`
	// Fused says whether the floor is the fused search kernel.
	Fused bool `json:"fused"`
	// Seconds is the floor: SearchSeconds when Fused, else GEMMSeconds +
	// ArgminSeconds.
	Seconds float64 `json:"seconds"`
	// SearchSeconds is the fused kernel's time over the N records in
	// chunks (0 when not Fused); SearchGFLOPS its rate,
	// 2·N·K·D / SearchSeconds / 1e9.
	SearchSeconds float64 `json:"search_seconds"`
	SearchGFLOPS  float64 `json:"search_gflops"`
	// GEMMSeconds is the unfused search's norm fill and GEMM, and
	// ArgminSeconds its argmin pass over the GEMM's result.
	GEMMSeconds   float64 `json:"gemm_seconds"`
	ArgminSeconds float64 `json:"argmin_seconds"`
	// GFLOPS is the GEMMs' rate, 2·N·K·D / GEMMSeconds / 1e9.
	GFLOPS float64 `json:"gflops"`
}

// GFLOPSOfFloor returns the rate of the floor's own work: SearchGFLOPS
// when Fused, else GFLOPS (the GEMM's).
func (fl Floor) GFLOPSOfFloor() float64 {
	if fl.Fused {
		return fl.SearchGFLOPS
	}
	return fl.GFLOPS
}

// Flops returns the floating-point operations of the BMU search's product,
// 2·N·K·D.
func Flops(n, k, d int) float64 { return 2 * float64(n) * float64(k) * float64(d) }

// FloorRunner holds the buffers of a floor measurement so that repeated
// runs allocate no buffers (par.Split costs a closure per chunk). It keeps
// its own copy of X and W in the dtype, one Chunk×K result and the N
// best-matching units. Its argmin pass is split over cores by
// internal/par, as the trainer's own loops are.
type FloorRunner struct {
	n, d, k, chunk int
	f32, fused     bool
	x32, w32, wn32 []float32
	c32            []float32
	x64, w64, wn64 []float64
	c64            []float64
	bmu, refBMU    []int
	// the fused kernel's per-chunk second-best units and values
	second         []int
	bestV, secondV []float32
	closed         bool
}

// NewFloor checks spec and prepares a runner for it.
func NewFloor(spec FloorSpec) (*FloorRunner, error) {
	if spec.N < 1 || spec.D < 1 || spec.K < 1 {
		return nil, fmt.Errorf("bench: floor of %d records, %d features, %d units: all must be at least 1", spec.N, spec.D, spec.K)
	}
	if len(spec.X) != spec.N*spec.D {
		return nil, fmt.Errorf("bench: floor records: %d values for %d×%d", len(spec.X), spec.N, spec.D)
	}
	if len(spec.W) != spec.K*spec.D {
		return nil, fmt.Errorf("bench: floor codebook: %d values for %d×%d", len(spec.W), spec.K, spec.D)
	}
	if spec.Chunk < 0 {
		return nil, fmt.Errorf("bench: floor chunk %d: want 0 (all records) or more", spec.Chunk)
	}
	dt := spec.Dtype
	if dt == (tensor.Dtype{}) {
		dt = tensor.Float32
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("bench: floor dtype %v: want float32 or float64", dt)
	}
	chunk := spec.Chunk
	if chunk == 0 || chunk > spec.N {
		chunk = spec.N
	}
	f := &FloorRunner{n: spec.N, d: spec.D, k: spec.K, chunk: chunk, f32: dt == tensor.Float32,
		bmu: make([]int, spec.N)}
	f.refBMU = f.bmu
	if f.f32 {
		f.x32, f.w32 = to32(spec.X), to32(spec.W)
		f.wn32, f.c32 = sqNorms(f.w32, spec.D), make([]float32, chunk*spec.K)
		if f.fused = gemm.ArgminFused(spec.D); f.fused {
			f.refBMU = make([]int, spec.N)
			f.second, f.bestV, f.secondV = make([]int, chunk), make([]float32, chunk), make([]float32, chunk)
		}
	} else {
		f.x64, f.w64 = slices.Clone(spec.X), slices.Clone(spec.W)
		f.wn64, f.c64 = sqNorms(f.w64, spec.D), make([]float64, chunk*spec.K)
	}
	return f, nil
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// Close drops the runner's buffers, so that a heap measured after Close
// does not count them. Only BMU and ReferenceBMU may be used after Close; a second Close
// does nothing.
func (f *FloorRunner) Close() {
	f.closed = true
	f.x32, f.w32, f.wn32, f.c32 = nil, nil, nil, nil
	f.second, f.bestV, f.secondV = nil, nil, nil
	f.x64, f.w64, f.wn64, f.c64 = nil, nil, nil, nil
}

// Run measures the floor once. With the fused search (Fused: float32
// where gemm.ArgminFused(D)) it first runs gemm.ArgminNT over every chunk
// of records: the reduced distances ‖w_k‖² − 2·x·w_k with the unit norms
// as bias, and each record's best unit, as the trainer's NearestUnits op
// does; that is the floor. Then, and as the floor otherwise, the unfused
// search: for each chunk, the chunk's rows of C are filled with the unit
// norms and one GEMM C += −2·X_chunk·Wᵀ through gorgonia.WhichBLAS()
// completes the squared distances less ‖x‖², as the trainer's distance op
// computes them; then the argmin over each row, ties going to the lowest
// unit. GEMMSeconds counts the fill and the GEMM.
//
// The fill and β = 1 are the trainer's technique, not a detail: with
// OpenBLAS a GEMM with β = 0 (which has to clear C itself) was much
// slower than the fill plus a β = 1 GEMM (50 chunks of 1024×1600×64 in one
// process: 3.1 s against 1.8 s), so a floor measured that way came out
// slower than the epochs it should bound.
func (f *FloorRunner) Run() Floor {
	if f.closed {
		panic("bench: FloorRunner used after Close")
	}
	var search time.Duration
	if f.fused {
		t0 := time.Now()
		for base := 0; base < f.n; base += f.chunk {
			rows := min(f.chunk, f.n-base)
			gemm.ArgminNT(rows, f.k, f.d, -2, f.x32[base*f.d:(base+rows)*f.d], f.d, f.w32, f.d, f.wn32,
				f.bmu[base:base+rows], f.second[:rows], f.bestV[:rows], f.secondV[:rows])
		}
		search = time.Since(t0)
	}
	impl := gorgonia.WhichBLAS()
	var gemmT, arg time.Duration
	for base := 0; base < f.n; base += f.chunk {
		rows := min(f.chunk, f.n-base)
		t0 := time.Now()
		if f.f32 {
			fillRows(f.c32, f.wn32, rows)
			impl.Sgemm(blas.NoTrans, blas.Trans, rows, f.k, f.d, -2, f.x32[base*f.d:], f.d, f.w32, f.d, 1, f.c32, f.k)
		} else {
			fillRows(f.c64, f.wn64, rows)
			impl.Dgemm(blas.NoTrans, blas.Trans, rows, f.k, f.d, -2, f.x64[base*f.d:], f.d, f.w64, f.d, 1, f.c64, f.k)
		}
		t1 := time.Now()
		f.argmin(base, rows)
		gemmT += t1.Sub(t0)
		arg += time.Since(t1)
	}
	fl := Floor{N: f.n, D: f.d, K: f.k, Chunk: f.chunk, Dtype: "float64", BLAS: graph.BLAS(), Fused: f.fused,
		GEMMSeconds: gemmT.Seconds(), ArgminSeconds: arg.Seconds(), SearchSeconds: search.Seconds()}
	if f.f32 {
		fl.Dtype = "float32"
	}
	fl.Seconds = fl.GEMMSeconds + fl.ArgminSeconds
	if fl.Fused {
		fl.Seconds = fl.SearchSeconds
	}
	if fl.GEMMSeconds > 0 {
		fl.GFLOPS = Flops(f.n, f.k, f.d) / fl.GEMMSeconds / 1e9
	}
	if fl.SearchSeconds > 0 {
		fl.SearchGFLOPS = Flops(f.n, f.k, f.d) / fl.SearchSeconds / 1e9
	}
	return fl
}

// fillRows copies wn into each of the first rows rows of c (len(wn)
// columns).
func fillRows[T float32 | float64](c, wn []T, rows int) {
	k := len(wn)
	for r := range rows {
		copy(c[r*k:(r+1)*k], wn)
	}
}

// argmin finds the best unit of each of the rows records of the chunk
// that starts at record base, split over par.Workers goroutines unless
// the chunk is too small to be worth a hand-off.
func (f *FloorRunner) argmin(base, rows int) {
	parts := par.Workers()
	if rows*f.k < 1<<15 {
		parts = 1
	}
	bmu := f.refBMU[base : base+rows]
	par.Split(rows, parts, func(_, lo, hi int) {
		if f.f32 {
			argminRows(f.c32, f.k, lo, hi, bmu)
		} else {
			argminRows(f.c64, f.k, lo, hi, bmu)
		}
	})
}

// argminRows writes into bmu[r] the best unit of rows r in [lo, hi) of the
// k-column matrix c with the trainer's own row argmin (gemm.RowArgmin,
// which also keeps the second best), so the floor is measured with the
// code of the work it bounds.
func argminRows[T float32 | float64](c []T, k, lo, hi int, bmu []int) {
	for r := lo; r < hi; r++ {
		bmu[r], _, _, _ = gemm.RowArgmin(c[r*k : r*k+k])
	}
}

// sqNorms returns the squared norm of each d-value row of w.
func sqNorms[T float32 | float64](w []T, d int) []T {
	out := make([]T, len(w)/d)
	for j := range out {
		for _, v := range w[j*d : (j+1)*d] {
			out[j] += v * v
		}
	}
	return out
}

// BMU returns each record's best-matching unit from the last Run's floor
// (the fused kernel's when Fused).
func (f *FloorRunner) BMU() []int { return f.bmu }

// ReferenceBMU returns each record's best-matching unit from the last
// Run's unfused search (GEMM and argmin pass); the same slice as BMU when
// the floor is not fused.
func (f *FloorRunner) ReferenceBMU() []int { return f.refBMU }

// Fused reports whether the floor is the fused search kernel.
func (f *FloorRunner) Fused() bool { return f.fused }

// MeasureFloor runs the floor of spec once to warm up, then repeat times
// (at least once), and returns the run of median Seconds.
func MeasureFloor(spec FloorSpec, repeat int) (Floor, error) {
	f, err := NewFloor(spec)
	if err != nil {
		return Floor{}, err
	}
	defer f.Close()
	f.Run()
	runs := make([]Floor, max(1, repeat))
	for i := range runs {
		runs[i] = f.Run()
	}
	return medianFloor(runs), nil
}

// medianFloor returns the floor of median Seconds (the lower of the middle
// two for an even count), reordering floors.
func medianFloor(floors []Floor) Floor {
	slices.SortFunc(floors, func(a, b Floor) int { return cmp.Compare(a.Seconds, b.Seconds) })
	return floors[(len(floors)-1)/2]
}

// MeasurePeak returns the machine's peak float32 rate in GFLOP/s, measured
// now for about d with gemm.Peak: a register-only FMA loop on every core.
func MeasurePeak(d time.Duration) float64 {
	flops, _ := gemm.Peak(d)
	return flops / 1e9
}
