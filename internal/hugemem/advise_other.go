//go:build !linux

package hugemem

import "unsafe"

// advise does nothing where huge pages are not asked for with madvise.
func advise(unsafe.Pointer, uintptr) {}
