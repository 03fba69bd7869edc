package hugemem

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags of the mapping of this process holding addr,
// from /proc/self/smaps.
func vmFlags(t *testing.T, addr uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && !strings.Contains(line[:strings.IndexByte(line, ' ')], ":") {
			in = lo <= addr && addr < hi
			continue
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return flags
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return ""
}

// TestAdvised checks on Linux that a large buffer's whole huge pages are
// advised huge (smaps flag "hg") and that a small one is left alone.
func TestAdvised(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("the kernel has no transparent huge pages")
	}
	big := Float64s(0, 3*hugePage/8+1)
	bb := Bytes(3*hugePage-1, 3*hugePage-1)
	for _, b := range []struct {
		p    unsafe.Pointer
		size uintptr
	}{{unsafe.Pointer(unsafe.SliceData(big)), uintptr(cap(big)) * 8}, {unsafe.Pointer(unsafe.SliceData(bb)), uintptr(cap(bb))}} {
		if uintptr(b.p)%hugePage != 0 {
			t.Errorf("large buffer at %#x: not on a huge page", b.p)
		}
		for _, at := range []uintptr{0, b.size / 2, b.size - 1} {
			if flags := vmFlags(t, uintptr(b.p)+at); !strings.Contains(flags, " hg") {
				t.Errorf("large buffer at %#x, byte %d: VmFlags %q lack hg", b.p, at, flags)
			}
		}
	}
	small := Float64s(0, 1<<10)
	if flags := vmFlags(t, uintptr(unsafe.Pointer(unsafe.SliceData(small)))); strings.Contains(flags, " hg") {
		t.Errorf("small buffer advised: VmFlags %q", flags)
	}
	runtime.KeepAlive(big)
	runtime.KeepAlive(bb)
}
