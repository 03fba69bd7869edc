package hooks

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// scheduleRun drives a schedule through Handle for epochs epochs and
// returns the State values it leaves at each BeforeEpoch.
func scheduleRun(t *testing.T, h Hook, epochs int, a0, s0 float64, b0 int) []Values {
	t.Helper()
	st := &State{Epochs: epochs, InitialAlpha: a0, InitialSigma: s0, InitialBatchSize: b0, Alpha: a0, Sigma: s0, BatchSize: b0}
	if err := h.Handle(BeforeFit, st); err != nil {
		t.Fatalf("BeforeFit: %v", err)
	}
	var out []Values
	for e := 0; e < epochs; e++ {
		st.Epoch = e
		if err := h.Handle(BeforeEpoch, st); err != nil {
			t.Fatalf("BeforeEpoch %d: %v", e, err)
		}
		out = append(out, Values{Alpha: st.Alpha, Sigma: st.Sigma, BatchSize: st.BatchSize})
	}
	return out
}

// phaseTable holds the phase lengths the documented rule gives, worked
// out by hand.
var phaseTable = map[string]map[int][]int{
	"two-phase":   {1: {1, 0}, 2: {1, 1}, 3: {2, 1}, 5: {3, 2}, 7: {4, 3}, 10: {5, 5}, 20: {10, 10}},
	"three-phase": {1: {0, 1, 0}, 2: {0, 1, 1}, 3: {1, 1, 1}, 5: {1, 2, 2}, 7: {1, 4, 2}, 10: {2, 5, 3}, 20: {3, 10, 7}},
}

var epochCounts = []int{1, 2, 3, 5, 7, 10, 20}

// ramp returns n values stepping evenly from a to b inclusive.
func ramp(a, b float64, n int) []float64 {
	out := make([]float64, n)
	step := 0.0
	if n > 1 {
		step = (b - a) / float64(n-1)
	}
	for i := range out {
		out[i] = a + step*float64(i)
	}
	if n > 1 {
		out[n-1] = b
	}
	return out
}

// want computes a schedule's expected values independently of the
// package: phases from phaseTable, closed forms otherwise.
func want(name string, epochs int, a0, s0 float64, b0 int) []Values {
	var out []Values
	switch name {
	case "linear":
		for e := 0; e < epochs; e++ {
			f := float64(epochs-e) / float64(epochs)
			out = append(out, Values{a0 * f, s0 * f, b0})
		}
	case "linear-to-one":
		as, ss := ramp(a0, a0/100, epochs), ramp(s0, math.Min(1, s0), epochs)
		for e := range epochs {
			out = append(out, Values{as[e], ss[e], b0})
		}
	case "constant":
		for e := 0; e < epochs; e++ {
			out = append(out, Values{a0, s0, b0})
		}
	case "exponential":
		for e := 0; e < epochs; e++ {
			end := s0
			if s0 > 1 {
				end = 1
			}
			t := float64(e) / float64(epochs)
			out = append(out, Values{a0 * math.Exp(t*math.Log(0.01)), s0 * math.Exp(t*math.Log(end/s0)), b0})
		}
	case "asymptotic":
		for e := 0; e < epochs; e++ {
			d := 1 + float64(e)/(float64(epochs)/2)
			out = append(out, Values{a0 / d, s0 / d, b0})
		}
	case "two-phase":
		fl := func(x float64) float64 {
			f := 1.0
			if s0 < 1 {
				f = s0
			}
			return math.Max(x, f)
		}
		L := phaseTable[name][epochs]
		as, ss := ramp(a0, a0/10, L[0]), ramp(s0, fl(s0/6), L[0])
		as = append(as, ramp(a0/20, a0/100, L[1])...)
		ss = append(ss, ramp(fl(s0/12), fl(s0/25), L[1])...)
		for i := range as {
			out = append(out, Values{as[i], ss[i], b0})
		}
	case "three-phase":
		L := phaseTable[name][epochs]
		half, sixth := b0/2, b0/6
		if half < 8 {
			half = 8
		}
		if sixth < 1 {
			sixth = 1
		}
		for range L[0] {
			out = append(out, Values{a0, s0, b0})
		}
		for _, s := range ramp(s0, 1, L[1]) {
			out = append(out, Values{a0 / 2, s, half})
		}
		for range L[2] {
			out = append(out, Values{a0 / 6, 1, sixth})
		}
	}
	return out
}

