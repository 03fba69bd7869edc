package trainer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// resumeData returns the training and validation data of the resume tests.
func resumeData(t testing.TB) (train, valid *loaders.Dataset) {
	t.Helper()
	data := loaders.Colors(240, 11)
	train, valid, err := data.Split(0.25, 3)
	if err != nil {
		t.Fatal(err)
	}
	return train, valid
}

// resumeLabelled returns the data of resumeData labelled for a supervised
// map: by the largest channel (classes) or by a number computed from the
// channels (numeric).
func resumeLabelled(numeric bool) func(testing.TB) (train, valid *loaders.Dataset) {
	return func(t testing.TB) (train, valid *loaders.Dataset) {
		t.Helper()
		train, valid = resumeData(t)
		for _, ds := range []*loaders.Dataset{train, valid} {
			ds.Labels = make([]string, ds.N)
			for i := range ds.N {
				x := ds.Data[i*ds.D : (i+1)*ds.D]
				if numeric {
					ds.Labels[i] = strconv.FormatFloat(2*x[0]-x[1]+0.5*x[2], 'g', -1, 64)
					continue
				}
				ds.Labels[i] = []string{"red", "green", "blue"}[slices.Index(x, slices.Max(x))]
			}
		}
		return train, valid
	}
}

// resumeCase is one configuration of a fit that is interrupted and
// resumed.
type resumeCase struct {
	name     string
	opts     Options
	epochs   int
	patience int // early stopping on valid_qe; 0: none
	// data returns the case's data; nil: resumeData.
	data func(testing.TB) (train, valid *loaders.Dataset)
	// monitor is the metric early stopping and save-best watch; "":
	// hooks.ValidQE.
	monitor hooks.Metric
}

// dataset returns the case's training and validation data.
func (c resumeCase) dataset(t testing.TB) (train, valid *loaders.Dataset) {
	if c.data != nil {
		return c.data(t)
	}
	return resumeData(t)
}

// hooksFor returns the fit's hooks: early stopping (if armed) and a
// save-best hook writing to best, fresh for every Learner.
func (c resumeCase) hooksFor(t testing.TB, l *Learner, best string) (*hooks.EarlyStopping, *hooks.SaveBest) {
	t.Helper()
	monitor := hooks.ValidQE
	if c.monitor != "" {
		monitor = c.monitor
	}
	var es *hooks.EarlyStopping
	if c.patience > 0 {
		var err error
		if es, err = hooks.NewEarlyStopping(monitor, c.patience, 1e-3); err != nil {
			t.Fatal(err)
		}
		l.AddHook(es)
	}
	sb, err := hooks.NewSaveBest(best, monitor, l.ExportFile)
	if err != nil {
		t.Fatal(err)
	}
	l.AddHook(sb)
	return es, sb
}

// stopAt returns a hook that stops the checkpointer's fit, as an interrupt,
// after batch b of epoch e (batch -1: the epoch's last).
func stopAt(c *Checkpointer, e, b int) hooks.Hook {
	return hooks.Func("test-interrupt", hooks.OrderOutput, func(_ hooks.Event, s *hooks.State) error {
		if s.Epoch == e && (s.Batch == b || b < 0 && s.Batch == s.Batches-1) {
			c.Stop()
		}
		return nil
	}, hooks.AfterBatch)
}

// uninterrupted trains the case in one go and returns the model's bytes
// and the early-stopping epoch (-1 if none).
func (c resumeCase) uninterrupted(t *testing.T, dir string) ([]byte, int) {
	t.Helper()
	train, valid := c.dataset(t)
	opts := c.opts
	l, err := New(train, valid, &opts)
	if err != nil {
		t.Fatal(err)
	}
	es, _ := c.hooksFor(t, l, filepath.Join(dir, "best-ref.somg"))
	if err := l.Fit(c.epochs); err != nil {
		t.Fatal(err)
	}
	stopped := -1
	if es != nil {
		stopped = es.StoppedEpoch
	}
	return exported(t, l), stopped
}

