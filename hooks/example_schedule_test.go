package hooks_test

import (
	"fmt"

	"github.com/somgraph/somgraph/hooks"
)

// ThreePhase over 7 epochs: phases of 1, 4 and 2 epochs, with the batch
// size halved and then cut to a sixth.
func ExampleThreePhase() {
	plan, err := hooks.ThreePhase().Plan(7, 0.6, 5, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	for e, v := range plan {
		fmt.Printf("epoch %d: alpha %.2f sigma %.3f batch %d\n", e, v.Alpha, v.Sigma, v.BatchSize)
	}
	// Output:
	// epoch 0: alpha 0.60 sigma 5.000 batch 64
	// epoch 1: alpha 0.30 sigma 5.000 batch 32
	// epoch 2: alpha 0.30 sigma 3.667 batch 32
	// epoch 3: alpha 0.30 sigma 2.333 batch 32
	// epoch 4: alpha 0.30 sigma 1.000 batch 32
	// epoch 5: alpha 0.10 sigma 1.000 batch 10
	// epoch 6: alpha 0.10 sigma 1.000 batch 10
}

// PhaseLengths never loses an epoch to rounding.
func ExamplePhaseLengths() {
	for _, n := range []int{1, 2, 3, 7, 25} {
		l, _ := hooks.PhaseLengths(n, 16, 50, 34)
		fmt.Println(n, l)
	}
	// Output:
	// 1 [0 1 0]
	// 2 [0 1 1]
	// 3 [1 1 1]
	// 7 [1 4 2]
	// 25 [4 13 8]
}

// ParseSchedule maps the CLI's --schedule names to hooks.
func ExampleParseSchedule() {
	h, err := hooks.ParseSchedule("two-phase")
	fmt.Println(h.Name(), h.Order() == hooks.OrderSchedule, err)
	_, err = hooks.ParseSchedule("cosine")
	fmt.Println(err)
	// Output:
	// two-phase true <nil>
	// hooks: unknown schedule "cosine"; want one of linear, linear-to-one, two-phase, three-phase, exponential, asymptotic, constant
}
