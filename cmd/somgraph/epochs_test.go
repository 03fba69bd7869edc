package main

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

// TestEpochNumbering is issue 17 item 8: the console, the --log CSV, the
// model's history and the charts number the same epochs the same way,
// from 1.
func TestEpochNumbering(t *testing.T) {
	dir := t.TempDir()
	r := runProcess(t, dir, "train", "--n", "120", "--size", "3x3", "--epochs", "3", "--progress", "lines",
		"--log", "log.csv", "--out", "m.somg")
	if r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	want := []int{1, 2, 3}
	var console []int
	for _, m := range regexp.MustCompile(`(?m)^epoch (\d+)/3 `).FindAllStringSubmatch(r.stdout, -1) {
		n, _ := strconv.Atoi(m[1])
		console = append(console, n)
	}
	var logged []int
	for _, row := range readCSV(t, string(readFile(t, filepath.Join(dir, "log.csv"))))[1:] {
		n, err := strconv.Atoi(row[0])
		if err != nil {
			t.Fatal(err)
		}
		logged = append(logged, n)
	}
	m, err := trainer.LoadFile(filepath.Join(dir, "m.somg"))
	if err != nil {
		t.Fatal(err)
	}
	var history []int
	for _, e := range m.History {
		history = append(history, e.Epoch)
	}
	charts, err := viz.LossCharts(m.History)
	if err != nil {
		t.Fatal(err)
	}
	var chart []int
	for _, x := range charts[0].Series[0].X {
		chart = append(chart, int(x))
	}
	for name, got := range map[string][]int{"console": console, "--log": logged, "model history": history, "loss chart": chart} {
		if !slices.Equal(got, want) {
			t.Errorf("%s numbers the epochs %v, want %v", name, got, want)
		}
	}
}
