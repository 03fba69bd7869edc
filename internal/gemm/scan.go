package gemm

// ScanBelow returns the offset of the first whole block x[i:i+8] (i a
// multiple of 8, i+8 ≤ len(x)) that holds a value v with !(v >= thr) —
// smaller than thr, or NaN — or len(x) rounded down to a multiple of 8
// when no block does. The BMU search's argmin uses it to skip the blocks
// that cannot change its best and second best: with the assembly it
// compares 32 values per step.
func ScanBelow(x []float32, thr float32) int {
	if !useAsm {
		return goScanBelow(x[:len(x)&^7], thr)
	}
	return scanBelow(x[:len(x)&^7], thr)
}
