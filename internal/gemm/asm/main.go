// Command asm generates the AVX2/FMA micro-kernels of package gemm with avo:
//
//	go run . -out ../gemm_amd64.s -stubs ../stub_amd64.go -pkg gemm
//
// (package gemm's go:generate line runs it). Each kernel multiplies a
// packed MR×kc panel of A by a packed kc×NR panel of B in registers and
// writes alpha·A·B + beta·C into an MR×NR tile of C.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// elem describes one element type's instructions.
type elem struct {
	name                         string          // Go type
	size                         int             // bytes
	lanes                        int             // per YMM register
	bcast, fma, mul, load, store func(ops ...Op) // (src, dst), (m, x, acc), (m, x, dst), (src, dst), (src, dst)
}

var (
	f32 = elem{"float32", 4, 8, VBROADCASTSS, VFMADD231PS, VMULPS, VMOVUPS, VMOVUPS}
	f64 = elem{"float64", 8, 4, VBROADCASTSD, VFMADD231PD, VMULPD, VMOVUPD, VMOVUPD}
)

// mr is the number of rows of a micro-tile; each row takes two YMM
// accumulators, so a tile is mr × 2·lanes and holds 12 accumulators,
// two B vectors and one broadcast A value in the 16 YMM registers.
const mr = 6

func main() {
	ConstraintExpr("!purego")
	kernel("kernelS", f32)
	kernel("kernelD", f64)
	argmin()
	peak()
	scan()
	Generate()
}

func kernel(name string, e elem) {
	nr := 2 * e.lanes
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, a, b, c *%s, ldc int, alpha, beta %s, load int)", e.name, e.name))
	Doc(fmt.Sprintf("%s sets the %d×%d tile at c (rows ldc elements apart) to", name, mr, nr),
		"alpha·A·B + beta·C, or to alpha·A·B without reading C when load is 0, for the",
		fmt.Sprintf("packed panels a (k×%d, column after column of the tile's rows) and b (k×%d, row after row).", mr, nr),
		"k must be at least 1.")
	k := Load(Param("k"), GP64())
	a := Mem{Base: Load(Param("a"), GP64())}
	b := Mem{Base: Load(Param("b"), GP64())}

	// Fetch the C tile's rows into the cache while the products run.
	{
		cp, ldc := Load(Param("c"), GP64()), Load(Param("ldc"), GP64())
		SHLQ(U8(map[int]uint64{4: 2, 8: 3}[e.size]), ldc)
		for i := 0; i < mr; i++ {
			PREFETCHT0(Mem{Base: cp})
			PREFETCHT0(Mem{Base: cp, Disp: 2*e.lanes*e.size - 1})
			if i < mr-1 {
				ADDQ(ldc, cp)
			}
		}
	}

	acc := products(name, e, k, a, b)

	// Write the tile: c = alpha·acc (+ beta·c).
	cp := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(map[int]uint64{4: 2, 8: 3}[e.size]), ldc)
	alpha := YMM()
	e.bcast(paramAddr("alpha"), alpha)
	for i := range acc {
		for h := range acc[i] {
			e.mul(alpha, acc[i][h], acc[i][h])
		}
	}
	load := Load(Param("load"), GP64())
	CMPQ(load, U8(0))
	JNE(LabelRef(name + "_beta"))
	for i := range acc {
		c := Mem{Base: cp}
		e.store(acc[i][0], c)
		e.store(acc[i][1], c.Offset(32))
		if i < mr-1 {
			ADDQ(ldc, cp)
		}
	}
	VZEROUPPER()
	RET()

	Label(name + "_beta")
	beta := YMM()
	e.bcast(paramAddr("beta"), beta)
	for i := range acc {
		c := Mem{Base: cp}
		for h := range acc[i] {
			e.fma(c.Offset(32*h), beta, acc[i][h])
			e.store(acc[i][h], c.Offset(32*h))
		}
		if i < mr-1 {
			ADDQ(ldc, cp)
		}
	}
	VZEROUPPER()
	RET()
}

// products zeroes the mr×2 accumulators and emits the loop that adds the
// k rank-one products of the packed panels at a and b into them.
func products(name string, e elem, k Register, a, b Mem) [][2]VecVirtual {
	nr := 2 * e.lanes
	acc := make([][2]VecVirtual, mr)
	for i := range acc {
		for h := range acc[i] {
			acc[i][h] = YMM()
			VXORPS(acc[i][h], acc[i][h], acc[i][h])
		}
	}

	Label(name + "_loop")
	b0, b1 := YMM(), YMM()
	e.load(b, b0)
	e.load(b.Offset(32), b1)
	for i := 0; i < mr; i++ {
		t := YMM()
		e.bcast(a.Offset(i*e.size), t)
		e.fma(b0, t, acc[i][0])
		e.fma(b1, t, acc[i][1])
	}
	ADDQ(U32(mr*e.size), a.Base)
	ADDQ(U32(nr*e.size), b.Base)
	DECQ(k)
	JNZ(LabelRef(name + "_loop"))
	return acc
}

