package main

import "github.com/somgraph/somgraph/internal/cputime"

// cpuSeconds returns the CPU time the process has used, in seconds (0
// where it cannot be read).
func cpuSeconds() float64 { return cputime.Used().Seconds() }
