//go:build !openblas

package bench

import (
	"gonum.org/v1/gonum/blas/gonum"
)

const wantBLAS = "gonum (pure Go)"

// isWantImpl reports whether impl is the back end this build should use.
func isWantImpl(impl any) bool {
	_, ok := impl.(gonum.Implementation)
	return ok
}
