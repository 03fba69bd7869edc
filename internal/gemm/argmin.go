package gemm

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
)

// argKernel is a fused distance+argmin micro-kernel: it computes the
// mr×16 tile d = alpha·A·B + bias for packed panels a (k×mr) and b
// (k×16) and a bias vector of 16, sets bit j of lanes[r] (mr values) when
// d[r][j] < thr[r] (thr holds mr values), and returns a mask with bit r
// set when lanes[r] is not 0; only then it stores d into tile (mr×16, row
// after row). k must be at least 1.
type argKernel func(k int, a, b *float32, alpha float32, bias, thr, tile *float32, lanes *uint16) int

// ArgminNT: for each row i < m of a (row i at a[i*lda:], k values) and
// each column j < n (row j of b at b[j*ldb:], k values), d_ij =
// alpha·Σ_p a_ip·b_jp + bias[j]; writes the best and second-best column
// of each row and their values into best[i], second[i], bestVal[i],
// secondVal[i].
//
// The rules are those of the BMU search's row argmin: the smallest d_ij
// wins with ties to the lower column; comparisons are strict, so NaN never
// wins and +Inf never enters; a row without any number gets best 0 and
// bestVal +Inf; n == 1 gives second −1; a row with fewer than two numbers
// gets second = 1 − min(best, 1) and secondVal +Inf (n == 0 gives every
// row best 0, second −1 and both values +Inf). The d_ij are Sgemm's for
// Sgemm(NoTrans, Trans, m, n, k, alpha, a, lda, b, ldb, 1, C, n) with every
// row of C holding bias beforehand, bit for bit, whichever path runs (see
// [ArgminFused]); with alpha 0 or k 0 they are bias.
//
// It panics like Sgemm on bad arguments (negative sizes, lda or ldb < k,
// a or b too short) and on bias shorter than n or best, second, bestVal,
// secondVal shorter than m. m == 0 is a no-op. It is safe for concurrent
// use and, where Sgemm is the assembly's (see [Asm]), allocates nothing in
// steady state.
func ArgminNT(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int,
	bias []float32, best, second []int, bestVal, secondVal []float32) {
	check(blas.NoTrans, blas.Trans, m, n, k, len(a), lda, len(b), ldb, math.MaxInt, max(1, n))
	if m == 0 {
		return
	}
	switch {
	case len(bias) < n:
		panic("blas: insufficient length of bias")
	case len(best) < m, len(second) < m:
		panic("blas: insufficient length of best or second")
	case len(bestVal) < m, len(secondVal) < m:
		panic("blas: insufficient length of bestVal or secondVal")
	}
	if n == 0 || alpha == 0 || k == 0 {
		// Sgemm leaves C as it is: every row is bias.
		b, sec, bv, sv := RowArgmin(bias[:n])
		for i := range m {
			best[i], second[i], bestVal[i], secondVal[i] = b, sec, bv, sv
		}
		return
	}
	if ArgminFused(k) {
		argminFused(nil, m, n, k, alpha, a, lda, b, ldb, bias, best, second, bestVal, secondVal)
		return
	}
	argminGEMM(m, n, k, alpha, a, lda, b, ldb, bias, best, second, bestVal, secondVal)
}

// ArgminFused reports whether ArgminNT runs the fused assembly kernel for
// depth k, whose d_ij are bit for bit those of Sgemm(NoTrans, Trans, m, n,
// k, alpha, a, lda, b, ldb, 1, C, ldc) with every row of C holding bias
// beforehand. It is true on amd64 with AVX2 and FMA, without -tags
// purego, for 1 ≤ k ≤ 256 (one depth block of Sgemm). Otherwise ArgminNT runs
// Sgemm into a scratch block of rows and scans it, with the same results
// (Sgemm's values, the same rules), only slower.
func ArgminFused(k int) bool { return useArgminAsm && k >= 1 && k <= kc }

