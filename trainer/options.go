package trainer

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// Mode is how the codebook is updated during an epoch.
type Mode uint8

const (
	// MiniBatch updates the codebook after every batch with the fastsom
	// rule w_k += α/B·Σ_b H[b,k]·(x_b − w_k).
	MiniBatch Mode = iota
	// Batch is Kohonen's batch SOM: the whole epoch is accumulated and the
	// codebook becomes w_k = Σ H·x / Σ H at its end. α is not used; the
	// batch size is only the chunk size of the BMU search.
	Batch
)

// String returns "minibatch" or "batch".
func (m Mode) String() string {
	switch m {
	case MiniBatch:
		return "minibatch"
	case Batch:
		return "batch"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// ParseMode parses "minibatch" (or "mini-batch") and "batch".
func ParseMode(s string) (Mode, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "") {
	case "minibatch":
		return MiniBatch, nil
	case "batch":
		return Batch, nil
	}
	return 0, fmt.Errorf("trainer: unknown mode %q (want minibatch or batch)", s)
}

// Default values that New fills in for zero fields of Options.
const (
	// DefaultRows and DefaultCols are the grid's size when Options.Grid
	// is the zero Grid.
	DefaultRows, DefaultCols = 10, 10
	// DefaultBatchSize is the mini-batch size.
	DefaultBatchSize = 64
	// DefaultChunkSize is the BMU-search chunk size in Batch mode (clamped
	// to the number of training records) where the map's search writes
	// the chunk's distance matrix; where it runs the fused search
	// (float32 Euclidean maps, see graph.Config.SearchChunk) the default
	// is graph.FusedSearchChunk.
	DefaultChunkSize = graph.DefaultSearchChunk
	// DefaultAlpha is the learning rate of the mini-batch update. The
	// update is averaged over the batch (α/B·Σ_b H[b,k]), so a unit's step
	// is at most α of the way to the mean of the records it is pulled
	// towards: with α ≤ 1 and a non-negative neighbourhood no step
	// overshoots. Under the default ThreePhase schedule α = 1 ordered an 8×8
	// colours map in 10 epochs for every seed tried (TE ≈ 0.07), where 0.3
	// and 0.6 needed 20 epochs or more.
	DefaultAlpha = 1.0
)

// Options configures a Learner. The zero value of every field means its
// default; New never modifies the Options it is given, and nil Options mean
// all defaults.
type Options struct {
	// Grid is the map's layout. The zero Grid means a 10×10 rectangular,
	// planar grid.
	Grid graph.Grid
	// Distance compares records with units; zero is graph.Euclidean.
	Distance graph.Distance
	// Neighborhood is the neighbourhood function; zero is graph.Gaussian.
	Neighborhood graph.Neighborhood
	// TENeighbors is which grid neighbours count as adjacent for the
	// topographic error (graph.Config.TENeighbors): zero means the edge
	// neighbours (4 on a rectangular grid, 6 on a hexagonal one); 8 on a
	// rectangular grid counts the diagonals too, as MiniSom does.
	TENeighbors int
	// Dtype is tensor.Float32 or tensor.Float64; the zero value means
	// Float32.
	Dtype tensor.Dtype
	// Mode is MiniBatch (the zero value) or Batch.
	Mode Mode
	// BatchSize is the number of records per batch. Zero means 64 in
	// MiniBatch mode and, in Batch mode, where it only sets the chunk size
	// of the BMU search, the map's graph.Config.SearchChunk (16384 for the
	// fused search of float32 Euclidean maps, else 1024), at most the
	// number of training records.
	BatchSize int
	// Alpha is the initial learning rate (MiniBatch mode); zero means
	// DefaultAlpha. Schedules scale it during training.
	Alpha float64
	// Sigma is the initial neighbourhood radius in grid units; zero means
	// max(rows, cols)/2. Schedules shrink it during training.
	Sigma float64
	// Init is how the codebook is initialized from the training data in New;
	// the zero value is graph.InitRandom (uniform within each feature's
	// range), as in fastsom.
	Init graph.Init
	// Seed drives all randomness: the initialization and the order of the
	// batches. Zero is a valid seed like any other.
	Seed uint64
	// Schedule sets α, σ and the batch size during training; nil means
	// hooks.ThreePhase(), fastsom's default, in MiniBatch mode and
	// hooks.LinearToOne() (σ linearly from σ₀ to 1 at the last epoch, the
	// common batch-SOM schedule) in Batch mode.
	Schedule hooks.Hook
	// Hooks run during training after the schedule, ordered by their
	// Order and, for equal orders, as listed. Learner.AddHook adds more.
	Hooks []hooks.Hook
	// Pipeline is the fitted preprocessing that produced the data. It is
	// optional; when set it is stored in exported models.
	Pipeline *loaders.Pipeline
	// Missing lets records hold missing values (NaN) that the map skips
	// instead of filling them, as R's kohonen does (graph.Config.Missing):
	// a record's distance uses its present features, scaled to the full
	// dimension, and the update leaves a unit's features that a record
	// lacks untouched by it. It is set when Pipeline encodes with
	// loaders.SkipMissing. The Mixed distance does not support it. A
	// feature with no value in the training data, an infinite value, or a
	// record with no feature present is an error.
	Missing bool
	// ExactTrainMetrics evaluates the training data again after each
	// epoch's updates. By default (false) the epoch's training metrics are
	// gathered from the best-matching-unit searches the epoch runs anyway,
	// as fastsom reports its training loss: each batch is measured against
	// the codebook it met (in Batch mode, the codebook of the whole epoch
	// before its update), and the epoch costs no extra pass over the data.
	// Validation metrics are always evaluated after the epoch.
	ExactTrainMetrics bool
	// Supervised trains a supervised map, as R kohonen's xyf: the
	// records' labels (the target) become a second layer of the codebook
	// beside the features — one-hot classes compared with the Tanimoto
	// distance, or the numeric target scaled to mean 0 and deviation 1 and
	// compared with the Euclidean distance (TargetKind chooses) — and the
	// best-matching unit is found by both layers, weighted. New records
	// are placed by their features only and read their unit's target
	// (Learner.Predict). Each epoch then also measures the target's
	// accuracy, or RMSE and MAE, on the training and validation data.
	Supervised bool
	// TargetWeight is the target layer's weight in (0, 1), the features'
	// being 1−TargetWeight; 0 means DefaultTargetWeight (0.5/0.5, as
	// xyf). Each layer's distance is also scaled by one over its mean
	// distance in the initial codebook, as kohonen does
	// (graph.NormalizeLayers). It needs Supervised.
	TargetWeight float64
	// TargetKind says whether the target is classes or a number; the zero
	// value, TargetAuto, reads it as a number when every label is one.
	// It needs Supervised.
	TargetKind TargetKind
}

// defaultSchedule is the schedule used in mode when Options.Schedule is
// nil.
func defaultSchedule(mode Mode) hooks.Hook {
	if mode == Batch {
		return hooks.LinearToOne()
	}
	return hooks.ThreePhase()
}

// resolve returns a copy of o with defaults filled in, for a training set
// of n records, or an error naming the first invalid option.
func resolve(o *Options, n int) (Options, error) {
	var r Options
	if o != nil {
		r = *o
		r.Hooks = append([]hooks.Hook(nil), o.Hooks...)
	}
	if r.Grid == (graph.Grid{}) {
		r.Grid = graph.Grid{Rows: DefaultRows, Cols: DefaultCols}
	}
	if err := r.Grid.Validate(); err != nil {
		return r, fmt.Errorf("trainer: grid: %w", err)
	}
	if r.Distance > graph.Mixed {
		return r, fmt.Errorf("trainer: unknown distance %d (want graph.Euclidean, Cosine, Manhattan or Mixed)", r.Distance)
	}
	if r.Neighborhood > graph.Triangle {
		return r, fmt.Errorf("trainer: unknown neighborhood %d (want graph.Gaussian, Bubble, MexicanHat or Triangle)", r.Neighborhood)
	}
	if r.Init > graph.InitKMeans {
		return r, fmt.Errorf("trainer: unknown init %d (want graph.InitRandom, InitSample, InitPCA or InitKMeans)", r.Init)
	}
	switch r.Dtype {
	case tensor.Dtype{}:
		r.Dtype = tensor.Float32
	case tensor.Float32, tensor.Float64:
	default:
		return r, fmt.Errorf("trainer: dtype %v: want tensor.Float32 or tensor.Float64", r.Dtype)
	}
	switch r.Mode {
	case MiniBatch, Batch:
	default:
		return r, fmt.Errorf("trainer: unknown mode %d (want MiniBatch or Batch)", r.Mode)
	}
	switch {
	case r.BatchSize < 0:
		return r, fmt.Errorf("trainer: batch size %d must be at least 1 (0 means the default)", r.BatchSize)
	case r.BatchSize == 0 && r.Mode == Batch:
		// build replaces it with the map's own chunk once the map's
		// configuration is known (chunkSize).
		r.BatchSize = max(1, min(DefaultChunkSize, n))
	case r.BatchSize == 0:
		r.BatchSize = DefaultBatchSize
	}
	if r.Alpha == 0 {
		r.Alpha = DefaultAlpha
	}
	if !(r.Alpha > 0) || math.IsInf(r.Alpha, 0) {
		return r, fmt.Errorf("trainer: learning rate alpha %v must be a positive number (0 means %v)", r.Alpha, DefaultAlpha)
	}
	if r.Sigma == 0 {
		r.Sigma = float64(max(r.Grid.Rows, r.Grid.Cols)) / 2
	}
	if !(r.Sigma > 0) || math.IsInf(r.Sigma, 0) {
		return r, fmt.Errorf("trainer: radius sigma %v must be a positive number (0 means half the grid's longer side)", r.Sigma)
	}
	if r.Schedule == nil {
		r.Schedule = defaultSchedule(r.Mode)
	}
	if !r.Supervised && (r.TargetWeight != 0 || r.TargetKind != TargetAuto) {
		return r, errors.New("trainer: TargetWeight and TargetKind need Supervised (train with the target as a layer)")
	}
	if r.Supervised {
		if r.TargetWeight == 0 {
			r.TargetWeight = DefaultTargetWeight
		}
		if !(r.TargetWeight > 0 && r.TargetWeight < 1) {
			return r, fmt.Errorf("trainer: target weight %v must be a number strictly between 0 and 1 (the features weigh 1 − it; 0 means %v)", r.TargetWeight, DefaultTargetWeight)
		}
		if r.TargetKind > TargetNumeric {
			return r, fmt.Errorf("trainer: unknown target kind %d (want TargetAuto, TargetClasses or TargetNumeric)", r.TargetKind)
		}
	}
	if r.Pipeline != nil && r.Pipeline.Options.Missing == loaders.SkipMissing {
		r.Missing = true
	}
	for i, h := range r.Hooks {
		if h == nil {
			return r, fmt.Errorf("trainer: Options.Hooks[%d] is nil", i)
		}
	}
	return r, nil
}

// chunkSize returns the Batch-mode search chunk of a new fit of n records
// on a map of config cfg: the user's BatchSize, else the map's own
// SearchChunk, at most n.
func chunkSize(opts *Options, cfg graph.Config, n int) int {
	if opts != nil && opts.BatchSize != 0 {
		return opts.BatchSize
	}
	return max(1, min(cfg.SearchChunk(), n))
}
