package main

import (
	"fmt"
	"io"
)

// runBench stands in for the bench command until cmd/somgraph/bench.go
// (the performance engineer's) lands; delete this file then.
func runBench(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "somgraph bench: not available in this build yet")
	return exitFail
}
