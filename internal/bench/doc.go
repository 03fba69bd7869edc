// Package bench measures how close somgraph's training comes to the
// machine's floor, and holds what `somgraph bench` needs to say so.
//
// The floor of an epoch is its best-matching-unit search done as cheaply
// as the machine allows: for float32 where the trainer's graph runs the
// fused search (internal/gemm's ArgminNT: distances and argmin in one
// kernel), that kernel over the N×K×D search; otherwise one GEMM of shape
// (N×D)·(D×K) through the BLAS that Gorgonia uses (SGEMM for float32,
// DGEMM for float64), plus one pass over its N×K result for each row's
// minimum, which the fused floor also measures as a reference (see
// [Floor]). [NewFloor] measures it in the same process, in chunks of the
// trainer's batch size, so the N×K matrix is never held whole. The package also generates clustered data
// from a seed ([Clustered]), samples the peak heap while training runs
// ([StartHeap]), and turns the timings of a run into a [Result] printed as
// a table or JSON.
package bench
