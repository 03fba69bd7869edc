package hooks

import (
	"math"
	"strings"
	"testing"
)

// TestResumableStates round-trips the states of the stock Resumable hooks,
// NaN and infinite best values included, and checks the errors.
func TestResumableStates(t *testing.T) {
	es, err := NewEarlyStopping(TrainQE, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFit{epochs: 4, trainSize: 8, alpha: 1, sigma: 2, batchSize: 4, metrics: seqMetrics([]float64{5, 4, 4, 4})}
	if _, err := f.run(es); err != nil {
		t.Fatal(err)
	}
	b, err := es.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := NewEarlyStopping(TrainQE, 3, 0)
	if err := fresh.Handle(BeforeFit, &State{}); err != nil {
		t.Fatal(err)
	}
	if err := fresh.UnmarshalState(b); err != nil {
		t.Fatal(err)
	}
	if fresh.im != es.im || fresh.Best != es.Best || fresh.BestEpoch != es.BestEpoch || fresh.StoppedEpoch != es.StoppedEpoch {
		t.Errorf("restored %+v %v, want %+v %v", fresh.im, fresh.Best, es.im, es.Best)
	}
	if es.im.wait != 2 {
		t.Errorf("wait %d after 5, 4, 4, 4 with patience 3; want 2", es.im.wait)
	}

	// NaN and +Inf survive.
	sb := &SaveBest{Best: math.NaN(), BestEpoch: -1, im: improver{who: "save-best", monitor: ValidQE, best: math.Inf(1), bestEpoch: -1}}
	b, err = sb.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	back := &SaveBest{im: improver{who: "save-best"}}
	if err := back.UnmarshalState(b); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.Best) || !math.IsInf(back.im.best, 1) || back.im.monitor != ValidQE {
		t.Errorf("restored best %v, improver %+v from %s", back.Best, back.im, b)
	}

	// A state of another monitor, and garbage.
	other := &SaveBest{im: improver{who: "save-best", monitor: TrainQE}}
	if err := other.UnmarshalState(b); err == nil || !strings.Contains(err.Error(), `watches "valid_qe", this fit "train_qe"`) {
		t.Errorf("other monitor: %v", err)
	}
	for _, bad := range []string{"", "{", `{"improver":{"monitor":"accuracy"}}`, `{"best":"many"}`} {
		if err := (&EarlyStopping{}).UnmarshalState([]byte(bad)); err == nil {
			t.Errorf("state %q: no error", bad)
		}
	}

	r := NewRecorder()
	if _, err := f.run(r); err != nil {
		t.Fatal(err)
	}
	b, err = r.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	r2 := NewRecorder()
	if err := r2.UnmarshalState(b); err != nil {
		t.Fatal(err)
	}
	if len(r2.Epochs) != len(r.Epochs) || len(r2.Batches) != len(r.Batches) || r2.Epochs[3] != r.Epochs[3] {
		t.Errorf("restored recorder %d epochs %d batches, want %d, %d", len(r2.Epochs), len(r2.Batches), len(r.Epochs), len(r.Batches))
	}
}
