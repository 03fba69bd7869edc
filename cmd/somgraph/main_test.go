package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// result is what one call of run produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI calls run with args and an optional standard input.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// oneErrorLine checks that stderr is exactly one line containing want.
func oneErrorLine(t *testing.T, r result, want string) {
	t.Helper()
	if n := strings.Count(r.stderr, "\n"); n != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr has %d lines, want exactly one: %q", n, r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr = %q, want it to contain %q", r.stderr, want)
	}
}

// usageFailure checks that a run failed as bad usage: exit code 2, one
// line on stderr containing want, nothing on stdout.
func usageFailure(t *testing.T, r result, want string) {
	t.Helper()
	if r.code != exitUsage {
		t.Errorf("exit code %d, want %d (stderr %q)", r.code, exitUsage, r.stderr)
	}
	oneErrorLine(t, r, want)
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
}

func TestBadUsage(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.somg")
	cases := []struct {
		name string
		args []string
		want string // in the one stderr line
	}{
		{"no command", nil, "missing command"},
		{"unknown command", []string{"tran"}, `unknown command "tran"`},
		{"size 0x5", []string{"train", "--size", "0x5"}, "--size"},
		{"size text", []string{"train", "--size", "big"}, "want ROWSxCOLS"},
		{"epochs -1", []string{"train", "--epochs", "-1"}, "--epochs -1: must be at least 1"},
		{"epochs 0", []string{"train", "--epochs", "0"}, "--epochs 0"},
		{"epochs not a number", []string{"train", "--epochs", "x"}, `--epochs "x": want a whole number`},
		{"lr 0", []string{"train", "--lr", "0"}, "--lr 0: must be a number greater than 0"},
		{"lr negative", []string{"train", "--lr", "-0.1"}, "--lr -0.1"},
		{"lr NaN", []string{"train", "--lr", "NaN"}, "--lr NaN"},
		{"sigma 0", []string{"train", "--sigma", "0"}, "--sigma 0"},
		{"batch 0", []string{"train", "--batch", "0"}, "--batch 0"},
		{"unknown topology", []string{"train", "--topology", "tri"}, `unknown topology "tri"`},
		{"odd toroidal hex", []string{"train", "--size", "5x6", "--topology", "hex", "--toroidal"}, "even number of rows"},
		{"te-neighbors 8 on hex", []string{"train", "--te-neighbors", "8"}, "--te-neighbors 8 with --topology hex: topographic-error neighbours 8 on a hexagonal grid"},
		{"te-neighbors 6 on rect", []string{"train", "--topology", "rect", "--te-neighbors", "6"}, "want 4 (edges) or 8"},
		{"unknown distance", []string{"train", "--distance", "cheb"}, `unknown distance "cheb"`},
		{"mixed distance on colours", []string{"train", "--distance", "mixed", "--n", "50", "--epochs", "1"}, "--distance mixed compares categorical columns"},
		{"unknown neighborhood", []string{"train", "--neighborhood", "cone"}, `unknown neighborhood "cone"`},
		{"unknown init", []string{"train", "--init", "zeros"}, `unknown init "zeros"`},
		{"unknown mode", []string{"train", "--mode", "online"}, `unknown mode "online"`},
		{"unknown schedule", []string{"train", "--schedule", "cosine"}, `unknown schedule "cosine"`},
		{"unknown dtype", []string{"train", "--dtype", "int8"}, `--dtype "int8"`},
		{"unknown progress", []string{"train", "--progress", "fancy"}, `--progress: unknown progress mode "fancy"`},
		{"unknown monitor", []string{"train", "--monitor", "accuracy", "--early-stop", "2"}, `unknown metric "accuracy"`},
		{"monitor without user", []string{"train", "--monitor", "train_te"}, "--monitor is used by --early-stop and --checkpoint"},
		{"valid monitor without valid data", []string{"train", "--n", "50", "--size", "2x2", "--epochs", "1", "--early-stop", "2", "--monitor", "valid_qe", "--out", model}, "--monitor valid_qe needs validation data"},
		{"negative early stop", []string{"train", "--early-stop", "-1"}, "--early-stop -1"},
		{"unknown dataset", []string{"train", "--dataset", "mnist"}, `--dataset "mnist"`},
		{"data and dataset", []string{"train", "--data", "x.csv", "--dataset", "iris"}, "--data and --dataset both given"},
		{"target without data", []string{"train", "--target", "y"}, "--target applies to a table"},
		{"encode with colours", []string{"train", "--dataset", "colors", "--encode", "ordinal"}, "--encode applies to a table"},
		{"delimiter with a built-in table", []string{"train", "--dataset", "iris", "--delimiter", ";"}, "--delimiter applies to a CSV file"},
		{"comment too long", []string{"train", "--data", "x.csv", "--comment", "##"}, `--comment "##": want one character`},
		{"lazy quotes with a built-in table", []string{"train", "--dataset", "iris", "--lazy-quotes"}, "--lazy-quotes applies to a CSV file"},
		{"n with a table", []string{"train", "--dataset", "iris", "--n", "100"}, "--n sets the size of the colours dataset only"},
		{"valid 1", []string{"train", "--valid", "1"}, "--valid 1"},
		{"n 0", []string{"train", "--n", "0"}, "--n 0"},
		{"bad rows policy", []string{"train", "--data", "x.csv", "--bad-rows", "drop"}, `--bad-rows: unknown bad-rows policy "drop"`},
		{"encode", []string{"train", "--dataset", "iris", "--encode", "binary"}, `--encode: unknown encoding "binary"`},
		{"format", []string{"train", "--format", "jpg"}, `--format: unknown format "jpg"`},
		{"empty out", []string{"train", "--out", ""}, "--out"},
		{"unknown flag", []string{"train", "--bogus"}, "unknown flag --bogus"},
		{"flag without value", []string{"train", "--size"}, "--size needs a value"},
		{"bool value", []string{"train", "--toroidal=maybe"}, `--toroidal "maybe": want true or false`},
		{"positional argument", []string{"train", "extra"}, `unexpected argument "extra"`},
		{"predict without model", []string{"predict", "--data", "x.csv"}, "--model"},
		{"predict without data", []string{"predict", "--model", model}, "--data"},
		{"predict delimiter", []string{"predict", "--model", model, "--data", "x.csv", "--delimiter", ";;"}, "--delimiter"},
		{"codebook without model", []string{"codebook"}, "--model"},
		{"plot without model", []string{"plot"}, "--model"},
		{"plot format", []string{"plot", "--model", model, "--format", "gif"}, "--format"},
		{"plot charts", []string{"plot", "--model", model, "--charts", "hitmap,pie"}, `unknown chart "pie"`},
		{"charts-every without charts", []string{"train", "--charts-every", "2"}, "need --charts DIR"},
		{"missing config", []string{"train", "--config", filepath.Join(dir, "nope.yaml")}, "--config"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { usageFailure(t, runCLI(t, "", c.args...), c.want) })
	}
	if _, err := os.Stat(model); err == nil {
		t.Errorf("a bad-usage run wrote the model %s", model)
	}
}

