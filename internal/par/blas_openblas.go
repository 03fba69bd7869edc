//go:build openblas

package par

// int openblas_get_num_threads(void);
import "C"

// blasBusy is the number of cores OpenBLAS keeps busy between calls beyond
// the calling thread's: its other worker threads, which spin waiting for
// the next product (OPENBLAS_NUM_THREADS sets how many there are).
var blasBusy = max(0, int(C.openblas_get_num_threads())-1)
