package gemm

import (
	"math"
	"unsafe"
)

// goKernel is the pure-Go twin of the assembly micro-kernels, bit for bit:
// the mr×nr tile at c = alpha·A·B (+ beta·C if load != 0) for packed panels
// a (k×mr) and b (k×nr), with the same fused multiply-adds in the same
// order (the products, then alpha·acc rounded, then beta·C + that in one
// rounding). Tests compare the two on every shape; builds without the
// assembly use it in the packed driver.
func goKernel[T float](k int, a, b, c *T, ldc int, alpha, beta T, load int, nr int) {
	as := unsafe.Slice(a, k*mr)
	bs := unsafe.Slice(b, k*nr)
	var acc [mr * 16]T
	for q := range k {
		bq := bs[q*nr : q*nr+nr]
		for i, av := range as[q*mr : q*mr+mr] {
			row := acc[i*nr : i*nr+nr]
			for j, bv := range bq {
				row[j] = fma(bv, av, row[j])
			}
		}
	}
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	for i := range mr {
		crow := cs[i*ldc : i*ldc+nr]
		for j := range crow {
			v := T(alpha * acc[i*nr+j])
			if load != 0 {
				v = fma(crow[j], beta, v)
			}
			crow[j] = v
		}
	}
}

// fma is x·y + z rounded once, as VFMADD231PS/PD compute it.
func fma[T float](x, y, z T) T {
	if unsafe.Sizeof(x) == 4 {
		return T(fma32(float32(x), float32(y), float32(z)))
	}
	return T(math.FMA(float64(x), float64(y), float64(z)))
}

// goKernelS and goKernelD are goKernel for the float32 and float64 tiles.
func goKernelS(k int, a, b, c *float32, ldc int, alpha, beta float32, load int) {
	goKernel(k, a, b, c, ldc, alpha, beta, load, 16)
}

func goKernelD(k int, a, b, c *float64, ldc int, alpha, beta float64, load int) {
	goKernel(k, a, b, c, ldc, alpha, beta, load, 8)
}

// goFMALoop is the pure-Go twin of fmaLoop: n iterations of 12
// independent 8-lane multiply-adds, unvectorized.
func goFMALoop(n int) {
	var acc [12 * 8]float32
	x, y := float32(1e-7), float32(1e-7)
	for range n {
		for i := range acc {
			acc[i] += x * y
		}
	}
	sink = acc[0]
}

var sink float32

// goScanBelow is the pure-Go twin of scanBelow (len(x) a multiple of 8).
func goScanBelow(x []float32, thr float32) int {
	for i := 0; i < len(x); i += 8 {
		for _, v := range x[i : i+8] {
			if !(v >= thr) {
				return i
			}
		}
	}
	return len(x)
}

// fma32 is a float32 fused multiply-add, a·b + c rounded once, as
// VFMADD231PS computes it. The product is exact in float64, so
// math.FMA's float64 result has been rounded once; rounding it again to
// float32 is correct unless it landed exactly halfway between two float32s
// or in their subnormal range, where fma32Odd decides.
func fma32(a, b, c float32) float32 {
	s := math.FMA(float64(a), float64(b), float64(c))
	if math.Float64bits(s)&(1<<29-1) != 1<<28 && math.Abs(s) >= 0x1p-126 {
		return float32(s)
	}
	return fma32Odd(a, b, c)
}

// fma32Odd is fma32 done the slow, always correct way: the sum is rounded
// to odd in float64 (rounded to nearest, then moved to the odd neighbour
// when inexact), and rounding that to float32 is then correct.
func fma32Odd(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b)) // exact: 24+24 bits
	s := p + float64(c)
	if s-s != 0 { // ±Inf or NaN
		return float32(s)
	}
	// TwoSum: e is the exact error of s.
	bb := s - p
	e := (p - (s - bb)) + (float64(c) - bb)
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 {
		// The odd neighbour towards the exact sum (s is not 0 here:
		// a sum that rounds to 0 is exact).
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

// goArgminKernelS is the pure-Go twin of argminKernelS (see argKernel),
// bit for bit: the same fused multiply-adds in the same order, then
// alpha·acc and + bias each rounded.
func goArgminKernelS(k int, a, b *float32, alpha float32, bias, thr, tile *float32, lanes *uint16) int {
	as := unsafe.Slice(a, k*mr)
	bs := unsafe.Slice(b, k*16)
	var acc [mr * 16]float32
	for q := range k {
		bq := bs[q*16 : q*16+16]
		for i, av := range as[q*mr : q*mr+mr] {
			row := acc[i*16 : i*16+16]
			for j, bv := range bq {
				row[j] = fma(bv, av, row[j])
			}
		}
	}
	bv, th, ln := unsafe.Slice(bias, 16), unsafe.Slice(thr, mr), unsafe.Slice(lanes, mr)
	mask := 0
	for i := range mr {
		ln[i] = 0
		for j := range 16 {
			d := float32(alpha*acc[i*16+j]) + bv[j]
			acc[i*16+j] = d
			if d < th[i] {
				ln[i] |= 1 << j
				mask |= 1 << i
			}
		}
	}
	if mask != 0 {
		copy(unsafe.Slice(tile, mr*16), acc[:])
	}
	return mask
}
