package gemm

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// argCase is one ArgminNT call: A m×k (stride lda), B n×k (stride ldb),
// bias n.
type argCase struct {
	m, n, k  int
	lda, ldb int
	alpha    float32
	a, b     []float32
	bias     []float32
}

func (c argCase) String() string {
	return fmt.Sprintf("m=%d n=%d k=%d lda=%d ldb=%d α=%g", c.m, c.n, c.k, c.lda, c.ldb, c.alpha)
}

// argResult is ArgminNT's output; the slices are two longer than m, with
// sentinels that must stay untouched.
type argResult struct {
	best, second    []int
	bestVal, secVal []float32
}

const sentinel = -77

func newArgResult(m int) argResult {
	r := argResult{make([]int, m+2), make([]int, m+2), make([]float32, m+2), make([]float32, m+2)}
	for i := range m + 2 {
		r.best[i], r.second[i], r.bestVal[i], r.secVal[i] = sentinel, sentinel, sentinel, sentinel
	}
	return r
}

// refArgminRow is the rules written differently from the package: the
// best is the lowest column of the smallest value below +Inf (NaN is not
// below anything), the second the lowest column of the smallest such value
// among the others.
func refArgminRow(row []float32) (best, second int, bv, sv float32) {
	inf := float32(math.Inf(1))
	best, second = -1, -1
	for j, x := range row {
		if x < inf && (best < 0 || x < row[best]) {
			best = j
		}
	}
	for j, x := range row {
		if j != best && x < inf && (second < 0 || x < row[second]) {
			second = j
		}
	}
	bv, sv = inf, inf
	if best >= 0 {
		bv = row[best]
	}
	if second >= 0 {
		sv = row[second]
	}
	best = max(best, 0)
	if second < 0 && len(row) > 1 {
		second = 1 - min(best, 1)
	}
	return best, second, bv, sv
}

// refArgmin is the unfused reference: C filled with bias, Sgemm with beta
// 1, then refArgminRow on each row.
func refArgmin(c argCase) argResult {
	out := newArgResult(c.m)
	d := make([]float32, c.m*c.n)
	for i := range c.m {
		copy(d[i*c.n:(i+1)*c.n], c.bias[:c.n])
	}
	if c.m > 0 && c.n > 0 {
		Sgemm(blas.NoTrans, blas.Trans, c.m, c.n, c.k, c.alpha, c.a, c.lda, c.b, c.ldb, 1, d, c.n)
	}
	rowsArgmin(d, c, out)
	return out
}

// twinArgmin is the reference for the Go twin kernel: each d_ij is the
// twin's arithmetic written out (fused multiply-adds in order of p, then
// alpha·acc and + bias rounded).
func twinArgmin(c argCase) argResult {
	out := newArgResult(c.m)
	d := make([]float32, c.m*c.n)
	for i := range c.m {
		for j := range c.n {
			var acc float32
			for p := range c.k {
				acc = fma32(c.b[j*c.ldb+p], c.a[i*c.lda+p], acc)
			}
			d[i*c.n+j] = float32(c.alpha*acc) + c.bias[j]
		}
	}
	rowsArgmin(d, c, out)
	return out
}

func rowsArgmin(d []float32, c argCase, out argResult) {
	for i := range c.m {
		out.best[i], out.second[i], out.bestVal[i], out.secVal[i] = refArgminRow(d[i*c.n : (i+1)*c.n])
	}
}

func sameArgmin(t *testing.T, name string, c argCase, got, want argResult) {
	t.Helper()
	for i := range c.m + 2 {
		if got.best[i] != want.best[i] || got.second[i] != want.second[i] ||
			math.Float32bits(got.bestVal[i]) != math.Float32bits(want.bestVal[i]) ||
			math.Float32bits(got.secVal[i]) != math.Float32bits(want.secVal[i]) {
			t.Fatalf("%s %v: row %d: best %d (%v) second %d (%v), want best %d (%v) second %d (%v)", name, c, i,
				got.best[i], got.bestVal[i], got.second[i], got.secVal[i],
				want.best[i], want.bestVal[i], want.second[i], want.secVal[i])
		}
	}
}

