package gemm_test

import (
	"fmt"

	"github.com/somgraph/somgraph/internal/gemm"
)

// ExampleArgminNT finds each record's best-matching unit the way the BMU
// search does: with alpha −2 and each unit's squared norm as the bias,
// d = ‖w‖² − 2·x·w, which orders the units as the squared distance
// ‖x − w‖² does.
func ExampleArgminNT() {
	x := []float32{0, 0, 1, 1, 5, 5}       // 3 records of 2 values
	w := []float32{0, 0, 1, 0, 1, 1, 4, 4} // 4 units
	bias := []float32{0, 1, 2, 32}         // ‖w_j‖²
	best, second := make([]int, 3), make([]int, 3)
	bestVal, secondVal := make([]float32, 3), make([]float32, 3)
	gemm.ArgminNT(3, 4, 2, -2, x, 2, w, 2, bias, best, second, bestVal, secondVal)
	for i := range best {
		fmt.Printf("record %d: best unit %d (%g), second %d (%g)\n", i, best[i], bestVal[i], second[i], secondVal[i])
	}
	// Output:
	// record 0: best unit 0 (0), second 1 (1)
	// record 1: best unit 2 (-2), second 1 (-1)
	// record 2: best unit 3 (-48), second 2 (-18)
}
