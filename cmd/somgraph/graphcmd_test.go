package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/internal/gemm"
)

func TestGraphBadUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad format", []string{"--format", "svg"}, `--format "svg": want dot or text`},
		{"bad size", []string{"--size", "big"}, `--size "big"`},
		{"zero size", []string{"--size", "0x4"}, `--size "0x4"`},
		{"odd toroidal hex", []string{"--size", "3x4", "--toroidal"}, "even number of rows"},
		{"dim 0", []string{"--dim", "0"}, "--dim 0: want at least 1 feature"},
		{"negative batch", []string{"--batch", "-1"}, "--batch -1"},
		{"too much data", []string{"--batch", "100000", "--dim", "100000"}, "more than"},
		{"bad mode", []string{"--mode", "online"}, `--mode "online": want minibatch or batch`},
		{"bad distance", []string{"--distance", "hamming"}, "--distance"},
		{"mixed distance", []string{"--distance", "mixed"}, "--distance mixed"},
		{"bad neighborhood", []string{"--neighborhood", "cone"}, "--neighborhood"},
		{"bad topology", []string{"--topology", "tri"}, "--topology"},
		{"bad dtype", []string{"--dtype", "int8"}, `--dtype "int8": want float32 or float64`},
		{"unknown flag", []string{"--svg"}, "--svg"},
		{"argument", []string{"now"}, `unexpected argument "now"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"graph"}, c.args...)...)
			if r.code != exitUsage {
				t.Errorf("exit code %d, want %d", r.code, exitUsage)
			}
			oneErrorLine(t, r, c.want)
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

// fusedLines are the lines graph --format text prints for the search of a
// float32 Euclidean map of 3 features, 20 units and batches of 16: the
// fused node where internal/gemm's kernel covers 3 features, else the
// distance node and the argmin node.
func fusedLines() []string {
	if gemm.ArgminFused(3) {
		return []string{"SOMDistanceArgmin{euclidean, less ‖x‖², float32}(%0, %1) (16) int", "SOMDistinct{K=20}(%2) (16) int"}
	}
	return []string{"SOMDistance{euclidean, less ‖x‖², float32}(%0, %1) (16, 20)", "SOMArgmin(%2) (16) int"}
}

// TestGraph checks that the printed graphs hold the distance, argmin and
// neighbourhood nodes the training runs, with the shapes of the flags, in
// both modes and formats, and that dot (when installed) reads the DOT.
func TestGraph(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"minibatch dot", []string{"--size", "4x5", "--dim", "3", "--batch", "16"},
			[]string{"digraph", "SOMDistance", "Argmin", "SOMDistinct", "SOMBMUSums", "SOMNeighborhood", "SOMWeightedSums"}},
		{"minibatch text euclidean float32", []string{"--size", "4x5", "--dim", "3", "--batch", "16", "--format", "text"}, fusedLines()},
		{"minibatch text", []string{"--size", "4x5", "--dim", "3", "--batch", "16", "--format", "text", "--distance", "manhattan", "--topology", "rect"},
			[]string{"# training step", "SOMDistance{manhattan, float32}(%0, %1) (16, 20)", "SOMArgmin(%2) (16) int",
				"SOMNeighborhood{gaussian, 4x5 rect, float32}", "(16, 20) float32", "SOMWeightedSums{K=20, cols=5, float32}"}},
		{"batch text", []string{"--size", "6x6", "--dim", "2", "--mode", "batch", "--format", "text", "--dtype", "float64"},
			[]string{"# search", "SOMDistance{euclidean, less ‖x‖², float64}(%0, %1) (1024, 36) float64", "# epoch update",
				"SOMNeighborhood{gaussian, 6x6 hex, float64}(%0, %2) (36, 36)"}},
		{"batch dot", []string{"--mode", "batch"}, []string{"SOMDistance", "Argmin", "SOMNeighborhood"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"graph"}, c.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit code %d: %s", r.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
			if !strings.Contains(c.name, "dot") {
				return
			}
			if _, err := exec.LookPath("dot"); err != nil {
				t.Log("graphviz's dot is not installed: the DOT is not rendered")
				return
			}
			cmd := exec.Command("dot", "-Tsvg")
			cmd.Stdin = strings.NewReader(r.stdout)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "<svg") {
				t.Fatalf("dot -Tsvg: %v\n%.500s", err, out)
			}
		})
	}
	r := runCLI(t, "", "graph", "--help")
	if r.code != exitOK || !strings.Contains(r.stdout, "Usage: somgraph graph") || !strings.Contains(r.stdout, "--format") {
		t.Errorf("graph --help: exit %d, %s", r.code, r.stdout)
	}
}
