package hooks

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// EpochRecord is the record of one training epoch, the one type for it:
// a Recorder keeps it, a CSVLogger writes it, Progress prints it
// (EpochLine), a trainer.Learner's History holds it (trainer.Epoch is this
// type), charts draw it and a model file stores it.
//
// Epochs are numbered from 1 wherever they are shown — console, CSV log,
// records, charts, model history — while State.Epoch, a loop index, counts
// from 0.
type EpochRecord struct {
	// Epoch is the epoch's number, counted from 1: State.Epoch+1 within its
	// fit for a Recorder, over all fits for a Learner's History.
	Epoch int
	// Loss is State.Loss; Train and Valid are the epoch's metrics,
	// HasValid whether Valid holds any.
	Loss         float64
	Train, Valid Metrics
	HasValid     bool
	// TrainTarget and ValidTarget are a supervised map's target metrics,
	// HasTarget whether it is one (State's fields of the same names).
	TrainTarget, ValidTarget TargetMetrics
	HasTarget                bool
	// Alpha, Sigma and BatchSize are the epoch's hyperparameters: for a
	// Recorder the values it started with, after the schedules ran at
	// BeforeEpoch; in a Learner's History those of its last update.
	Alpha, Sigma float64
	BatchSize    int
	// Batches and Records count the batches and records the epoch ran
	// (fewer than planned if it was cancelled); a Learner's History and a
	// model file leave them 0.
	Batches, Records int
	// Duration is the wall time from BeforeEpoch to AfterEpoch (0 in a
	// model file).
	Duration time.Duration
}

// BatchRecord is what Recorder keeps of one batch.
type BatchRecord struct {
	// Epoch and Batch locate the batch, counted from 1 (State's count from
	// 0); Step counts batches since the start of Fit, 1 for the first.
	Epoch, Batch, Step int
	// Alpha and Sigma are the values the batch's update used (read at
	// BeforeBatch, after the schedules); Size is the number of records
	// in the batch and Loss its quantization error before the update.
	Alpha, Sigma float64
	Size         int
	Loss         float64
}

// epochClock captures the hyperparameters an epoch starts with and times
// it; Recorder and CSVLogger share it.
type epochClock struct {
	start        time.Time
	alpha, sigma float64
	batchSize    int
	batches      int
	records      int
}

func (c *epochClock) handle(e Event, s *State) {
	switch e {
	case BeforeEpoch:
		*c = epochClock{start: time.Now(), alpha: s.Alpha, sigma: s.Sigma, batchSize: s.BatchSize}
	case AfterBatch:
		c.batches++
		c.records += batchSize(s)
	}
}

func (c *epochClock) record(s *State) EpochRecord {
	r := EpochRecord{
		Epoch: s.Epoch + 1, Loss: s.Loss, Train: s.Train, Valid: s.Valid, HasValid: s.HasValid,
		TrainTarget: s.TrainTarget, ValidTarget: s.ValidTarget, HasTarget: s.HasTarget,
		Alpha: c.alpha, Sigma: c.sigma, BatchSize: c.batchSize, Batches: c.batches, Records: c.records,
	}
	if !c.start.IsZero() {
		r.Duration = time.Since(c.start)
	}
	return r
}

// batchSize returns the number of records in the current batch.
func batchSize(s *State) int {
	switch {
	case len(s.Index) > 0:
		return len(s.Index)
	case len(s.BMU) > 0:
		return len(s.BMU)
	case s.X != nil && len(s.X.Shape()) > 0:
		return s.X.Shape()[0]
	}
	return 0
}

// Recorder keeps the history of a fit for code and charts: one
// EpochRecord per epoch (at AfterEpoch) and, unless EpochsOnly is set,
// one BatchRecord per batch (at AfterBatch). It is reset at BeforeFit and
// runs at OrderRecord. Read it after Fit returns (or from another hook);
// it is not safe for concurrent use while Fit runs.
type Recorder struct {
	// EpochsOnly skips the per-batch records (a BatchRecord is 56 bytes
	// per batch).
	EpochsOnly bool
	// Epochs and Batches hold the records of the last fit.
	Epochs  []EpochRecord
	Batches []BatchRecord

	clock        epochClock
	alpha, sigma float64
}

