// Package fused holds one switch of the graph package: when
// graph.Map.NewForward and NewSearch build the fused BMU search
// (graph.NearestUnits: distances and argmin in one kernel) instead of the
// distance node followed by the argmin node.
//
// Programs leave it at Auto. It exists so that tests in other packages
// (the trainer's, the command's) can build both graphs on the same map and
// compare them: Off forces the unfused graph, Always the fused op even
// where internal/gemm runs it without the fused assembly kernel (its
// results are then the same, through Sgemm and a scan).
package fused

import "sync/atomic"

// Mode says when the graph uses the fused search.
type Mode int32

const (
	// Auto uses it where gemm.ArgminFused holds for the map's dimension
	// (a float32 Euclidean map without layers or missing values).
	Auto Mode = iota
	// Off never uses it.
	Off
	// Always uses it for every float32 Euclidean map without layers or
	// missing values.
	Always
)

var mode atomic.Int32

// Get returns the current mode.
func Get() Mode { return Mode(mode.Load()) }

// Set sets the mode for graphs built from now on (a graph already compiled
// keeps its search) and returns the previous one.
func Set(m Mode) (prev Mode) { return Mode(mode.Swap(int32(m))) }
