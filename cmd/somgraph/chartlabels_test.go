package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestChartLabels checks the words on the charts plot draws (SVG, so the
// text can be read): --data names the records by their file, not "train"
// (issue 17 item 10); the skewed housing hit map gets a log colour scale,
// said in its colour bar, unless --log-scale=false (item 11); the
// mean-target chart names the target in its title and colour bar, and the
// hyperparameter panels label their y axes (item 12).
func TestChartLabels(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "housing.somg")
	r := runCLI(t, "", "train", "--dataset", "housing", "--size", "20x20", "--epochs", "1", "--schedule", "two-phase", "--out", model, "--progress", "none")
	if r.code != exitOK {
		t.Fatalf("train exit code %d, stderr %q", r.code, r.stderr)
	}
	csv := filepath.Join("..", "..", "loaders", "datasets", "california_housing.csv")
	out := filepath.Join(dir, "charts")
	r = runCLI(t, "", "plot", "--model", model, "--data", csv, "--format", "svg", "--out", out, "--charts", "hitmap,preds,hyperparams")
	if r.code != exitOK {
		t.Fatalf("plot exit code %d, stderr %q", r.code, r.stderr)
	}
	svg := func(name string) string { return string(readFile(t, filepath.Join(out, name+".svg"))) }
	checks := []struct {
		chart      string
		want, lack []string
	}{
		{"hitmap", []string{"Hit map, california_housing.csv (20640 records)", ">hits (log scale)<"}, []string{"train"}},
		{"preds", []string{"Mean median_house_value per unit, california_housing.csv", ">mean median_house_value<"}, []string{"train", ">mean<"}},
		{"hyperparams", []string{">α<", ">σ (grid units)<", ">records<"}, nil},
	}
	for _, c := range checks {
		s := svg(c.chart)
		for _, w := range c.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s.svg lacks %q", c.chart, w)
			}
		}
		for _, w := range c.lack {
			if strings.Contains(s, w) {
				t.Errorf("%s.svg contains %q", c.chart, w)
			}
		}
	}

	// --log-scale=false keeps the skewed housing counts linear (item 11).
	r = runCLI(t, "", "plot", "--model", model, "--data", csv, "--format", "svg", "--out", out, "--charts", "hitmap", "--log-scale=false")
	if r.code != exitOK {
		t.Fatalf("plot exit code %d, stderr %q", r.code, r.stderr)
	}
	if s := svg("hitmap"); strings.Contains(s, "log scale") || !strings.Contains(s, ">hits<") {
		t.Errorf("--log-scale=false: the hit map's colour bar is not captioned plain \"hits\"")
	}

	// Records on standard input are "data".
	iris := filepath.Join(dir, "iris.somg")
	if r := runCLI(t, "", "train", "--dataset", "iris", "--size", "3x3", "--epochs", "1", "--out", iris, "--progress", "none"); r.code != exitOK {
		t.Fatalf("train exit code %d, stderr %q", r.code, r.stderr)
	}
	irisCSV := string(readFile(t, filepath.Join("..", "..", "loaders", "datasets", "iris.csv")))
	if r := runCLI(t, irisCSV, "plot", "--model", iris, "--data", "-", "--format", "svg", "--out", out, "--charts", "hitmap"); r.code != exitOK {
		t.Fatalf("plot exit code %d, stderr %q", r.code, r.stderr)
	}
	if s := svg("hitmap"); !strings.Contains(s, "Hit map, data (150 records)") {
		t.Errorf("hit map of standard input is not titled \"Hit map, data (150 records)\"")
	}
	// --log-scale forces the log scale on iris's even counts.
	if r := runCLI(t, irisCSV, "plot", "--model", iris, "--data", "-", "--format", "svg", "--out", out, "--charts", "hitmap", "--log-scale"); r.code != exitOK {
		t.Fatalf("plot exit code %d, stderr %q", r.code, r.stderr)
	}
	if s := svg("hitmap"); !strings.Contains(s, ">hits (log scale)<") {
		t.Errorf("--log-scale: the hit map's colour bar does not say log scale")
	}
}
