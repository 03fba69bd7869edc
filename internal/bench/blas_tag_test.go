//go:build !openblas

package bench

import (
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/internal/gemm"
)

// wantBLAS is the default build's back end: the assembly GEMM where the
// CPU has it, else gonum's pure Go.
var wantBLAS = map[bool]string{true: graph.GemmAsmName, false: "gonum (pure Go)"}[gemm.Asm()]

// isWantImpl reports whether impl is the back end this build should use.
func isWantImpl(impl any) bool {
	_, ok := impl.(gemm.Implementation)
	return ok
}