// interrupted trains the case, interrupting it at each of stops (epoch,
// batch) and resuming it from the checkpoint file in between, and returns
// the final model's bytes and the early-stopping epoch.
func (c resumeCase) interrupted(t *testing.T, dir string, stops [][2]int) ([]byte, int) {
	t.Helper()
	train, valid := c.dataset(t)
	path := filepath.Join(dir, "run.ckpt")
	var l *Learner
	var es *hooks.EarlyStopping
	for i := 0; ; i++ {
		if i == 0 {
			opts := c.opts
			var err error
			if l, err = New(train, valid, &opts); err != nil {
				t.Fatal(err)
			}
		} else {
			ck, err := LoadCheckpointFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Finished {
				t.Fatalf("interrupt %d left a finished checkpoint", i)
			}
			if l, err = Resume(ck, train, valid, nil); err != nil {
				t.Fatal(err)
			}
		}
		es, _ = c.hooksFor(t, l, filepath.Join(dir, "best.somg"))
		cp, err := l.NewCheckpointer(path, 2)
		if err != nil {
			t.Fatal(err)
		}
		l.AddHook(cp)
		if i < len(stops) {
			l.AddHook(stopAt(cp, stops[i][0], stops[i][1]))
		}
		if err := l.Fit(c.epochs); err != nil {
			t.Fatal(err)
		}
		if i < len(stops) && !cp.Interrupted {
			// The fit ended (early stopping) before the interrupt point.
			break
		}
		if i >= len(stops) {
			break
		}
	}
	ck, err := LoadCheckpointFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !ck.Finished {
		t.Errorf("the checkpoint after the last fit is not marked finished")
	}
	if b := exportedModel(t, ck.Model); !bytes.Equal(b, exported(t, l)) {
		t.Errorf("the finished checkpoint's model differs from the Learner's")
	}
	stopped := -1
	if es != nil {
		stopped = es.StoppedEpoch
	}
	return exported(t, l), stopped
}

func exportedModel(t testing.TB, m *Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := m.Export(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestResumeSameBytes interrupts fits at several epochs and batches,
// resumes them from the checkpoint file and compares the final model's
// bytes with those of the same fit run in one go: mini-batch and batch
// mode, every stock schedule, three-phase (whose batch size changes),
// validation data and early stopping armed.
func TestResumeSameBytes(t *testing.T) {
	grid := graph.Grid{Rows: 4, Cols: 5}
	var cases []resumeCase
	for _, s := range hooks.ScheduleNames() {
		sch, err := hooks.ParseSchedule(s)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, resumeCase{name: "minibatch " + s, epochs: 7, opts: Options{Grid: grid, BatchSize: 16, Schedule: sch, Seed: 4}})
	}
	cases = append(cases,
		resumeCase{name: "batch three-phase", epochs: 7, opts: Options{Grid: grid, Mode: Batch, BatchSize: 50, Seed: 5}},
		resumeCase{name: "batch linear float64", epochs: 7, opts: Options{Grid: grid, Mode: Batch, Schedule: hooks.LinearDecay(), Seed: 6, Dtype: tensor.Float64}},
		resumeCase{name: "minibatch constant early stopping", epochs: 30, patience: 2, opts: Options{Grid: grid, BatchSize: 24, Seed: 7, Schedule: hooks.Constant(), Alpha: 0.5}},
		resumeCase{name: "batch early stopping exact metrics", epochs: 30, patience: 2, opts: Options{Grid: grid, Mode: Batch, Seed: 8, Schedule: hooks.Constant(), Sigma: 1, ExactTrainMetrics: true}},
		resumeCase{name: "supervised classes minibatch", epochs: 7, data: resumeLabelled(false), opts: Options{Grid: grid, BatchSize: 16, Seed: 9, Supervised: true, TargetWeight: 0.3}},
		resumeCase{name: "supervised numeric batch", epochs: 7, data: resumeLabelled(true), opts: Options{Grid: grid, Mode: Batch, Seed: 10, Supervised: true}},
		resumeCase{name: "supervised early stopping on valid accuracy", epochs: 30, patience: 2, monitor: hooks.ValidAccuracy, data: resumeLabelled(false), opts: Options{Grid: grid, BatchSize: 24, Seed: 11, Schedule: hooks.Constant(), Alpha: 0.5, Supervised: true, TargetKind: TargetClasses}},
	)
	stops := [][2]int{{0, 2}, {2, -1}, {3, 0}, {5, 1}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			want, wantStop := c.uninterrupted(t, dir)
			stops := stops
			if c.patience > 0 && wantStop >= 2 {
				// Interrupt around the epoch early stopping ends the fit
				// at: only the restored counters stop it there again.
				stops = [][2]int{{1, -1}, {wantStop - 1, -1}, {wantStop, 0}, {wantStop, -1}}
			}
			if c.opts.Supervised && !bytes.Contains(want, []byte(`"target":{`)) {
				t.Fatalf("the supervised case's model has no target: %.300s", want)
			}
			got, gotStop := c.interrupted(t, dir, stops)
			if !bytes.Equal(got, want) {
				t.Errorf("resumed model differs from the uninterrupted one:\n got %.300s\nwant %.300s", got, want)
			}
			if gotStop != wantStop {
				t.Errorf("early stopping at epoch %d, uninterrupted at %d", gotStop, wantStop)
			}
			if c.patience > 0 && wantStop < 0 {
				t.Errorf("early stopping never fired in %d epochs: the case does not test it", c.epochs)
			}
			if c.patience > 0 {
				t.Logf("early stopping at epoch %d", wantStop)
			}
		})
	}
}

