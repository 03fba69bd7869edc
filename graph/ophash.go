package graph

import (
	"fmt"
	"hash/fnv"
)

// opHash is the Hashcode of an op whose String names every parameter
// (Gorgonia merges nodes whose op and inputs hash alike).
func opHash(op fmt.Stringer) uint32 {
	h := fnv.New32a()
	fmt.Fprint(h, op.String())
	return h.Sum32()
}
