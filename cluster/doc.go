// Package cluster groups the units of a trained map into clusters and
// describes them: which cluster each record belongs to (its best-matching
// unit's), and what each cluster is, decoded to the original features.
//
// Clustering runs on the codebook, not on the records: a map of K units
// (hundreds to a few thousand) makes Ward's O(K²) work and k-means cheap.
// Units are weighted by their hit counts when given (Options.Weights), so a
// unit that stands for many records pulls harder than one that stands for
// few; units without hits get a tiny weight, so they join the cluster
// around them without moving it.
//
// # Methods
//
//   - Ward: agglomerative clustering that merges, at each step, the two
//     clusters whose union increases the within-cluster sum of squares
//     the least.
//   - WardContiguous: the same, but only clusters that touch on the grid
//     may merge (graph.Grid adjacency, hexagonal and toroidal grids
//     included), so every cluster is a connected region of the map.
//   - KMeans: Lloyd's algorithm with k-means++ seeding, several seeded
//     restarts, the lowest cost kept.
//
// Both Ward methods keep the whole merge tree (a Linkage), so every k is a
// Cut of it without clustering again.
//
// # Choosing k
//
// With Options.K = 0, Fit tries every k in [MinK, MaxK] and keeps the one
// with the highest (weighted) silhouette on the codebook; the
// Davies–Bouldin index is computed beside it, and the whole curve is in
// Result.Criteria. Stability clusters the map again on bootstrap
// resamples of its units and reports the mean adjusted Rand index between
// the runs, per k.
//
// # Results
//
// A Result holds a label per unit; RecordLabels gives each record the label
// of its best-matching unit, and Profiles describes each cluster in the
// original units and categories (mean, spread and quantiles of continuous
// features, level shares of categorical ones, the target's distribution),
// with WriteProfilesCSV to write them as a table. A Result round-trips
// through encoding/json (the model file stores it), validating on decode.
package cluster
