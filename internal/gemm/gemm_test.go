package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// shape is one product to compare: op(A) m×k, op(B) k×n, with extra
// leading-dimension padding (strides) and transposes.
type shape struct {
	tA, tB     blas.Transpose
	m, n, k    int
	padA, padB int
	padC       int
	alpha      float64
	beta       float64
}

func (s shape) String() string {
	return fmt.Sprintf("%c%c m=%d n=%d k=%d pad=%d,%d,%d α=%g β=%g", s.tA, s.tB, s.m, s.n, s.k, s.padA, s.padB, s.padC, s.alpha, s.beta)
}

// shapes returns fixed edge cases and random shapes: sizes not multiples
// of the tile or vector width, K across the kc block, strides and every
// transpose combination.
func shapes(r *rand.Rand, random int) []shape {
	ts := []blas.Transpose{blas.NoTrans, blas.Trans}
	var out []shape
	for _, tA := range ts {
		for _, tB := range ts {
			for _, mnk := range [][3]int{{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 9, 8}, {12, 32, 64}, {13, 33, 257}, {121, 15, 300}, {1024, 100, 64}, {200, 1600, 7}, {3, 4100, 5}} {
				out = append(out, shape{tA: tA, tB: tB, m: mnk[0], n: mnk[1], k: mnk[2], alpha: -2, beta: 1})
			}
		}
	}
	for range random {
		s := shape{tA: ts[r.IntN(2)], tB: ts[r.IntN(2)], m: 1 + r.IntN(150), n: 1 + r.IntN(150), k: 1 + r.IntN(300),
			padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3)}
		s.alpha = []float64{1, -2, 0.5, 0}[r.IntN(4)]
		s.beta = []float64{0, 1, -0.5, 2}[r.IntN(4)]
		out = append(out, s)
	}
	return out
}

// operands returns random A, B and C for s, with C's padding holding NaN
// (which must stay untouched) and C holding NaN when beta is 0 (which must
// not leak into the result).
func operands(r *rand.Rand, s shape) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	ar, ac := s.m, s.k
	if s.tA != blas.NoTrans {
		ar, ac = s.k, s.m
	}
	br, bc := s.k, s.n
	if s.tB != blas.NoTrans {
		br, bc = s.n, s.k
	}
	lda, ldb, ldc = ac+s.padA, bc+s.padB, s.n+s.padC
	a, b, c = make([]float64, ar*lda), make([]float64, br*ldb), make([]float64, s.m*ldc)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	for i := range b {
		b[i] = r.NormFloat64()
	}
	for i := range c {
		c[i] = r.NormFloat64()
		if s.beta == 0 || i%ldc >= s.n {
			c[i] = math.NaN()
		}
	}
	return
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// compare checks got against want within tol·(1+|want|) and that padding
// (NaN in want) is left alone.
func compare[T float](t *testing.T, name string, s shape, got, want []T, ldc int, tol float64) {
	t.Helper()
	for i := range s.m {
		for j := range ldc {
			g, w := float64(got[i*ldc+j]), float64(want[i*ldc+j])
			if j >= s.n {
				if !math.IsNaN(g) {
					t.Fatalf("%s %v: padding C[%d,%d] = %v, want untouched NaN", name, s, i, j, g)
				}
				continue
			}
			if math.IsNaN(g) || math.Abs(g-w) > tol*(1+math.Abs(w)) {
				t.Fatalf("%s %v: C[%d,%d] = %v, gonum %v", name, s, i, j, g, w)
			}
		}
	}
}

// TestGEMMMatchesGonum compares Sgemm and Dgemm (the assembly where the
// CPU has it) and the packed driver with the pure-Go twin kernels with
// gonum's GEMM on every shape.
func TestGEMMMatchesGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	t.Logf("assembly kernels: %v", Asm())
	for _, s := range shapes(r, 300) {
		a, lda, b, ldb, c, ldc := operands(r, s)
		// float64
		want := append([]float64(nil), c...)
		gonum.Implementation{}.Dgemm(s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, want, ldc)
		got := append([]float64(nil), c...)
		Dgemm(s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, got, ldc)
		compare(t, "Dgemm", s, got, want, ldc, 1e-12*float64(s.k))
		twin := append([]float64(nil), c...)
		gemm(goKernelD, 8, dpool, s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, twin, ldc)
		compare(t, "Dgemm twin", s, twin, want, ldc, 1e-12*float64(s.k))
		// float32
		a32, b32, c32 := to32(a), to32(b), to32(c)
		want32 := append([]float32(nil), c32...)
		gonum.Implementation{}.Sgemm(s.tA, s.tB, s.m, s.n, s.k, float32(s.alpha), a32, lda, b32, ldb, float32(s.beta), want32, ldc)
		got32 := append([]float32(nil), c32...)
		Sgemm(s.tA, s.tB, s.m, s.n, s.k, float32(s.alpha), a32, lda, b32, ldb, float32(s.beta), got32, ldc)
		compare(t, "Sgemm", s, got32, want32, ldc, 2e-6*math.Sqrt(float64(s.k)))
		twin32 := append([]float32(nil), c32...)
		gemm(goKernelS, 16, spool, s.tA, s.tB, s.m, s.n, s.k, float32(s.alpha), a32, lda, b32, ldb, float32(s.beta), twin32, ldc)
		compare(t, "Sgemm twin", s, twin32, want32, ldc, 2e-6*math.Sqrt(float64(s.k)))
	}
}

