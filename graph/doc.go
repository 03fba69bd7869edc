// Package graph is the self-organizing map itself: the grid of units, the
// K×D codebook tensor, the forward pass as a Gorgonia expression graph, the
// weight updates applied outside autodiff, the initializers and the quality
// metrics.
//
// # The forward graph
//
// For a batch X (B×D) a Forward computes, in one Gorgonia graph run by a
// tape machine,
//
//	dist[b,k] = d(x_b, w_k)              Distances: one GEMM for Euclidean and cosine
//	bmu[b]    = argmin_k dist[b,k]       Argmin: a custom op, ties to the lowest unit
//	H[b,k]    = h(gridDist(bmu[b], k), σ) Neighborhoods: gathered from a per-σ table
//	step      = α / B
//
// α and σ are scalar inputs of the graph; the graph is compiled once per
// batch size and re-run for every batch. A contiguous batch is bound to the
// graph's input as it is, without a copy.
//
// # Updates
//
// UpdateMiniBatch (fastsom's rule, w_k += α/B·Σ_b H[b,k](x_b − w_k)) and
// UpdateBatch (Kohonen's batch rule, w_k = Σ H x / Σ H) both work from
// per-BMU sums collected in a Stats, so their cost grows with the number of
// distinct best-matching units, not with the batch size. One matrix product
// gives every unit's neighbourhood-weighted sum, weight and squared norm,
// from which an update also measures, at O(K·D) extra cost, the distortion
// of its records against the codebook it replaces (Stats.DistortionBefore).
// Forward.SearchInto fills a Stats in the same pass over the batch that
// computes the exact distances to the best-matching units.
//
// # Grids
//
// A Grid is rectangular or hexagonal, planar or toroidal. Unit k sits at row
// k / Cols and column k % Cols. On a hexagonal grid odd rows are shifted
// right by ½ and rows are √3/2 apart, so every neighbour is at distance 1.
//
// # Topographic error: which units are neighbours
//
// The topographic error (Metrics.TE) is the share of records whose best
// and second-best units are not adjacent on the grid. Libraries disagree
// on "adjacent": somgraph counts, by default, the 4 edge neighbours of a
// unit on a rectangular grid and the 6 on a hexagonal one; MiniSom counts
// the 8 around a unit (edges and diagonals), so on the same iris codebook
// somgraph reports TE 0.127 where MiniSom reports 0.0. Config.TENeighbors
// = 8 gives MiniSom's convention on a rectangular grid (see TEAdjacent);
// Config.TELabel ("te(4)", "te(8)", "te(6)") names the convention, and
// logs and charts print it beside every TE value.
package graph
