package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputFileModes checks that charts, like models, get 0644 less the
// umask: os.CreateTemp alone made them 0600.
func TestOutputFileModes(t *testing.T) {
	for _, umask := range []int{0o022, 0o027} {
		old := setUmask(umask)
		if old < 0 {
			t.Skip("no umask on this system")
		}
		want := os.FileMode(0o644 &^ umask)
		dir := t.TempDir()
		model := filepath.Join(dir, "iris.somg")
		r := runCLI(t, "", "train", "--dataset", "iris", "--size", "3x3", "--epochs", "1", "--out", model,
			"--charts", filepath.Join(dir, "train-charts"), "--progress", "none")
		if r.code != exitOK {
			setUmask(old)
			t.Fatalf("train exit code %d, stderr %q", r.code, r.stderr)
		}
		r = runCLI(t, "", "plot", "--model", model, "--out", filepath.Join(dir, "c")+"/")
		setUmask(old)
		if r.code != exitOK {
			t.Fatalf("plot exit code %d, stderr %q", r.code, r.stderr)
		}
		files := []string{model}
		for _, d := range []string{"train-charts", "c"} {
			for _, n := range listDir(t, filepath.Join(dir, d)) {
				files = append(files, filepath.Join(dir, d, n))
			}
		}
		if len(files) < 8 {
			t.Fatalf("only %d files written: %v", len(files), files)
		}
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("umask %03o: %s has mode %v, want %v", umask, filepath.Base(f), fi.Mode().Perm(), want)
			}
		}
	}
}

// TestOutputPathsCheckedFirst checks that every output path is checked
// before the data is read or a map trained: a usage error (exit 2), one
// line, nothing on standard output, nothing written.
func TestOutputPathsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	adir := filepath.Join(dir, "adir")
	afile := filepath.Join(dir, "afile")
	if err := os.Mkdir(adir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, afile, []byte("x"))
	ro := filepath.Join(dir, "readonly")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	roWritable := os.WriteFile(filepath.Join(ro, "probe"), nil, 0o644) == nil // root writes anywhere
	model := filepath.Join(dir, "m.somg")
	trainArgs := func(extra ...string) []string {
		return append([]string{"train", "--n", "200", "--size", "3x3", "--epochs", "1", "--progress", "none"}, extra...)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"out is a directory", trainArgs("--out", adir), "--out " + adir + " is a directory"},
		{"out inside a file", trainArgs("--out", filepath.Join(afile, "m.somg")), "is a file"},
		{"charts is a file", trainArgs("--out", model, "--charts", afile), "--charts " + afile + " is a file"},
		{"charts below a file", trainArgs("--out", model, "--charts", filepath.Join(afile, "c")), "is a file"},
		{"log is a directory", trainArgs("--out", model, "--log", adir), "--log " + adir + " is a directory"},
		{"checkpoint is a directory", trainArgs("--out", model, "--checkpoint", adir), "--checkpoint " + adir + " is a directory"},
		{"plot out is a file", []string{"plot", "--model", model, "--out", afile}, "--out " + afile + " is a file"},
		{"predict out is a directory", []string{"predict", "--model", model, "--data", afile, "--out", adir}, "--out " + adir + " is a directory"},
		{"codebook out is a directory", []string{"codebook", "--model", model, "--out", adir}, "--out " + adir + " is a directory"},
	}
	if !roWritable {
		cases = append(cases, struct {
			name string
			args []string
			want string
		}{"out in a read-only folder", trainArgs("--out", filepath.Join(ro, "sub", "m.somg")), "cannot write"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			usageFailure(t, r, c.want) // stdout empty: no training before the check
			if strings.Contains(r.stderr, "rename") {
				t.Errorf("stderr shows a raw rename error: %q", r.stderr)
			}
		})
	}
	if _, err := os.Stat(model); err == nil {
		t.Errorf("a run with a bad output path wrote the model %s", model)
	}
	ents, _ := os.ReadDir(adir)
	if len(ents) != 0 {
		t.Errorf("%s holds %d entries after the runs, want none", adir, len(ents))
	}
}