// TestKernelMatchesTwin runs the assembly micro-kernels and their Go
// twins on the same packed panels, for every k up to past a few vector
// widths and both store paths: bit for bit (the twins do the same fused
// multiply-adds).
func TestKernelMatchesTwin(t *testing.T) {
	if !Asm() {
		t.Skip("no assembly kernels on this CPU or build; the twins are tested through TestGEMMMatchesGonum")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for k := 1; k <= 40; k++ {
		for _, load := range []int{0, 1} {
			a, b := make([]float64, k*mr), make([]float64, k*16)
			for i := range a {
				a[i] = r.NormFloat64()
			}
			for i := range b {
				b[i] = r.NormFloat64()
			}
			const ldc = 19
			c := make([]float64, mr*ldc)
			for i := range c {
				c[i] = r.NormFloat64()
			}
			a32, b32, c32 := to32(a), to32(b), to32(c)
			got, want := append([]float32(nil), c32...), append([]float32(nil), c32...)
			kernelS(k, &a32[0], &b32[0], &got[0], ldc, 1.5, -0.3, load)
			goKernelS(k, &a32[0], &b32[0], &want[0], ldc, 1.5, -0.3, load)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("kernelS k=%d load=%d: c[%d] = %v, twin %v", k, load, i, got[i], want[i])
				}
			}
			got64, want64 := append([]float64(nil), c...), append([]float64(nil), c...)
			kernelD(k, &a[0], &b[0], &got64[0], ldc, 1.5, -0.3, load)
			goKernelD(k, &a[0], &b[0], &want64[0], ldc, 1.5, -0.3, load)
			for i := range got64 {
				if math.Float64bits(got64[i]) != math.Float64bits(want64[i]) {
					t.Fatalf("kernelD k=%d load=%d: c[%d] = %v, twin %v", k, load, i, got64[i], want64[i])
				}
			}
		}
	}
}

// TestConcurrent runs products from several goroutines at once (the
// worker pool and the buffer pools are shared).
func TestConcurrent(t *testing.T) {
	const m, n, k = 300, 200, 70
	r := rand.New(rand.NewPCG(5, 6))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(r.NormFloat64())
	}
	for i := range b {
		b[i] = float32(r.NormFloat64())
	}
	want := make([]float32, m*n)
	gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 5 {
				c := make([]float32, m*n)
				Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
				for i := range c {
					if math.Abs(float64(c[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
						errs <- fmt.Sprintf("c[%d] = %v, want %v", i, c[i], want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// TestBadArguments checks that invalid arguments panic with gonum's
// messages, as gonum's GEMM does.
func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func()
		want string
	}{
		{"m<0", func() { Sgemm(blas.NoTrans, blas.NoTrans, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) }, "blas: m < 0"},
		{"transpose", func() { Dgemm('x', blas.NoTrans, 1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) }, "blas: illegal transpose"},
		{"lda", func() {
			Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, make([]float32, 6), 2, make([]float32, 6), 2, 0, make([]float32, 4), 2)
		}, "blas: bad leading dimension of A"},
		{"short a", func() {
			Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, make([]float32, 5), 3, make([]float32, 6), 2, 0, make([]float32, 4), 2)
		}, "blas: insufficient length of a"},
		{"short c", func() {
			Dgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, make([]float64, 6), 3, make([]float64, 6), 3, 0, make([]float64, 3), 2)
		}, "blas: insufficient length of c"},
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

// TestPeak checks that the peak measurement returns a positive rate.
func TestPeak(t *testing.T) {
	flops, ok := Peak(20e6)
	if !(flops > 0) {
		t.Fatalf("Peak = %v", flops)
	}
	if ok != Asm() {
		t.Errorf("Peak ok = %v, Asm() = %v", ok, Asm())
	}
}

// TestScanBelow compares ScanBelow with its pure-Go twin and a direct
// search on random rows with NaNs, ties and every threshold position.
func TestScanBelow(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 2000 {
		n := r.IntN(300)
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.IntN(50))
			if r.IntN(200) == 0 {
				x[i] = float32(math.NaN())
			}
		}
		thr := float32(r.IntN(60)) - 5
		if trial%7 == 0 {
			thr = float32(math.Inf(1))
		}
		full := n &^ 7
		want := full
		for i := 0; i < full && want == full; i++ {
			if !(x[i] >= thr) {
				want = i &^ 7
			}
		}
		if got := ScanBelow(x, thr); got != want {
			t.Fatalf("trial %d: ScanBelow(n=%d, thr=%v) = %d, want %d", trial, n, thr, got, want)
		}
		if got := goScanBelow(x[:full], thr); got != want {
			t.Fatalf("trial %d: goScanBelow = %d, want %d", trial, got, want)
		}
	}
}
