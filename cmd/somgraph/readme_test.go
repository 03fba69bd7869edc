package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadme runs what README.md promises: the quick-start command
// "go run ./cmd/somgraph train" and the "use it from Go" program, each in a
// clean temporary folder (the program in a module of its own that
// replaces somgraph by this clone, as the README tells a user to). The other quick-start command, go test ./..., is the one that
// runs this test. Building both programs takes half a minute on a busy
// machine, so the test runs only when SOMGRAPH_README=1 is set (CI sets
// it):
//
//	SOMGRAPH_README=1 go test -run TestReadme ./cmd/somgraph
func TestReadme(t *testing.T) {
	if os.Getenv("SOMGRAPH_README") != "1" {
		t.Skip("set SOMGRAPH_README=1 to build and run the README's programs")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, cmd := range []string{"go run ./cmd/somgraph train", "go test ./..."} {
		if !strings.Contains(readme, "\n"+cmd) {
			t.Errorf("README.md does not show the command %q at the start of a line", cmd)
		}
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(readme, -1)
	if len(blocks) != 1 {
		t.Fatalf("README.md has %d Go blocks, want the one \"use it from Go\" example", len(blocks))
	}

	bin := t.TempDir()
	build := func(out string, args ...string) {
		t.Helper()
		cmd := exec.Command(goBin, append([]string{"build", "-o", out}, args...)...)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", strings.Join(args, " "), err, msg)
		}
	}
	run := func(dir, prog string, args ...string) string {
		t.Helper()
		cmd := exec.Command(prog, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(prog), strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	t.Run("go run ./cmd/somgraph train", func(t *testing.T) {
		prog := filepath.Join(bin, "somgraph")
		build(prog, "./cmd/somgraph")
		dir := t.TempDir()
		out := run(dir, prog, "train")
		for _, want := range []string{"training a 20x20 hex map on 10000 random RGB colours", "epoch 20/20", "model saved to somgraph-out/model.somg"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "somgraph-out", "model.somg")); err != nil {
			t.Error(err)
		}
	})
	t.Run("use it from Go", func(t *testing.T) {
		// In a module of its own, as a user would: the README's shell
		// block (go mod init, go mod edit -replace to a clone, go mod
		// tidy, go run .) with the clone at root; the program needs no
		// file of the repository.
		setup := regexp.MustCompile("(?s)```sh\n(go mod init.*?)```").FindStringSubmatch(readme)
		if setup == nil {
			t.Fatal("README.md has no shell block starting with go mod init before the Go example")
		}
		if !strings.Contains(setup[1], "-replace=github.com/somgraph/somgraph=../somgraph") {
			t.Fatalf("the README's module setup does not replace the module by a clone:\n%s", setup[1])
		}
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "main.go"), []byte(blocks[0][1]))
		var out string
		for _, line := range strings.Split(setup[1], "\n") {
			if !strings.HasPrefix(line, "go ") {
				continue
			}
			args := strings.Fields(strings.ReplaceAll(line, "=../somgraph", "="+root))
			cmd := exec.Command(goBin, args[1:]...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
			b, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", line, err, b)
			}
			out = string(b)
		}
		if !strings.Contains(out, "7 charts; valid QE") {
			t.Errorf("go run . printed %q, want the number of charts and the valid metrics", out)
		}
		for _, f := range []string{"penguins.somg", filepath.Join("charts", "weights.png")} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Error(err)
			}
		}
	})
}
