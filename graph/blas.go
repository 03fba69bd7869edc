package graph

// blasName names the BLAS back end that gorgonia, tensor and gonum's
// blas32/blas64 use. The default build uses gonum's pure-Go
// implementation; building with -tags openblas (see blas_openblas.go)
// replaces it with OpenBLAS through cgo and renames it here.
var blasName = "gonum (pure Go)"

// BLAS names the BLAS back end that every matrix product of the package
// goes through: "gonum (pure Go)" by default, or "openblas" in a build
// with -tags openblas (which needs libopenblas-dev and
// CGO_LDFLAGS=-lopenblas). The same back end serves gorgonia's graph,
// tensor's MatMul and gonum's blas32/blas64 packages, so a measurement
// made through any of them measures the same code.
func BLAS() string { return blasName }
