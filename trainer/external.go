package trainer

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// EpochPass does the data pass of a Batch-mode epoch outside the Learner,
// for example as a Beam pipeline over data that does not fit one machine.
// It searches every training record against m's current codebook and adds
// the records to stats (m's per-unit sums, as Forward.SearchInto does) and
// to metrics (m's error sums: MetricsAcc.AddWithoutDistortion for the
// Euclidean distance, whose distortion the update measures from the sums,
// MetricsAcc.Add at radius sigma for the others). It returns an error if
// the pass fails; it must not change m.
type EpochPass func(m *graph.Map, sigma float64, stats *graph.Stats, metrics *graph.MetricsAcc) error

// SetEpochPass makes the epochs of later Fit calls run their data pass
// through pass instead of the Learner's batches; trainSize is the number of
// records the pass covers (State.TrainSize). The Learner's training dataset
// then only served to initialize the codebook. Everything else stays on
// the Learner: the hooks at BeforeFit, BeforeEpoch, AfterEpoch and AfterFit
// (schedules, early stopping, progress, checkpoints), the Batch update at
// the epoch's radius, the metrics and the history. There are no batches on
// the Learner, so BeforeBatch and AfterBatch are not called (State.BMU is
// never set). It needs Batch mode and returns an error for MiniBatch, for
// ExactTrainMetrics (which would evaluate the initialization data) or for
// a nil pass.
func (l *Learner) SetEpochPass(pass EpochPass, trainSize int) error {
	switch {
	case pass == nil:
		return errors.New("trainer: SetEpochPass: nil pass")
	case l.opts.Mode != Batch:
		return fmt.Errorf("trainer: an external epoch pass needs Batch mode, not %v: the mini-batch rule updates after every batch", l.opts.Mode)
	case l.opts.ExactTrainMetrics:
		return errors.New("trainer: an external epoch pass takes the training metrics from the pass: ExactTrainMetrics would evaluate only the initialization data")
	case l.target != nil:
		return errors.New("trainer: an external epoch pass does not train supervised maps: their target metrics read the Learner's datasets")
	case trainSize < 1:
		return fmt.Errorf("trainer: SetEpochPass: %d training records, want at least 1", trainSize)
	}
	l.pass, l.passSize = pass, trainSize
	return nil
}

// NewInitialized returns a Learner like New whose codebook is set by init
// instead of from train: init gets the map and the random source New's
// initialization draws from (seeded by Options.Seed), so that an
// initialization computed elsewhere — graph.Map.InitRecords on the number
// of training records, the chosen records gathered from shards,
// graph.Map.InitializeFrom — gives New's codebook on the same data. train
// then only gives the Learner its features and labels (with an external
// pass, SetEpochPass, it is never trained on). It returns New's errors and
// init's.
func NewInitialized(train, valid *loaders.Dataset, opts *Options, init func(m *graph.Map, rng *rand.Rand) error) (*Learner, error) {
	if init == nil {
		return nil, errors.New("trainer: NewInitialized: nil init")
	}
	if opts != nil && opts.Supervised {
		return nil, errors.New("trainer: NewInitialized: a supervised map is initialized by New (its target layer is built from the training labels)")
	}
	l, err := build(train, valid, opts, nil)
	if err != nil {
		return nil, err
	}
	if err := init(l.m, rand.New(rand.NewPCG(l.opts.Seed, initStream))); err != nil {
		return nil, fmt.Errorf("trainer: initializing the codebook (%v): %w", l.opts.Init, err)
	}
	return l, nil
}

// ValidPass evaluates the map on validation data held outside the Learner,
// for example by a Beam pipeline: it searches every validation record
// against m's current codebook (after the epoch's update) and adds it to
// metrics with MetricsAcc.Add at radius sigma, as Map.Evaluate does. It
// must not change m.
type ValidPass func(m *graph.Map, sigma float64, metrics *graph.MetricsAcc) error

// SetValidPass makes the epochs of later Fit calls measure the validation
// metrics (Epoch.Valid, State.Valid: for early stopping and checkpoints
// that monitor them) through pass, over validSize records, instead of on
// the Learner's validation dataset. It returns an error if the Learner has
// a validation dataset, for a nil pass or for validSize < 1.
func (l *Learner) SetValidPass(pass ValidPass, validSize int) error {
	switch {
	case pass == nil:
		return errors.New("trainer: SetValidPass: nil pass")
	case l.valid != nil:
		return errors.New("trainer: SetValidPass: the Learner has validation data already")
	case validSize < 1:
		return fmt.Errorf("trainer: SetValidPass: %d validation records, want at least 1", validSize)
	}
	l.validPass, l.validN = pass, validSize
	return nil
}

// validSize returns the number of validation records, 0 for none.
func (l *Learner) validSize() int {
	switch {
	case l.valid != nil:
		return l.valid.N
	case l.validPass != nil:
		return l.validN
	}
	return 0
}

// evaluateValid returns the map's metrics on the validation data at
// radius sigma: from the dataset, or through the ValidPass.
func (l *Learner) evaluateValid(sigma float64) (graph.Metrics, error) {
	if l.valid != nil {
		return l.m.Evaluate(l.valid.Data, sigma)
	}
	acc := l.m.NewMetricsAcc()
	if err := l.validPass(l.m, sigma, acc); err != nil {
		return graph.Metrics{}, err
	}
	if acc.Records() != l.validN {
		return graph.Metrics{}, fmt.Errorf("the validation pass added %d records, want %d", acc.Records(), l.validN)
	}
	return acc.Metrics(), nil
}

// trainSize returns the number of records an epoch covers.
func (l *Learner) trainSize() int {
	if l.pass != nil {
		return l.passSize
	}
	return l.train.N
}

// runPass runs the epoch's data pass through l.pass into l.stats and
// l.running, at the radius the hooks set.
func (l *Learner) runPass(st *hooks.State, e int) error {
	if err := checkHyper(st, l.opts.Mode); err != nil {
		return err
	}
	if err := l.pass(l.m, st.Sigma, l.stats, l.running); err != nil {
		return fmt.Errorf("trainer: epoch %d: %w", e, err)
	}
	n := l.stats.Records()
	if n == 0 || l.running.Records() != n {
		return fmt.Errorf("trainer: epoch %d: the external pass added %d records to the sums and %d to the metrics: want the same, at least 1", e, n, l.running.Records())
	}
	st.Records += n
	st.Step++
	return nil
}
