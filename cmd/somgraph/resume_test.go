package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/somgraph/somgraph/trainer"
)

// waitCheckpoint polls path until it holds a checkpoint with at least done
// epochs of a fit that has not finished, and returns it; it fails the test
// after a minute or if the process ends first.
func waitCheckpoint(t *testing.T, path string, done int, exited <-chan error) *trainer.Checkpoint {
	t.Helper()
	return pollCheckpoint(t, nil, path, done, exited)
}

// pausedAtCheckpoint polls path like waitCheckpoint, but reads it while
// the process is paused, and returns with the process still paused once
// the checkpoint holds at least done epochs. A fast build (OpenBLAS, an
// idle machine) runs the remaining epochs of these small runs within one
// polling interval, so a signal sent after waitCheckpoint can arrive after
// the end of training; paused, the process cannot get that far.
func pausedAtCheckpoint(t *testing.T, p *os.Process, path string, done int, exited <-chan error) *trainer.Checkpoint {
	t.Helper()
	return pollCheckpoint(t, p, path, done, exited)
}

// pollCheckpoint is waitCheckpoint, pausing p (if not nil) while it reads.
func pollCheckpoint(t *testing.T, p *os.Process, path string, done int, exited <-chan error) *trainer.Checkpoint {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("the training process ended (%v) before a checkpoint of %d epochs", err, done)
		default:
		}
		if p != nil {
			if err := pause(p); err != nil {
				t.Fatalf("pausing the training process: %v", err)
			}
		}
		if ck, err := trainer.LoadCheckpointFile(path); err == nil && ck.Done >= done {
			return ck
		}
		if p != nil {
			if err := resume(p); err != nil {
				t.Fatalf("continuing the training process: %v", err)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no checkpoint of %d epochs in %s after a minute", done, path)
	return nil
}

// TestResumeAfterKillOrSignal interrupts training processes — killed with
// SIGKILL, so that only their last checkpoint is left, or stopped with
// SIGINT or SIGTERM, which write the last finished epoch — resumes them
// with --resume and compares the model's bytes with the same run made in
// one go: mini-batch with the three-phase schedule (its batch size
// changes), batch mode, and validation with early stopping armed.
func TestResumeAfterKillOrSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts training processes")
	}
	runs := []struct {
		name   string
		args   []string
		sig    syscall.Signal
		after  int      // epochs in the checkpoint before the signal
		stopAt int      // the early-stopping epoch expected, 0 for none
		data   []string // the data flags; nil: 6000 colours
	}{
		{"minibatch three-phase SIGKILL", []string{"--epochs", "12", "--batch", "24"}, syscall.SIGKILL, 3, 0, nil},
		{"minibatch three-phase SIGINT", []string{"--epochs", "12", "--batch", "24"}, syscall.SIGINT, 6, 0, nil},
		{"batch SIGKILL", []string{"--epochs", "12", "--mode", "batch", "--schedule", "linear"}, syscall.SIGKILL, 2, 0, nil},
		{"batch SIGTERM", []string{"--epochs", "12", "--mode", "batch", "--schedule", "linear"}, syscall.SIGTERM, 5, 0, nil},
		{"early stopping SIGKILL", []string{"--epochs", "60", "--schedule", "constant", "--lr", "0.3", "--valid", "0.2", "--early-stop", "3", "--min-delta", "0.002"}, syscall.SIGKILL, 2, -1, nil},
		{"supervised numeric SIGKILL", []string{"--epochs", "6"}, syscall.SIGKILL, 2, 0, []string{"--dataset", "housing", "--supervised"}},
		{"supervised classes valid accuracy SIGTERM", []string{"--epochs", "8", "--valid", "0.2", "--monitor", "valid_accuracy", "--early-stop", "50"}, syscall.SIGTERM, 3, 0,
			[]string{"--dataset", "housing", "--target", "ocean_proximity", "--supervised", "--target-weight", "0.3"}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			dir := t.TempDir()
			data := r.data
			if data == nil {
				data = []string{"--n", "6000"}
			}
			common := append(append([]string{"train", "--size", "8x8", "--seed", "3", "--progress", "none"}, data...), r.args...)
			ref := runCLI(t, "", append(common, "--out", filepath.Join(dir, "ref.somg"))...)
			if ref.code != exitOK {
				t.Fatalf("reference run: exit %d, %s", ref.code, ref.stderr)
			}
			stopped := strings.Contains(ref.stdout, "early stopping after")
			if r.stopAt != 0 && !stopped {
				t.Fatalf("the reference run did not stop early:\n%s", ref.stdout)
			}

			state := filepath.Join(dir, "run.ckpt")
			cmd := somgraphProcess(t, dir, append(common, "--out", "first.somg", "--checkpoint-every", "1", "--state-file", state)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			pausedAtCheckpoint(t, cmd.Process, state, r.after, exited)
			if err := cmd.Process.Signal(r.sig); err != nil {
				t.Fatal(err)
			}
			resume(cmd.Process) // fails for a killed process: nothing to continue
			err := <-exited
			var ee *exec.ExitError
			switch {
			case r.sig == syscall.SIGKILL:
				if !errors.As(err, &ee) {
					t.Fatalf("killed process: %v", err)
				}
			case !errors.As(err, &ee) || ee.ExitCode() != 128+int(r.sig):
				t.Fatalf("after %v: %v, want exit status %d (stderr %q)", r.sig, err, 128+int(r.sig), stderr.String())
			}
			ck, err := trainer.LoadCheckpointFile(state)
			if err != nil {
				t.Fatalf("the checkpoint left by the %v process: %v", r.sig, err)
			}
			if ck.Finished || ck.Done >= ck.Epochs {
				t.Fatalf("the process finished (%d of %d epochs) before the %v: the test interrupted nothing", ck.Done, ck.Epochs, r.sig)
			}

			res := runCLI(t, "", "train", "--resume", state, "--out", filepath.Join(dir, "resumed.somg"), "--progress", "none")
			if res.code != exitOK {
				t.Fatalf("resume: exit %d, %s", res.code, res.stderr)
			}
			if !strings.Contains(res.stdout, "resuming the run in ") {
				t.Errorf("resume output:\n%s", res.stdout)
			}
			if stopped && !strings.Contains(res.stdout, "early stopping after") {
				t.Errorf("the resumed run did not stop early:\n%s", res.stdout)
			}
			want := readFile(t, filepath.Join(dir, "ref.somg"))
			got := readFile(t, filepath.Join(dir, "resumed.somg"))
			if !bytes.Equal(got, want) {
				t.Errorf("the resumed model (after %d of %d epochs) differs from the uninterrupted one", ck.Done, ck.Epochs)
			}
			if r.data != nil && (ck.Model.Target == nil || !bytes.Contains(want, []byte(`"target":{`))) {
				t.Errorf("the supervised run's checkpoint or model has no target")
			}
		})
	}
}

