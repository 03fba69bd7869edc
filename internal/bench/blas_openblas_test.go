//go:build openblas

package bench

import "gonum.org/v1/netlib/blas/netlib"

const wantBLAS = "openblas"

// isWantImpl reports whether impl is the back end this build should use.
func isWantImpl(impl any) bool {
	_, ok := impl.(netlib.Implementation)
	return ok
}
