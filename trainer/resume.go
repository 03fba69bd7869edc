package trainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// Resume returns a Learner that continues the fit the checkpoint ck was
// taken from: its codebook, history, shuffling state and, at the next Fit,
// the schedule's place, the hyperparameters in force and the states of the
// hooks.Resumable hooks. Call Fit with ck.Epochs to finish the fit; the
// map then ends bit for bit as the fit that was never interrupted would
// have (same data, same options, same hooks, same machine).
//
// train and valid must be the data the fit started with (Resume compares
// fingerprints of their values and labels). opts may be nil: the options
// come from the checkpoint and the schedule is the stock one it names.
// Fields of opts that are set and contradict the checkpoint (grid,
// distance, neighbourhood, dtype, mode, batch size, alpha, sigma, init,
// seed, TE neighbours, pipeline, schedule, and a supervised map's target
// kind and weight) are an error; opts.Schedule is
// needed when the checkpoint's schedule is not a stock one, and opts.Hooks
// (and AddHook) give the hooks. A hook whose state the checkpoint holds
// and that can change training (a schedule, guard or stopping hook,
// ordered below hooks.OrderRecord or from hooks.OrderStop on) must be
// given again, with the same name; the states of recorders and output
// hooks are restored when such hooks are given and dropped otherwise.
func Resume(ck *Checkpoint, train, valid *loaders.Dataset, opts *Options) (*Learner, error) {
	if ck == nil {
		return nil, errors.New("trainer: resume: no checkpoint")
	}
	if err := ck.check(); err != nil {
		return nil, err
	}
	o, err := resumeOptions(ck, opts)
	if err != nil {
		return nil, err
	}
	if train == nil {
		return nil, errors.New("trainer: resume: no training data: pass the data the fit started with")
	}
	supervised := ck.Model.Target != nil
	if !supervised {
		if err := ck.checkData(train, valid); err != nil {
			return nil, err
		}
	}
	l, err := build(train, valid, &o, ck.Model)
	if err != nil {
		return nil, err
	}
	if supervised { // the checkpoint fingerprints the data with the target's columns
		if err := ck.checkData(l.train, l.valid); err != nil {
			return nil, err
		}
	}
	if err := l.m.SetWeights(ck.Model.Weights); err != nil {
		return nil, fmt.Errorf("trainer: resume: %w", err)
	}
	if err := l.loader.SetRNGState(ck.run.RNG); err != nil {
		return nil, fmt.Errorf("trainer: resume: %w", err)
	}
	l.history = slices.Clone(ck.Model.History)
	l.resumed = ck
	return l, nil
}

