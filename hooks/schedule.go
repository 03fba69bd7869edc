package hooks

import (
	"fmt"
	"math"
	"strings"
)

// Point is where training stands when a schedule is evaluated, with the
// values the fit started from.
type Point struct {
	// Epoch is the current epoch (0-based) of Epochs.
	Epoch, Epochs int
	// Batch is the current batch (0-based) of Batches in the epoch; both
	// are 0 when a schedule runs before the epoch (BeforeEpoch).
	Batch, Batches int
	// InitialAlpha, InitialSigma and InitialBatchSize are the values the
	// fit started from (State.InitialAlpha and so on).
	InitialAlpha, InitialSigma float64
	InitialBatchSize           int
}

// Progress returns the share of the fit done before this point,
// t = (Epoch + Batch/Batches) / Epochs, in [0, 1). Batch/Batches counts
// only when Batches > 0.
func (p Point) Progress() float64 {
	if p.Epochs <= 0 {
		return 0
	}
	t := float64(p.Epoch)
	if p.Batches > 0 {
		t += float64(p.Batch) / float64(p.Batches)
	}
	return t / float64(p.Epochs)
}

// Values are the hyperparameters a schedule sets: the learning rate Alpha,
// the neighbourhood radius Sigma and the batch size of the epoch. A zero
// BatchSize leaves the batch size unchanged.
type Values struct {
	Alpha, Sigma float64
	BatchSize    int
}

// Schedule is a Hook that sets State.Alpha, State.Sigma and, when its
// function returns a positive batch size, State.BatchSize at BeforeEpoch
// of every epoch, from a function of the Point. A schedule made PerBatch
// also sets Alpha and Sigma at BeforeBatch. Schedules run at
// OrderSchedule, before the hooks that read the hyperparameters.
//
// A Schedule returns an error (which stops Fit) when the epoch is outside
// [0, Epochs) or its function returns a negative or non-finite alpha, a
// non-positive or non-finite sigma, or a negative batch size.
type Schedule struct {
	name     string
	fn       func(Point) Values
	perBatch bool
}

// ScheduleFunc returns a Schedule named name that sets the hyperparameters
// fn returns. fn is called once per epoch with Batch and Batches 0 (and,
// after PerBatch, again before every batch); it must be a pure function
// of p.
func ScheduleFunc(name string, fn func(p Point) Values) *Schedule {
	if name == "" {
		name = "schedule"
	}
	return &Schedule{name: name, fn: fn}
}

// PerBatch returns a copy of s that also sets Alpha and Sigma before every
// batch, evaluating the function with the batch's position so continuous
// schedules (linear, exponential, asymptotic) decay smoothly within an
// epoch. The batch size still changes only at BeforeEpoch. Phase
// schedules (TwoPhase, ThreePhase) depend on the epoch alone, so PerBatch
// changes nothing for them.
func (s *Schedule) PerBatch() *Schedule {
	c := *s
	c.perBatch = true
	return &c
}

// Name returns the schedule's name, for example "three-phase".
func (s *Schedule) Name() string { return s.name }

// Order returns OrderSchedule.
func (s *Schedule) Order() int { return OrderSchedule }

// At returns the schedule's values at p, or an error naming the schedule
// and the epoch if p is out of range or the values are invalid.
func (s *Schedule) At(p Point) (Values, error) {
	if s.fn == nil {
		return Values{}, fmt.Errorf("hooks: schedule %q has no function; build it with ScheduleFunc(name, fn)", s.name)
	}
	if p.Epochs < 1 || p.Epoch < 0 || p.Epoch >= p.Epochs {
		return Values{}, fmt.Errorf("hooks: schedule %q: epoch %d is outside [0, %d); epochs must be counted from 0 within one Fit", s.name, p.Epoch, p.Epochs)
	}
	v := s.fn(p)
	switch {
	case math.IsNaN(v.Alpha) || math.IsInf(v.Alpha, 0) || v.Alpha < 0:
		return v, fmt.Errorf("hooks: schedule %q at epoch %d: alpha %v must be a finite number ≥ 0", s.name, p.Epoch, v.Alpha)
	case math.IsNaN(v.Sigma) || math.IsInf(v.Sigma, 0) || v.Sigma <= 0:
		return v, fmt.Errorf("hooks: schedule %q at epoch %d: sigma %v must be a finite number > 0", s.name, p.Epoch, v.Sigma)
	case v.BatchSize < 0:
		return v, fmt.Errorf("hooks: schedule %q at epoch %d: batch size %d must be ≥ 0 (0 keeps the current one)", s.name, p.Epoch, v.BatchSize)
	}
	return v, nil
}

