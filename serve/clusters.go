package serve

import "github.com/somgraph/somgraph/trainer"

// modelClusters returns the cluster of every unit stored in the model, or
// nil when the model has none.
func modelClusters(md *trainer.Model, k int) []int {
	return nil
}
