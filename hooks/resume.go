package hooks

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Resumable is a Hook whose state must outlive an interrupted fit. A
// trainer's checkpoint stores MarshalState at the end of an epoch; a fit
// resumed from the checkpoint sends BeforeFit as usual (the hook resets)
// and then calls UnmarshalState, so the hook goes on as if the fit had not
// stopped. EarlyStopping (its counters and best value), SaveBest and
// Recorder (its history) are Resumable.
type Resumable interface {
	Hook
	// MarshalState returns the hook's state as JSON.
	MarshalState() ([]byte, error)
	// UnmarshalState restores a state MarshalState returned.
	UnmarshalState(state []byte) error
}

// stateFloat is a float64 that JSON keeps exactly, NaN and ±Inf included
// (as the strings "NaN", "+Inf" and "-Inf").
type stateFloat float64

func (f stateFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return json.Marshal(strconv.FormatFloat(x, 'g', -1, 64))
	}
	return []byte(strconv.FormatFloat(x, 'g', -1, 64)), nil
}

func (f *stateFloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("hooks: state: %q is not a number", s)
		}
		*f = stateFloat(x)
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = stateFloat(x)
	return nil
}

// improverState is the JSON form of an improver.
type improverState struct {
	Monitor   Metric     `json:"monitor"`
	Best      stateFloat `json:"best"`
	BestEpoch int        `json:"best_epoch"`
	Wait      int        `json:"wait"`
}

func (im *improver) state() improverState {
	return improverState{Monitor: im.monitor, Best: stateFloat(im.best), BestEpoch: im.bestEpoch, Wait: im.wait}
}

// restore sets the improver from s, keeping its name; the monitor must be
// the one this fit resolved at BeforeFit.
func (im *improver) restore(s improverState) error {
	if im.monitor != "" && s.Monitor != im.monitor {
		return fmt.Errorf("hooks: %s: the saved state watches %q, this fit %q", im.who, s.Monitor, im.monitor)
	}
	if _, err := ParseMetric(string(s.Monitor)); err != nil || s.Monitor == "" {
		return fmt.Errorf("hooks: %s: saved state: unknown monitor %q", im.who, s.Monitor)
	}
	im.monitor, im.best, im.bestEpoch, im.wait = s.Monitor, float64(s.Best), s.BestEpoch, s.Wait
	return nil
}

// unmarshalState decodes a hook's saved state strictly.
func unmarshalState(who string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("hooks: %s: saved state: %w", who, err)
	}
	return nil
}

type earlyState struct {
	Improver     improverState `json:"improver"`
	Best         stateFloat    `json:"best"`
	BestEpoch    int           `json:"best_epoch"`
	StoppedEpoch int           `json:"stopped_epoch"`
}

// MarshalState returns the counters, the best value and its epoch.
func (h *EarlyStopping) MarshalState() ([]byte, error) {
	return json.Marshal(earlyState{Improver: h.im.state(), Best: stateFloat(h.Best), BestEpoch: h.BestEpoch, StoppedEpoch: h.StoppedEpoch})
}

// UnmarshalState restores a state MarshalState returned.
func (h *EarlyStopping) UnmarshalState(b []byte) error {
	var s earlyState
	if err := unmarshalState(h.Name(), b, &s); err != nil {
		return err
	}
	if err := h.im.restore(s.Improver); err != nil {
		return err
	}
	h.Best, h.BestEpoch, h.StoppedEpoch = float64(s.Best), s.BestEpoch, s.StoppedEpoch
	return nil
}

type saveBestState struct {
	Improver  improverState `json:"improver"`
	Best      stateFloat    `json:"best"`
	BestEpoch int           `json:"best_epoch"`
	Saves     int           `json:"saves"`
}

// MarshalState returns the best value, its epoch and the number of saves.
func (h *SaveBest) MarshalState() ([]byte, error) {
	return json.Marshal(saveBestState{Improver: h.im.state(), Best: stateFloat(h.Best), BestEpoch: h.BestEpoch, Saves: h.Saves})
}

// UnmarshalState restores a state MarshalState returned.
func (h *SaveBest) UnmarshalState(b []byte) error {
	var s saveBestState
	if err := unmarshalState(h.Name(), b, &s); err != nil {
		return err
	}
	if err := h.im.restore(s.Improver); err != nil {
		return err
	}
	h.Best, h.BestEpoch, h.Saves = float64(s.Best), s.BestEpoch, s.Saves
	return nil
}

type recorderState struct {
	Epochs  []EpochRecord `json:"epochs"`
	Batches []BatchRecord `json:"batches"`
}

// MarshalState returns the records kept so far.
func (r *Recorder) MarshalState() ([]byte, error) {
	b, err := json.Marshal(recorderState{Epochs: r.Epochs, Batches: r.Batches})
	if err != nil {
		return nil, fmt.Errorf("hooks: %s: %w", r.Name(), err)
	}
	return b, nil
}

// UnmarshalState restores the records a state holds.
func (r *Recorder) UnmarshalState(b []byte) error {
	var s recorderState
	if err := unmarshalState(r.Name(), b, &s); err != nil {
		return err
	}
	r.Epochs, r.Batches = s.Epochs, s.Batches
	return nil
}

var (
	_ Resumable = (*EarlyStopping)(nil)
	_ Resumable = (*SaveBest)(nil)
	_ Resumable = (*Recorder)(nil)
)