// TestKillDuringCheckpointWrite kills (SIGKILL) training processes that
// write a large checkpoint after every short epoch and checks every time
// that the checkpoint file on disk loads: the previous checkpoint stays
// valid until the new one is complete. Odd processes are killed at a
// random moment, even ones as soon as a temporary checkpoint file appears
// (a write under way). Bounded: 12 processes, each killed within half a
// second (random) or ten seconds (write seen).
func TestKillDuringCheckpointWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts training processes")
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "run.ckpt")
	rng := rand.New(rand.NewPCG(18, 18))
	loaded, strays := 0, 0
	for i := range 12 {
		cmd := somgraphProcess(t, dir, "train", "--n", "300", "--size", "40x40", "--epochs", "100000", "--schedule", "constant",
			"--batch", "300", "--progress", "none", "--out", "m.somg", "--checkpoint-every", "1", "--state-file", state, "--seed", "1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if i == 0 {
			waitCheckpoint(t, state, 1, exited)
		}
		if i%2 == 1 {
			time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
		} else {
			tmp := filepath.Join(dir, ".run.ckpt.tmp-"+strconv.Itoa(cmd.Process.Pid)+"-*")
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				if m, _ := filepath.Glob(tmp); len(m) > 0 {
					break
				}
				time.Sleep(200 * time.Microsecond)
			}
		}
		cmd.Process.Kill()
		<-exited
		ck, err := trainer.LoadCheckpointFile(state)
		if err != nil {
			t.Fatalf("kill %d: the checkpoint does not load: %v", i, err)
		}
		if ck.Done < 1 {
			t.Fatalf("kill %d: checkpoint of %d epochs", i, ck.Done)
		}
		loaded++
		tmps, _ := filepath.Glob(filepath.Join(dir, ".run.ckpt.tmp-*"))
		strays = len(tmps)
	}
	// Temporary files a kill left behind show kills that hit a write.
	t.Logf("%d kills, checkpoint loaded after each; %d temporary files left by kills during a write", loaded, strays)
}

