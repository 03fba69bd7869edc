package hugemem

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on the architectures
// Go runs Linux on with 4 KiB base pages (x86-64, arm64 with 4 KiB pages).
const hugePage = 2 << 20

// advise asks the kernel to back the whole huge pages inside [p, p+n)
// with huge pages. The advice is best effort: an error (a kernel without
// transparent huge pages) changes nothing and is ignored.
func advise(p unsafe.Pointer, n uintptr) {
	lo := (uintptr(p) + hugePage - 1) &^ (hugePage - 1)
	hi := (uintptr(p) + n) &^ (hugePage - 1)
	if hi <= lo {
		return
	}
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, lo-uintptr(p))), hi-lo), syscall.MADV_HUGEPAGE)
}