func TestSchedules(t *testing.T) {
	const tol = 1e-12
	starts := []struct {
		name   string
		a0, s0 float64
		b0     int
	}{
		{"large-sigma", 0.3, 12, 64},
		{"small-sigma-small-batch", 0.5, 0.8, 4},
		{"odd-batch", 1, 3, 33},
	}
	for _, name := range ScheduleNames() {
		for _, st := range starts {
			for _, epochs := range epochCounts {
				t.Run(fmt.Sprintf("%s/%s/%d", name, st.name, epochs), func(t *testing.T) {
					h, err := ParseSchedule(name)
					if err != nil {
						t.Fatal(err)
					}
					got := scheduleRun(t, h, epochs, st.a0, st.s0, st.b0)
					exp := want(name, epochs, st.a0, st.s0, st.b0)
					if len(exp) != epochs {
						t.Fatalf("test table gives %d epochs, want %d", len(exp), epochs)
					}
					for e := range exp {
						g, w := got[e], exp[e]
						if math.Abs(g.Alpha-w.Alpha) > tol*math.Max(1, w.Alpha) ||
							math.Abs(g.Sigma-w.Sigma) > tol*math.Max(1, w.Sigma) || g.BatchSize != w.BatchSize {
							t.Errorf("epoch %d: got α=%.15g σ=%.15g bs=%d, want α=%.15g σ=%.15g bs=%d",
								e, g.Alpha, g.Sigma, g.BatchSize, w.Alpha, w.Sigma, w.BatchSize)
						}
					}
				})
			}
		}
	}
}

func TestPhaseLengths(t *testing.T) {
	pct := map[string][]int{"two-phase": {50, 50}, "three-phase": {16, 50, 34}}
	for name, byEpochs := range phaseTable {
		for epochs, w := range byEpochs {
			t.Run(fmt.Sprintf("%s/%d", name, epochs), func(t *testing.T) {
				got, err := PhaseLengths(epochs, pct[name]...)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(w) {
					t.Errorf("got %v, want %v", got, w)
				}
			})
		}
	}
	// Properties over many epoch counts: lengths sum to epochs, and every
	// phase is non-empty once there are as many epochs as phases.
	for _, p := range [][]int{{50, 50}, {16, 50, 34}, {1, 1, 98}, {98, 1, 1}, {100}, {0, 100}} {
		for epochs := 0; epochs <= 300; epochs++ {
			l, err := PhaseLengths(epochs, p...)
			if err != nil {
				t.Fatalf("%v %d: %v", p, epochs, err)
			}
			sum := 0
			for _, x := range l {
				sum += x
				if x < 0 || (epochs >= len(p) && x == 0) {
					t.Fatalf("PhaseLengths(%d, %v) = %v: empty or negative phase", epochs, p, l)
				}
			}
			if sum != epochs {
				t.Fatalf("PhaseLengths(%d, %v) = %v sums to %d", epochs, p, l, sum)
			}
		}
	}
}

func TestPhaseLengthsErrors(t *testing.T) {
	cases := []struct {
		name   string
		epochs int
		pct    []int
		msg    string
	}{
		{"none", 5, nil, "no phases"},
		{"negative-epochs", -1, []int{100}, "-1 epochs"},
		{"negative-pct", 5, []int{-10, 110}, "negative"},
		{"bad-sum", 5, []int{50, 40}, "sum to 90"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := PhaseLengths(c.epochs, c.pct...)
			if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "hooks: ") {
				t.Errorf("got %v, want an error containing %q", err, c.msg)
			}
		})
	}
}

func TestSchedulePerBatch(t *testing.T) {
	const tol = 1e-12
	s := LinearDecay().PerBatch()
	st := &State{Epochs: 2, InitialAlpha: 1, InitialSigma: 4, InitialBatchSize: 10, BatchSize: 10}
	st.Epoch = 1
	if err := s.Handle(BeforeEpoch, st); err != nil {
		t.Fatal(err)
	}
	st.Batch, st.Batches = 2, 4
	if err := s.Handle(BeforeBatch, st); err != nil {
		t.Fatal(err)
	}
	// t = (1 + 2/4)/2 = 0.75.
	if math.Abs(st.Alpha-0.25) > tol || math.Abs(st.Sigma-1) > tol {
		t.Errorf("got α=%v σ=%v, want 0.25, 1", st.Alpha, st.Sigma)
	}
	// A per-epoch schedule ignores BeforeBatch.
	e := LinearDecay()
	st.Alpha = 7
	if err := e.Handle(BeforeBatch, st); err != nil || st.Alpha != 7 {
		t.Errorf("per-epoch schedule changed α at BeforeBatch: %v, %v", st.Alpha, err)
	}
}