// checkData returns an error unless train and valid are the data the
// checkpoint's fit trained on.
func (c *Checkpoint) checkData(train, valid *loaders.Dataset) error {
	if got := fingerprint(train); got != c.run.Train {
		return fmt.Errorf("trainer: resume: the training data (%s) differ from the data the checkpoint was trained on (%s): pass the same data, prepared the same way", got, c.run.Train)
	}
	if got := fingerprint(valid); got != c.run.Valid {
		return fmt.Errorf("trainer: resume: the validation data (%s) differ from the checkpoint's (%s): pass the same split", orNone(got), orNone(c.run.Valid))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// resumeOptions returns the checkpoint's options with the schedule and
// hooks of opts, or an error naming an option of opts that contradicts
// the checkpoint.
func resumeOptions(ck *Checkpoint, opts *Options) (Options, error) {
	m := ck.Model
	o := m.Options
	o.Schedule, o.Hooks = nil, nil
	o.ExactTrainMetrics = ck.run.ExactTrainMetrics
	if opts == nil {
		opts = &Options{}
	}
	conflict := func(name string, given, saved any) error {
		return fmt.Errorf("trainer: resume: Options.%s %v contradicts the checkpoint's %v", name, given, saved)
	}
	g := opts
	if name, given, saved, bad := mapConflict(g, &o); bad {
		return o, conflict(name, given, saved)
	}
	switch {
	case g.TENeighbors != 0 && g.TENeighbors != o.TENeighbors && !(o.TENeighbors == 0 && g.TENeighbors == m.Config.TENeighborCount()):
		return o, conflict("TENeighbors", g.TENeighbors, m.Config.TENeighborCount())
	case g.Mode != 0 && g.Mode != o.Mode:
		return o, conflict("Mode", g.Mode, o.Mode)
	case g.BatchSize != 0 && g.BatchSize != o.BatchSize:
		return o, conflict("BatchSize", g.BatchSize, o.BatchSize)
	case g.Alpha != 0 && g.Alpha != o.Alpha:
		return o, conflict("Alpha", g.Alpha, o.Alpha)
	case g.Sigma != 0 && g.Sigma != o.Sigma:
		return o, conflict("Sigma", g.Sigma, o.Sigma)
	case g.Init != 0 && g.Init != o.Init:
		return o, conflict("Init", g.Init, o.Init)
	case g.Seed != 0 && g.Seed != o.Seed:
		return o, conflict("Seed", g.Seed, o.Seed)
	case g.ExactTrainMetrics && !o.ExactTrainMetrics:
		return o, conflict("ExactTrainMetrics", true, false)
	case g.Supervised && !o.Supervised:
		return o, conflict("Supervised", true, false)
	case g.TargetKind != TargetAuto && g.TargetKind != o.TargetKind:
		return o, conflict("TargetKind", g.TargetKind, o.TargetKind)
	case g.TargetWeight != 0 && o.Supervised && g.TargetWeight != (*m.Config.Layers)[1].Weight:
		return o, conflict("TargetWeight", g.TargetWeight, (*m.Config.Layers)[1].Weight)
	}
	if g.Pipeline != nil {
		a, _ := json.Marshal(g.Pipeline)
		b, _ := json.Marshal(o.Pipeline)
		if !reflect.DeepEqual(a, b) {
			return o, errors.New("trainer: resume: Options.Pipeline differs from the checkpoint's pipeline: leave it nil to use the stored one")
		}
	}
	switch {
	case g.Schedule != nil && g.Schedule.Name() != m.ScheduleName:
		return o, fmt.Errorf("trainer: resume: Options.Schedule %q contradicts the checkpoint's schedule %q", g.Schedule.Name(), m.ScheduleName)
	case g.Schedule != nil:
		o.Schedule = g.Schedule
	default:
		s, err := hooks.ParseSchedule(m.ScheduleName)
		if err != nil {
			return o, fmt.Errorf("trainer: resume: the checkpoint's schedule %q is not a stock schedule: pass it as Options.Schedule", m.ScheduleName)
		}
		o.Schedule = s
	}
	o.Hooks = slices.Clone(g.Hooks)
	return o, nil
}

// checkResumed returns an error if the Learner resumes a fit of another
// length than epochs.
func (l *Learner) checkResumed(epochs int) error {
	if l.resumed != nil && epochs != l.resumed.Epochs {
		return fmt.Errorf("trainer: the resumed fit has %d epochs (%d done): call Fit(%d) to finish it", l.resumed.Epochs, l.resumed.Done, l.resumed.Epochs)
	}
	return nil
}

// restoreRun, at the start of a fit after BeforeFit, puts back the state a
// checkpoint saved: the hyperparameters and counters of hooks.State and the
// hooks' states. It returns the epoch to continue from (0 for a fit that
// does not resume; Epochs for one that had finished).
func (l *Learner) restoreRun(st *hooks.State) (int, error) {
	ck := l.resumed
	if ck == nil {
		return 0, nil
	}
	l.resumed = nil
	r := ck.run
	st.Alpha, st.Sigma, st.BatchSize, st.Step, st.Records = r.Alpha, r.Sigma, r.BatchSize, r.Step, r.Records
	hs, err := l.hookList()
	if err != nil {
		return 0, err
	}
	used := make([]bool, len(hs))
	for _, saved := range r.Hooks {
		found := false
		for i, h := range hs {
			res, ok := h.(hooks.Resumable)
			if used[i] || !ok || h.Name() != saved.Name {
				continue
			}
			used[i], found = true, true
			if err := res.UnmarshalState(saved.State); err != nil {
				return 0, fmt.Errorf("trainer: resume: hook %q: %w", saved.Name, err)
			}
			break
		}
		if !found && affectsTraining(saved.Order) {
			return 0, fmt.Errorf("trainer: resume: the checkpoint holds the state of hook %q, which can change training, and the resumed Learner has no such hook: add it again (for example the same early stopping)", saved.Name)
		}
	}
	if ck.Finished {
		return st.Epochs, nil
	}
	return ck.Done, nil
}

// affectsTraining reports whether a hook of this order can change the
// training itself rather than only report on it: schedules and guards run
// before hooks.OrderRecord, stopping hooks from hooks.OrderStop on.
func affectsTraining(order int) bool {
	return order < hooks.OrderRecord || (order >= hooks.OrderStop && order < OrderCheckpoint)
}

// mapConflict reports the first of the map's shape options (grid,
// distance, neighbourhood, dtype) that given sets to something other than
// saved's: a resumed or continued map keeps the saved shape.
func mapConflict(given, saved *Options) (name string, g, s any, bad bool) {
	switch {
	case given.Grid.Rows != 0 && given.Grid != saved.Grid:
		return "Grid", given.Grid, saved.Grid, true
	case given.Distance != 0 && given.Distance != saved.Distance:
		return "Distance", given.Distance, saved.Distance, true
	case given.Neighborhood != 0 && given.Neighborhood != saved.Neighborhood:
		return "Neighborhood", given.Neighborhood, saved.Neighborhood, true
	case given.Dtype.Type != nil && given.Dtype != saved.Dtype:
		return "Dtype", given.Dtype, saved.Dtype, true
	}
	return "", nil, nil, false
}