func TestHelp(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"top", []string{"--help"}, []string{"Usage:", "train", "predict", "codebook", "plot", "bench", "Exit codes"}},
		{"help train", []string{"help", "train"}, []string{"Usage: somgraph train"}},
		{"train", []string{"train", "--help"}, []string{"Usage: somgraph train", "--size RxC", "(default 20x20)", "(default 20)", "(default somgraph-out/model.somg)", "--config", "Examples:", "somgraph train --dataset iris"}},
		{"train -h", []string{"train", "-h"}, []string{"Usage: somgraph train"}},
		{"predict", []string{"predict", "--help"}, []string{"Usage: somgraph predict", "row,bmu_row,bmu_col,distance", "--model", "Examples:"}},
		{"codebook", []string{"codebook", "--help"}, []string{"Usage: somgraph codebook", "som_row", "Examples:"}},
		{"plot", []string{"plot", "--help"}, []string{"Usage: somgraph plot", "umatrix", "(default png)", "Examples:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			if r.code != exitOK {
				t.Fatalf("exit code %d, want 0 (stderr %q)", r.code, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q, want nothing", r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help does not contain %q:\n%s", w, r.stdout)
				}
			}
			for i, line := range strings.Split(r.stdout, "\n") {
				if len([]rune(line)) > 100 {
					t.Errorf("help line %d is %d characters long: %q", i+1, len(line), line)
				}
			}
		})
	}
}

// readCSV parses CSV text, failing the test on an error.
func readCSV(t *testing.T, text string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, text)
	}
	return rows
}

// readFile returns the file's contents, failing the test on an error.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFile writes data to path, failing the test on an error.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// atoi parses an int, failing the test on an error.
func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not an integer", s)
	}
	return v
}

// TestCommandNames checks that commandNames, the config file's section
// names (a list of its own: applyConfig cannot read commands without an
// initialization cycle), names every command, in order.
func TestCommandNames(t *testing.T) {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	if !slices.Equal(names, commandNames) {
		t.Errorf("commandNames = %v, want the commands %v", commandNames, names)
	}
}
