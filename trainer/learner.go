package trainer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/gorgonia"
)

// initStream is the PCG stream of the initializer's generator; the batch
// loader draws from its own stream of the same seed.
const initStream = 0x1A17C0DE

// Epoch is the record of one training epoch, hooks.EpochRecord: in a
// Learner's History, Epoch numbers the epochs of all Fit calls from 1;
// Train and Valid are the map's metrics after the epoch, Loss is Train.QE;
// Alpha, Sigma and BatchSize are those of the epoch's last update;
// Duration is the wall time up to AfterEpoch (its batches, their hooks,
// the update and the metrics). Batches and Records are left 0.
type Epoch = hooks.EpochRecord

// Learner trains a self-organizing map on a dataset. It is not safe for
// concurrent use.
type Learner struct {
	opts         Options
	train, valid *loaders.Dataset
	m            *graph.Map
	loader       *loaders.Loader
	batch        loaders.Batch
	stats        *graph.Stats
	running      *graph.MetricsAcc // the epoch's training metrics from its searches
	forwards     []*graph.Forward  // compiled graphs by batch size, most recent last
	hooks        []hooks.Hook
	history      []Epoch
	pass         EpochPass // see SetEpochPass
	passSize     int
	validPass    ValidPass // see SetValidPass
	validN       int
	resumed      *Checkpoint // the fit to continue at the next Fit (Resume)
	target       *Target     // a supervised map's target layer, or nil
}

