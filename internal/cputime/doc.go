// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU next to wall time (somgraph bench --ingest, the cluster
// benchmarks). It reads getrusage on Unix and reports 0 elsewhere.
package cputime
