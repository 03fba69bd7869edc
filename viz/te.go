package viz

import (
	"strings"

	"github.com/somgraph/somgraph/graph"
)

// labelTE states the topographic-error convention of cfg (which grid
// neighbours count as adjacent, graph.Config.TEConvention) in the title and
// the axis of every TE chart among cs.
func labelTE(cs []*CurveChart, cfg graph.Config) {
	for _, c := range cs {
		if c.YLabel == "TE" {
			c.Title += ", " + cfg.TEConvention()
			c.YLabel = strings.ToUpper(cfg.TELabel())
		}
	}
}
