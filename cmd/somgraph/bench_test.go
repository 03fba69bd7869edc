package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/internal/bench"
)

func TestBenchBadUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"n 0", []string{"--n", "0"}, "--n 0: want at least 1 record"},
		{"dim 0", []string{"--dim", "0"}, "--dim 0"},
		{"too much data", []string{"--n", "100000000", "--dim", "100"}, "4 GiB"},
		{"clusters 0", []string{"--clusters", "0"}, "--clusters 0"},
		{"epochs 0", []string{"--epochs", "0"}, "--epochs 0"},
		{"negative batch", []string{"--batch", "-5"}, "--batch -5"},
		{"repeat 0", []string{"--repeat", "0"}, "--repeat 0"},
		{"bad size", []string{"--size", "big"}, `--size "big"`},
		{"bad mode", []string{"--mode", "online"}, `--mode "online": want minibatch or batch`},
		{"bad dtype", []string{"--dtype", "int8"}, `--dtype "int8": want float32 or float64`},
		{"unknown flag", []string{"--gpu"}, "--gpu"},
		{"argument", []string{"fast"}, `unexpected argument "fast"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"bench"}, c.args...)...)
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

func TestBenchHelp(t *testing.T) {
	r := runCLI(t, "", "bench", "--help")
	if r.code != exitOK {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Usage: somgraph bench", "floor", "--n", "--dim", "--size", "--epochs", "--mode", "--batch", "--dtype", "--seed", "--json", "--repeat"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestBenchTable(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"batch", []string{"--n", "600", "--dim", "3", "--size", "4x5", "--epochs", "2", "--repeat", "2"},
			[]string{"batch, N=600 D=3 map 4×5 (K=20), batch 600, float32, 2 epochs", "median of 2 run(s)", "loop/floor", "floor:", "heap: peak"}},
		{"minibatch float64", []string{"--n", "500", "--dim", "4", "--size", "3x3", "--epochs", "1", "--mode", "minibatch", "--batch", "50", "--dtype", "float64"},
			[]string{"minibatch, N=500 D=4 map 3×3 (K=9), batch 50, float64, 1 epochs", "in chunks of 50 records"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"bench"}, c.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit code %d: %s", r.code, r.stderr)
			}
			for _, want := range c.want {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, r.stdout)
				}
			}
			if !strings.Contains(r.stderr, "run 1/") {
				t.Errorf("no progress on stderr: %q", r.stderr)
			}
		})
	}
}

func TestBenchJSON(t *testing.T) {
	r := runCLI(t, "", "bench", "--n", "400", "--dim", "5", "--size", "3x4", "--epochs", "3", "--mode", "minibatch", "--batch", "64", "--json")
	if r.code != exitOK {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	var res bench.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	s := res.Settings
	if s.N != 400 || s.Dim != 5 || s.Units() != 12 || s.Epochs != 3 || s.Mode != "minibatch" || s.Batch != 64 || s.Repeat != 1 {
		t.Errorf("settings %+v do not match the flags", s)
	}
	if len(res.Epochs) != 3 {
		t.Fatalf("%d epochs, want 3", len(res.Epochs))
	}
	if res.Floor.Chunk != 64 || res.Floor.K != 12 || !(res.Floor.Seconds > 0) {
		t.Errorf("floor %+v: want chunk 64, K 12 and a positive time", res.Floor)
	}
	for _, e := range res.Epochs {
		if !(e.Seconds > 0) || e.LoopSeconds > e.Seconds || !(e.Ratio > 0) {
			t.Errorf("epoch %d: %+v: want 0 < loop ≤ seconds and a ratio", e.Epoch, e)
		}
	}
	if res.Heap.PeakBytes < res.Heap.BaseBytes || res.DataBytes != 400*5*8 {
		t.Errorf("heap %+v, data %d bytes", res.Heap, res.DataBytes)
	}
}

func TestBenchCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	r := runCLI(t, "", "bench", "--n", "300", "--dim", "3", "--size", "3x3", "--epochs", "1", "--repeat", "2", "--cpuprofile", path)
	if r.code != exitOK {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile is not a gzipped pprof file: % x", b[:min(len(b), 8)])
	}
	r = runCLI(t, "", "bench", "--n", "10", "--dim", "2", "--size", "2x2", "--epochs", "1", "--cpuprofile", filepath.Join(t.TempDir(), "no", "dir", "p"))
	if r.code != exitFail {
		t.Errorf("unwritable profile: exit code %d, want %d", r.code, exitFail)
	}
	oneErrorLine(t, r, "--cpuprofile")
}

// TestBenchWriteCSV checks that --write-csv writes the generated data
// with a header, that train reads it, and that a bad path is an error.
func TestBenchWriteCSV(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.csv")
	r := runCLI(t, "", "bench", "--n", "200", "--dim", "3", "--write-csv", path)
	if r.code != exitOK || r.stdout != "" {
		t.Fatalf("exit code %d, stdout %q: %s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(readFile(t, path))), "\n")
	if len(lines) != 201 || lines[0] != "f0,f1,f2" {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	r = runCLI(t, "", "train", "--data", path, "--size", "3x3", "--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "out"))
	if r.code != exitOK || !strings.Contains(r.stdout+r.stderr, "200 records × 3 features") {
		t.Fatalf("train on the written CSV: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", "bench", "--n", "10", "--dim", "2", "--write-csv", filepath.Join(dir, "no", "such", "x.csv")); r.code != exitFail {
		t.Errorf("unwritable --write-csv: exit %d, want %d", r.code, exitFail)
	}
}

// TestBenchIngest checks that --ingest reads a CSV in memory and streamed
// and reports MB/s, and that a missing file is an error.
func TestBenchIngest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.csv")
	if r := runCLI(t, "", "bench", "--n", "300", "--dim", "4", "--write-csv", path); r.code != exitOK {
		t.Fatalf("--write-csv: %s", r.stderr)
	}
	r := runCLI(t, "", "bench", "--ingest", path, "--repeat", "2")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"300 rows × 4 features, median of 2", "in memory:", "read+parse", "fit+transform", "MB/s", "streamed (two passes)", "one pass, no table (train's path)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCLI(t, "", "bench", "--ingest", filepath.Join(t.TempDir(), "none.csv")); r.code != exitFail {
		t.Errorf("missing file: exit %d, want %d", r.code, exitFail)
	}
}
