package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var penguinsCSVPath = filepath.Join("..", "..", "loaders", "datasets", "penguins.csv")

// TestTrainEmbedding: --encode embedding learns vectors for island and sex
// (a line per autoencoder epoch), the same seed writes the same model
// bytes, and predict encodes new rows with the model's vectors.
func TestTrainEmbedding(t *testing.T) {
	dir := t.TempDir()
	train := func(name string, extra ...string) []byte {
		out := filepath.Join(dir, name)
		args := append([]string{"train", "--dataset", "penguins", "--encode", "embedding", "--embed-size", "island=2", "--embed-epochs", "6",
			"--size", "4x4", "--epochs", "2", "--progress", "lines", "--out", out}, extra...)
		r := runCLI(t, "", args...)
		if r.code != 0 {
			t.Fatalf("train: exit %d: %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "embed: epoch 1/6 train loss ") {
			t.Errorf("no autoencoder epoch lines in\n%s", r.stdout)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := train("a.somg"), train("b.somg")
	if !bytes.Equal(a, b) {
		t.Error("the same seed wrote different model files")
	}
	if c := train("c.somg", "--seed", "3"); bytes.Equal(a, c) {
		t.Error("seeds 0 and 3 wrote the same model file")
	}
	// The co-occurrence method trains nothing: no epoch lines, and it
	// does not depend on the seed's autoencoder.
	r := runCLI(t, "", "train", "--dataset", "penguins", "--encode", "embedding", "--embed-method", "cooccurrence", "--size", "4x4", "--epochs", "2",
		"--progress", "lines", "--out", filepath.Join(dir, "co.somg"))
	if r.code != 0 || strings.Contains(r.stdout, "embed: epoch") {
		t.Errorf("cooccurrence: exit %d, stdout\n%s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "codebook", "--model", filepath.Join(dir, "a.somg"), "--encoded")
	if r.code != 0 {
		t.Fatalf("codebook: exit %d: %s", r.code, r.stderr)
	}
	header := strings.SplitN(r.stdout, "\n", 2)[0]
	if !strings.Contains(header, ",island#0,island#1,") || strings.Contains(header, "island#2") || !strings.Contains(header, ",sex#0") {
		t.Errorf("encoded codebook header %q: want island#0, island#1 and sex's dimensions", header)
	}
	r = runCLI(t, "", "predict", "--model", filepath.Join(dir, "a.somg"), "--data", penguinsCSVPath)
	if r.code != 0 {
		t.Fatalf("predict: exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, "\n"); n != 345 {
		t.Errorf("predict wrote %d lines, want a header and 344 rows", n)
	}
}

func TestTrainEmbeddingBad(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"size without embedding", []string{"--dataset", "penguins", "--embed-size", "island=2"}, "--embed-size, --embed-epochs and --embed-method configure --encode embedding"},
		{"epochs without embedding", []string{"--dataset", "penguins", "--encode", "ordinal", "--embed-epochs", "3"}, "configure --encode embedding"},
		{"with colours", []string{"--embed-epochs", "3"}, "--embed-epochs applies to a table"},
		{"method without embedding", []string{"--dataset", "penguins", "--embed-method", "cooccurrence"}, "configure --encode embedding"},
		{"unknown method", []string{"--dataset", "penguins", "--encode", "embedding", "--embed-method", "svd"}, `--embed-method "svd": want autoencoder or cooccurrence`},
		{"negative epochs", []string{"--dataset", "penguins", "--encode", "embedding", "--embed-epochs", "-1"}, "--embed-epochs -1"},
		{"no size", []string{"--dataset", "penguins", "--encode", "embedding", "--embed-size", "island"}, `--embed-size: "island": want name=size`},
		{"size text", []string{"--dataset", "penguins", "--encode", "embedding", "--embed-size", "island=big"}, `--embed-size: "island=big"`},
		{"twice", []string{"--dataset", "penguins", "--encode", "embedding", "--embed-size", "island=2,island=3"}, `column "island" given twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			usageFailure(t, runCLI(t, "", append([]string{"train", "--out", filepath.Join(t.TempDir(), "m.somg")}, c.args...)...), c.want)
		})
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"size 0", []string{"--embed-size", "island=0"}, `column "island": size 0, want at least 1`},
		{"unknown column", []string{"--embed-size", "colour=2"}, `unknown column "colour" in the embedding sizes`},
		{"continuous column", []string{"--embed-size", "bill_length_mm=2"}, `unknown column "bill_length_mm" in the embedding sizes`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "m.somg")
			r := runCLI(t, "", append([]string{"train", "--dataset", "penguins", "--encode", "embedding", "--out", out}, c.args...)...)
			if r.code == 0 {
				t.Fatal("train succeeded")
			}
			oneErrorLine(t, r, c.want)
			if _, err := os.Stat(out); err == nil {
				t.Error("a failed run wrote the model")
			}
		})
	}
}
