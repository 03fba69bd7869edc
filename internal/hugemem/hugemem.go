package hugemem

import "unsafe"

// minAdvise is the smallest buffer, in bytes, that is advised.
const minAdvise = 4 << 20

// hugePage is the size of a transparent huge page on the architectures
// Go runs Linux on with 4 KiB base pages (x86-64, arm64 with 4 KiB pages).
const hugePage = 2 << 20

// Float64s returns make([]float64, n, c), its pages advised huge when it
// is large. It panics as make does when n > c or c < 0.
func Float64s(n, c int) []float64 {
	if n > c || c*8 < minAdvise {
		return make([]float64, n, c)
	}
	size := roundUp(c * 8)
	s := make([]float64, (size+hugePage)/8)
	off := start(unsafe.Pointer(unsafe.SliceData(s)), size) / 8
	return s[off : off+n : off+c]
}

// Bytes returns make([]byte, n, c), its pages advised huge when it is
// large. It panics as make does when n > c or c < 0.
func Bytes(n, c int) []byte {
	if n > c || c < minAdvise {
		return make([]byte, n, c)
	}
	size := roundUp(c)
	s := make([]byte, size+hugePage)
	off := start(unsafe.Pointer(unsafe.SliceData(s)), size)
	return s[off : off+n : off+c]
}

// roundUp rounds n bytes up to whole huge pages.
func roundUp(n int) int { return (n + hugePage - 1) &^ (hugePage - 1) }

// start advises the size bytes (whole huge pages) from the first huge page
// boundary at or after p, and returns the boundary's offset from p. The
// buffers are allocated a huge page longer than they are used, so that
// every page they use is a whole huge page of their own; the part before
// the boundary and after the buffer's capacity is never touched, and
// costs no memory. (A large Go allocation starts on an 8 KiB page, so the
// offset is a multiple of 8 bytes.)
func start(p unsafe.Pointer, size int) int {
	off := int(-uintptr(p) & (hugePage - 1))
	advise(unsafe.Add(p, off), uintptr(size))
	return off
}