// Handle sets the hyperparameters at BeforeEpoch (and at BeforeBatch for
// a PerBatch schedule).
func (s *Schedule) Handle(e Event, st *State) error {
	p := Point{
		Epoch: st.Epoch, Epochs: st.Epochs,
		InitialAlpha: st.InitialAlpha, InitialSigma: st.InitialSigma,
		InitialBatchSize: st.InitialBatchSize,
	}
	switch {
	case e == BeforeEpoch:
	case e == BeforeBatch && s.perBatch:
		p.Batch, p.Batches = st.Batch, st.Batches
	default:
		return nil
	}
	v, err := s.At(p)
	if err != nil {
		return err
	}
	st.Alpha, st.Sigma = v.Alpha, v.Sigma
	if e == BeforeEpoch && v.BatchSize > 0 {
		st.BatchSize = v.BatchSize
	}
	return nil
}

// Plan returns the values s sets at the start of each of epochs epochs for
// a fit starting from alpha, sigma and batchSize: the schedule as a table,
// for charts and listings. The batch size carries over from epoch to epoch
// when the schedule leaves it unchanged.
func (s *Schedule) Plan(epochs int, alpha, sigma float64, batchSize int) ([]Values, error) {
	if epochs < 1 {
		return nil, fmt.Errorf("hooks: schedule %q: plan for %d epochs; need at least 1", s.name, epochs)
	}
	out := make([]Values, epochs)
	bs := batchSize
	for e := range out {
		v, err := s.At(Point{Epoch: e, Epochs: epochs, InitialAlpha: alpha, InitialSigma: sigma, InitialBatchSize: batchSize})
		if err != nil {
			return nil, err
		}
		if v.BatchSize > 0 {
			bs = v.BatchSize
		}
		v.BatchSize = bs
		out[e] = v
	}
	return out, nil
}

// PhaseLengths splits epochs into len(percent) consecutive phases whose
// sizes follow the given percentages (which must sum to 100) and always
// sum to epochs, so no epoch is lost to rounding.
//
// The rule: the end of phase i is the cumulative share rounded half up,
// b_i = ⌊(epochs·(p_0+…+p_i) + 50) / 100⌋, and the last phase ends at
// epochs. When epochs ≥ len(percent), every phase gets at least one
// epoch: b_i is clamped to [b_{i−1}+1, epochs−(n−1−i)]. With fewer epochs
// than phases some phases are empty (length 0), those whose rounded
// boundaries coincide.
//
// For example, ThreePhase's 16/50/34 gives 1 → [0 1 0], 2 → [0 1 1],
// 3 → [1 1 1], 5 → [1 2 2], 7 → [1 4 2], 10 → [2 5 3], 20 → [3 10 7].
func PhaseLengths(epochs int, percent ...int) ([]int, error) {
	n := len(percent)
	if n == 0 {
		return nil, fmt.Errorf("hooks: phase lengths: no phases given")
	}
	if epochs < 0 {
		return nil, fmt.Errorf("hooks: phase lengths: %d epochs; need at least 0", epochs)
	}
	sum := 0
	for _, p := range percent {
		if p < 0 {
			return nil, fmt.Errorf("hooks: phase lengths: percentage %d is negative", p)
		}
		sum += p
	}
	if sum != 100 {
		return nil, fmt.Errorf("hooks: phase lengths: percentages %v sum to %d, not 100", percent, sum)
	}
	out := make([]int, n)
	prev, cum := 0, 0
	for i, p := range percent {
		cum += p
		b := (epochs*cum + 50) / 100
		if i == n-1 {
			b = epochs
		} else if epochs >= n {
			b = min(max(b, prev+1), epochs-(n-1-i))
		}
		out[i] = b - prev
		prev = b
	}
	return out, nil
}

// phaseOf returns the phase of epoch and its position within the phase,
// given phase lengths that sum to more than epoch.
func phaseOf(epoch int, lengths []int) (phase, pos, n int) {
	for i, l := range lengths {
		if epoch < l {
			return i, epoch, l
		}
		epoch -= l
	}
	last := len(lengths) - 1
	return last, lengths[last] - 1, lengths[last]
}

