// Package graph is the self-organizing map itself: the grid of units, the
// K×D codebook tensor, the forward pass as a Gorgonia expression graph, the
// weight updates, the initializers and the quality metrics.
//
// # What is inside the graph
//
// A mini-batch training step is one run of one Gorgonia graph by a tape
// machine (Map.NewForward, Forward.Run). For a batch X (B×D) and the live
// codebook W (K×D) it computes
//
//	dist  = ReducedDistances(X, W)           B×K  ‖w_k‖² − 2·x_b·w_k (one GEMM); Distances, MixedDistances for the other metrics
//	bmu   = Argmin(dist)                     B    a custom op, ties to the lowest unit
//	  or  = NearestUnits(X, W)               B    both in one kernel (float32 Euclidean, see below)
//	units = Distinct(bmu)                    U    the batch's distinct BMUs, U = min(B, K), padded with −1
//	sums  = BMUSums(X, W, bmu, units)        U×(D+2)  per BMU: Σx, count, Σ‖x‖²; also the exact distance to each BMU
//	hood  = Neighborhoods(units, σ)          U×K  h(gridDist(units[i], k), σ), gathered from a per-σ table over grid offsets
//	num   = WeightedSums(units, hood, sums)  K×(D+2)  Σ_b H[b,k]·[x_b, 1, ‖x_b‖²] as one GEMM over the distinct BMUs
//
// For a float32 Euclidean map without layers or missing values the first
// two nodes are one, NearestUnits (the op SOMDistanceArgmin): internal/gemm's
// fused kernel computes ‖w_k‖² − 2·x_b·w_k for a block of records and units
// in registers and keeps only each record's best and second-best unit and
// value, so the B×K matrix is never written and read back. Its sums are
// bit for bit those of the two nodes' GEMM (where gemm.ArgminFused(D)
// holds; the graph keeps the two nodes elsewhere), so it finds the same
// units, with the same ties. The OpenBLAS build uses it too: the kernel is
// not BLAS, and its units are those of the default build. Forward.Distances
// computes the matrix on demand for a caller that needs every distance;
// Evaluate, whose distortion reads them all, searches with the two nodes.
//
// σ is a scalar input; the graph is compiled once per batch size and run
// again for every batch, allocating nothing that grows with the data. A
// contiguous batch is bound to the graph's input as it is, without a copy.
// The neighbourhood rows are those of the batch's distinct BMUs: the B×K
// matrix H of every record has the row of its BMU, and grouping by BMU
// makes the neighbourhood and the update cost (distinct BMUs)·K·D instead
// of B·K·D.
//
// In Batch mode (Kohonen's batch SOM) the codebook changes once per epoch:
// every batch runs the search part of the graph (Map.NewSearch: dist to
// sums) and adds its per-BMU sums to a Stats (Forward.SearchInto); at the
// end of the epoch the Stats' own update graph (Stats.Graph),
//
//	hood  = Neighborhoods(units, σ)                min(256, K)×K
//	num   = WeightedSums(units, hood, sums, β)     K×(D+2)
//
// runs once per block of 256 of the epoch's distinct BMUs (β = 1 adds each
// block to the last), so the neighbourhood of the update is computed by
// the graph there too, once per epoch rather than once per batch: the
// update needs it for the epoch's distinct BMUs only.
//
// # What is outside the graph
//
// Only the arithmetic of the update rule, applied to the codebook tensor in
// place from num = [N, den, qden]:
//
//	mini-batch (fastsom):  w_k += α/B·(N_k − den_k·w_k)   Forward.UpdateMiniBatch, Stats.Apply(MiniBatchRule(α), σ)
//	batch (Kohonen):       w_k  = N_k / den_k             Stats.Apply(BatchRule(), σ)
//
// (Map.UpdateBatch and Map.UpdateMiniBatch are Stats.Apply with the map
// checked.) Stats is the epoch statistics type: Add (or Forward.SearchInto),
// Merge — also across machines, through MarshalBinary — and Apply; the
// in-process batch mode and the distributed one of beam/ run the same three.
// in the same pass as the SOM energy of the batch against the codebook it
// replaces, Σ_k (qden_k + den_k·‖w_k‖² − 2·w_k·N_k) (Stats.DistortionBefore,
// the return value of Forward.UpdateMiniBatch). The metrics (Evaluate,
// MetricsAcc) read the search's outputs and evaluate the neighbourhood
// function themselves for the distortion of the non-Euclidean distances;
// that is measurement, not training.
//
// # Errors and panics
//
// Anything a caller's data or options can cause returns an error: a batch
// or data of the wrong shape or dtype, NaN or infinite values, σ or α out
// of range, a BMU outside the map, a Stats of another map. Such errors wrap
// one of the sentinel errors (ErrShape, ErrDtype, ErrSigma, ErrAlpha,
// ErrNotFinite, ErrOtherMap, ErrDistance, ErrUnit, ErrLayers,
// ErrMissing, ErrRule, ErrStatsShape) for errors.Is, as
// gonum's mat and encoding/csv do. Only programmer errors inside a
// program's own wiring may panic, as gonum's do: a MetricsAcc given a
// Forward of another map, or a Neighborhood value outside the constants.
//
// # Layers
//
// Config.Layers splits a map's columns into named layers (contiguous
// blocks), each with its own distance (Euclidean as the sum of squares,
// Cosine, Manhattan, Mixed, or Tanimoto for one-hot class layers) and
// weight, as R's kohonen supersom does; the graph's distance op
// (LayeredDistances) then computes the weighted sum of the layer
// distances, Σ_l e_l·d_l with e_l = Weight_l·Scale_l / Σ_m Weight_m·Scale_m.
// That is kohonen's weighting: its supersom normalises the user weights to
// sum 1, multiplies them by per-layer distance weights and normalises
// again; with normalizeDataLayers = TRUE (its default) the distance weight
// of a layer is 1 / the mean distance between the initial codebook vectors
// in that layer, which NormalizeLayers computes into Layer.Scale. The
// layers are construction-time parameters of the op (its String and hash
// name them all). The updates are feature-wise and do not change with the
// layers. A layered map's MinDist and QE are the layered distance itself
// (no square root), and the distortion from per-unit sums (Stats) is not
// available: MetricsAcc measures it from the distance matrix. Without
// Layers a map is exactly the one-distance map described above.
//
// # Missing values
//
// With Config.Missing records may hold NaN for missing values, as R's
// kohonen allows, without imputing them: each layer's distance uses the
// present features only, scaled to the layer's width as kohonen scales it
// (sum of squares and Manhattan × width/present, Tanimoto over the present
// columns, cosine over the present features); a layer with no present
// feature drops out and the other layers' weights are renormalised; a
// record with no feature present is an error (ErrMissing) naming its row.
// Initialize sees each missing value replaced by its feature's mean over
// the present values. A map without Layers is one layer of its Distance. The per-BMU sums
// (BMUSums) then skip NaN and carry D more columns, each unit's count of
// records holding each feature; the neighbourhood-weighted sums carry
// them through the same GEMM, and both update rules use each feature's
// own weight,
//
//	mini-batch:  w_kf += α/B·(N_kf − den_kf·w_kf)    batch:  w_kf = N_kf / den_kf
//
// so a unit's absent features are untouched by a record. The Mixed
// distance does not support missing values.
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
