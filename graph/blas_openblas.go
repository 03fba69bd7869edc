//go:build openblas

package graph

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
)

// init switches every BLAS the module uses to OpenBLAS through gonum's
// netlib cgo wrapper: gorgonia's graph ops (gorgonia.Use also switches
// tensor's engine) and gonum's blas32 and blas64, which the rest of the
// module and gonum/mat use for their own products.
//
// Build and test with:
//
//	CGO_LDFLAGS=-lopenblas go test -tags openblas ./...
//
// Gorgonia's own blase wrapper is not used: it gave wrong results and
// deadlocked when prototyped.
func init() {
	impl := netlib.Implementation{}
	gorgonia.Use(impl)
	blas32.Use(impl)
	blas64.Use(impl)
	blasName = "openblas"
}
