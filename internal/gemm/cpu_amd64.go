//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// useAsm is set once: the assembly kernels need AVX2 and FMA.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useArgminAsm: ArgminNT's fused kernel (argminKernelS) needs the same.
var useArgminAsm = useAsm