func TestScheduleErrors(t *testing.T) {
	cases := []struct {
		name string
		h    *Schedule
		st   State
		msg  string
	}{
		{"nil-func", ScheduleFunc("mine", nil), State{Epochs: 3}, `schedule "mine" has no function`},
		{"epoch-out-of-range", Constant(), State{Epoch: 3, Epochs: 3, InitialAlpha: 1, InitialSigma: 1}, "epoch 3 is outside [0, 3)"},
		{"no-epochs", Constant(), State{Epochs: 0}, "outside [0, 0)"},
		{"nan-alpha", ScheduleFunc("nan", func(Point) Values { return Values{Alpha: math.NaN(), Sigma: 1} }), State{Epochs: 1}, "alpha NaN"},
		{"negative-alpha", ScheduleFunc("neg", func(Point) Values { return Values{Alpha: -1, Sigma: 1} }), State{Epochs: 1}, "alpha -1"},
		{"zero-sigma", Constant(), State{Epochs: 1, InitialAlpha: 1, InitialSigma: 0}, "sigma 0 must be"},
		{"inf-sigma", ScheduleFunc("inf", func(Point) Values { return Values{Alpha: 1, Sigma: math.Inf(1)} }), State{Epochs: 1}, "sigma +Inf"},
		{"negative-batch", ScheduleFunc("bs", func(Point) Values { return Values{Alpha: 1, Sigma: 1, BatchSize: -2} }), State{Epochs: 1}, "batch size -2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := c.st
			err := c.h.Handle(BeforeEpoch, &st)
			if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "hooks: ") {
				t.Errorf("got %v, want an error containing %q", err, c.msg)
			}
		})
	}
}

func TestParseSchedule(t *testing.T) {
	cases := []struct{ in, name string }{
		{"linear", "linear"}, {"Two_Phase", "two-phase"}, {" three-phase ", "three-phase"},
		{"exponential", "exponential"}, {"asymptotic", "asymptotic"}, {"constant", "constant"},
	}
	for _, c := range cases {
		h, err := ParseSchedule(c.in)
		if err != nil || h.Name() != c.name || h.Order() != OrderSchedule {
			t.Errorf("ParseSchedule(%q) = %v, %v; want %s", c.in, h, err, c.name)
		}
	}
	if h, err := ParseSchedule("cosine"); err == nil || h != nil || !strings.Contains(err.Error(), "three-phase") {
		t.Errorf("ParseSchedule(cosine) = %v, %v; want a nil hook and an error listing the names", h, err)
	}
}

func TestSchedulePlan(t *testing.T) {
	p, err := ThreePhase().Plan(5, 0.6, 4, 32)
	if err != nil {
		t.Fatal(err)
	}
	// Plan and Handle must agree.
	got := scheduleRun(t, ThreePhase(), 5, 0.6, 4, 32)
	if fmt.Sprint(p) != fmt.Sprint(got) {
		t.Errorf("Plan %v, Handle %v", p, got)
	}
	// A schedule that leaves the batch size carries it over.
	p, err = Constant().Plan(2, 1, 1, 16)
	if err != nil || p[1].BatchSize != 16 {
		t.Errorf("Constant plan %v, %v: want batch size 16", p, err)
	}
	if _, err := Constant().Plan(0, 1, 1, 16); err == nil {
		t.Error("Plan(0 epochs) returned no error")
	}
}

// Properties of every stock schedule over many epoch counts: valid values
// and, for σ₀ ≥ 1, α and σ never increase and σ never drops below 1
// where the schedule floors it.
func TestScheduleProperties(t *testing.T) {
	floored := map[string]bool{"two-phase": true, "three-phase": true, "exponential": true}
	for _, name := range ScheduleNames() {
		h, _ := ParseSchedule(name)
		s := h.(*Schedule)
		for epochs := 1; epochs <= 60; epochs++ {
			for _, s0 := range []float64{1, 1.7, 5, 40} {
				plan, err := s.Plan(epochs, 0.9, s0, 50)
				if err != nil {
					t.Fatalf("%s %d: %v", name, epochs, err)
				}
				for e := 1; e < epochs; e++ {
					p, c := plan[e-1], plan[e]
					if c.Alpha > p.Alpha+1e-15 || c.Sigma > p.Sigma+1e-15 || c.BatchSize > p.BatchSize {
						t.Fatalf("%s, %d epochs, σ₀ %v: epoch %d %+v rises above epoch %d %+v", name, epochs, s0, e, c, e-1, p)
					}
				}
				for e, v := range plan {
					if floored[name] && v.Sigma < 1-1e-15 {
						t.Fatalf("%s, %d epochs, σ₀ %v: epoch %d σ %v below 1", name, epochs, s0, e, v.Sigma)
					}
					if v.Alpha <= 0 || v.Sigma <= 0 || v.BatchSize < 1 {
						t.Fatalf("%s, %d epochs: epoch %d %+v", name, epochs, e, v)
					}
				}
			}
		}
	}
}

// A user schedule: cosine annealing of α with σ from ScheduleFunc.
func ExampleScheduleFunc() {
	cosine := ScheduleFunc("cosine", func(p Point) Values {
		f := 0.5 * (1 + math.Cos(math.Pi*p.Progress()))
		return Values{Alpha: p.InitialAlpha * f, Sigma: 1 + (p.InitialSigma-1)*f}
	})
	plan, _ := cosine.Plan(4, 1, 5, 32)
	for _, v := range plan {
		fmt.Printf("%.3f %.3f %d\n", v.Alpha, v.Sigma, v.BatchSize)
	}
	// Output:
	// 1.000 5.000 32
	// 0.854 4.414 32
	// 0.500 3.000 32
	// 0.146 1.586 32
}