// argmin generates the fused distance+argmin micro-kernel: the products of
// kernelS, then d = alpha·acc + bias (bit for bit kernelS's
// alpha·acc + 1·C with C holding bias: the FMA's product by 1 is exact), a
// compare of each row's d with that row's threshold, and a store of the
// tile only when some row has a value below it.
func argmin() {
	e := f32
	TEXT("argminKernelS", NOSPLIT, "func(k int, a, b *float32, alpha float32, bias, thr, tile *float32, lanes *uint16) int")
	Doc("argminKernelS computes the 6×16 tile d = alpha·A·B + bias for the packed panels a (k×6)",
		"and b (k×16) and the 16 values at bias, sets bit j of lanes[r] when d[r][j] < thr[r]",
		"(a NaN is below nothing), and returns a mask with bit r set when lanes[r] is not 0;",
		"only when the mask is not 0 it stores d into tile (6×16, row after row). k must be",
		"at least 1.")
	k := Load(Param("k"), GP64())
	a := Mem{Base: Load(Param("a"), GP64())}
	b := Mem{Base: Load(Param("b"), GP64())}
	acc := products("argminKernelS", e, k, a, b)

	alpha := YMM()
	e.bcast(paramAddr("alpha"), alpha)
	bias := Mem{Base: Load(Param("bias"), GP64())}
	for i := range acc {
		for h := range acc[i] {
			e.mul(alpha, acc[i][h], acc[i][h])
			VADDPS(bias.Offset(32*h), acc[i][h], acc[i][h])
		}
	}
	// lanes[r] = the row's 16 compare bits; mask = Σ (lanes[r] ≠ 0) << r,
	// built from row 5 down: NEG sets the carry when the row's lanes are
	// not 0, ADC shifts it in.
	thr := Mem{Base: Load(Param("thr"), GP64())}
	lanes := Mem{Base: Load(Param("lanes"), GP64())}
	mask := GP64()
	XORQ(mask, mask)
	for i := mr - 1; i >= 0; i-- {
		t, lo, hi := YMM(), YMM(), YMM()
		VBROADCASTSS(thr.Offset(4*i), t)
		// LT_OS(d, t): d < thr, false for NaN.
		VCMPPS(U8(0x01), t, acc[i][0], lo)
		VCMPPS(U8(0x01), t, acc[i][1], hi)
		l, h := GP32(), GP32()
		VMOVMSKPS(lo, l)
		VMOVMSKPS(hi, h)
		SHLL(U8(8), h)
		ORL(h, l)
		MOVW(l.As16(), lanes.Offset(2*i))
		NEGL(l)
		ADCQ(mask, mask)
	}
	TESTQ(mask, mask)
	JZ(LabelRef("argmin_done"))
	tile := Mem{Base: Load(Param("tile"), GP64())}
	for i := range acc {
		for h := range acc[i] {
			e.store(acc[i][h], tile.Offset(64*i+32*h))
		}
	}
	Label("argmin_done")
	Store(mask, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// paramAddr returns the memory operand of a scalar parameter.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// peak generates the register-only FMA loop that measures a core's peak.
func peak() {
	TEXT("fmaLoop", NOSPLIT, "func(n int)")
	Doc("fmaLoop runs n iterations of 12 independent 8-lane float32 FMAs on registers only",
		"(192 floating-point operations per iteration).")
	n := Load(Param("n"), GP64())
	acc := make([]VecVirtual, 12)
	for i := range acc {
		acc[i] = YMM()
		VXORPS(acc[i], acc[i], acc[i])
	}
	x, y := YMM(), YMM()
	VXORPS(x, x, x)
	VXORPS(y, y, y)
	CMPQ(n, U8(0))
	JLE(LabelRef("fma_done"))
	Label("fma_loop")
	for i := range acc {
		VFMADD231PS(x, y, acc[i])
	}
	DECQ(n)
	JNZ(LabelRef("fma_loop"))
	Label("fma_done")
	VZEROUPPER()
	RET()
}

// scan generates the block scan of the BMU search's argmin: the first
// 8-value block of x holding a value not ≥ thr (smaller, or NaN).
func scan() {
	TEXT("scanBelow", NOSPLIT, "func(x []float32, thr float32) int")
	Doc("scanBelow returns the offset of the first block x[i:i+8] (i a multiple of 8)",
		"holding a value v with !(v >= thr), or len(x) when there is none; len(x) must",
		"be a multiple of 8.")
	x := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	thr := YMM()
	VBROADCASTSS(paramAddr("thr"), thr)
	i := GP64()
	XORQ(i, i)
	// Four blocks per round while they last; a round with a hit goes on
	// block by block to find which.
	Label("scan4")
	t := GP64()
	MOVQ(n, t)
	SUBQ(i, t)
	CMPQ(t, U8(32))
	JL(LabelRef("scan1"))
	m := make([]VecVirtual, 4)
	for k := range m {
		m[k] = YMM()
		// NLE_UQ(thr, v): !(thr <= v), true for v < thr or NaN.
		VCMPPS(U8(0x16), Mem{Base: x, Index: i, Scale: 4, Disp: 32 * k}, thr, m[k])
	}
	VORPS(m[0], m[1], m[0])
	VORPS(m[2], m[3], m[2])
	VORPS(m[0], m[2], m[0])
	VPTEST(m[0], m[0])
	JNZ(LabelRef("scan1"))
	ADDQ(U8(32), i)
	JMP(LabelRef("scan4"))

	Label("scan1")
	CMPQ(i, n)
	JGE(LabelRef("scan_done"))
	b := YMM()
	VCMPPS(U8(0x16), Mem{Base: x, Index: i, Scale: 4}, thr, b)
	VPTEST(b, b)
	JNZ(LabelRef("scan_done"))
	ADDQ(U8(8), i)
	JMP(LabelRef("scan1"))

	Label("scan_done")
	CMPQ(i, n)
	CMOVQGT(n, i)
	Store(i, ReturnIndex(0))
	VZEROUPPER()
	RET()
}