// NewRecorder returns a Recorder that keeps epoch and batch records.
func NewRecorder() *Recorder { return &Recorder{} }

// Name returns "recorder".
func (r *Recorder) Name() string { return "recorder" }

// Order returns OrderRecord.
func (r *Recorder) Order() int { return OrderRecord }

// Handle records the fit.
func (r *Recorder) Handle(e Event, s *State) error {
	r.clock.handle(e, s)
	switch e {
	case BeforeFit:
		r.Epochs, r.Batches = r.Epochs[:0], r.Batches[:0]
	case BeforeBatch:
		r.alpha, r.sigma = s.Alpha, s.Sigma
	case AfterBatch:
		if !r.EpochsOnly {
			r.Batches = append(r.Batches, BatchRecord{
				Epoch: s.Epoch + 1, Batch: s.Batch + 1, Step: s.Step,
				Alpha: r.alpha, Sigma: r.sigma, Size: batchSize(s), Loss: s.BatchLoss,
			})
		}
	case AfterEpoch:
		r.Epochs = append(r.Epochs, r.clock.record(s))
	}
	return nil
}

// SeriesNames lists the names Series accepts: every metric name plus
// "alpha", "sigma", "batch_size" and "seconds".
func SeriesNames() []string {
	return append(MetricNames(), "alpha", "sigma", "batch_size", "seconds")
}

// Series returns one value per recorded epoch of the named quantity (see
// SeriesNames), ready for a chart. Validation metrics are NaN for epochs
// without validation data.
func (r *Recorder) Series(name string) ([]float64, error) {
	var get func(ep *EpochRecord) float64
	switch n := strings.ToLower(strings.TrimSpace(name)); n {
	case "alpha":
		get = func(ep *EpochRecord) float64 { return ep.Alpha }
	case "sigma":
		get = func(ep *EpochRecord) float64 { return ep.Sigma }
	case "batch_size":
		get = func(ep *EpochRecord) float64 { return float64(ep.BatchSize) }
	case "seconds":
		get = func(ep *EpochRecord) float64 { return ep.Duration.Seconds() }
	default:
		m, err := ParseMetric(n)
		if err != nil || m == "" {
			return nil, fmt.Errorf("hooks: recorder: unknown series %q; want one of %s", name, strings.Join(SeriesNames(), ", "))
		}
		get = func(ep *EpochRecord) float64 {
			v, err := m.Value(&State{Epoch: ep.Epoch - 1, Loss: ep.Loss, Train: ep.Train, Valid: ep.Valid, HasValid: ep.HasValid,
				TrainTarget: ep.TrainTarget, ValidTarget: ep.ValidTarget, HasTarget: ep.HasTarget})
			if err != nil {
				return math.NaN()
			}
			return v
		}
	}
	out := make([]float64, len(r.Epochs))
	for i := range r.Epochs {
		out[i] = get(&r.Epochs[i])
	}
	return out, nil
}

// BatchSeries returns one value per recorded batch of "alpha", "sigma",
// "batch_size" or "loss".
func (r *Recorder) BatchSeries(name string) ([]float64, error) {
	var get func(b *BatchRecord) float64
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "alpha":
		get = func(b *BatchRecord) float64 { return b.Alpha }
	case "sigma":
		get = func(b *BatchRecord) float64 { return b.Sigma }
	case "batch_size":
		get = func(b *BatchRecord) float64 { return float64(b.Size) }
	case "loss":
		get = func(b *BatchRecord) float64 { return b.Loss }
	default:
		return nil, fmt.Errorf("hooks: recorder: unknown batch series %q; want alpha, sigma, batch_size or loss", name)
	}
	out := make([]float64, len(r.Batches))
	for i := range r.Batches {
		out[i] = get(&r.Batches[i])
	}
	return out, nil
}

var _ Hook = (*Recorder)(nil)