// RowArgmin returns the best and second-best column of row and their
// values by ArgminNT's rules (ties to the lower column, NaN never wins,
// +Inf never enters, a row without numbers gets column 0, a row of one
// column no second (−1), a row with one number any other column as its
// second). It looks at eight values at a time and skips, after one
// comparison (for float32 ScanBelow's vector compares), every group none of
// whose values is below the second best so far: soon almost every group.
func RowArgmin[T float](row []T) (best, second int, bv, sv T) {
	var s rowState[T]
	s.reset()
	j0 := 0
	if r32, ok := any(row).([]float32); ok {
		full := len(row) &^ 7
		for j0 < full {
			if j0 += ScanBelow(r32[j0:full], float32(s.sv)); j0 >= full {
				break
			}
			s.scan(row[j0:j0+8:j0+8], j0)
			j0 += 8
		}
		j0 = full
	}
	for ; j0+8 <= len(row); j0 += 8 {
		c := row[j0 : j0+8 : j0+8]
		m := min(min(min(c[0], c[1]), min(c[2], c[3])), min(min(c[4], c[5]), min(c[6], c[7])))
		if !(m >= s.sv) { // some value is below sv, or one is NaN
			s.scan(c, j0)
		}
	}
	s.scan(row[j0:], j0)
	s.finish(len(row))
	return s.best, s.second, s.bv, s.sv
}

// rowState is the argmin of one row so far: the best and second-best
// column and their values.
type rowState[T float] struct {
	best, second int
	bv, sv       T
}

func (s *rowState[T]) reset() {
	inf := T(math.Inf(1))
	*s = rowState[T]{best: 0, second: -1, bv: inf, sv: inf}
}

// visit lets column j with value x in: a value below the second best
// enters, as the best (the old best becoming second) when it is below the
// best too, else as the second. Visited in column order, ties go to the
// earlier column; NaN never enters.
func (s *rowState[T]) visit(j int, x T) {
	if x < s.sv {
		if x < s.bv {
			if s.bv < T(math.Inf(1)) {
				s.second, s.sv = s.best, s.bv
			}
			s.best, s.bv = j, x
		} else {
			s.second, s.sv = j, x
		}
	}
}

// scan visits vals, columns j0, j0+1, … in order.
func (s *rowState[T]) scan(vals []T, j0 int) {
	for j, x := range vals {
		s.visit(j0+j, x)
	}
}

// finish gives a row of n > 1 columns with fewer than two numbers a
// second column other than its best.
func (s *rowState[T]) finish(n int) {
	if s.second < 0 && n > 1 {
		s.second = 1 - min(s.best, 1)
	}
}

// argminScratch is the block of rows the non-fused path multiplies into.
const argminScratch = 1 << 18

var scratchList = freeList{New: func() any { return new([]float32) }}

// argminGEMM is ArgminNT without the fused kernel: blocks of rows are
// multiplied into a scratch with Sgemm (itself parallel), then scanned.
func argminGEMM(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int,
	bias []float32, best, second []int, bestVal, secondVal []float32) {
	rows := min(m, max(1, argminScratch/n))
	buf := scratchList.get().(*[]float32)
	defer scratchList.put(buf)
	*buf = grow(*buf, rows*n)
	c := *buf
	for i0 := 0; i0 < m; i0 += rows {
		h := min(rows, m-i0)
		for r := range h {
			copy(c[r*n:(r+1)*n], bias[:n])
		}
		Sgemm(blas.NoTrans, blas.Trans, h, n, k, alpha, a[i0*lda:], lda, b, ldb, 1, c, n)
		for r := range h {
			i := i0 + r
			best[i], second[i], bestVal[i], secondVal[i] = RowArgmin(c[r*n : (r+1)*n])
		}
	}
}

// argminProduct is one fused ArgminNT call: B packed once into 16-column
// panels with its bias (padding columns get bias +Inf), shared read-only
// by the parts, which take blocks of rows of A from a shared counter.
type argminProduct struct {
	kern    argKernel // nil: argminKernelS
	m, n, k int
	alpha   float32
	src     product[float32] // op(A) for packA
	pb      []float32        // packed B: panel after panel, k×16 each
	pbias   []float32        // bias padded to whole panels
	best    []int
	second  []int
	bestVal []float32
	secVal  []float32
	parts   int
	next    atomic.Int64 // the first row no part has taken yet
	wg      sync.WaitGroup
}

// argminBuffers are one part's packed A block and row states.
type argminBuffers struct {
	a     []float32
	thr   []float32 // second-best values so far: the kernel's thresholds
	st    []rowState[float32]
	tile  [mr * 16]float32
	lanes [mr]uint16
}

var (
	argminProds = freeList{New: func() any { return new(argminProduct) }}
	argminBufs  = freeList{New: func() any { return new(argminBuffers) }}
)

