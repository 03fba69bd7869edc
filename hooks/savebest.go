package hooks

import (
	"errors"
	"fmt"
	"math"
)

// SaveBest is the checkpoint hook: at AfterEpoch, when the monitored
// metric improves (drops below the best so far minus MinDelta, or rises
// above it plus MinDelta for an accuracy; NaN never
// improves), it calls Save(Path) so the file always holds the best epoch's
// model. hooks does not know how a model is written: the trainer provides
// Save (its atomic export, temp file + rename), for example
//
//	hooks.NewSaveBest("best.som", hooks.ValidQE, learner.ExportFile)
//
// A failing Save stops Fit with the error. SaveBest runs at OrderOutput,
// before EarlyStopping. Best, BestEpoch and Saves report the last fit and
// are reset at BeforeFit.
type SaveBest struct {
	// Path is passed to Save.
	Path string
	// Monitor is the metric watched; the zero value is automatic
	// (valid_qe with validation data, train_qe without).
	Monitor Metric
	// MinDelta is the least decrease that counts as improvement (≥ 0).
	MinDelta float64
	// Save writes the current model to path.
	Save func(path string) error

	// Best is the best value seen and BestEpoch the epoch saved, as
	// State.Epoch counts it, from 0 (-1 if none); Saves counts the calls
	// to Save.
	Best      float64
	BestEpoch int
	Saves     int

	im improver
}

// NewSaveBest returns a SaveBest hook that calls save(path) whenever
// monitor ("" for automatic) improves. It returns an error if path is
// empty, save is nil or monitor is unknown.
func NewSaveBest(path string, monitor Metric, save func(path string) error) (*SaveBest, error) {
	h := &SaveBest{Path: path, Monitor: monitor, Save: save, Best: math.NaN(), BestEpoch: -1}
	if err := h.check(); err != nil {
		return nil, err
	}
	if err := monitor.check(); err != nil {
		return nil, fmt.Errorf("hooks: save-best: %w", err)
	}
	return h, nil
}

func (h *SaveBest) check() error {
	if h.Path == "" {
		return errors.New("hooks: save-best: empty path; give the checkpoint file name")
	}
	if h.Save == nil {
		return errors.New("hooks: save-best: nil Save function; pass the trainer's export, e.g. learner.ExportFile")
	}
	return checkMinDelta("save-best", h.MinDelta)
}

// Name returns "save-best".
func (h *SaveBest) Name() string { return "save-best" }

// Order returns OrderOutput.
func (h *SaveBest) Order() int { return OrderOutput }

// Handle checks the settings at BeforeFit and saves at AfterEpoch when
// the metric improves.
func (h *SaveBest) Handle(e Event, s *State) error {
	switch e {
	case BeforeFit:
		if err := h.check(); err != nil {
			return err
		}
		h.Best, h.BestEpoch, h.Saves = math.NaN(), -1, 0
		return h.im.start(h.Name(), h.Monitor, s)
	case AfterEpoch:
		v, improved, err := h.im.epoch(s, h.MinDelta)
		if err != nil || !improved {
			return err
		}
		if err := h.Save(h.Path); err != nil {
			return fmt.Errorf("hooks: save-best: saving epoch %d (%s %g) to %q: %w", s.Epoch, h.im.monitor, v, h.Path, err)
		}
		h.Best, h.BestEpoch = v, s.Epoch
		h.Saves++
	}
	return nil
}

var _ Hook = (*SaveBest)(nil)