// linspace returns the pos-th of n values evenly spaced from a to b, both
// included, like numpy.linspace(a, b, n)[pos]; a when n is 1.
func linspace(a, b float64, pos, n int) float64 {
	if n <= 1 {
		return a
	}
	f := float64(pos) / float64(n-1)
	return a*(1-f) + b*f // exact at both ends
}

// mustPhases is PhaseLengths for the stock schedules' constant
// percentages, which cannot fail for epochs ≥ 1.
func mustPhases(epochs int, percent ...int) []int {
	l, err := PhaseLengths(epochs, percent...)
	if err != nil {
		panic(err) // stock percentages are valid; a failure is a bug here
	}
	return l
}

// LinearDecay returns the schedule "linear" (fastsom's
// LinearDecaySomTrainer): with t = epoch/epochs,
//
//	α = α₀·(1 − t),  σ = σ₀·(1 − t).
//
// t < 1, so the last epoch still uses α₀/epochs and σ₀/epochs. σ is not
// floored. PerBatch makes t fractional.
func LinearDecay() *Schedule {
	return ScheduleFunc("linear", func(p Point) Values {
		f := 1 - p.Progress()
		return Values{Alpha: p.InitialAlpha * f, Sigma: p.InitialSigma * f}
	})
}

// Constant returns the schedule "constant": α = α₀ and σ = σ₀ at every
// epoch; the batch size is left unchanged.
func Constant() *Schedule {
	return ScheduleFunc("constant", func(p Point) Values {
		return Values{Alpha: p.InitialAlpha, Sigma: p.InitialSigma}
	})
}

// Exponential returns the schedule "exponential": with t = epoch/epochs,
//
//	α = α₀·0.01^t,  σ = σ₀·(σ_end/σ₀)^t with σ_end = min(1, σ₀),
//
// so α decays geometrically towards α₀/100 and σ towards 1 (σ stays σ₀
// when σ₀ ≤ 1), the classic Kohonen exp(−t/λ) decay. PerBatch makes t
// fractional.
func Exponential() *Schedule {
	return ScheduleFunc("exponential", func(p Point) Values {
		t := p.Progress()
		end := math.Min(1, p.InitialSigma)
		return Values{
			Alpha: p.InitialAlpha * math.Pow(0.01, t),
			Sigma: p.InitialSigma * math.Pow(end/p.InitialSigma, t),
		}
	})
}

// LinearToOne returns the schedule "linear-to-one", the common batch-SOM
// schedule (somoclu's linear cooling, the SOM Toolbox's and R kohonen's
// linear radius) and the Learner's default in Batch mode: over E epochs,
// epoch e (from 0) gets
//
//	σ = σ₀ + (f − σ₀)·e/(E−1),  α = α₀ + (α₀/100 − α₀)·e/(E−1),
//
// with f = min(1, σ₀), so σ falls linearly from σ₀ at the first epoch to
// 1 at the last (σ₀ alone when E = 1). The batch update uses σ only; α
// matters in MiniBatch mode. The batch size is left unchanged. Every
// epoch shrinks the radius by the same step, where three-phase holds σ₀
// and then drops it to 1 within a few epochs, which on short batch runs
// folds the map.
func LinearToOne() *Schedule {
	return ScheduleFunc("linear-to-one", func(p Point) Values {
		a, s := p.InitialAlpha, p.InitialSigma
		return Values{Alpha: linspace(a, a/100, p.Epoch, p.Epochs), Sigma: linspace(s, math.Min(1, s), p.Epoch, p.Epochs)}
	})
}

// Asymptotic returns the schedule "asymptotic", MiniSom's default
// asymptotic_decay: with t = epoch and T = epochs,
//
//	α = α₀ / (1 + t/(T/2)),  σ = σ₀ / (1 + t/(T/2)),
//
// so both halve by mid-fit and end near a third. σ is not floored.
// PerBatch makes t fractional.
func Asymptotic() *Schedule {
	return ScheduleFunc("asymptotic", func(p Point) Values {
		f := 1 / (1 + 2*p.Progress())
		return Values{Alpha: p.InitialAlpha * f, Sigma: p.InitialSigma * f}
	})
}