// newArgCase draws random operands: duplicate rows of b with equal bias
// (ties), NaN in a (NaN rows), +Inf, −Inf and NaN in bias, all as asked.
func newArgCase(r *rand.Rand, m, n, k, padA, padB int, alpha float32, special bool) argCase {
	c := argCase{m: m, n: n, k: k, lda: k + padA, ldb: k + padB, alpha: alpha}
	c.a = make([]float32, max(0, (m-1)*c.lda+k))
	c.b = make([]float32, max(0, (n-1)*c.ldb+k))
	c.bias = make([]float32, n)
	for i := range c.a {
		c.a[i] = float32(r.NormFloat64())
	}
	for i := range c.b {
		c.b[i] = float32(r.NormFloat64())
	}
	for j := range c.bias {
		c.bias[j] = float32(r.NormFloat64()) + float32(k)
	}
	if !special {
		return c
	}
	for j := 1; j < n; j++ {
		if r.IntN(4) == 0 { // a tie with an earlier column
			src := r.IntN(j)
			copy(c.b[j*c.ldb:j*c.ldb+k], c.b[src*c.ldb:src*c.ldb+k])
			c.bias[j] = c.bias[src]
		}
	}
	inf := float32(math.Inf(1))
	for j := range n {
		switch r.IntN(12) {
		case 0:
			c.bias[j] = inf
		case 1:
			c.bias[j] = float32(math.NaN())
		case 2:
			if r.IntN(4) == 0 {
				c.bias[j] = -inf
			}
		}
	}
	for i := range m {
		if r.IntN(8) == 0 { // a NaN in the row: the whole row of d is NaN
			c.a[i*c.lda+r.IntN(k)] = float32(math.NaN())
		}
	}
	return c
}

// TestArgminNT compares ArgminNT bit for bit with the unfused reference
// (Sgemm on bias, then the rules) on edge and random shapes, and the fused
// driver with the Go twin kernel with the twin's arithmetic.
func TestArgminNT(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	t.Logf("fused assembly for k=64: %v", ArgminFused(64))
	type sh struct{ m, n, k int }
	var cases []sh
	for _, m := range []int{1, 5, 6, 7, 13, 121, 250} {
		for _, n := range []int{1, 2, 3, 15, 16, 17, 33, 100} {
			for _, k := range []int{1, 3, 8, 64} {
				cases = append(cases, sh{m, n, k})
			}
		}
	}
	cases = append(cases, sh{1030, 1600, 64}, sh{700, 400, 3}, sh{64, 70, 256}, sh{50, 40, 257}, sh{300, 90, 300},
		sh{13, 17, 600}, sh{2000, 33, 64})
	for range 150 {
		cases = append(cases, sh{1 + r.IntN(200), 1 + r.IntN(120), 1 + r.IntN(300)})
	}
	for ci, s := range cases {
		alpha := []float32{-2, 1, 0.37, -1e-3}[ci%4]
		padA, padB := r.IntN(3)*(ci%2), r.IntN(4)*(ci%3%2)
		c := newArgCase(r, s.m, s.n, s.k, padA, padB, alpha, ci%3 != 0)
		want := refArgmin(c)
		got := newArgResult(c.m)
		ArgminNT(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.b, c.ldb, c.bias, got.best, got.second, got.bestVal, got.secVal)
		sameArgmin(t, "ArgminNT", c, got, want)
		if s.m*s.n*s.k <= 3e5 && s.k <= kc {
			tw := newArgResult(c.m)
			argminFused(goArgminKernelS, c.m, c.n, c.k, c.alpha, c.a, c.lda, c.b, c.ldb, c.bias, tw.best, tw.second, tw.bestVal, tw.secVal)
			sameArgmin(t, "fused Go twin", c, tw, twinArgmin(c))
		}
	}
}

