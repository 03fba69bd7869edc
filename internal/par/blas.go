//go:build !openblas

package par

// blasBusy is the number of cores the BLAS keeps busy between calls
// beyond the calling thread's: none for gonum's pure-Go BLAS, whose
// goroutines return to the Go scheduler when a product ends.
const blasBusy = 0