// checkpointOf trains a small fit interrupted after epoch 1 and returns the
// checkpoint file's path, its data and the Learner's options.
func checkpointOf(t testing.TB) (path string, train, valid *loaders.Dataset) {
	t.Helper()
	train, valid = resumeData(t)
	l, err := New(train, valid, &Options{Grid: graph.Grid{Rows: 3, Cols: 4}, BatchSize: 32, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	es, err := hooks.NewEarlyStopping(hooks.ValidQE, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.AddHook(es)
	return interruptedAt2(t, l), train, valid
}

// interruptedAt2 fits l for 6 epochs, interrupted early in epoch 2, with
// a checkpoint every epoch, and returns the checkpoint file's path.
func interruptedAt2(t testing.TB, l *Learner) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.ckpt")
	cp, err := l.NewCheckpointer(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	l.AddHook(cp)
	l.AddHook(stopAt(cp, 2, 0))
	if err := l.Fit(6); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadCheckpointErrors(t *testing.T) {
	path, _, _ := checkpointOf(t)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpointFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Done != 2 || ck.Epochs != 6 || ck.Finished {
		t.Fatalf("checkpoint after an interrupt in epoch 2: done %d of %d, finished %v; want 2 of 6, not finished", ck.Done, ck.Epochs, ck.Finished)
	}
	model := exportedModel(t, ck.Model)
	future := bytes.Replace(good, []byte("somgraph-checkpoint v1\n"), []byte("somgraph-checkpoint v2\n"), 1)
	cases := []struct {
		name string
		data []byte
		want string
		is   error
	}{
		{"empty", nil, "the checkpoint file is empty", nil},
		{"plain model", model, "this is a model file (somgraph-model), which holds no run state", ErrNotCheckpoint},
		{"csv", []byte("a,b\n1,2\n"), `the first line is "a,b"`, ErrNotCheckpoint},
		{"truncated", good[:len(good)/2], "no checksum line", ErrCorruptCheckpoint},
		{"first line only", []byte("somgraph-checkpoint v1"), "ends after the first line", ErrCorruptCheckpoint},
		{"cut in the checksum", good[:len(good)-10], "checksum", ErrCorruptCheckpoint},
		{"flipped byte", bytes.Replace(good, []byte(`"done":2`), []byte(`"done":3`), 1), "checksum mismatch", ErrCorruptCheckpoint},
		{"future version", future, "checkpoint version 2 is newer than this somgraph (1): upgrade", nil},
		{"bad version", []byte("somgraph-checkpoint vX\n{}\nsha256 00\n"), "bad version", ErrNotCheckpoint},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadCheckpoint(bytes.NewReader(c.data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v is not %v", err, c.is)
			}
		})
	}
	if _, err := LoadCheckpointFile(filepath.Join(t.TempDir(), "nope.ckpt")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := LoadCheckpoint(nil); err == nil {
		t.Error("nil reader: no error")
	}
	// A resealed checkpoint whose content does not fit together.
	for name, edit := range map[string][2]string{
		"done beyond epochs": {`"done":2`, `"done":9`},
		"no rng":             {`"rng":"`, `"rng_":"`},
		"bad sigma":          {`"sigma":`, `"sigma":-1,"x":`},
	} {
		_, body, err := checkpointFile.unseal(good)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := checkpointFile.seal(&b, bytes.Replace(body, []byte(edit[0]), []byte(edit[1]), 1)); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCheckpoint(&b); err == nil || !strings.Contains(err.Error(), "trainer: checkpoint") {
			t.Errorf("%s: error %v, want a checkpoint content error", name, err)
		}
	}
}

func TestResumeErrors(t *testing.T) {
	path, train, valid := checkpointOf(t)
	ck, err := LoadCheckpointFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := loaders.Colors(240, 12)
	otherTrain, otherValid, err := other.Split(0.25, 3)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name         string
		train, valid *loaders.Dataset
		opts         *Options
		want         string
	}{
		{"other training data", otherTrain, valid, nil, "the training data (180x3 sha256:"},
		{"no validation data", train, nil, nil, "the validation data (none) differ"},
		{"other validation data", train, otherValid, nil, "the validation data (60x3"},
		{"no training data", nil, valid, nil, "no training data"},
		{"grid", train, valid, &Options{Grid: graph.Grid{Rows: 5, Cols: 5}}, "Options.Grid 5x5 rect contradicts the checkpoint's 3x4 rect"},
		{"mode", train, valid, &Options{Mode: Batch}, "Options.Mode batch contradicts"},
		{"schedule", train, valid, &Options{Schedule: hooks.LinearDecay()}, `Options.Schedule "linear" contradicts the checkpoint's schedule "three-phase"`},
		{"seed", train, valid, &Options{Seed: 3}, "Options.Seed 3 contradicts the checkpoint's 2"},
		{"alpha", train, valid, &Options{Alpha: 0.3}, "Options.Alpha 0.3 contradicts"},
		{"batch size", train, valid, &Options{BatchSize: 8}, "Options.BatchSize 8 contradicts the checkpoint's 32"},
		{"te neighbours", train, valid, &Options{TENeighbors: 8}, "Options.TENeighbors 8 contradicts the checkpoint's 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Resume(ck, c.train, c.valid, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := Resume(nil, train, valid, nil); err == nil {
		t.Error("nil checkpoint: no error")
	}
	// Harmless: the same values given explicitly.
	if _, err := Resume(ck, train, valid, &Options{Grid: graph.Grid{Rows: 3, Cols: 4}, Seed: 2, BatchSize: 32, TENeighbors: 4, Schedule: hooks.ThreePhase()}); err != nil {
		t.Errorf("options equal to the checkpoint's: %v", err)
	}

	// The fit's length must be the checkpoint's.
	l, err := Resume(ck, train, valid, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(5); err == nil || !strings.Contains(err.Error(), "the resumed fit has 6 epochs (2 done): call Fit(6)") {
		t.Errorf("Fit(5) after resuming a 6-epoch fit: %v", err)
	}
	// The early stopping the checkpoint holds the state of is missing.
	if err := l.Fit(6); err == nil || !strings.Contains(err.Error(), `the checkpoint holds the state of hook "early-stopping"`) {
		t.Errorf("resume without the early-stopping hook: %v", err)
	}
	// A recorder's state is restored when one is given, and not required.
	l, err = Resume(ck, train, valid, nil)
	if err != nil {
		t.Fatal(err)
	}
	es, _ := hooks.NewEarlyStopping(hooks.ValidQE, 50, 0)
	l.AddHook(es)
	l.AddHook(hooks.NewRecorder())
	if err := l.Fit(6); err != nil {
		t.Fatal(err)
	}
	if n := len(l.History()); n != 6 {
		t.Errorf("history of the resumed fit has %d epochs, want 6", n)
	}
}

// TestResumeSupervisedErrors: a supervised checkpoint resumed with options
// or data that contradict it is an error, and an unsupervised one cannot
// be resumed as supervised.
func TestResumeSupervisedErrors(t *testing.T) {
	train, valid := resumeLabelled(false)(t)
	l, err := New(train, valid, &Options{Grid: graph.Grid{Rows: 3, Cols: 4}, BatchSize: 32, Seed: 2, Supervised: true, TargetWeight: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpointFile(interruptedAt2(t, l))
	if err != nil {
		t.Fatal(err)
	}
	relabelled, _ := resumeLabelled(false)(t)
	relabelled.Labels[0] = map[string]string{"red": "green", "green": "blue", "blue": "red"}[relabelled.Labels[0]]
	unseen, _ := resumeLabelled(false)(t)
	unseen.Labels[3] = "violet"
	plainTrain, plainValid := resumeData(t)
	cases := []struct {
		name         string
		train, valid *loaders.Dataset
		opts         *Options
		want         string
	}{
		{"target weight", train, valid, &Options{TargetWeight: 0.5}, "Options.TargetWeight 0.5 contradicts the checkpoint's 0.3"},
		{"target kind", train, valid, &Options{TargetKind: TargetNumeric}, "Options.TargetKind numeric contradicts the checkpoint's classes"},
		{"one label changed", relabelled, valid, nil, "the training data (180x6 sha256:"},
		{"unseen class", unseen, valid, nil, `"violet"`},
		{"no labels", plainTrain, plainValid, nil, "label"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Resume(ck, c.train, c.valid, c.opts)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Harmless: the same values given explicitly.
	if _, err := Resume(ck, train, valid, &Options{Supervised: true, TargetWeight: 0.3, TargetKind: TargetClasses}); err != nil {
		t.Errorf("supervised options equal to the checkpoint's: %v", err)
	}
	plain, _, _ := checkpointOf(t)
	pk, err := LoadCheckpointFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(pk, plainTrain, plainValid, &Options{Supervised: true}); err == nil || !strings.Contains(err.Error(), "Options.Supervised true contradicts the checkpoint's false") {
		t.Errorf("an unsupervised checkpoint resumed as supervised: %v", err)
	}
}

func TestCheckpointerErrors(t *testing.T) {
	train, _ := resumeData(t)
	l, err := New(train, nil, &Options{Grid: graph.Grid{Rows: 2, Cols: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.NewCheckpointer("", 1); err == nil {
		t.Error("empty path: no error")
	}
	if _, err := l.NewCheckpointer("x.ckpt", -1); err == nil {
		t.Error("every -1: no error")
	}
	cp, err := l.NewCheckpointer(filepath.Join(t.TempDir(), "no-such-dir", "run.ckpt"), 1)
	if err != nil {
		t.Fatal(err)
	}
	l.AddHook(cp)
	if err := l.Fit(3); err == nil || !strings.Contains(err.Error(), "checkpointer") {
		t.Errorf("unwritable checkpoint: %v", err)
	}
	var zero Checkpointer
	if err := zero.Handle(hooks.BeforeFit, &hooks.State{}); err == nil {
		t.Error("a Checkpointer not built by NewCheckpointer: no error")
	}
}

// TestResumeFinished resumes a checkpoint of a fit that ran to its end:
// no epoch runs and the model stays the same.
func TestResumeFinished(t *testing.T) {
	train, valid := resumeData(t)
	l, err := New(train, valid, &Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.ckpt")
	cp, _ := l.NewCheckpointer(path, 0)
	l.AddHook(cp)
	if err := l.Fit(3); err != nil {
		t.Fatal(err)
	}
	if cp.Writes != 1 {
		t.Errorf("every 0: %d writes, want 1 (at the end)", cp.Writes)
	}
	ck, err := LoadCheckpointFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !ck.Finished || ck.Done != 3 {
		t.Fatalf("finished %v, done %d; want true, 3", ck.Finished, ck.Done)
	}
	r, err := Resume(ck, train, valid, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Fit(3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(exported(t, r), exported(t, l)) {
		t.Error("resuming a finished fit changed the model")
	}
}
