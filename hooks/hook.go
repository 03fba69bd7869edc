package hooks

import (
	"errors"
	"fmt"

	"github.com/somgraph/somgraph/graph"
	"gorgonia.org/tensor"
)

// Event is a point in the training loop at which hooks run.
type Event uint8

// The events of a fit, in the order they happen. BeforeFit and AfterFit run
// once per Fit; AfterFit runs even when a hook cancelled the fit.
const (
	BeforeFit Event = iota
	BeforeEpoch
	BeforeBatch
	AfterBatch
	AfterEpoch
	AfterFit
)

var eventNames = [...]string{"BeforeFit", "BeforeEpoch", "BeforeBatch", "AfterBatch", "AfterEpoch", "AfterFit"}

// String returns the event's name, for example "AfterEpoch".
func (e Event) String() string {
	if int(e) < len(eventNames) {
		return eventNames[e]
	}
	return fmt.Sprintf("Event(%d)", uint8(e))
}

// Sentinel errors a hook returns to stop training on purpose. The trainer
// does not report them as failures.
var (
	// ErrCancelEpoch ends the current epoch after the current batch: the
	// remaining batches are skipped, AfterEpoch still runs and the next
	// epoch starts.
	ErrCancelEpoch = errors.New("hooks: cancel epoch")
	// ErrCancelFit ends training cleanly: AfterEpoch runs for the current
	// epoch if it started, then AfterFit, and Fit returns nil.
	ErrCancelFit = errors.New("hooks: cancel fit")
)

// Hook is a training callback. Handle is called at every event with the
// loop's state; it may change the fields of State marked "may change". A
// non-nil error other than ErrCancelEpoch or ErrCancelFit stops Fit, which
// returns it wrapped with the hook's name and the event.
type Hook interface {
	// Name identifies the hook in errors and listings.
	Name() string
	// Order places the hook among the others: lower runs first; equal
	// orders run in registration order.
	Order() int
	// Handle reacts to event e.
	Handle(e Event, s *State) error
}

// Stock orders: schedules set hyperparameters before the default hooks
// read them; recorders and loggers run after them.
const (
	OrderSchedule = -100
	OrderDefault  = 0
	OrderRecord   = 100
	OrderOutput   = 200
)

// More stock orders: guards check the state right after the schedules,
// before anything records or saves it; hooks that stop training run last,
// after the epoch has been recorded, logged and saved.
const (
	OrderGuard = -50
	OrderStop  = 300
)

// Metrics are the quality measures of a map on one dataset.
type Metrics = graph.Metrics

// TargetMetrics are how well a supervised map (trainer.Options.Supervised)
// predicts its target on one dataset, each record placed by its feature
// layers only, as new records are.
type TargetMetrics struct {
	// Accuracy is the share of records whose predicted class is their
	// class (a class target); NaN for a numeric target.
	Accuracy float64
	// RMSE and MAE are the root mean squared and the mean absolute error
	// of the predicted value, in the target's own units (a numeric
	// target); NaN for a class target.
	RMSE, MAE float64
}

// State is what hooks see of the training loop. Fields are valid from the
// event named in their comment; the others hold their last values.
type State struct {
	// Epoch is the current epoch, 0-based; Epochs is how many Fit runs.
	Epoch, Epochs int
	// Batch is the current batch within the epoch, 0-based; Batches is the
	// number of batches in this epoch.
	Batch, Batches int
	// Step counts batches since the start of Fit; Records counts training
	// records seen so far.
	Step, Records int
	// TrainSize and ValidSize are the numbers of training and validation
	// records (ValidSize is 0 without validation data).
	TrainSize, ValidSize int

	// Map is the map being trained. Hooks may read it (and export it);
	// changing its codebook is allowed but is the hook's responsibility.
	Map *graph.Map

	// X holds the current batch (B×D), Index its records' indices in the
	// training set, Labels their labels if any (BeforeBatch, AfterBatch).
	X      *tensor.Dense
	Index  []int
	Labels []string
	// BMU holds each record's best-matching unit and BatchLoss the batch's
	// quantization error before the update (AfterBatch).
	BMU       []int
	BatchLoss float64

	// Alpha (learning rate) and Sigma (neighbourhood radius) are used by the
	// next update. Hooks may change them at any event.
	Alpha, Sigma float64
	// BatchSize is the batch size of the next epoch. Hooks may change it
	// before an epoch starts (BeforeFit, BeforeEpoch, AfterEpoch); a change
	// during an epoch takes effect at the next one.
	BatchSize int
	// InitialAlpha, InitialSigma and InitialBatchSize are the values Fit
	// started from; schedules compute from them.
	InitialAlpha, InitialSigma float64
	InitialBatchSize           int

	// Train holds the epoch's metrics on the training data and Valid on the
	// validation data, HasValid reporting whether there is any (AfterEpoch).
	Train, Valid Metrics
	HasValid     bool
	// TrainTarget and ValidTarget hold how well a supervised map predicts
	// its target on the training and validation data (AfterEpoch);
	// HasTarget reports a supervised map (set from BeforeFit).
	TrainTarget, ValidTarget TargetMetrics
	HasTarget                bool
	// Loss is the epoch's training loss, the quantization error (AfterEpoch).
	Loss float64

	// Stopped is set by the trainer when a hook cancelled the fit; Err holds
	// the error that ends Fit, if any (AfterFit).
	Stopped bool
	Err     error
}

// Func adapts a function to a Hook that runs at the given events (all
// events if none are given).
func Func(name string, order int, fn func(e Event, s *State) error, events ...Event) Hook {
	return &funcHook{name: name, order: order, fn: fn, events: events}
}

type funcHook struct {
	name   string
	order  int
	fn     func(Event, *State) error
	events []Event
}

func (h *funcHook) Name() string { return h.name }
func (h *funcHook) Order() int   { return h.order }
func (h *funcHook) Handle(e Event, s *State) error {
	if len(h.events) > 0 {
		found := false
		for _, x := range h.events {
			found = found || x == e
		}
		if !found {
			return nil
		}
	}
	return h.fn(e, s)
}

var _ Hook = (*funcHook)(nil)
