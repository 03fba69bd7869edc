package gemm

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

type float interface{ ~float32 | ~float64 }

// Micro-tile and block sizes. A micro-tile is mr rows of C by nr columns
// (two vector registers: 16 float32 or 8 float64); a packed block of A is
// at most mc×kc, of B kc×nc. kc·nr fits the B micro-panel in L1, mc·kc the
// A block in L2.
const (
	mr = 6
	kc = 256
	mc = 120
	nc = 4080
)

// parMin is the number of multiply-adds (m·n·k) from which a product is
// split over goroutines.
const parMin = 1 << 17

// Asm reports whether Sgemm and Dgemm use the assembly kernels (amd64 with
// AVX2 and FMA, not built with -tags purego); when false they call gonum.
func Asm() bool { return useAsm }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major float32
// matrices, op(A) m×k and op(B) k×n, with BLAS's arguments and panics.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !useAsm {
		gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm(kernelS, 16, spool, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C for row-major float64
// matrices, as Sgemm.
func Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if !useAsm {
		gonum.Implementation{}.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm(kernelD, 8, dpool, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Implementation is gonum's pure-Go BLAS with Sgemm and Dgemm replaced by
// this package's. It satisfies gorgonia.BLAS, blas.Float32 and
// blas.Float64.
type Implementation struct{ gonum.Implementation }

// Sgemm is the package's Sgemm.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is the package's Dgemm.
func (Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// kernel is a micro-kernel: the mr×nr tile at c = alpha·A·B (+ beta·C if
// load != 0) for packed panels a (k×mr) and b (k×nr).
type kernel[T float] func(k int, a, b, c *T, ldc int, alpha, beta T, load int)

// buffers are one goroutine's packed panels and edge tile.
type buffers[T float] struct {
	a, b, tile []T
}

// freeList keeps values for reuse like sync.Pool, but keeps them across
// garbage collections: the packed panels are a few hundred KB that a
// sync.Pool would drop and reallocate after every GC.
type freeList struct {
	mu   sync.Mutex
	free []any
	New  func() any
}

func (l *freeList) get() any {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		v := l.free[n-1]
		l.free = l.free[:n-1]
		return v
	}
	return l.New()
}

func (l *freeList) put(v any) {
	l.mu.Lock()
	l.free = append(l.free, v)
	l.mu.Unlock()
}

// lists are one element type's free products and buffers.
type lists struct{ prods, bufs freeList }

var (
	spool = &lists{prods: freeList{New: func() any { return new(product[float32]) }},
		bufs: freeList{New: func() any { return new(buffers[float32]) }}}
	dpool = &lists{prods: freeList{New: func() any { return new(product[float64]) }},
		bufs: freeList{New: func() any { return new(buffers[float64]) }}}
)

// product is one call's arguments, normalized: op(A) is m×k with element
// (i,p) at a[i*ars+p*acs], op(B) k×n with (p,j) at b[p*brs+j*bcs].
type product[T float] struct {
	kern        kernel[T]
	nr          int
	pool        *lists
	m, n, k     int
	a, b, c     []T
	ars, acs    int
	brs, bcs    int
	ldc         int
	alpha, beta T
	rows        bool // split rows (else columns) over parts
	parts       int
	wg          sync.WaitGroup
}

func gemm[T float](kern kernel[T], nr int, pool *lists, tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	check(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(c, m, n, ldc, beta)
		return
	}
	p := pool.prods.get().(*product[T])
	*p = product[T]{kern: kern, nr: nr, pool: pool, m: m, n: n, k: k, a: a, b: b, c: c,
		ars: lda, acs: 1, brs: ldb, bcs: 1, ldc: ldc, alpha: alpha, beta: beta}
	defer func() {
		*p = product[T]{} // drop the caller's slices
		pool.prods.put(p)
	}()
	if tA != blas.NoTrans {
		p.ars, p.acs = 1, lda
	}
	if tB != blas.NoTrans {
		p.brs, p.bcs = 1, ldb
	}
	run(p)
}

// scale sets C = beta·C (C = 0 for beta 0, whatever C held).
func scale[T float](c []T, m, n, ldc int, beta T) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// run computes p, split over the workers when it is large enough.
func run[T float](p *product[T]) {
	tm, tn := (p.m+mr-1)/mr, (p.n+p.nr-1)/p.nr
	p.rows = tm >= tn
	tiles := tn
	if p.rows {
		tiles = tm
	}
	runParts(p, float64(p.m)*float64(p.n)*float64(p.k), tiles, &p.parts, &p.wg)
}

// parted is a product cut into parts: part(i, parts) computes part i of
// parts, runPart(i) does that for a worker and marks it done.
type parted interface {
	part(i, parts int)
	runPart(i int)
}

// runParts computes p: in one part when it is small (fewer than parMin
// multiply-adds), else in up to one part per GOMAXPROCS (at most tiles),
// part 0 on the calling goroutine and the others on the workers, counted
// in wg; *parts is set to their number first. It returns when all are done.
func runParts(p parted, madds float64, tiles int, parts *int, wg *sync.WaitGroup) {
	n := 1
	if madds >= parMin {
		n = min(runtime.GOMAXPROCS(0), tiles)
	}
	if n <= 1 {
		p.part(0, 1)
		return
	}
	*parts = n
	startWorkers()
	wg.Add(n - 1)
	for i := 1; i < n; i++ {
		work <- task{p, i}
	}
	p.part(0, n)
	wg.Wait()
}

// task is part i of a product for a worker goroutine.
type task struct {
	p parted
	i int
}

func (p *product[T]) runPart(i int) {
	p.part(i, p.parts)
	p.wg.Done()
}

var (
	work        = make(chan task, 64)
	workersOnce sync.Once
)

// startWorkers starts, once, one worker goroutine per core (less the
// caller's) that runs parts of products.
func startWorkers() {
	workersOnce.Do(func() {
		for range max(1, runtime.NumCPU()-1) {
			go func() {
				for t := range work {
					t.p.runPart(t.i)
				}
			}()
		}
	})
}

// part computes part i of parts of p: a contiguous range of whole
// micro-tiles of rows or columns of C.
func (p *product[T]) part(i, parts int) {
	m0, m1, n0, n1 := 0, p.m, 0, p.n
	if p.rows {
		m0, m1 = split(p.m, mr, i, parts)
	} else {
		n0, n1 = split(p.n, p.nr, i, parts)
	}
	if m0 >= m1 || n0 >= n1 {
		return
	}
	buf := p.pool.bufs.get().(*buffers[T])
	p.block(buf, m0, m1, n0, n1)
	p.pool.bufs.put(buf)
}

// split returns part i of parts of [0, n) in whole units of unit.
func split(n, unit, i, parts int) (lo, hi int) {
	units := (n + unit - 1) / unit
	per, extra := units/parts, units%parts
	lo = i*per + min(i, extra)
	hi = lo + per
	if i < extra {
		hi++
	}
	return min(lo*unit, n), min(hi*unit, n)
}

// block computes rows [m0, m1) by columns [n0, n1) of C with the packed
// loops: B in kc×nc blocks, A in mc×kc blocks, micro-tiles in registers.
func (p *product[T]) block(buf *buffers[T], m0, m1, n0, n1 int) {
	nr := p.nr
	kcMax, ncMax, mcMax := min(kc, p.k), min(nc, roundUp(n1-n0, nr)), min(mc, roundUp(m1-m0, mr))
	buf.b = grow(buf.b, kcMax*ncMax)
	buf.a = grow(buf.a, kcMax*mcMax)
	buf.tile = grow(buf.tile, mr*nr)
	for jc := n0; jc < n1; jc += nc {
		ncur := min(nc, n1-jc)
		for pc := 0; pc < p.k; pc += kc {
			kcur := min(kc, p.k-pc)
			beta, load := p.beta, 1
			if pc > 0 {
				beta = 1
			} else if beta == 0 {
				load = 0
			}
			p.packB(buf.b, pc, kcur, jc, ncur)
			for ic := m0; ic < m1; ic += mc {
				mcur := min(mc, m1-ic)
				p.packA(buf.a, ic, mcur, pc, kcur)
				for jr := 0; jr < ncur; jr += nr {
					bp := &buf.b[jr*kcur]
					for ir := 0; ir < mcur; ir += mr {
						ap := &buf.a[ir*kcur]
						ci := (ic+ir)*p.ldc + jc + jr
						if ir+mr <= mcur && jr+nr <= ncur {
							p.kern(kcur, ap, bp, &p.c[ci], p.ldc, p.alpha, beta, load)
							continue
						}
						// An edge tile: compute it whole into the
						// buffer, then add the part inside C.
						p.kern(kcur, ap, bp, &buf.tile[0], nr, p.alpha, 0, 0)
						rows, cols := min(mr, mcur-ir), min(nr, ncur-jr)
						for r := range rows {
							crow := p.c[ci+r*p.ldc : ci+r*p.ldc+cols]
							trow := buf.tile[r*nr : r*nr+cols]
							if load == 0 {
								copy(crow, trow)
								continue
							}
							for j, v := range trow {
								crow[j] = v + beta*crow[j]
							}
						}
					}
				}
			}
		}
	}
}

// packA copies rows [i0, i0+rows) by columns [p0, p0+kcur) of op(A) into
// dst as micro-panels of mr rows, column after column, padding the last
// panel's missing rows with zeros.
func (p *product[T]) packA(dst []T, i0, rows, p0, kcur int) {
	for ir := 0; ir < rows; ir += mr {
		panel := dst[ir*kcur : (ir+mr)*kcur]
		h := min(mr, rows-ir)
		if h < mr {
			clear(panel)
		}
		if p.acs == 1 && h == mr { // rows of op(A) are contiguous: a whole panel
			base := (i0+ir)*p.ars + p0
			s0 := p.a[base : base+kcur]
			s1 := p.a[base+p.ars : base+p.ars+kcur]
			s2 := p.a[base+2*p.ars : base+2*p.ars+kcur]
			s3 := p.a[base+3*p.ars : base+3*p.ars+kcur]
			s4 := p.a[base+4*p.ars : base+4*p.ars+kcur]
			s5 := p.a[base+5*p.ars : base+5*p.ars+kcur]
			for q := range s0 {
				d := panel[q*mr : q*mr+mr : q*mr+mr]
				d[0], d[1], d[2], d[3], d[4], d[5] = s0[q], s1[q], s2[q], s3[q], s4[q], s5[q]
			}
			continue
		}
		if p.acs == 1 { // the last panel's rows
			for r := range h {
				base := (i0+ir+r)*p.ars + p0
				for q, v := range p.a[base : base+kcur] {
					panel[q*mr+r] = v
				}
			}
			continue
		}
		for q := range kcur { // columns of op(A) are contiguous rows of A
			base := (p0+q)*p.acs + i0 + ir
			copy(panel[q*mr:q*mr+h], p.a[base:base+h])
		}
	}
}

// packB copies rows [p0, p0+kcur) by columns [j0, j0+cols) of op(B) into
// dst as micro-panels of nr columns, row after row, padding the last
// panel's missing columns with zeros.
func (p *product[T]) packB(dst []T, p0, kcur, j0, cols int) {
	nr := p.nr
	for jr := 0; jr < cols; jr += nr {
		panel := dst[jr*kcur : (jr+nr)*kcur]
		w := min(nr, cols-jr)
		if w < nr {
			clear(panel)
		}
		if p.bcs == 1 { // rows of B are contiguous
			for q := range kcur {
				base := (p0+q)*p.brs + j0 + jr
				copy(panel[q*nr:q*nr+w], p.b[base:base+w])
			}
			continue
		}
		// Columns of op(B) are contiguous rows of B: four at a time, so
		// that each row of the panel is written in runs of four.
		j := 0
		for ; j+4 <= w; j += 4 {
			base := (j0+jr+j)*p.bcs + p0
			s0 := p.b[base : base+kcur]
			s1 := p.b[base+p.bcs : base+p.bcs+kcur]
			s2 := p.b[base+2*p.bcs : base+2*p.bcs+kcur]
			s3 := p.b[base+3*p.bcs : base+3*p.bcs+kcur]
			for q := range s0 {
				d := panel[q*nr+j : q*nr+j+4 : q*nr+j+4]
				d[0], d[1], d[2], d[3] = s0[q], s1[q], s2[q], s3[q]
			}
		}
		for ; j < w; j++ {
			base := (j0+jr+j)*p.bcs + p0
			for q, v := range p.b[base : base+kcur] {
				panel[q*nr+j] = v
			}
		}
	}
}

func roundUp(n, unit int) int { return (n + unit - 1) / unit * unit }

func grow[T float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// check panics as gonum's GEMM does on invalid arguments.
func check(tA, tB blas.Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	for _, t := range []blas.Transpose{tA, tB} {
		if t != blas.NoTrans && t != blas.Trans && t != blas.ConjTrans {
			panic("blas: illegal transpose")
		}
	}
	switch {
	case m < 0:
		panic("blas: m < 0")
	case n < 0:
		panic("blas: n < 0")
	case k < 0:
		panic("blas: k < 0")
	}
	aT, bT := tA != blas.NoTrans, tB != blas.NoTrans
	ar, ac := m, k
	if aT {
		ar, ac = k, m
	}
	br, bc := k, n
	if bT {
		br, bc = n, k
	}
	switch {
	case lda < max(1, ac):
		panic("blas: bad leading dimension of A")
	case ldb < max(1, bc):
		panic("blas: bad leading dimension of B")
	case ldc < max(1, n):
		panic("blas: bad leading dimension of C")
	}
	if m == 0 || n == 0 {
		return
	}
	switch {
	case ar > 0 && ac > 0 && la < (ar-1)*lda+ac:
		panic("blas: insufficient length of a")
	case br > 0 && bc > 0 && lb < (br-1)*ldb+bc:
		panic("blas: insufficient length of b")
	case lc < (m-1)*ldc+n:
		panic("blas: insufficient length of c")
	}
}