func argminFused(kern argKernel, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int,
	bias []float32, best, second []int, bestVal, secondVal []float32) {
	p := argminProds.get().(*argminProduct)
	defer func() {
		pb, pbias := p.pb, p.pbias
		*p = argminProduct{pb: pb[:0], pbias: pbias[:0]} // keep the panels, drop the caller's slices
		argminProds.put(p)
	}()
	np := roundUp(n, 16)
	p.kern, p.m, p.n, p.k, p.alpha = kern, m, n, k, alpha
	p.best, p.second, p.bestVal, p.secVal = best, second, bestVal, secondVal
	p.src = product[float32]{nr: 16, a: a, ars: lda, acs: 1, b: b, brs: 1, bcs: ldb}
	p.pb = grow(p.pb, np*k)
	p.pbias = grow(p.pbias, np)
	p.src.packB(p.pb, 0, k, 0, n)
	copy(p.pbias, bias[:n])
	for j := n; j < np; j++ {
		p.pbias[j] = float32(math.Inf(1))
	}
	runParts(p, float64(m)*float64(n)*float64(k), (m+mr-1)/mr, &p.parts, &p.wg)
}

func (p *argminProduct) runPart(i int) {
	p.part(i, p.parts)
	p.wg.Done()
}

// part finds the argmin of blocks of rows, taking them from p.next until
// none is left (so a part whose thread gets less of the CPU takes fewer):
// blocks of up to mc rows, smaller towards the end (a share of what is
// left), in whole 6-row panels. For each column panel in order, every
// 6-row panel of the block runs the kernel, and only the rows it flags
// (some value below their second best) are visited.
func (p *argminProduct) part(_, parts int) {
	buf := argminBufs.get().(*argminBuffers)
	defer argminBufs.put(buf)
	k, n := p.k, p.n
	mcMax := min(mc, roundUp(p.m, mr))
	buf.a = grow(buf.a, mcMax*k)
	buf.thr = grow(buf.thr, mcMax)
	if cap(buf.st) < mcMax {
		buf.st = make([]rowState[float32], mcMax)
	}
	st := buf.st[:mcMax]
	inf := float32(math.Inf(1))
	for {
		ic := int(p.next.Load())
		if ic >= p.m {
			return
		}
		mcur := min(mc, max(mr, roundUp((p.m-ic)/(2*parts), mr)), p.m-ic)
		if !p.next.CompareAndSwap(int64(ic), int64(ic+mcur)) {
			continue
		}
		rows := roundUp(mcur, mr)
		p.src.packA(buf.a, ic, mcur, 0, k)
		for r := range rows {
			st[r].reset()
			buf.thr[r] = inf
			if r >= mcur { // padding rows: nothing is below -Inf
				buf.thr[r] = -inf
			}
		}
		for j0 := 0; j0 < n; j0 += 16 {
			bp, biasp := &p.pb[j0*k], &p.pbias[j0]
			cols := uint(1)<<min(16, n-j0) - 1
			for ir := 0; ir < rows; ir += mr {
				var mask int
				if p.kern == nil { // a direct call: no wrapper around the assembly
					mask = argminKernelS(k, &buf.a[ir*k], bp, p.alpha, biasp, &buf.thr[ir], &buf.tile[0], &buf.lanes[0])
				} else {
					mask = p.kern(k, &buf.a[ir*k], bp, p.alpha, biasp, &buf.thr[ir], &buf.tile[0], &buf.lanes[0])
				}
				for mask != 0 {
					r := bits.TrailingZeros(uint(mask))
					mask &= mask - 1
					// Only the lanes below the threshold can enter (it
					// only drops while the row is visited), in order.
					s, vals := &st[ir+r], (*[16]float32)(buf.tile[r*16:])
					for lanes := uint(buf.lanes[r]) & cols; lanes != 0; lanes &= lanes - 1 {
						j := bits.TrailingZeros(lanes)
						s.visit(j0+j, vals[j])
					}
					buf.thr[ir+r] = s.sv
				}
			}
		}
		for r := range mcur {
			s := &st[r]
			s.finish(n)
			i := ic + r
			p.best[i], p.second[i], p.bestVal[i], p.secVal[i] = s.best, s.second, s.bv, s.sv
		}
	}
}
