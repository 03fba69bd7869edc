package hooks

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// seqMetrics returns epoch metrics whose valid QE follows vs.
func seqMetrics(vs []float64) func(int) (Metrics, Metrics, float64) {
	return func(e int) (Metrics, Metrics, float64) {
		return Metrics{QE: vs[e] + 1, TE: 0.1}, Metrics{QE: vs[e], TE: 0.2}, vs[e] + 1
	}
}

func TestEarlyStopping(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name      string
		vals      []float64
		patience  int
		minDelta  float64
		stopped   int // epoch after which the fit stops, -1 for none
		bestEpoch int
	}{
		{"improving", []float64{5, 4, 3, 2, 1}, 1, 0, -1, 4},
		{"plateau-patience-2", []float64{5, 4, 4, 4, 1, 0}, 2, 0, 3, 1},
		{"patience-1", []float64{5, 6, 1}, 1, 0, 1, 0},
		{"reset-on-improvement", []float64{5, 6, 4, 6, 6, 6}, 3, 0, 5, 2},
		{"min-delta", []float64{5, 4.95, 4.91, 4.5}, 2, 0.1, 2, 0},
		{"nan-never-improves", []float64{nan, nan, 3, nan}, 2, 0, 1, -1},
		{"equal-is-not-better", []float64{2, 2, 2}, 2, 0, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := NewEarlyStopping(ValidQE, c.patience, c.minDelta)
			if err != nil {
				t.Fatal(err)
			}
			f := &fakeFit{epochs: len(c.vals), trainSize: 10, validSize: 5, alpha: 1, sigma: 1, batchSize: 10, metrics: seqMetrics(c.vals)}
			rec := NewRecorder()
			s, err := f.run(h, rec)
			if err != nil {
				t.Fatal(err)
			}
			if h.StoppedEpoch != c.stopped || s.Stopped != (c.stopped >= 0) {
				t.Errorf("stopped after epoch %d (State.Stopped %v), want %d", h.StoppedEpoch, s.Stopped, c.stopped)
			}
			if h.BestEpoch != c.bestEpoch {
				t.Errorf("best epoch %d, want %d", h.BestEpoch, c.bestEpoch)
			}
			// The recorder runs before early stopping, so it has the
			// stopping epoch too.
			want := len(c.vals)
			if c.stopped >= 0 {
				want = c.stopped + 1
			}
			if len(rec.Epochs) != want {
				t.Errorf("recorded %d epochs, want %d", len(rec.Epochs), want)
			}
		})
	}
}

