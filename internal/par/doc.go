// Package par splits somgraph's own loops (the distance fill, the argmin,
// norms, per-unit sums, updates, batch gathering) over the cores they may
// use.
//
// That is every core the Go runtime has (GOMAXPROCS), less the cores
// OpenBLAS keeps busy in a build with -tags openblas: OpenBLAS's worker
// threads busy-wait for a while after every call, so a Go worker placed on
// their core only slows both down. On the 2-core machines somgraph is
// benchmarked on, an OpenBLAS build therefore runs these loops on one
// goroutine while OpenBLAS's two threads run the matrix products; that
// measured faster than splitting them (see the README's Performance
// section).
package par
