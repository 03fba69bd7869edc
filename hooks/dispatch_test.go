package hooks

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSortedAndDispatchOrder(t *testing.T) {
	var log []string
	mk := func(name string, order int) Hook {
		return Func(name, order, func(e Event, s *State) error {
			log = append(log, name)
			return nil
		})
	}
	hs := []Hook{mk("out", OrderOutput), mk("a", OrderDefault), nil, mk("sched", OrderSchedule), mk("b", OrderDefault), mk("stop", OrderStop), mk("rec", OrderRecord), mk("guard", OrderGuard)}
	orig := fmt.Sprint(hs)
	sorted := Sorted(hs)
	if fmt.Sprint(hs) != orig {
		t.Error("Sorted modified its input")
	}
	if err := Dispatch(sorted, BeforeFit, &State{}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(log, " "), "sched guard a b rec out stop"; got != want {
		t.Errorf("run order %q, want %q", got, want)
	}
}

func TestDispatchErrors(t *testing.T) {
	boom := errors.New("boom")
	ret := func(name string, err error) Hook {
		return Func(name, 0, func(Event, *State) error { return err })
	}
	cases := []struct {
		name    string
		hooks   []Hook
		want    error  // errors.Is target
		msg     string // exact message, if any
		allRuns bool   // whether the last hook must have run
	}{
		{"none", []Hook{ret("a", nil)}, nil, "", true},
		{"error-stops", []Hook{ret("bad", boom)}, boom, `AfterEpoch(hook "bad"): boom`, false},
		{"cancel-epoch-continues", []Hook{ret("c", ErrCancelEpoch)}, ErrCancelEpoch, "hooks: cancel epoch", true},
		{"cancel-fit-wins", []Hook{ret("f", ErrCancelFit), ret("c", ErrCancelEpoch)}, ErrCancelFit, "hooks: cancel fit", true},
		{"wrapped-cancel", []Hook{ret("w", fmt.Errorf("enough: %w", ErrCancelFit))}, ErrCancelFit, "hooks: cancel fit", true},
		{"error-after-cancel", []Hook{ret("c", ErrCancelEpoch), ret("bad", boom)}, boom, `AfterEpoch(hook "bad"): boom`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ran := false
			hs := append(c.hooks, Func("last", 0, func(Event, *State) error { ran = true; return nil }))
			err := Dispatch(hs, AfterEpoch, &State{})
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if err != nil && c.msg != "" && err.Error() != c.msg {
				t.Errorf("message %q, want %q", err.Error(), c.msg)
			}
			if ran != c.allRuns {
				t.Errorf("last hook ran = %v, want %v", ran, c.allRuns)
			}
			var he *HookError
			if errors.As(err, &he) && (he.Hook != "bad" || he.Event != AfterEpoch) {
				t.Errorf("HookError %+v, want hook bad at AfterEpoch", he)
			}
		})
	}
}

func TestFuncEvents(t *testing.T) {
	n := 0
	h := Func("count", 0, func(Event, *State) error { n++; return nil }, AfterBatch, AfterEpoch)
	for e := BeforeFit; e <= AfterFit; e++ {
		_ = h.Handle(e, &State{})
	}
	if n != 2 {
		t.Errorf("ran %d times, want 2 (AfterBatch, AfterEpoch)", n)
	}
}

// The batch size ThreePhase sets reaches the batches of the next epoch.
func TestThreePhaseBatchSizesApplied(t *testing.T) {
	f := &fakeFit{epochs: 7, trainSize: 100, alpha: 0.5, sigma: 3, batchSize: 48}
	if _, err := f.run(ThreePhase()); err != nil {
		t.Fatal(err)
	}
	// Phases 1/4/2 with sizes 48, 24, 8 over 100 records.
	want := []string{"[48 48 4]", "[24 24 24 24 4]", "[24 24 24 24 4]", "[24 24 24 24 4]", "[24 24 24 24 4]", "[8 8 8 8 8 8 8 8 8 8 8 8 4]", "[8 8 8 8 8 8 8 8 8 8 8 8 4]"}
	for e, w := range want {
		if got := fmt.Sprint(f.sizes[e]); got != w {
			t.Errorf("epoch %d batches %s, want %s", e, got, w)
		}
	}
}

// TestDispatchKeepsBatchesInStep: a hook that changes the batch size
// before an epoch changes the number of batches the next hooks see, and
// the first hook already sees the batches of the batch size it is given
// (changed, say, at the last AfterEpoch).
func TestDispatchKeepsBatchesInStep(t *testing.T) {
	var first, seen []int
	peek := Func("first", -1, func(e Event, s *State) error { first = append(first, s.Batches); return nil })
	set := Func("set", 0, func(e Event, s *State) error { s.BatchSize = 10; return nil })
	read := Func("read", 1, func(e Event, s *State) error { seen = append(seen, s.Batches); return nil })
	for _, e := range []Event{BeforeFit, BeforeEpoch, BeforeBatch} {
		s := &State{TrainSize: 95, BatchSize: 19, Batches: 1}
		if err := Dispatch([]Hook{peek, set, read}, e, s); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int{5, 5, 1}; !slices.Equal(first, want) {
		t.Errorf("Batches seen by the first hook: %v, want %v (not updated during an epoch)", first, want)
	}
	if want := []int{10, 10, 1}; !slices.Equal(seen, want) {
		t.Errorf("Batches seen after the change: %v, want %v (not updated during an epoch)", seen, want)
	}
}
