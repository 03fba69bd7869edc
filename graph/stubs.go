package graph

import (
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// TEMPORARY: signatures being implemented.

type tableCache struct{}

func newTableCache(m *Map) *tableCache { return &tableCache{} }

// Metrics are the quality measures of a map on a dataset.
type Metrics struct {
	// QE is the quantization error: the mean distance from each record to
	// its best-matching unit (Euclidean distance, not squared, for the
	// Euclidean metric).
	QE float64
	// TE is the topographic error: the share of records whose best and
	// second-best units are not grid neighbours, in [0, 1].
	TE float64
	// Distortion is the SOM energy: the mean over records of
	// Σ_k h(grid(bmu, k), σ)·d(x, w_k)², with d the map's distance.
	Distortion float64
	// DeadUnits is the share of units that are no record's best match.
	DeadUnits float64
}

// Forward is the compiled forward graph for batches of one size.
type Forward struct{}

// NewForward compiles the forward graph for batches of exactly batch records.
func (m *Map) NewForward(batch int) (*Forward, error) { panic("todo") }

// Run runs the graph on x (batch×D, the map's dtype) with learning rate alpha and radius sigma.
func (f *Forward) Run(x *tensor.Dense, alpha, sigma float64) error { panic("todo") }

// BMU returns each record's best-matching unit (valid until the next Run).
func (f *Forward) BMU() []int { panic("todo") }

// MinDist returns each record's distance to its BMU.
func (f *Forward) MinDist() []float64 { panic("todo") }

// Stats accumulates per-BMU sums for the update.
type Stats struct{}

// NewStats returns empty per-BMU sums for m.
func (m *Map) NewStats() *Stats { panic("todo") }

// Add adds the records of x with their BMUs.
func (s *Stats) Add(x *tensor.Dense, bmu []int) { panic("todo") }

// Reset empties the sums.
func (s *Stats) Reset() { panic("todo") }

// UpdateMiniBatch applies w_k += α/B·Σ_b H[b,k](x_b − w_k).
func (m *Map) UpdateMiniBatch(s *Stats, alpha, sigma float64) { panic("todo") }

// UpdateBatch applies w_k = Σ H x / Σ H.
func (m *Map) UpdateBatch(s *Stats, sigma float64) { panic("todo") }

// Initialize sets the codebook from data (row-major n×D).
func (m *Map) Initialize(kind Init, data []float64, rng *rand.Rand) error { panic("todo") }

// Evaluate computes metrics of the map on data (row-major n×D).
func (m *Map) Evaluate(data []float64, sigma float64) (Metrics, error) { panic("todo") }

// Predict returns each record's BMU and distance.
func (m *Map) Predict(data []float64) (bmu []int, dist []float64, err error) { panic("todo") }
