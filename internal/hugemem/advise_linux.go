package hugemem

import (
	"syscall"
	"unsafe"
)

// advise asks the kernel to back [p, p+n), whole huge pages, with huge
// pages. The advice is best effort: an error (a kernel without
// transparent huge pages) changes nothing and is ignored.
func advise(p unsafe.Pointer, n uintptr) {
	_ = syscall.Madvise(unsafe.Slice((*byte)(p), n), syscall.MADV_HUGEPAGE)
}