// TestResumeBadInput tries --resume with files that cannot be resumed.
func TestResumeBadInput(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.somg")
	state := filepath.Join(dir, "run.ckpt")
	r := runCLI(t, "", "train", "--n", "300", "--size", "3x3", "--epochs", "2", "--progress", "none", "--out", model, "--checkpoint-every", "1", "--state-file", state)
	if r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	good := readFile(t, state)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, b)
		return p
	}
	future := bytes.Replace(good, []byte("somgraph-checkpoint v1"), []byte("somgraph-checkpoint v9"), 1)
	cases := []trainCase{
		{"plain model", []string{"--resume", model}, exitFail, "this is a model file (somgraph-model), which holds no run state"},
		{"truncated", []string{"--resume", write("cut.ckpt", good[:len(good)/3])}, exitFail, "checkpoint file is truncated or corrupted"},
		{"future version", []string{"--resume", write("future.ckpt", future)}, exitFail, "checkpoint version 9 is newer than this somgraph (1): upgrade"},
		{"missing", []string{"--resume", filepath.Join(dir, "nope.ckpt")}, exitFail, "no such file"},
		{"contradicting size", []string{"--resume", state, "--size", "4x4"}, exitUsage, "--size 4x4 contradicts the run in"},
		{"contradicting epochs", []string{"--resume", state, "--epochs", "5"}, exitUsage, "--epochs 5 contradicts"},
		{"contradicting schedule", []string{"--resume", state, "--schedule", "linear"}, exitUsage, "--schedule linear contradicts"},
		{"other data", []string{"--resume", state, "--dataset", "iris"}, exitUsage, "--dataset iris contradicts"},
		{"negative every", []string{"--checkpoint-every", "-1"}, exitUsage, "--checkpoint-every -1"},
		{"state file alone", []string{"--state-file", "x.ckpt"}, exitUsage, "--state-file is written by --checkpoint-every"},
	}
	trainCases(t, dir, cases)
	// A harmless change: another --out and --log.
	r = runCLI(t, "", "train", "--resume", state, "--out", filepath.Join(dir, "again.somg"), "--log", filepath.Join(dir, "log.csv"), "--progress", "none")
	if r.code != exitOK {
		t.Errorf("resume with another --out and --log: exit %d, %s", r.code, r.stderr)
	}
	if !bytes.Equal(readFile(t, filepath.Join(dir, "again.somg")), readFile(t, model)) {
		t.Error("resuming a finished run changed its model")
	}
	_ = os.Remove
}

// TestResumeSupervisedBadInput: supervised flags that contradict the
// resumed supervised run are usage errors, like the other options.
func TestResumeSupervisedBadInput(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "run.ckpt")
	r := runCLI(t, "", "train", "--dataset", "iris", "--supervised", "--target-weight", "0.3", "--size", "3x3", "--epochs", "2", "--progress", "none", "--out", filepath.Join(dir, "m.somg"), "--checkpoint-every", "1", "--state-file", state)
	if r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	trainCases(t, dir, []trainCase{
		{"target weight", []string{"--resume", state, "--target-weight", "0.5"}, exitUsage, "--target-weight 0.5 contradicts the run in"},
		{"target kind", []string{"--resume", state, "--target-kind", "numeric"}, exitUsage, "--target-kind numeric contradicts"},
		{"other target", []string{"--resume", state, "--target", "petal_width"}, exitUsage, "--target petal_width contradicts"},
	})
	// The same flags given again are harmless.
	r = runCLI(t, "", "train", "--resume", state, "--supervised", "--target-weight", "0.3", "--out", filepath.Join(dir, "again.somg"), "--progress", "none")
	if r.code != exitOK {
		t.Errorf("resume with the run's own supervised flags: exit %d, %s", r.code, r.stderr)
	}
}

// trainCase is a train command line (after "train --progress none --out
// DIR/out.somg") that must fail with code and a message containing want.
type trainCase struct {
	name string
	args []string
	code int
	want string
}

// trainCases runs each case as a subtest.
func trainCases(t *testing.T, dir string, cases []trainCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"train", "--progress", "none", "--out", filepath.Join(dir, "out.somg")}, c.args...)...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, c.code, r.stderr)
			}
			oneErrorLine(t, r, c.want)
		})
	}
}
