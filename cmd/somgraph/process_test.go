package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the somgraph program itself: with
// SOMGRAPH_RUN_MAIN=1 in its environment it runs main() on its arguments.
// Tests of process behaviour (signals, exit status) start it that way,
// a real process built from this package, without a separate go build.
func TestMain(m *testing.M) {
	if os.Getenv("SOMGRAPH_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// somgraphProcess returns a command that runs somgraph with args in dir.
func somgraphProcess(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SOMGRAPH_RUN_MAIN=1")
	return cmd
}

// TestInterruptExitStatus sends SIGINT (Ctrl-C) to a training process: it
// must finish the batch, save the model, say so and exit with 130, not 0.
func TestInterruptExitStatus(t *testing.T) {
	dir := t.TempDir()
	cmd := somgraphProcess(t, dir, "train", "--n", "20000", "--size", "10x10", "--epochs", "100000",
		"--schedule", "constant", "--progress", "lines", "--out", "m.somg")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	sent := false
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if !sent && strings.HasPrefix(sc.Text(), "epoch ") {
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			sent = true
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("wait: %v, want exit status 130\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
	}
	if code := ee.ExitCode(); code != exitInterrupted {
		t.Errorf("exit status %d, want %d (stderr %q)", code, exitInterrupted, stderr.String())
	}
	for _, want := range []string{"interrupted after ", "exit status 130", "model saved to m.somg"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "m.somg")); err != nil {
		t.Errorf("the interrupted run saved no model: %v", err)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", stderr.String())
	}
}
