// Package fused holds one switch of the graph package: whether
// graph.Map.NewForward and NewSearch may build the fused BMU search
// (graph.NearestUnits: distances and argmin in one kernel) where it gives
// the same BMUs as the distance node followed by the argmin node.
//
// It is on by default and exists so that tests in other packages (the
// trainer's, the command's) can build the unfused graph on the same map and
// compare the two. Programs leave it alone.
package fused

import "sync/atomic"

var off atomic.Bool

// Enabled reports whether the fused search may be used.
func Enabled() bool { return !off.Load() }

// Set turns the fused search on or off for graphs built from now on (a
// graph already compiled keeps its search) and returns the previous
// setting.
func Set(on bool) (was bool) { return !off.Swap(!on) }