// TestArgminNTSpecial covers rows without numbers, n = 0, alpha = 0
// (bias only, even with NaN in a), k = 0 and m = 0.
func TestArgminNTSpecial(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	check := func(name string, c argCase, want argResult) {
		t.Helper()
		got := newArgResult(c.m)
		ArgminNT(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.b, c.ldb, c.bias, got.best, got.second, got.bestVal, got.secVal)
		sameArgmin(t, name, c, got, want)
		sameArgmin(t, name+" (reference)", c, refArgmin(c), want)
	}
	// All-NaN rows; one number in the row at column 3; only +Inf.
	c := newArgCase(r, 3, 5, 4, 0, 0, -2, false)
	for j := range c.bias {
		c.bias[j] = nan
	}
	c.bias[3] = 1 // rows 1, 2 get a number there; row 0 has a NaN in a
	c.a[1] = nan
	want := newArgResult(3)
	want.best[0], want.second[0], want.bestVal[0], want.secVal[0] = 0, 1, inf, inf
	for i := 1; i < 3; i++ {
		ref := refArgmin(c)
		want.best[i], want.second[i], want.bestVal[i], want.secVal[i] = 3, 0, ref.bestVal[i], inf
		if math.IsInf(float64(ref.bestVal[i]), 0) || ref.bestVal[i] != ref.bestVal[i] {
			t.Fatalf("row %d: bestVal %v is not a number", i, ref.bestVal[i])
		}
	}
	check("nan rows", c, want)
	// n = 1: second −1.
	c = newArgCase(r, 8, 1, 5, 1, 2, 1, false)
	want = refArgmin(c)
	for i := range c.m {
		if want.best[i] != 0 || want.second[i] != -1 || want.secVal[i] != inf {
			t.Fatalf("n=1 reference row %d: %d %d %v", i, want.best[i], want.second[i], want.secVal[i])
		}
	}
	check("n=1", c, want)
	// Only +Inf in a row: best 0, second 1.
	c = newArgCase(r, 2, 4, 3, 0, 0, 1, false)
	for j := range c.bias {
		c.bias[j] = inf
	}
	want = newArgResult(2)
	for i := range 2 {
		want.best[i], want.second[i], want.bestVal[i], want.secVal[i] = 0, 1, inf, inf
	}
	check("inf rows", c, want)
	// alpha 0: d = bias whatever a holds (Sgemm leaves C alone); k = 0.
	c = newArgCase(r, 7, 20, 9, 0, 0, 0, false)
	c.a[3] = nan
	c.bias[5], c.bias[11] = -3, -3
	c.bias[2] = -1
	want = newArgResult(7)
	for i := range 7 {
		want.best[i], want.second[i], want.bestVal[i], want.secVal[i] = 5, 11, -3, -3
	}
	check("alpha 0", c, want)
	c.alpha, c.k, c.lda, c.ldb = -2, 0, 1, 1
	check("k 0", c, want)
	// n = 0: every row best 0, second −1, +Inf.
	c = argCase{m: 3, n: 0, k: 2, lda: 2, ldb: 2, alpha: 1, a: make([]float32, 6)}
	want = newArgResult(3)
	for i := range 3 {
		want.best[i], want.second[i], want.bestVal[i], want.secVal[i] = 0, -1, inf, inf
	}
	check("n 0", c, want)
	// m = 0 touches nothing, even with nil slices.
	ArgminNT(0, 5, 3, 1, nil, 3, nil, 3, nil, nil, nil, nil, nil)
}

// TestArgminNTBadArguments checks the panics on bad arguments.
func TestArgminNTBadArguments(t *testing.T) {
	f := func(n int) []float32 { return make([]float32, n) }
	i := func(n int) []int { return make([]int, n) }
	for _, tc := range []struct {
		name string
		call func()
		want string
	}{
		{"m<0", func() { ArgminNT(-1, 2, 2, 1, f(4), 2, f(4), 2, f(2), i(1), i(1), f(1), f(1)) }, "blas: m < 0"},
		{"n<0", func() { ArgminNT(2, -1, 2, 1, f(4), 2, f(4), 2, f(2), i(2), i(2), f(2), f(2)) }, "blas: n < 0"},
		{"k<0", func() { ArgminNT(2, 2, -1, 1, f(4), 2, f(4), 2, f(2), i(2), i(2), f(2), f(2)) }, "blas: k < 0"},
		{"lda", func() { ArgminNT(2, 2, 3, 1, f(6), 2, f(6), 3, f(2), i(2), i(2), f(2), f(2)) }, "blas: bad leading dimension of A"},
		{"ldb", func() { ArgminNT(2, 2, 3, 1, f(6), 3, f(6), 2, f(2), i(2), i(2), f(2), f(2)) }, "blas: bad leading dimension of B"},
		{"short a", func() { ArgminNT(2, 2, 3, 1, f(5), 3, f(6), 3, f(2), i(2), i(2), f(2), f(2)) }, "blas: insufficient length of a"},
		{"short b", func() { ArgminNT(2, 2, 3, 1, f(6), 3, f(5), 3, f(2), i(2), i(2), f(2), f(2)) }, "blas: insufficient length of b"},
		{"short bias", func() { ArgminNT(2, 2, 3, 1, f(6), 3, f(6), 3, f(1), i(2), i(2), f(2), f(2)) }, "blas: insufficient length of bias"},
		{"short best", func() { ArgminNT(2, 2, 3, 1, f(6), 3, f(6), 3, f(2), i(1), i(2), f(2), f(2)) }, "blas: insufficient length of best or second"},
		{"short second", func() { ArgminNT(2, 2, 3, 1, f(6), 3, f(6), 3, f(2), i(2), nil, f(2), f(2)) }, "blas: insufficient length of best or second"},
		{"short bestVal", func() { ArgminNT(2, 2, 3, 1, f(6), 3, f(6), 3, f(2), i(2), i(2), f(1), f(2)) }, "blas: insufficient length of bestVal or secondVal"},
		{"short secondVal", func() { ArgminNT(2, 2, 3, 1, f(6), 3, f(6), 3, f(2), i(2), i(2), f(2), f(0)) }, "blas: insufficient length of bestVal or secondVal"},
	} {
		func() {
			defer func() {
				if got := recover(); got != tc.want {
					t.Errorf("%s: panic %v, want %q", tc.name, got, tc.want)
				}
			}()
			tc.call()
		}()
	}
}

