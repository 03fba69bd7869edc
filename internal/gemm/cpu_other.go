//go:build !amd64 || purego

package gemm

// useAsm is false: without the amd64 assembly the products are gonum's.
const useAsm = false

// The pure-Go twins stand in for the assembly kernels, so the packed
// driver builds (and is tested) everywhere.
var (
	kernelS   = goKernelS
	kernelD   = goKernelD
	fmaLoop   = goFMALoop
	scanBelow = goScanBelow
)

// useArgminAsm is false: ArgminNT multiplies with Sgemm and scans.
const useArgminAsm = false

var argminKernelS argKernel = goArgminKernelS