// New returns a Learner for the training data train and the optional
// validation data valid (nil for none), with its codebook initialized from
// train by opts.Init and opts.Seed. nil opts mean all defaults; opts is
// not modified. New returns an error for empty or inconsistent data and for
// invalid options.
func New(train, valid *loaders.Dataset, opts *Options) (*Learner, error) {
	l, err := build(train, valid, opts, nil)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(l.opts.Seed, initStream))
	if err := l.m.Initialize(l.opts.Init, l.train.Data, rng); err != nil {
		return nil, fmt.Errorf("trainer: initializing the codebook (%v): %w", l.opts.Init, err)
	}
	if l.target != nil {
		if err := l.scaleLayers(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// build returns a Learner like New with a zero codebook. For a
// supervised map, saved (nil for a new fit) gives the target and the
// scaled layers of a saved map to use as they are (Resume).
func build(train, valid *loaders.Dataset, opts *Options, saved *Model) (*Learner, error) {
	if train == nil {
		return nil, errors.New("trainer: no training data: pass a *loaders.Dataset")
	}
	o, err := resolve(opts, train.N)
	if err != nil {
		return nil, err
	}
	if err := checkData(train, o.Missing); err != nil {
		return nil, fmt.Errorf("trainer: training data: %w", err)
	}
	if o.Missing {
		if err := checkFeaturesPresent(train); err != nil {
			return nil, fmt.Errorf("trainer: training data: %w", err)
		}
	}
	if valid != nil {
		if err := checkData(valid, o.Missing); err != nil {
			return nil, fmt.Errorf("trainer: validation data: %w", err)
		}
		if valid.D != train.D {
			return nil, fmt.Errorf("trainer: validation data has %d features, training data %d: prepare both with the same pipeline", valid.D, train.D)
		}
		if train.Features != nil && valid.Features != nil && !slices.Equal(train.Features, valid.Features) {
			return nil, fmt.Errorf("trainer: validation features %q differ from training features %q", valid.Features, train.Features)
		}
	}
	if o.Pipeline != nil && o.Pipeline.Width() != train.D {
		return nil, fmt.Errorf("trainer: the pipeline encodes %d features, the training data has %d: pass the pipeline that produced the data", o.Pipeline.Width(), train.D)
	}
	cfg, err := mapConfig(o, train.D, o.Pipeline)
	if err != nil {
		return nil, err
	}
	var target *Target
	if o.Supervised {
		if train, valid, target, err = supervise(train, valid, &o, &cfg, saved); err != nil {
			return nil, err
		}
	}
	m, err := graph.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	if o.Mode == Batch {
		o.BatchSize = chunkSize(opts, cfg, train.N)
	}
	loader, err := loaders.NewLoader(train, o.BatchSize, o.Mode == MiniBatch, o.Dtype, o.Seed)
	if err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	return &Learner{
		opts:    o,
		train:   train,
		valid:   valid,
		m:       m,
		loader:  loader,
		stats:   m.NewStats(),
		running: m.NewMetricsAcc(),
		hooks:   o.Hooks,
		target:  target,
	}, nil
}

// AddHook registers h to run in later calls to Fit, after the hooks already
// registered with the same order.
func (l *Learner) AddHook(h hooks.Hook) { l.hooks = append(l.hooks, h) }

// Map returns the map being trained (the live map, not a copy).
func (l *Learner) Map() *graph.Map { return l.m }

// Options returns the Learner's options with defaults filled in (Schedule
// is the schedule in use: hooks.ThreePhase, or hooks.LinearToOne in Batch
// mode, if none was given). Its Hooks are
// those of New's Options followed by those added with AddHook.
func (l *Learner) Options() Options {
	o := l.opts
	o.Hooks = slices.Clone(l.hooks)
	return o
}

// Train returns the training data. For a supervised map these are the
// data the map trains on: the features followed by the target layer's
// columns (Target), with the same labels.
func (l *Learner) Train() *loaders.Dataset { return l.train }

// Valid returns the validation data, or nil; for a supervised map with
// the target layer's columns, as Train.
func (l *Learner) Valid() *loaders.Dataset { return l.valid }

// History returns a copy of the record of every epoch trained so far, over
// all calls to Fit.
func (l *Learner) History() []Epoch { return slices.Clone(l.history) }

// hookList returns the schedule and the hooks sorted by order, ties in
// registration order (the schedule first).
func (l *Learner) hookList() ([]hooks.Hook, error) {
	hs := []hooks.Hook{l.opts.Schedule}
	for i, h := range l.hooks {
		if h == nil {
			return nil, fmt.Errorf("trainer: hook %d is nil", i)
		}
		hs = append(hs, h)
	}
	return hooks.Sorted(hs), nil
}

// signal is what the hooks of one event asked for.
type signal struct{ cancelEpoch, cancelFit bool }

// run calls every hook at event e through hooks.Dispatch, which holds the
// contract (order, error wrapping, cancel signals, State.Batches kept in
// step with State.BatchSize), and turns its signal into flags.
func (l *Learner) run(hs []hooks.Hook, e hooks.Event, st *hooks.State) (signal, error) {
	err := hooks.Dispatch(hs, e, st)
	switch {
	case err == nil:
		return signal{}, nil
	case errors.Is(err, hooks.ErrCancelFit):
		return signal{cancelFit: true}, nil
	case errors.Is(err, hooks.ErrCancelEpoch):
		return signal{cancelEpoch: true}, nil
	}
	return signal{}, fmt.Errorf("trainer: %w", err)
}

// Fit trains the map for epochs epochs, calling the hooks at every event
// (see the package documentation). It returns nil when training ends
// normally or a hook cancelled it, and otherwise the first error, after
// AfterFit has run. Fit may be called again to continue training: the
// codebook is kept, the epochs and the schedule start anew.
func (l *Learner) Fit(epochs int) error {
	if epochs < 1 {
		return fmt.Errorf("trainer: epochs %d must be at least 1", epochs)
	}
	if err := l.checkResumed(epochs); err != nil {
		return err
	}
	hs, err := l.hookList()
	if err != nil {
		return err
	}
	st := &hooks.State{
		Epochs:           epochs,
		TrainSize:        l.trainSize(),
		Map:              l.m,
		Alpha:            l.opts.Alpha,
		Sigma:            l.opts.Sigma,
		BatchSize:        l.opts.BatchSize,
		InitialAlpha:     l.opts.Alpha,
		InitialSigma:     l.opts.Sigma,
		InitialBatchSize: l.opts.BatchSize,
	}
	st.ValidSize = l.validSize()
	st.HasTarget = l.target != nil

	stopped, err := l.loop(hs, st)
	st.Stopped, st.Err = stopped, err
	st.X, st.Index, st.Labels, st.BMU = nil, nil, nil, nil
	if _, aerr := l.run(hs, hooks.AfterFit, st); aerr != nil {
		if err == nil {
			return aerr
		}
		return errors.Join(err, aerr)
	}
	return err
}

// loop runs BeforeFit and the epochs; it reports whether a hook cancelled
// the fit.
func (l *Learner) loop(hs []hooks.Hook, st *hooks.State) (stopped bool, err error) {
	sig, err := l.run(hs, hooks.BeforeFit, st)
	if err != nil || sig.cancelFit {
		return sig.cancelFit, err
	}
	first, err := l.restoreRun(st) // 0 unless the fit resumes a checkpoint
	if err != nil {
		return false, err
	}
	for e := first; e < st.Epochs; e++ {
		stop, err := l.epoch(hs, st, e)
		if err != nil || stop {
			return stop, err
		}
	}
	return false, nil
}

// checkHyper returns an error if the hooks left α or σ unusable.
func checkHyper(st *hooks.State, mode Mode) error {
	if mode == MiniBatch && (!(st.Alpha >= 0) || math.IsInf(st.Alpha, 0)) {
		return fmt.Errorf("trainer: epoch %d, batch %d: learning rate alpha %v set by a hook must be a finite number ≥ 0", st.Epoch, st.Batch, st.Alpha)
	}
	if !(st.Sigma > 0) || math.IsInf(st.Sigma, 0) {
		return fmt.Errorf("trainer: epoch %d, batch %d: radius sigma %v set by a hook must be a finite number > 0", st.Epoch, st.Batch, st.Sigma)
	}
	return nil
}

// maxForwards bounds the compiled graphs a Learner keeps: one for the
// batch size and one for the epoch's shorter last batch, and two more for
// a schedule that changes the batch size.
const maxForwards = 4

// forward returns the compiled graph for batches of n records: the whole
// graph (graph.Map.NewForward) in MiniBatch mode, the search
// (graph.Map.NewSearch) in Batch mode, whose update runs the Stats'
// update graph at the end of the epoch. It keeps the maxForwards most
// recently used graphs.
func (l *Learner) forward(n int) (*graph.Forward, error) {
	for i, f := range l.forwards {
		if f.Batch() == n {
			l.forwards = append(append(l.forwards[:i:i], l.forwards[i+1:]...), f)
			return f, nil
		}
	}
	newForward := l.m.NewForward
	if l.opts.Mode == Batch {
		newForward = l.m.NewSearch
	}
	f, err := newForward(n)
	if err != nil {
		return nil, fmt.Errorf("trainer: compiling the forward graph for batches of %d: %w", n, err)
	}
	if len(l.forwards) == maxForwards {
		l.forwards = slices.Delete(l.forwards, 0, 1)
	}
	l.forwards = append(l.forwards, f)
	return f, nil
}

// Graphs returns the Gorgonia expression graphs that Fit runs for batches
// of the Learner's batch size (Options.BatchSize with its default): in
// MiniBatch mode the whole forward graph of a training step (distances,
// BMUs, per-BMU sums, neighbourhood, weighted sums), in Batch mode the
// search graph run on every batch and the Stats' update graph
// (neighbourhood, weighted sums) run at the end of every epoch. They are
// the compiled graphs the Learner keeps and trains with, for inspection
// (for example gorgonia.ToDot).
func (l *Learner) Graphs() ([]*gorgonia.ExprGraph, error) {
	f, err := l.forward(l.loader.BatchSize())
	if err != nil {
		return nil, err
	}
	gs := []*gorgonia.ExprGraph{f.Graph()}
	if l.opts.Mode == Batch {
		g, err := l.stats.Graph()
		if err != nil {
			return nil, fmt.Errorf("trainer: %w", err)
		}
		gs = append(gs, g)
	}
	return gs, nil
}

// sumDistortion reports whether the epoch's training distortion comes from
// the per-unit sums of the update (Euclidean distance), measured against
// the codebook each update replaces, rather than from every record's row
// of distances. The sums skip missing values, so a map that skips them
// measures from the distances.
func (l *Learner) sumDistortion() bool {
	return l.opts.Distance == graph.Euclidean && l.m.Config().Layers == nil && !l.opts.Missing
}

// epoch runs epoch e: BeforeEpoch, the batches (step), and the end of the
// epoch (finishEpoch). It reports whether a hook cancelled the fit.
func (l *Learner) epoch(hs []hooks.Hook, st *hooks.State, e int) (stop bool, err error) {
	start := time.Now()
	st.Epoch, st.Batch = e, 0
	sig, err := l.run(hs, hooks.BeforeEpoch, st)
	if err != nil {
		return false, err
	}
	if err := l.loader.SetBatchSize(st.BatchSize); err != nil {
		return false, fmt.Errorf("trainer: epoch %d: batch size %d set by a hook must be at least 1", e, st.BatchSize)
	}
	st.Batches = l.loader.Batches()
	l.loader.Start()
	l.stats.Reset()
	l.running.Reset()
	if l.pass != nil && !sig.cancelEpoch && !sig.cancelFit {
		if err := l.runPass(st, e); err != nil {
			return false, err
		}
	}
	for bi := 0; l.pass == nil && !sig.cancelEpoch && !sig.cancelFit && l.loader.Next(&l.batch); bi++ {
		s, err := l.step(hs, st, bi)
		if err != nil {
			return false, err
		}
		sig.cancelEpoch = sig.cancelEpoch || s.cancelEpoch
		sig.cancelFit = sig.cancelFit || s.cancelFit
	}
	stop, err = l.finishEpoch(hs, st, start)
	return sig.cancelFit || stop, err
}

// step trains on batch bi (l.batch): BeforeBatch, the forward graph, in
// MiniBatch mode the update, and AfterBatch. In MiniBatch mode the
// Forward's graph computes the neighbourhood of the batch and the weighted
// sums the update applies; in Batch mode its search adds the batch's
// per-BMU sums to the epoch's Stats.
func (l *Learner) step(hs []hooks.Hook, st *hooks.State, bi int) (signal, error) {
	b := &l.batch
	st.Batch = bi
	st.X, st.Index, st.Labels = b.X, b.Index, b.Labels
	st.BMU, st.BatchLoss = nil, 0
	before, err := l.run(hs, hooks.BeforeBatch, st)
	if err != nil {
		return signal{}, err
	}
	if err := checkHyper(st, l.opts.Mode); err != nil {
		return signal{}, err
	}
	n := b.Size()
	f, err := l.forward(n)
	if err != nil {
		return signal{}, err
	}
	switch l.opts.Mode {
	case MiniBatch:
		err = f.Run(b.X, st.Sigma)
	case Batch:
		err = f.SearchInto(b.X, l.stats)
	}
	if err != nil {
		return signal{}, fmt.Errorf("trainer: epoch %d, batch %d: %w", st.Epoch, bi, err)
	}
	if l.sumDistortion() {
		l.running.AddWithoutDistortion(f)
	} else {
		l.running.Add(f, st.Sigma)
	}
	if l.opts.Mode == MiniBatch {
		distortion, err := f.UpdateMiniBatch(st.Alpha)
		if err != nil {
			return signal{}, fmt.Errorf("trainer: epoch %d, batch %d: %w", st.Epoch, bi, err)
		}
		if l.sumDistortion() { // against the codebook the batch searched
			l.running.AddDistortion(distortion)
		}
	}
	loss := 0.0
	for _, d := range f.MinDist() {
		loss += d
	}
	st.BMU, st.BatchLoss = f.BMU(), loss/float64(n)
	st.Step++
	st.Records += n
	after, err := l.run(hs, hooks.AfterBatch, st)
	if err != nil {
		return signal{}, err
	}
	return signal{
		cancelEpoch: before.cancelEpoch || after.cancelEpoch,
		cancelFit:   before.cancelFit || after.cancelFit,
	}, nil
}

// finishEpoch ends the epoch that started at start: in Batch mode the
// update from the epoch's sums, then the metrics, the epoch's record and
// AfterEpoch. It reports whether a hook cancelled the fit.
func (l *Learner) finishEpoch(hs []hooks.Hook, st *hooks.State, start time.Time) (stop bool, err error) {
	e := st.Epoch
	if l.opts.Mode == Batch && l.stats.Records() > 0 {
		if err := checkHyper(st, l.opts.Mode); err != nil {
			return false, err
		}
		if err := l.stats.Apply(graph.BatchRule(), st.Sigma); err != nil {
			return false, fmt.Errorf("trainer: epoch %d: %w", e, err)
		}
		if l.sumDistortion() { // against the codebook the epoch searched
			total, err := l.stats.DistortionBefore()
			if err != nil {
				return false, fmt.Errorf("trainer: epoch %d: %w", e, err)
			}
			l.running.AddDistortion(total)
		}
		l.stats.Reset()
	}

	st.X, st.Index, st.Labels, st.BMU = nil, nil, nil, nil
	train := l.running.Metrics()
	if l.opts.ExactTrainMetrics || l.running.Records() == 0 {
		if train, err = l.m.Evaluate(l.train.Data, st.Sigma); err != nil {
			return false, fmt.Errorf("trainer: epoch %d: metrics on the training data: %w", e, err)
		}
	}
	st.Train, st.Loss = train, train.QE
	if l.validSize() > 0 {
		valid, err := l.evaluateValid(st.Sigma)
		if err != nil {
			return false, fmt.Errorf("trainer: epoch %d: metrics on the validation data: %w", e, err)
		}
		st.Valid, st.HasValid = valid, true
	}
	if l.target != nil {
		if err := l.epochTargetMetrics(st); err != nil {
			return false, fmt.Errorf("trainer: epoch %d: target metrics: %w", e, err)
		}
	}
	rec := Epoch{
		Epoch: len(l.history) + 1, Loss: st.Loss, Train: st.Train, Valid: st.Valid, HasValid: st.HasValid,
		TrainTarget: st.TrainTarget, ValidTarget: st.ValidTarget, HasTarget: st.HasTarget,
		Alpha: st.Alpha, Sigma: st.Sigma, BatchSize: l.loader.BatchSize(),
		Duration: time.Since(start),
	}
	l.history = append(l.history, rec)
	s, err := l.run(hs, hooks.AfterEpoch, st)
	if err != nil {
		return false, err
	}
	return s.cancelFit, nil
}

// checkData checks ds with Check, or with CheckMissing when the map skips
// missing values.
func checkData(ds *loaders.Dataset, missing bool) error {
	if missing {
		return ds.CheckMissing()
	}
	return ds.Check()
}

// checkFeaturesPresent returns an error naming the first feature of ds
// that no record holds: the map could not learn it.
func checkFeaturesPresent(ds *loaders.Dataset) error {
	for f := 0; f < ds.D; f++ {
		present := false
		for i := f; i < len(ds.Data) && !present; i += ds.D {
			present = !math.IsNaN(ds.Data[i])
		}
		if !present {
			name := fmt.Sprint(f)
			if ds.Features != nil {
				name = fmt.Sprintf("%d (%s)", f, ds.Features[f])
			}
			return fmt.Errorf("feature %s is missing in every record: drop it", name)
		}
	}
	return nil
}