// TestFMA32 compares the twin's float32 fused multiply-add with a·b + c
// computed exactly and rounded once to float32 (math/big), on random
// values and on sums built to fall just off a float32 halfway point,
// where rounding twice (to float64, then float32) goes wrong.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(600).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetPrec(600).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetPrec(600).SetFloat64(float64(c)))
		f, _ := x.Float32()
		return f
	}
	for trial := range 200000 {
		a, b, c := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		switch trial % 4 {
		case 1: // a·b exactly halfway between two float32s, c tiny: the sign of c decides
			x, y := 2*r.IntN(1<<10)+1, 2*r.IntN(1<<10)+1
			a, b = float32(1+math.Ldexp(float64(x), -12)), float32(1+math.Ldexp(float64(y), -12))
			c = float32(math.Ldexp(r.Float64()+0.5, -55-r.IntN(20))) * float32(1-2*r.IntN(2))
		case 2: // c cancels most of a·b
			c = -float32(float64(a) * float64(b) * (1 + math.Ldexp(r.Float64(), -20)))
		case 3:
			c = float32(math.Ldexp(float64(c), -30-r.IntN(60)))
		}
		if trial%5 == 4 { // a result among float32's subnormals
			a = float32(math.Ldexp(float64(a), -65-r.IntN(10)))
			b = float32(math.Ldexp(float64(b), -60-r.IntN(10)))
			c = float32(math.Ldexp(float64(c), -128-r.IntN(14)))
		}
		want := exact(a, b, c)
		if got := fma32(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%v, %v, %v) = %v, exact %v", a, b, c, got, want)
		}
		if got := fma32Odd(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32Odd(%v, %v, %v) = %v, exact %v", a, b, c, got, want)
		}
	}
	inf := float32(math.Inf(1))
	if got := fma32(inf, 1, 2); got != inf {
		t.Errorf("fma32(Inf, 1, 2) = %v", got)
	}
	if got := fma32(inf, 0, 2); got == got {
		t.Errorf("fma32(Inf, 0, 2) = %v, want NaN", got)
	}
	if got := fma32(3e38, 3e38, -inf); got != -inf {
		t.Errorf("fma32(3e38, 3e38, -Inf) = %v", got)
	}
}

// TestArgminNTConcurrent runs parallel-sized calls from several goroutines
// at once (they share the worker pool and the free lists).
func TestArgminNTConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	c := newArgCase(r, 400, 300, 64, 0, 0, -2, true)
	want := refArgmin(c)
	done := make(chan argResult, 6)
	for range 6 {
		go func() {
			var got argResult
			for range 4 {
				got = newArgResult(c.m)
				ArgminNT(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.b, c.ldb, c.bias, got.best, got.second, got.bestVal, got.secVal)
			}
			done <- got
		}()
	}
	for range 6 {
		sameArgmin(t, "concurrent", c, <-done, want)
	}
}

