package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// shiftedCSV writes n rows of x, y (continuous) and c (categorical, a or
// b), with x and y drawn around (shift, shift). The first unseen rows
// hold the category "z", the next above rows an x of 9, the next
// missing rows an empty y.
func shiftedCSV(t *testing.T, path string, n int, shift float64, seed uint64, unseen, above, missing int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("x,y,c\n")
	for i := range n {
		x, y := shift+rng.NormFloat64(), shift+0.5*rng.NormFloat64()
		c := "a"
		if rng.IntN(2) == 1 {
			c = "b"
		}
		xs, ys := strconv.FormatFloat(x, 'f', 4, 64), strconv.FormatFloat(y, 'f', 4, 64)
		switch {
		case i < unseen:
			c = "z"
		case i < unseen+above:
			xs = "9"
		case i < unseen+above+missing:
			ys = ""
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", xs, ys, c)
	}
	writeFile(t, path, []byte(b.String()))
}

// TestContinueTrainingShifted trains a map, then continues it with
// --init-model on data from a shifted distribution with planted drift:
// the drift report must count what was planted, and the quantization
// error of the new data must drop after training.
func TestContinueTrainingShifted(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "old.csv"), filepath.Join(dir, "new.csv")
	shiftedCSV(t, old, 600, 0, 1, 0, 0, 0)
	const unseen, above, missing = 7, 5, 11
	shiftedCSV(t, fresh, 400, 2.5, 2, unseen, above, missing)
	model, cont := filepath.Join(dir, "old.somg"), filepath.Join(dir, "continued.somg")
	r := runCLI(t, "", "train", "--data", old, "--size", "6x6", "--topology", "rect", "--epochs", "15", "--progress", "none", "--out", model)
	if r.code != exitOK {
		t.Fatalf("first training: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "train", "--init-model", model, "--data", fresh, "--epochs", "10", "--sigma", "1", "--lr", "0.3", "--schedule", "constant", "--progress", "none", "--out", cont)
	if r.code != exitOK {
		t.Fatalf("continued training: %d %s", r.code, r.stderr)
	}
	// The TE convention is the run's choice, checked against the model's
	// rect grid, not against the default --topology hex.
	r8 := runCLI(t, "", "train", "--init-model", model, "--data", fresh, "--te-neighbors", "8", "--epochs", "1", "--sigma", "1", "--lr", "0.3", "--schedule", "constant", "--progress", "none", "--out", filepath.Join(dir, "te8.somg"))
	if r8.code != exitOK || !strings.Contains(r8.stdout, "te(8)") {
		t.Errorf("continuing a rect map with --te-neighbors 8: exit %d, stdout %q, stderr %q", r8.code, r8.stdout, r8.stderr)
	}
	// x above the old range: the shift moves many x values out of it too,
	// so the report's count is checked against the file's own values.
	m, err := trainer.LoadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	xr := m.Pipeline.Columns[0].Range
	ro := m.Pipeline.ReadOptions()
	tab, err := loaders.ReadCSV(strings.NewReader(string(readFile(t, fresh))), &ro)
	if err != nil {
		t.Fatal(err)
	}
	outside := 0
	yr := m.Pipeline.Columns[1].Range
	for i := range tab.Rows {
		x, y := tab.Column("x").Num[i], tab.Column("y").Num[i]
		if x < xr[0] || x > xr[1] || y == y && (y < yr[0] || y > yr[1]) {
			outside++
		}
	}
	for _, want := range []string{
		"drift of 400 new records against the model's training data:",
		fmt.Sprintf("records with unseen categories: %d (%.1f%%)", unseen, 100*float64(unseen)/400),
		fmt.Sprintf("records with continuous values outside the training range: %d (", outside),
		fmt.Sprintf("missing values: %.1f%% of fields (%d of %d)", 100*float64(missing)/1200, missing, 1200),
		fmt.Sprintf(`c: %d unseen ("z")`, unseen),
		fmt.Sprintf(", %d missing\n", missing),
		"continuing " + model,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if outside < above {
		t.Errorf("%d records outside the range, fewer than the %d planted", outside, above)
	}
	before := regexp.MustCompile(`quantization error on the saved map: ([0-9.]+)`).FindStringSubmatch(r.stdout)
	if before == nil {
		t.Fatalf("no QE on the saved map in:\n%s", r.stdout)
	}
	qeBefore, _ := strconv.ParseFloat(before[1], 64)
	// The continued model on the same new data, through the drift report.
	ds, err := m.Pipeline.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := trainer.LoadFile(cont)
	if err != nil {
		t.Fatal(err)
	}
	after, err := cm.Drift(tab, ds)
	if err != nil {
		t.Fatal(err)
	}
	if !(after.QE < 0.8*qeBefore) {
		t.Errorf("QE on the new data: %.4f before, %.4f after continuing; want a clear drop", qeBefore, after.QE)
	}
	t.Logf("QE on the shifted data: %.4f on the saved map, %.4f after 10 epochs", qeBefore, after.QE)
	if cm.Pipeline == nil || !strings.Contains(string(readFile(t, cont)), `"range"`) {
		t.Error("the continued model lost the pipeline")
	}
	if cm.Config.Grid != m.Config.Grid {
		t.Errorf("continued grid %v, want the model's %v", cm.Config.Grid, m.Config.Grid)
	}
}

// TestContinueBadInput tries --init-model with data that do not fit.
func TestContinueBadInput(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "old.csv")
	shiftedCSV(t, data, 200, 0, 1, 0, 0, 0)
	model := filepath.Join(dir, "old.somg")
	if r := runCLI(t, "", "train", "--data", data, "--size", "3x3", "--epochs", "2", "--progress", "none", "--out", model); r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	colours := filepath.Join(dir, "colours.somg")
	if r := runCLI(t, "", "train", "--n", "200", "--size", "3x3", "--epochs", "2", "--progress", "none", "--out", colours); r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	other := filepath.Join(dir, "other.csv")
	writeFile(t, other, []byte("u,v\n1,2\n3,4\n"))
	four := filepath.Join(dir, "four.csv")
	writeFile(t, four, []byte("r,g,b,a\n1,2,3,4\n3,4,5,6\n"))
	cases := []trainCase{
		{"other columns", []string{"--init-model", model, "--data", other}, exitFail, `lacks columns "x", "y", "c" that the model needs`},
		{"colours model, four columns", []string{"--init-model", colours, "--data", four}, exitFail, "the new data do not fit the model's features"},
		{"table model without data", []string{"--init-model", model}, exitUsage, "prepares tables"},
		{"size fixed by the model", []string{"--init-model", model, "--data", data, "--size", "4x4"}, exitUsage, "--size is fixed by --init-model"},
		{"missing model", []string{"--init-model", filepath.Join(dir, "nope.somg"), "--data", data}, exitFail, "no such file"},
		{"te-neighbors 8 on the model's hex grid", []string{"--init-model", model, "--data", data, "--te-neighbors", "8"}, exitFail, "a hex unit has 6 neighbours"},
		{"a CSV is not a model", []string{"--init-model", data, "--data", data}, exitFail, "not a somgraph model file"},
	}
	trainCases(t, dir, cases)
}
