package main

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// listDir returns the sorted file names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

func TestPlotAndCharts(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "iris.somg")
	charts := filepath.Join(dir, "charts")
	r := runCLI(t, "", "train", "--dataset", "iris", "--size", "4x4", "--epochs", "3", "--out", model,
		"--charts", charts, "--charts-every", "2", "--progress", "none")
	if r.code != exitOK {
		t.Fatalf("train exit code %d, stderr %q", r.code, r.stderr)
	}
	all := []string{"features.png", "hitmap.png", "hyperparams.png", "loss.png", "preds.png", "umatrix.png", "weights.png"}
	if got := listDir(t, charts); !slices.Equal(got, all) {
		t.Errorf("train --charts wrote %v, want %v", got, all)
	}
	if got := listDir(t, filepath.Join(charts, "training")); !slices.Contains(got, "hitmap_e0002.png") {
		t.Errorf("--charts-every 2 wrote %v, want a hit map after epoch 2", got)
	}
	for _, name := range all {
		img, err := png.Decode(bytes.NewReader(readFile(t, filepath.Join(charts, name))))
		if err != nil {
			t.Errorf("%s is not a PNG: %v", name, err)
		} else if img.Bounds().Dx() < 100 || img.Bounds().Dy() < 100 {
			t.Errorf("%s is only %v", name, img.Bounds())
		}
	}

	irisCSV := filepath.Join("..", "..", "loaders", "datasets", "iris.csv")
	cases := []struct {
		name  string
		args  []string
		files []string
		note  string
	}{
		{"no data: codebook charts only", nil, []string{"features.png", "hyperparams.png", "loss.png", "umatrix.png", "weights.png"}, "skipped hitmap, preds"},
		{"with labelled data", []string{"--data", irisCSV}, all, ""},
		{"svg subset", []string{"--data", irisCSV, "--format", "svg", "--charts", "hitmap,umatrix"}, []string{"hitmap.svg", "umatrix.svg"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "plots")
			r := runCLI(t, "", append([]string{"plot", "--model", model, "--out", out}, c.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
			}
			if got := listDir(t, out); !slices.Equal(got, c.files) {
				t.Errorf("wrote %v, want %v", got, c.files)
			}
			if c.note != "" && !strings.Contains(r.stdout, c.note) {
				t.Errorf("output lacks %q:\n%s", c.note, r.stdout)
			}
			for _, f := range c.files {
				if strings.HasSuffix(f, ".svg") {
					if err := xml.Unmarshal(readFile(t, filepath.Join(out, f)), new(struct{})); err != nil {
						t.Errorf("%s is not XML: %v", f, err)
					}
				}
			}
		})
	}

	bad := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"hitmap without data", []string{"--charts", "hitmap"}, exitUsage, "--charts hitmap needs records"},
		{"unknown chart", []string{"--charts", "pie"}, exitUsage, `unknown chart "pie"`},
		{"data of another shape", []string{"--data", "-"}, exitFail, "sepal"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"plot", "--model", model, "--out", filepath.Join(t.TempDir(), "p")}, c.args...)
			r := runCLI(t, "a,b\n1,2\n", args...)
			if r.code != c.code {
				t.Errorf("exit code %d, want %d", r.code, c.code)
			}
			oneErrorLine(t, r, c.want)
		})
	}
}
