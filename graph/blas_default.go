//go:build !openblas

package graph

import (
	"github.com/somgraph/somgraph/internal/gemm"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
)

// init makes every BLAS the module uses gemm.Implementation: gonum's
// pure-Go BLAS whose GEMMs run internal/gemm's AVX2/FMA assembly kernels on
// CPUs that have them (and gonum's GEMM elsewhere or with -tags purego).
// It serves gorgonia's graph (gorgonia.Use also switches tensor's engine)
// and gonum's blas32 and blas64.
func init() {
	impl := gemm.Implementation{}
	G.Use(impl)
	blas32.Use(impl)
	blas64.Use(impl)
	if gemm.Asm() {
		blasName = GemmAsmName
	}
}
