package hooks

import (
	"fmt"
	"math"
)

// EarlyStopping stops training (returns ErrCancelFit at AfterEpoch) when
// the monitored metric has not improved for Patience epochs in a row. An
// epoch improves when its value is below the best so far minus MinDelta
// (above the best plus MinDelta for an accuracy, Metric.HigherIsBetter);
// the first epoch with a number sets the best, and NaN never improves. It
// runs at OrderStop, after the epoch has been recorded, logged and saved.
//
// The fields after Patience report the last fit; they are reset at
// BeforeFit.
type EarlyStopping struct {
	// Monitor is the metric watched; the zero value is automatic
	// (valid_qe with validation data, train_qe without).
	Monitor Metric
	// MinDelta is the least decrease that counts as improvement (≥ 0).
	MinDelta float64
	// Patience is how many epochs without improvement end the fit (≥ 1).
	Patience int

	// Best is the best value seen and BestEpoch its epoch as State.Epoch
	// counts it, from 0 (-1 if none; show BestEpoch+1, as records do).
	Best      float64
	BestEpoch int
	// StoppedEpoch is the epoch (State.Epoch, from 0) after which the fit
	// was stopped, -1 if it was not.
	StoppedEpoch int

	im improver
}

// NewEarlyStopping returns an EarlyStopping hook watching monitor (""
// for automatic) that stops after patience epochs without an improvement
// larger than minDelta. It returns an error if patience < 1 or minDelta is
// negative or not finite.
func NewEarlyStopping(monitor Metric, patience int, minDelta float64) (*EarlyStopping, error) {
	h := &EarlyStopping{Monitor: monitor, Patience: patience, MinDelta: minDelta, BestEpoch: -1, StoppedEpoch: -1, Best: math.NaN()}
	if err := h.check(); err != nil {
		return nil, err
	}
	if err := monitor.check(); err != nil {
		return nil, fmt.Errorf("hooks: early-stopping: %w", err)
	}
	return h, nil
}

func (h *EarlyStopping) check() error {
	if h.Patience < 1 {
		return fmt.Errorf("hooks: early-stopping: patience %d must be at least 1 epoch", h.Patience)
	}
	return checkMinDelta("early-stopping", h.MinDelta)
}

// Name returns "early-stopping".
func (h *EarlyStopping) Name() string { return "early-stopping" }

// Order returns OrderStop.
func (h *EarlyStopping) Order() int { return OrderStop }

// Handle checks the settings and resolves the metric at BeforeFit, and
// compares the metric with the best value at AfterEpoch.
func (h *EarlyStopping) Handle(e Event, s *State) error {
	switch e {
	case BeforeFit:
		if err := h.check(); err != nil {
			return err
		}
		h.Best, h.BestEpoch, h.StoppedEpoch = math.NaN(), -1, -1
		return h.im.start(h.Name(), h.Monitor, s)
	case AfterEpoch:
		_, improved, err := h.im.epoch(s, h.MinDelta)
		if err != nil {
			return err
		}
		if improved {
			h.Best, h.BestEpoch = h.im.best, h.im.bestEpoch
		}
		if h.im.wait >= h.Patience {
			h.StoppedEpoch = s.Epoch
			return ErrCancelFit
		}
	}
	return nil
}

var _ Hook = (*EarlyStopping)(nil)
