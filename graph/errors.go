package graph

import "errors"

// Sentinel errors. Every error the package returns for something a
// caller's data or options can cause wraps one of them (or a Grid's,
// Config's or MixedLayout's own validation message), so that a caller can
// test it with errors.Is and keep the message for people.
var (
	// ErrShape: a batch, codebook, data slice or node has the wrong shape
	// or length for the map or graph it meets.
	ErrShape = errors.New("graph: wrong shape")
	// ErrDtype: a tensor's element type is not the map's (float32 or
	// float64), or a node's type does not fit an op.
	ErrDtype = errors.New("graph: wrong dtype")
	// ErrSigma: a neighbourhood radius σ that is not a finite number > 0.
	ErrSigma = errors.New("graph: sigma must be a finite number > 0")
	// ErrAlpha: a learning rate α that is NaN or infinite.
	ErrAlpha = errors.New("graph: alpha must be a finite number")
	// ErrNotFinite: data or weights holding NaN or ±Inf.
	ErrNotFinite = errors.New("graph: value is not finite")
	// ErrOtherMap: a Stats, Forward or MetricsAcc used with another map
	// than the one that made it.
	ErrOtherMap = errors.New("graph: belongs to another map")
	// ErrDistance: an operation that needs another distance than the
	// map's (the distortion from per-unit sums needs Euclidean).
	ErrDistance = errors.New("graph: not available for this distance")
	// ErrUnit: a unit index outside the map (for example a BMU ≥ K).
	ErrUnit = errors.New("graph: unit index outside the map")
	// ErrLayers: layers that do not cover the map's columns as contiguous
	// blocks, a layer weight that is not a finite number > 0, a layer
	// distance that cannot serve, or a non-informative layer.
	ErrLayers = errors.New("graph: invalid layers")
	// ErrMissing: a record with no feature present (all NaN) on a map
	// with Config.Missing, or an operation that does not support missing
	// values yet.
	ErrMissing = errors.New("graph: missing values")
)