// TwoPhase returns the schedule "two-phase" (fastsom/SOMPY): a rough
// phase then a fine-tuning phase, 50% of the epochs each (PhaseLengths
// with 50/50: the rough phase gets the odd epoch). Within a phase of n
// epochs, position i moves linearly from the start value to the end value,
// both included (numpy.linspace; a one-epoch phase uses the start value):
//
//	rough: α from α₀ to α₀/10,    σ from σ₀ to max(σ₀/6, f)
//	fine:  α from α₀/20 to α₀/100, σ from max(σ₀/12, f) to max(σ₀/25, f)
//
// where the floor f = min(1, σ₀): σ never drops below 1 (nor rises above
// σ₀ when σ₀ < 1). The batch size is left unchanged.
func TwoPhase() *Schedule {
	return ScheduleFunc("two-phase", func(p Point) Values {
		a, s := p.InitialAlpha, p.InitialSigma
		f := math.Min(1, s)
		phase, i, n := phaseOf(p.Epoch, mustPhases(p.Epochs, 50, 50))
		if phase == 0 {
			return Values{Alpha: linspace(a, a/10, i, n), Sigma: linspace(s, math.Max(s/6, f), i, n)}
		}
		return Values{Alpha: linspace(a/20, a/100, i, n), Sigma: linspace(math.Max(s/12, f), math.Max(s/25, f), i, n)}
	})
}

// ThreePhase returns the schedule "three-phase", fastsom's default
// ExperimentalSomTrainer and the Learner's default schedule. Its phases
// take 16%, 50% and 34% of the epochs (PhaseLengths with 16/50/34, so
// from 3 epochs on every phase has at least one):
//
//	phase 1: α = α₀,   σ = σ₀,                    batch size b₀
//	phase 2: α = α₀/2, σ linearly from σ₀ to 1,    batch size max(8, ⌊b₀/2⌋)
//	phase 3: α = α₀/6, σ = 1,                     batch size max(1, ⌊b₀/6⌋)
//
// Phase 2's σ is linspace(σ₀, 1, n)[i] over its n epochs (σ₀ alone when
// n = 1). Unlike fastsom, the batch-size schedule is applied: the schedule
// sets State.BatchSize at BeforeEpoch and the trainer uses it for that
// epoch. With b₀ = 0 (no initial batch size) the batch size is left
// unchanged; note that max(8, ⌊b₀/2⌋) exceeds b₀ when b₀ < 8.
func ThreePhase() *Schedule {
	return ScheduleFunc("three-phase", func(p Point) Values {
		a, s, b := p.InitialAlpha, p.InitialSigma, p.InitialBatchSize
		phase, i, n := phaseOf(p.Epoch, mustPhases(p.Epochs, 16, 50, 34))
		var v Values
		switch phase {
		case 0:
			v = Values{Alpha: a, Sigma: s, BatchSize: b}
		case 1:
			v = Values{Alpha: a / 2, Sigma: linspace(s, 1, i, n), BatchSize: max(8, b/2)}
		default:
			v = Values{Alpha: a / 6, Sigma: 1, BatchSize: max(1, b/6)}
		}
		if b <= 0 {
			v.BatchSize = 0
		}
		return v
	})
}

// ScheduleNames lists the names ParseSchedule accepts.
func ScheduleNames() []string {
	return []string{"linear", "linear-to-one", "two-phase", "three-phase", "exponential", "asymptotic", "constant"}
}

// ParseSchedule returns the stock schedule called name: "linear",
// "linear-to-one", "two-phase", "three-phase", "exponential", "asymptotic"
// or "constant" (case and '-' versus '_' do not matter). The Hook is a
// *Schedule.
func ParseSchedule(name string) (Hook, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "_", "-") {
	case "linear", "linear-decay":
		return LinearDecay(), nil
	case "linear-to-one", "linear-to-1":
		return LinearToOne(), nil
	case "two-phase", "twophase":
		return TwoPhase(), nil
	case "three-phase", "threephase":
		return ThreePhase(), nil
	case "exponential":
		return Exponential(), nil
	case "asymptotic":
		return Asymptotic(), nil
	case "constant":
		return Constant(), nil
	}
	return nil, fmt.Errorf("hooks: unknown schedule %q; want one of %s", name, strings.Join(ScheduleNames(), ", "))
}

var _ Hook = (*Schedule)(nil)