// TestArgminKernelMatchesTwin runs the assembly argmin kernel and its Go
// twin on the same packed panels, bit for bit: the mask, and the tile
// (stored only when the mask is not 0), for every k up to kc, with
// thresholds that let some rows in and keep others out, NaN in a, and
// +Inf, −Inf and NaN in the bias.
func TestArgminKernelMatchesTwin(t *testing.T) {
	if !ArgminFused(1) {
		t.Skip("no fused assembly kernel on this CPU or build; the twin is tested through TestArgminNT")
	}
	r := rand.New(rand.NewPCG(29, 30))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	masks := map[int]bool{}
	for k := 1; k <= kc; k++ {
		for trial := range 4 {
			a, b := make([]float32, k*mr), make([]float32, k*16)
			for i := range a {
				a[i] = float32(r.NormFloat64())
			}
			for i := range b {
				b[i] = float32(r.NormFloat64())
			}
			bias := make([]float32, 16)
			for j := range bias {
				bias[j] = float32(r.NormFloat64()) * 3
				if trial == 3 {
					bias[j] = []float32{inf, -inf, nan, 0}[r.IntN(4)]
				}
			}
			if trial == 2 {
				a[r.IntN(len(a))] = nan
			}
			alpha := []float32{-2, 1, 0.5, -1}[trial]
			thr := make([]float32, mr)
			for i := range thr {
				thr[i] = float32(r.NormFloat64()) * 3 * float32(math.Sqrt(float64(k)))
				switch r.IntN(6) {
				case 0:
					thr[i] = inf
				case 1:
					thr[i] = -inf
				case 2:
					thr[i] = nan
				}
			}
			got, want := make([]float32, mr*16), make([]float32, mr*16)
			for i := range got {
				got[i], want[i] = sentinel, sentinel
			}
			var gl, wl [mr]uint16
			gm := argminKernelS(k, &a[0], &b[0], alpha, &bias[0], &thr[0], &got[0], &gl[0])
			wm := goArgminKernelS(k, &a[0], &b[0], alpha, &bias[0], &thr[0], &want[0], &wl[0])
			masks[gm] = true
			if gm != wm || gl != wl {
				t.Fatalf("k=%d trial %d: mask %06b lanes %x, twin %06b %x", k, trial, gm, gl, wm, wl)
			}
			for i, l := range wl {
				if (l != 0) != (wm&(1<<i) != 0) {
					t.Fatalf("k=%d trial %d: twin's mask %06b disagrees with its lanes %x", k, trial, wm, wl)
				}
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("k=%d trial %d: tile[%d] = %v, twin %v", k, trial, i, got[i], want[i])
				}
			}
		}
	}
	if len(masks) < 20 {
		t.Errorf("only %d distinct masks seen; the test does not exercise the rows", len(masks))
	}
}

// TestArgminNTAllocs checks that a call allocates nothing once the free
// lists hold its buffers: the fused path (split over the workers) and the
// Sgemm-and-scan path (k beyond one depth block). Without the assembly
// Sgemm is gonum's, which allocates: nothing to check there.
func TestArgminNTAllocs(t *testing.T) {
	if !Asm() {
		t.Skip("Sgemm is gonum's here; it allocates per call")
	}
	r := rand.New(rand.NewPCG(33, 34))
	for _, k := range []int{64, 300} {
		c := newArgCase(r, 500, 300, k, 0, 0, -2, false)
		out := newArgResult(c.m)
		call := func() {
			ArgminNT(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.b, c.ldb, c.bias, out.best, out.second, out.bestVal, out.secVal)
		}
		call()
		if got := testing.AllocsPerRun(20, call); got != 0 {
			t.Errorf("k=%d: %v allocations per call, want 0", k, got)
		}
	}
}

// TestRowArgmin checks RowArgmin (the graph's row argmin, and ArgminNT's
// path without the fused kernel) against refArgminRow in both element
// types: rows of 0 to 40 and of 1600 columns, with ties, NaN and ±Inf,
// where the 8-value groups and ScanBelow's skips change the path.
func TestRowArgmin(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for trial := range 3000 {
		n := rng.IntN(41)
		if trial%10 == 0 {
			n = 1600
		}
		row := make([]float32, n)
		for j := range row {
			switch r := rng.IntN(20); {
			case r == 0:
				row[j] = nan
			case r == 1:
				row[j] = inf
			case r == 2:
				row[j] = -inf
			case r < 8: // a few distinct values: ties
				row[j] = float32(rng.IntN(4))
			default:
				row[j] = float32(rng.NormFloat64())
			}
		}
		if trial%7 == 0 { // only NaN and +Inf
			for j := range row {
				row[j] = [2]float32{nan, inf}[rng.IntN(2)]
			}
		}
		wb, ws, wbv, wsv := refArgminRow(row)
		same := func(a, b float32) bool { return a == b || a != a && b != b }
		if b, s, bv, sv := RowArgmin(row); b != wb || s != ws || !same(bv, wbv) || !same(sv, wsv) {
			t.Fatalf("float32 %v: got %d %d %v %v, want %d %d %v %v", row, b, s, bv, sv, wb, ws, wbv, wsv)
		}
		row64 := make([]float64, n)
		for j, v := range row {
			row64[j] = float64(v)
		}
		if b, s, bv, sv := RowArgmin(row64); b != wb || s != ws || !same(float32(bv), wbv) || !same(float32(sv), wsv) {
			t.Fatalf("float64 %v: got %d %d %v %v, want %d %d %v %v", row64, b, s, bv, sv, wb, ws, wbv, wsv)
		}
	}
}
