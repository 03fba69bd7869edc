package graph

// blasName names the BLAS back end that gorgonia, tensor and gonum's
// blas32/blas64 use. The default build uses internal/gemm's assembly GEMM
// where the CPU has AVX2 and FMA (blas_default.go renames it then) and
// gonum's pure-Go BLAS otherwise; building with -tags openblas (see
// blas_openblas.go) replaces both with OpenBLAS through cgo.
var blasName = "gonum (pure Go)"

// GemmAsmName is what BLAS returns when the products run internal/gemm's
// AVX2/FMA assembly kernels.
const GemmAsmName = "gemm (Go assembly, AVX2/FMA)"

// BLAS names the BLAS back end that every matrix product of the package
// goes through: GemmAsmName in the default build on amd64 CPUs with AVX2
// and FMA, "gonum (pure Go)" on other CPUs or with -tags purego, or
// "openblas" in a build with -tags openblas (which needs libopenblas-dev
// and CGO_LDFLAGS=-lopenblas). The same back end serves gorgonia's graph,
// tensor's MatMul and gonum's blas32/blas64 packages, so a measurement
// made through any of them measures the same code.
func BLAS() string { return blasName }
