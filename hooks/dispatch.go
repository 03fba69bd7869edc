package hooks

import (
	"errors"
	"fmt"
	"slices"
)

// Sorted returns hs in run order: by Order, lower first, ties in the
// order given (a stable sort). Nil hooks are dropped; hs is not modified.
func Sorted(hs []Hook) []Hook {
	out := make([]Hook, 0, len(hs))
	for _, h := range hs {
		if h != nil {
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b Hook) int { return a.Order() - b.Order() })
	return out
}

// HookError is an error a hook returned, with the event and the hook's
// name. Its message is `<Event>(hook "<name>"): <err>`; a trainer adds its
// own prefix ("trainer: ").
type HookError struct {
	Event Event
	Hook  string
	Err   error
}

// Error returns `<Event>(hook "<name>"): <err>`.
func (e *HookError) Error() string { return fmt.Sprintf("%s(hook %q): %v", e.Event, e.Hook, e.Err) }

// Unwrap returns the hook's error.
func (e *HookError) Unwrap() error { return e.Err }

// Dispatch runs event e through hs, in the order given (sort them once
// with Sorted). It is the reference implementation of the hook contract
// for trainers:
//
//   - a hook's error other than the cancel signals stops the dispatch at
//     once and comes back as a *HookError naming the event and the hook;
//   - ErrCancelEpoch and ErrCancelFit (also when wrapped, tested with
//     errors.Is) do not stop the dispatch: the remaining hooks still see
//     the event, and Dispatch returns the stronger signal, ErrCancelFit
//     over ErrCancelEpoch;
//   - at BeforeFit and BeforeEpoch, State.Batches follows State.BatchSize
//     before the first hook and after each one (when TrainSize is known),
//     so every hook sees the number of batches the epoch will have.
func Dispatch(hs []Hook, e Event, s *State) error {
	sync := e == BeforeFit || e == BeforeEpoch
	if sync {
		syncBatches(s)
	}
	var signal error
	for _, h := range hs {
		err := h.Handle(e, s)
		if sync {
			syncBatches(s)
		}
		switch {
		case err == nil:
		case errors.Is(err, ErrCancelFit):
			signal = ErrCancelFit
		case errors.Is(err, ErrCancelEpoch):
			if signal == nil {
				signal = ErrCancelEpoch
			}
		default:
			return &HookError{Event: e, Hook: h.Name(), Err: err}
		}
	}
	return signal
}

// syncBatches sets s.Batches to the number of batches of s.BatchSize
// records that cover the training set, when both are known.
func syncBatches(s *State) {
	if s.BatchSize >= 1 && s.TrainSize > 0 {
		b := min(s.BatchSize, s.TrainSize)
		s.Batches = (s.TrainSize + b - 1) / b
	}
}