func TestEarlyStoppingAutoMetric(t *testing.T) {
	for _, c := range []struct {
		name  string
		valid int
		want  Metric
	}{{"with-valid", 5, ValidQE}, {"without-valid", 0, TrainQE}} {
		t.Run(c.name, func(t *testing.T) {
			h, err := NewEarlyStopping("", 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			// Train QE improves, valid QE does not: only the train
			// monitor lets the fit run to the end.
			f := &fakeFit{epochs: 3, trainSize: 4, validSize: c.valid, alpha: 1, sigma: 1, batchSize: 4,
				metrics: func(e int) (Metrics, Metrics, float64) { return Metrics{QE: 3 - float64(e)}, Metrics{QE: 1}, 0 }}
			s, err := f.run(h)
			if err != nil {
				t.Fatal(err)
			}
			if h.im.monitor != c.want {
				t.Errorf("monitored %s, want %s", h.im.monitor, c.want)
			}
			if stop := c.want == ValidQE; s.Stopped != stop || (h.StoppedEpoch == 1) != stop {
				t.Errorf("Stopped %v after epoch %d, want stopped after epoch 1: %v", s.Stopped, h.StoppedEpoch, stop)
			}
		})
	}
}

func TestEarlyStoppingErrors(t *testing.T) {
	cases := []struct {
		name     string
		monitor  Metric
		patience int
		delta    float64
		msg      string
	}{
		{"patience-0", ValidQE, 0, 0, "patience 0 must be at least 1"},
		{"negative-delta", ValidQE, 1, -1, "min-delta -1"},
		{"nan-delta", ValidQE, 1, math.NaN(), "min-delta NaN"},
		{"unknown-metric", "valid_mse", 1, 0, `unknown metric "valid_mse"`},
		// Metric values are the constants; ParseMetric normalizes spellings.
		{"unparsed-auto", "auto", 1, 0, `unknown metric "auto"`},
		{"unparsed-spaces", " train_qe", 1, 0, `unknown metric " train_qe"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := NewEarlyStopping(c.monitor, c.patience, c.delta)
			if err == nil || h != nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "hooks: early-stopping: ") {
				t.Errorf("got %v, %v; want an error containing %q", h, err, c.msg)
			}
		})
	}
	// Validation metric without validation data fails at BeforeFit.
	h, _ := NewEarlyStopping(ValidTE, 2, 0)
	f := &fakeFit{epochs: 2, trainSize: 4, alpha: 1, sigma: 1, batchSize: 4}
	_, err := f.run(h)
	if err == nil || !strings.Contains(err.Error(), `BeforeFit(hook "early-stopping")`) || !strings.Contains(err.Error(), `monitor "train_te"`) {
		t.Errorf("got %v, want a BeforeFit error suggesting train_te", err)
	}
}

func TestSaveBest(t *testing.T) {
	m := newMap(t, 2, 2, 1)
	type saved struct {
		path    string
		weights []float64
	}
	var saves []saved
	save := func(path string) error {
		saves = append(saves, saved{path, m.Weights()})
		return nil
	}
	vals := []float64{5, 3, 4, 2.95, 1, 1}
	h, err := NewSaveBest("best.som", ValidQE, save)
	if err != nil {
		t.Fatal(err)
	}
	h.MinDelta = 0.1
	// A hook that changes the codebook every epoch, so each epoch's map
	// is different: weights = epoch number.
	train := Func("train", OrderDefault, func(e Event, s *State) error {
		w := float64(s.Epoch)
		return s.Map.SetWeights([]float64{w, w, w, w})
	}, AfterBatch)
	f := &fakeFit{epochs: len(vals), trainSize: 4, validSize: 2, alpha: 1, sigma: 1, batchSize: 4, m: m, metrics: seqMetrics(vals)}
	if _, err := f.run(h, train); err != nil {
		t.Fatal(err)
	}
	// Improvements beyond 0.1: epochs 0 (5), 1 (3), 4 (1); 2.95 is within
	// min-delta of 3 and the second 1 is equal.
	wantEpochs := []float64{0, 1, 4}
	if len(saves) != len(wantEpochs) || h.Saves != len(wantEpochs) {
		t.Fatalf("%d saves (Saves %d), want %d", len(saves), h.Saves, len(wantEpochs))
	}
	for i, s := range saves {
		if s.path != "best.som" || s.weights[0] != wantEpochs[i] {
			t.Errorf("save %d: path %q weights %v, want best.som with weights of epoch %v", i, s.path, s.weights, wantEpochs[i])
		}
	}
	if h.BestEpoch != 4 || h.Best != 1 {
		t.Errorf("best %v at epoch %d, want 1 at epoch 4", h.Best, h.BestEpoch)
	}
}

func TestSaveBestErrors(t *testing.T) {
	disk := errors.New("disk full")
	h, err := NewSaveBest("x.som", TrainQE, func(string) error { return disk })
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFit{epochs: 3, trainSize: 4, alpha: 1, sigma: 1, batchSize: 4}
	_, err = f.run(h)
	if !errors.Is(err, disk) || !strings.Contains(err.Error(), `AfterEpoch(hook "save-best"): hooks: save-best: saving epoch 0 (train_qe 1) to "x.som": disk full`) {
		t.Errorf("got %v, want the wrapped save error", err)
	}
	for _, c := range []struct {
		name, path string
		monitor    Metric
		save       func(string) error
		msg        string
	}{
		{"empty-path", "", "", func(string) error { return nil }, "empty path"},
		{"nil-save", "a", "", nil, "nil Save"},
		{"unparsed-metric", "a", "Valid_QE", func(string) error { return nil }, `unknown metric "Valid_QE"`},
	} {
		if _, err := NewSaveBest(c.path, c.monitor, c.save); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.msg)
		}
	}
}

func TestNaNGuard(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name  string
		every int
		plant func(f *fakeFit) // makes epoch 1, batch 2 go bad
		what  string
		batch int
		msg   string
	}{
		{"batch-loss-nan", 0, func(f *fakeFit) {
			f.batchLoss = func(e, b int) float64 {
				if e == 1 && b == 2 {
					return nan
				}
				return 1
			}
		}, "batch loss", 2, "batch loss is NaN at epoch 1, batch 2 (step 7)"},
		{"epoch-loss-inf", 0, func(f *fakeFit) {
			f.metrics = func(e int) (Metrics, Metrics, float64) {
				if e == 1 {
					return Metrics{QE: 1}, Metrics{}, inf
				}
				return Metrics{QE: 1}, Metrics{}, 1
			}
		}, "epoch loss", -1, "epoch loss is +Inf at the end of epoch 1"},
		{"codebook-nan", 0, nil, "weight", 2, "weight of unit 4 (row 1, col 1), feature 1 is NaN at epoch 1, batch 2 (step 7)"},
		{"codebook-every-2", 2, nil, "weight", 3, "at epoch 1, batch 3 (step 8)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMap(t, 2, 3, 2)
			f := &fakeFit{epochs: 3, trainSize: 16, alpha: 1, sigma: 1, batchSize: 4, m: m}
			var hs []Hook
			if c.plant != nil {
				c.plant(f)
			} else {
				hs = append(hs, Func("poison", OrderSchedule, func(e Event, s *State) error {
					if s.Epoch == 1 && s.Batch == 2 {
						s.Map.Codebook().Data().([]float32)[4*2+1] = float32(nan)
					}
					return nil
				}, BeforeBatch))
			}
			g := NewNaNGuard()
			g.Every = c.every
			_, err := f.run(append(hs, g)...)
			var nf *NotFiniteError
			if !errors.As(err, &nf) || !errors.Is(err, ErrNotFinite) {
				t.Fatalf("got %v, want a *NotFiniteError", err)
			}
			if nf.Epoch != 1 || nf.Batch != c.batch || nf.What != c.what {
				t.Errorf("error at epoch %d batch %d what %q, want epoch 1 batch %d what %q", nf.Epoch, nf.Batch, nf.What, c.batch, c.what)
			}
			if !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), `(hook "nan-guard")`) {
				t.Errorf("message %q does not contain %q", err, c.msg)
			}
		})
	}
	// A clean fit passes.
	f := &fakeFit{epochs: 2, trainSize: 8, alpha: 1, sigma: 1, batchSize: 4, m: newMap(t, 2, 2, 2)}
	if _, err := f.run(NewNaNGuard()); err != nil {
		t.Errorf("clean fit: %v", err)
	}
}

func TestRecorder(t *testing.T) {
	const tol = 1e-12
	rec := NewRecorder()
	f := &fakeFit{epochs: 4, trainSize: 10, validSize: 3, alpha: 0.5, sigma: 4, batchSize: 4,
		batchLoss: func(e, b int) float64 { return float64(10*e + b) },
		metrics:   seqMetrics([]float64{4, 3, 2, 1})}
	if _, err := f.run(rec, LinearDecay().PerBatch()); err != nil {
		t.Fatal(err)
	}
	if len(rec.Epochs) != 4 || len(rec.Batches) != 12 {
		t.Fatalf("%d epochs, %d batches recorded; want 4, 12", len(rec.Epochs), len(rec.Batches))
	}
	for e, r := range rec.Epochs {
		fe := 1 - float64(e)/4
		if r.Epoch != e+1 || math.Abs(r.Alpha-0.5*fe) > tol || math.Abs(r.Sigma-4*fe) > tol || r.BatchSize != 4 ||
			r.Batches != 3 || r.Records != 10 || r.Valid.QE != float64(4-e) || !r.HasValid || r.Loss != float64(5-e) {
			t.Errorf("epoch %d: %+v", e, r)
		}
	}
	for i, b := range rec.Batches {
		e, k := i/3, i%3
		fe := 1 - (float64(e)+float64(k)/3)/4
		size := 4
		if k == 2 {
			size = 2
		}
		if b.Epoch != e+1 || b.Batch != k+1 || b.Step != i+1 || math.Abs(b.Alpha-0.5*fe) > tol || math.Abs(b.Sigma-4*fe) > tol || b.Size != size || b.Loss != float64(10*e+k) {
			t.Errorf("batch %d: %+v, want α %v", i, b, 0.5*fe)
		}
	}
	series := []struct {
		name string
		want []float64
	}{
		{"valid_qe", []float64{4, 3, 2, 1}},
		{"train_qe", []float64{5, 4, 3, 2}},
		{"loss", []float64{5, 4, 3, 2}},
		{"valid_te", []float64{0.2, 0.2, 0.2, 0.2}},
		{"sigma", []float64{4, 3, 2, 1}},
		{"batch_size", []float64{4, 4, 4, 4}},
	}
	for _, c := range series {
		got, err := rec.Series(c.name)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.want {
			if math.Abs(got[i]-c.want[i]) > tol {
				t.Errorf("Series(%s) = %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
	if got, _ := rec.BatchSeries("batch_size"); len(got) != 12 || got[2] != 2 {
		t.Errorf("BatchSeries(batch_size) = %v", got)
	}
	if _, err := rec.Series("mse"); err == nil || !strings.Contains(err.Error(), "seconds") {
		t.Errorf("Series(mse): %v, want an error listing the names", err)
	}
	if _, err := rec.BatchSeries("qe"); err == nil {
		t.Error("BatchSeries(qe): no error")
	}
	// A second fit starts afresh; EpochsOnly keeps no batches.
	rec.EpochsOnly = true
	f.epochs = 1
	if _, err := f.run(rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Epochs) != 1 || len(rec.Batches) != 0 {
		t.Errorf("after refit: %d epochs, %d batches; want 1, 0", len(rec.Epochs), len(rec.Batches))
	}
	// Without validation data the validation series is NaN.
	f.validSize = 0
	if _, err := f.run(rec); err != nil {
		t.Fatal(err)
	}
	if v, _ := rec.Series("valid_qe"); !math.IsNaN(v[0]) {
		t.Errorf("valid_qe without validation = %v, want NaN", v)
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, b)
	}
	return rows
}

func TestCSVLogger(t *testing.T) {
	const tol = 1e-12
	var buf bytes.Buffer
	l := NewCSVLogger(&buf)
	f := &fakeFit{epochs: 10, trainSize: 20, alpha: 0.4, sigma: 12, batchSize: 8, metrics: seqMetrics([]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1})}
	if _, err := f.run(l, TwoPhase()); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	if len(rows) != 11 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, h := range CSVHeader {
		col[h] = i
	}
	plan := want("two-phase", 10, 0.4, 12, 8)
	for e, row := range rows[1:] {
		num := func(name string) float64 {
			v, err := strconv.ParseFloat(row[col[name]], 64)
			if err != nil {
				t.Fatalf("epoch %d %s: %v", e, name, err)
			}
			return v
		}
		if row[col["epoch"]] != strconv.Itoa(e+1) || math.Abs(num("alpha")-plan[e].Alpha) > tol || math.Abs(num("sigma")-plan[e].Sigma) > tol {
			t.Errorf("row %d: %v, want α %v σ %v", e, row, plan[e].Alpha, plan[e].Sigma)
		}
		if num("train_qe") != float64(11-e) || row[col["valid_qe"]] != "" || num("batches") != 3 || num("records") != 20 || num("batch_size") != 8 {
			t.Errorf("row %d: %v", e, row)
		}
	}
}

func TestCreateCSVLogger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "epochs.csv")
	l, err := CreateCSVLogger(path)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFit{epochs: 3, trainSize: 4, validSize: 2, alpha: 1, sigma: 1, batchSize: 4}
	for range 2 {
		if _, err := f.run(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close after AfterFit: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, b)
	// One header, then 3 rows per fit; validation columns filled.
	if len(rows) != 7 || rows[0][0] != "epoch" || rows[4][0] != "1" || rows[1][6] != "1" {
		t.Errorf("file rows %v", rows)
	}
	if _, err := CreateCSVLogger(filepath.Join(t.TempDir(), "no", "such", "dir.csv")); err == nil || !strings.HasPrefix(err.Error(), "hooks: csv logger: ") {
		t.Errorf("bad path: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestCSVLoggerWriteError(t *testing.T) {
	f := &fakeFit{epochs: 2, trainSize: 4, alpha: 1, sigma: 1, batchSize: 4}
	_, err := f.run(NewCSVLogger(failWriter{}))
	if err == nil || !strings.Contains(err.Error(), `BeforeFit(hook "csv-logger"): hooks: csv logger: broken pipe`) {
		t.Errorf("got %v", err)
	}
}

func TestHitTracker(t *testing.T) {
	m := newMap(t, 2, 3, 1)
	h := NewHitTracker()
	// 12 records, batches of 5: record r of epoch e hits unit (r+e) % 6
	// for the first 10 records, unit 0 for the last two.
	f := &fakeFit{epochs: 2, trainSize: 12, alpha: 1, sigma: 1, batchSize: 5, m: m,
		bmu: func(e, b, i int) int {
			r := 5*b + i
			if r >= 10 {
				return 0
			}
			return (r + e) % 6
		}}
	if _, err := f.run(h); err != nil {
		t.Fatal(err)
	}
	// Epoch 0: units 0..5,0..3 then 0,0; epoch 1: units 1..5,0..4 then 0,0.
	want := [][]int{{4, 2, 2, 2, 1, 1}, {3, 2, 2, 2, 2, 1}}
	for e := range want {
		if got := h.PerEpoch[e]; fmtInts(got) != fmtInts(want[e]) {
			t.Errorf("epoch %d hits %v, want %v", e, got, want[e])
		}
	}
	if fmtInts(h.Total) != fmtInts([]int{7, 4, 4, 4, 3, 2}) || fmtInts(h.Last()) != fmtInts(want[1]) {
		t.Errorf("total %v, last %v", h.Total, h.Last())
	}
	// Errors.
	f.bmu = func(int, int, int) int { return 6 }
	if _, err := f.run(h); err == nil || !strings.Contains(err.Error(), "BMU 6, not a unit of the 6-unit map") {
		t.Errorf("out-of-range BMU: %v", err)
	}
	f.m = nil
	if _, err := f.run(NewHitTracker()); err == nil || !strings.Contains(err.Error(), "State.Map is nil") {
		t.Errorf("nil map: %v", err)
	}
}

func fmtInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func TestMetric(t *testing.T) {
	s := &State{Epoch: 3, Loss: 9, Train: Metrics{QE: 1, TE: 2, Distortion: 3, DeadUnits: 4}, Valid: Metrics{QE: 5, TE: 6, Distortion: 7, DeadUnits: 8}, HasValid: true,
		TrainTarget: TargetMetrics{Accuracy: 10, RMSE: 11, MAE: 12}, ValidTarget: TargetMetrics{Accuracy: 13, RMSE: 14, MAE: 15}, HasTarget: true}
	want := map[Metric]float64{Loss: 9, TrainQE: 1, TrainTE: 2, TrainDistortion: 3, TrainDeadUnits: 4, ValidQE: 5, ValidTE: 6, ValidDistortion: 7, ValidDeadUnits: 8,
		TrainAccuracy: 10, TrainRMSE: 11, TrainMAE: 12, ValidAccuracy: 13, ValidRMSE: 14, ValidMAE: 15}
	for _, name := range MetricNames() {
		m, err := ParseMetric(strings.ToUpper(name))
		if err != nil {
			t.Fatal(err)
		}
		if v, err := m.Value(s); err != nil || v != want[m] {
			t.Errorf("%s = %v, %v; want %v", m, v, err, want[m])
		}
	}
	s.HasValid = false
	if _, err := ValidQE.Value(s); err == nil || !strings.Contains(err.Error(), "epoch 3 has none") {
		t.Errorf("valid metric without validation: %v", err)
	}
	if m, err := ParseMetric("auto"); err != nil || m != "" || m.String() != "auto" {
		t.Errorf("auto: %q %v", m, err)
	}
	if _, err := Metric("TRAIN_QE").Resolve(0); err == nil {
		t.Error("Resolve accepted an upper-case metric it cannot evaluate")
	}
	for _, m := range []Metric{"auto", " train_qe"} {
		if r, err := m.Resolve(0); err == nil {
			t.Errorf("Resolve(%q) = %q, want an error: Value cannot evaluate it", m, r)
		}
	}
	if _, err := ParseMetric("mse"); err == nil || !strings.Contains(err.Error(), "valid_qe") {
		t.Errorf("unknown metric: %v", err)
	}
}

// TestTargetMetrics: the target metrics need a supervised map, and early
// stopping on an accuracy waits for it to rise, not fall.
func TestTargetMetrics(t *testing.T) {
	if _, err := TrainAccuracy.Value(&State{}); err == nil || !strings.Contains(err.Error(), "supervised") {
		t.Errorf("accuracy of an unsupervised map: %v", err)
	}
	es, err := NewEarlyStopping(TrainAccuracy, 2, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if err := es.Handle(BeforeFit, &State{}); err == nil || !strings.Contains(err.Error(), "supervised") {
		t.Errorf("early stopping on accuracy without a target: %v", err)
	}
	s := &State{HasTarget: true}
	if err := es.Handle(BeforeFit, s); err != nil {
		t.Fatal(err)
	}
	// rising accuracies improve; 0.905 is not 0.01 better than 0.9.
	for e, acc := range []float64{0.5, 0.8, 0.9, 0.905, 0.7} {
		s.Epoch, s.TrainTarget.Accuracy = e, acc
		err := es.Handle(AfterEpoch, s)
		if stop := errors.Is(err, ErrCancelFit); stop != (e == 4) {
			t.Errorf("epoch %d (accuracy %v): %v", e, acc, err)
		}
	}
	if es.Best != 0.9 || es.BestEpoch != 2 {
		t.Errorf("best %v at %d, want 0.9 at 2", es.Best, es.BestEpoch)
	}
	for _, m := range []Metric{TrainAccuracy, ValidAccuracy} {
		if !m.HigherIsBetter() || !m.NeedsTarget() {
			t.Errorf("%s", m)
		}
	}
	if ValidQE.HigherIsBetter() || ValidRMSE.HigherIsBetter() || ValidQE.NeedsTarget() {
		t.Error("qe/rmse direction")
	}
}
