package hugemem

import "unsafe"

// minAdvise is the smallest buffer, in bytes, that is advised: below
// two huge pages the advice would cover at most one.
const minAdvise = 4 << 20

// Float64s returns make([]float64, n, c), its pages advised huge when it
// is large. It panics as make does when n > c or c < 0.
func Float64s(n, c int) []float64 {
	s := make([]float64, n, c)
	if c*8 >= minAdvise {
		advise(unsafe.Pointer(unsafe.SliceData(s)), uintptr(c)*8)
	}
	return s
}

// Bytes returns make([]byte, n, c), its pages advised huge when it is
// large. It panics as make does when n > c or c < 0.
func Bytes(n, c int) []byte {
	s := make([]byte, n, c)
	if c >= minAdvise {
		advise(unsafe.Pointer(unsafe.SliceData(s)), uintptr(c))
	}
	return s
}
