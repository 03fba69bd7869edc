package main

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

const penguinsHeader = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year,species"

// trainSkip trains a small penguins map with --missing skip into dir.
func trainSkip(t *testing.T, dir string) string {
	t.Helper()
	model := filepath.Join(dir, "skip.somg")
	r := runCLI(t, "", "train", "--dataset", "penguins", "--missing", "skip", "--size", "4x4", "--epochs", "3", "--valid", "0.2", "--progress", "none", "--out", model)
	if r.code != exitOK {
		t.Fatalf("train --missing skip: %d %s", r.code, r.stderr)
	}
	return model
}

// TestMissingSkipCLI trains with --missing skip and checks the model (the
// map skips, the pipeline keeps NaN, no "missing" level), then predicts
// records with missing values: each gets the unit a plain-Go reference
// search over its present features gives, and the same as the library's
// prediction. plot, cluster (with profiles) and codebook work on the model.
func TestMissingSkipCLI(t *testing.T) {
	dir := t.TempDir()
	model := trainSkip(t, dir)
	m, err := trainer.LoadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Config.Missing || m.Pipeline.Options.Missing != loaders.SkipMissing || len(m.Features) != 10 {
		t.Fatalf("model: Config.Missing %v, pipeline %v, features %v", m.Config.Missing, m.Pipeline.Options.Missing, m.Features)
	}
	rows := []string{
		"Biscoe,45.1,NA,210,NA,,2008,Gentoo", // holes in both kinds of column
		"Dream,39,18.5,190,3600,female,2009,Adelie",
		"NA,NA,NA,NA,4500,NA,NA,",
	}
	data := filepath.Join(dir, "new.csv")
	writeFile(t, data, []byte(penguinsHeader+"\n"+strings.Join(rows, "\n")+"\n"))
	r := runCLI(t, "", "predict", "--model", model, "--data", data)
	if r.code != exitOK {
		t.Fatalf("predict: %d %s", r.code, r.stderr)
	}
	out := readCSV(t, r.stdout)
	if len(out) != 1+len(rows) {
		t.Fatalf("predict printed %d lines:\n%s", len(out), r.stdout)
	}
	ro := m.Pipeline.ReadOptions()
	tab, err := loaders.ReadCSV(strings.NewReader(penguinsHeader+"\n"+strings.Join(rows, "\n")+"\n"), &ro)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := m.Pipeline.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	d, cols := m.Config.Dim, m.Config.Grid.Cols
	for i := range rows {
		x := ds.Row(i)
		best, bestD := -1, math.Inf(1)
		for k := 0; k < m.Config.Grid.Units(); k++ {
			var s float64
			present := 0
			for f, v := range x {
				if !math.IsNaN(v) {
					s += (v - m.Weights[k*d+f]) * (v - m.Weights[k*d+f])
					present++
				}
			}
			if dist := math.Sqrt(s * float64(d) / float64(present)); dist < bestD {
				best, bestD = k, dist
			}
		}
		if atoi(t, out[i+1][1]) != best/cols || atoi(t, out[i+1][2]) != best%cols {
			t.Errorf("record %d: predict gave unit (%s,%s), the reference %d", i, out[i+1][1], out[i+1][2], best)
		}
		if got, _ := strconv.ParseFloat(out[i+1][3], 64); math.Abs(got-bestD) > 1e-4*(1+bestD) {
			t.Errorf("record %d: distance %v, the reference %v", i, got, bestD)
		}
	}
	// plot, cluster and codebook on the skip model, with data holding NaN.
	penguins, _ := loaders.BuiltinCSV("penguins")
	all := filepath.Join(dir, "penguins.csv")
	writeFile(t, all, penguins)
	if r := runCLI(t, "", "cluster", "--model", model, "--data", all, "--k", "3", "--profiles", filepath.Join(dir, "prof.csv"), "--out", filepath.Join(dir, "clustered.somg")); r.code != exitOK {
		t.Fatalf("cluster: %d %s", r.code, r.stderr)
	}
	if prof := string(readFile(t, filepath.Join(dir, "prof.csv"))); strings.Contains(prof, "NaN") || strings.Contains(prof, "unknown") {
		t.Errorf("profiles count missing values as NaN or unknown:\n%s", prof)
	}
	if r := runCLI(t, "", "plot", "--model", filepath.Join(dir, "clustered.somg"), "--data", all, "--out", filepath.Join(dir, "charts")); r.code != exitOK || !strings.Contains(r.stdout, "profiles") {
		t.Fatalf("plot: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", "codebook", "--model", model); r.code != exitOK || strings.Contains(r.stdout, "NaN") {
		t.Fatalf("codebook: %d %s", r.code, r.stderr)
	}
	// Training further on new records with holes: the map still skips.
	more := filepath.Join(dir, "more.somg")
	r = runCLI(t, "", "train", "--data", all, "--init-model", model, "--epochs", "1", "--sigma", "1", "--lr", "0.1", "--schedule", "constant", "--progress", "none", "--out", more)
	if r.code != exitOK || !strings.Contains(r.stdout, "skipped by the model's map") {
		t.Fatalf("--init-model: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if m2, err := trainer.LoadFile(more); err != nil || !m2.Config.Missing {
		t.Fatalf("continued model: %v", err)
	}
}

// TestMissingBadInput tries bad input around --missing: an unknown
// policy, flags that contradict skip, a table-less dataset, a row with no
// feature present in train and in predict (named by file and line), an
// infinite value, and a column missing everywhere.
func TestMissingBadInput(t *testing.T) {
	dir := t.TempDir()
	model := trainSkip(t, dir)
	out := filepath.Join(dir, "m.somg")
	usage := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--dataset", "penguins", "--missing", "drop"}, "--missing: unknown missing-value policy \"drop\": want fill or skip"},
		{[]string{"train", "--dataset", "penguins", "--missing", "skip", "--na-indicators"}, "--na-indicators marks filled values, and --missing skip fills none"},
		{[]string{"train", "--dataset", "penguins", "--missing", "skip", "--distance", "mixed"}, "--distance mixed cannot skip missing values"},
		{[]string{"train", "--dataset", "penguins", "--missing", "skip", "--encode", "embedding"}, "--encode embedding learns from complete records"},
		{[]string{"train", "--missing", "skip"}, "--missing applies to a table"},
		{[]string{"train", "--dataset", "penguins", "--init-model", model, "--missing", "fill"}, "--missing is fixed by --init-model"},
	}
	for _, c := range usage {
		usageFailure(t, runCLI(t, "", append(c.args, "--out", out)...), c.want)
	}
	header := "a,b,c\n"
	files := []struct {
		name, body, want string
	}{
		{"empty.csv", "1,2,x\n3,4,y\nNA,,\n5,6,x\n", "empty.csv:4: record has no feature present (all 3 inputs are missing): give the row a value or drop it, or pass --missing fill"},
		{"inf.csv", "1,2,x\n3,inf,y\n", "inf.csv:3: column 2 \"b\""},
		{"allmissing.csv", "1,NA,x\n3,,y\n", "column \"b\""},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		writeFile(t, path, []byte(header+f.body))
		r := runCLI(t, "", "train", "--data", path, "--missing", "skip", "--size", "2x2", "--epochs", "1", "--progress", "none", "--out", out)
		if r.code != exitFail {
			t.Errorf("%s: exit %d, want %d (%s)", f.name, r.code, exitFail, r.stderr)
		}
		oneErrorLine(t, r, f.want)
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s: a model was written", f.name)
		}
	}
	// predict: a row with no feature present is named by its line; the
	// rows before it are not printed as if all went well.
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, []byte(penguinsHeader+"\nBiscoe,45,NA,210,NA,,2008,Gentoo\n,NA,NA,,,,NA,Adelie\n"))
	r := runCLI(t, "", "predict", "--model", model, "--data", bad)
	if r.code != exitFail {
		t.Errorf("predict an empty row: exit %d", r.code)
	}
	oneErrorLine(t, r, "bad.csv:3: record has no feature present (all 7 inputs are missing): give the row at least one value, or drop it")
}

// TestMissingSkipServe serves a skip model with records holding missing
// values: every record is placed.
func TestMissingSkipServe(t *testing.T) {
	dir := t.TempDir()
	model := trainSkip(t, dir)
	penguins, _ := loaders.BuiltinCSV("penguins")
	data := filepath.Join(dir, "penguins.csv")
	writeFile(t, data, penguins)
	url, out, errb, done := startCLI(t, "serve", "--model", model, "--data", data, "--addr", "127.0.0.1:0")
	var m struct{ Records int }
	if code := getJSON(t, url+"api/map", &m); code != 200 || m.Records != 344 {
		t.Errorf("GET /api/map: %d, %d records, want 344", code, m.Records)
	}
	if code := interrupt(t, done); code != 0 || errb.String() != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errb)
	}
}
