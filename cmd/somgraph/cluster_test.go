package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/trainer"
)

var irisCSVPath = filepath.Join("..", "..", "loaders", "datasets", "iris.csv")

// irisModel trains a small iris model in dir.
func irisModel(t *testing.T, dir string) string {
	t.Helper()
	model := filepath.Join(dir, "iris.somg")
	r := runCLI(t, "", "train", "--dataset", "iris", "--size", "6x6", "--topology", "hex", "--epochs", "10",
		"--out", model, "--progress", "none")
	if r.code != exitOK {
		t.Fatalf("train: exit %d, %s", r.code, r.stderr)
	}
	return model
}

func TestClusterCommand(t *testing.T) {
	dir := t.TempDir()
	model := irisModel(t, dir)
	out := filepath.Join(dir, "clustered.somg")
	prof := filepath.Join(dir, "profiles.csv")
	r := runCLI(t, "", "cluster", "--model", model, "--data", irisCSVPath, "--range", "2:6", "--out", out, "--profiles", prof, "--stability", "3")
	if r.code != exitOK {
		t.Fatalf("cluster: exit %d, %s", r.code, r.stderr)
	}
	for _, want := range []string{"silhouette", "davies-bouldin", "stability(ARI)", "chosen k = ", "records", "written to " + out} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	m, err := trainer.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Clusters
	if c == nil || c.Method != cluster.WardContiguous || len(c.Criteria) != 5 || c.K < 2 || c.K > 6 || !c.Weighted {
		t.Fatalf("stored clusters %+v", c)
	}
	if !strings.Contains(r.stdout, "chosen k = "+strconv.Itoa(c.K)) {
		t.Errorf("printed k is not the stored k %d", c.K)
	}
	// the input model is untouched when --out is given
	if orig, _ := trainer.LoadFile(model); orig.Clusters != nil {
		t.Error("--out given, yet --model was rewritten")
	}
	// profiles: a header and one row per cluster, with the target's shares
	rows := readCSV(t, string(readFile(t, prof)))
	if len(rows) != c.K+1 || rows[0][0] != "cluster" || !strings.Contains(strings.Join(rows[0], ","), "species=setosa") {
		t.Errorf("profiles: %v", rows)
	}
	// predict adds the cluster column: the BMU's cluster
	p := runCLI(t, "", "predict", "--model", out, "--data", irisCSVPath)
	pr := readCSV(t, p.stdout)
	if p.code != exitOK || strings.Join(pr[0], ",") != "row,bmu_row,bmu_col,distance,cluster" || len(pr) != 151 {
		t.Fatalf("predict: %d %q %v", p.code, p.stderr, pr[:2])
	}
	g := m.Config.Grid
	for _, row := range pr[1:] {
		u := g.Unit(atoi(t, row[1]), atoi(t, row[2]))
		if atoi(t, row[4]) != c.Labels[u] {
			t.Fatalf("predict row %v: cluster is not its unit's (%d)", row, c.Labels[u])
		}
	}
	// plot draws the cluster charts of a model with clusters
	charts := filepath.Join(dir, "charts")
	pl := runCLI(t, "", "plot", "--model", out, "--data", irisCSVPath, "--out", charts)
	if pl.code != exitOK || !strings.Contains(pl.stdout, "clusters, criteria, profiles") {
		t.Errorf("plot: %d %q %q", pl.code, pl.stdout, pl.stderr)
	}
	for _, name := range []string{"clusters.png", "criteria.png", "profiles.png"} {
		readFile(t, filepath.Join(charts, name))
	}
	// a model without clusters predicts without the column
	p = runCLI(t, "", "predict", "--model", model, "--data", irisCSVPath)
	if !strings.HasPrefix(p.stdout, "row,bmu_row,bmu_col,distance\n") {
		t.Errorf("predict without clusters: %q", p.stdout[:40])
	}
	// in place, with a fixed k and k-means
	r = runCLI(t, "", "cluster", "--model", model, "--k", "4", "--method", "kmeans", "--seed", "3")
	if r.code != exitOK {
		t.Fatalf("cluster in place: %d %s", r.code, r.stderr)
	}
	if m, _ := trainer.LoadFile(model); m.Clusters == nil || m.Clusters.K != 4 || m.Clusters.Method != cluster.KMeans {
		t.Errorf("in place: %+v", m.Clusters)
	}
}

func TestClusterBadUsage(t *testing.T) {
	dir := t.TempDir()
	model := irisModel(t, dir)
	oneUnit := filepath.Join(dir, "one.somg")
	if r := runCLI(t, "", "train", "--dataset", "iris", "--size", "1x1", "--epochs", "1", "--out", oneUnit, "--progress", "none"); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no model", []string{}, exitUsage, "--model"},
		{"k 1", []string{"--model", model, "--k", "1"}, exitUsage, "--k 1: want at least 2"},
		{"k 0", []string{"--model", model, "--k", "0"}, exitUsage, "--k 0"},
		{"k text", []string{"--model", model, "--k", "many"}, exitUsage, `--k "many"`},
		{"k > units", []string{"--model", model, "--k", "37"}, exitUsage, "only 36 units"},
		{"range order", []string{"--model", model, "--range", "9:3"}, exitUsage, "out of order"},
		{"range from 1", []string{"--model", model, "--range", "1:3"}, exitUsage, "starts at 2"},
		{"range text", []string{"--model", model, "--range", "a:b"}, exitUsage, "want MIN:MAX"},
		{"range one", []string{"--model", model, "--range", "5"}, exitUsage, "want MIN:MAX"},
		{"range beyond", []string{"--model", model, "--range", "40:50"}, exitUsage, "only 36 units"},
		{"method", []string{"--model", model, "--method", "dbscan"}, exitUsage, `unknown method "dbscan"`},
		{"stability 1", []string{"--model", model, "--stability", "1"}, exitUsage, "--stability 1"},
		{"missing model", []string{"--model", filepath.Join(dir, "nope.somg")}, exitFail, "--model"},
		{"not a model", []string{"--model", irisCSVPath}, exitFail, "not a somgraph model"},
		{"1-unit map", []string{"--model", oneUnit}, exitFail, "at least 2 units"},
		{"bad data", []string{"--model", model, "--data", filepath.Join(dir, "none.csv")}, exitFail, "--data"},
		{"profiles dir", []string{"--model", model, "--profiles", dir}, exitUsage, "is a directory"},
		{"unknown flag", []string{"--model", model, "--clusters", "3"}, exitUsage, "unknown flag --clusters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"cluster"}, c.args...)...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, c.code, r.stderr)
			}
			oneErrorLine(t, r, c.want)
		})
	}
	// nothing above wrote clusters into the model
	if m, _ := trainer.LoadFile(model); m.Clusters != nil {
		t.Error("a failed cluster command changed the model")
	}
}

// FuzzClusterFlags runs the cluster command with arbitrary --k, --range and
// --method values: it must end with exit 0, 1 or 2 and, on failure, one
// line of error, never a panic.
func FuzzClusterFlags(f *testing.F) {
	dir := f.TempDir()
	model := filepath.Join(dir, "m.somg")
	var out, errb strings.Builder
	if code := run([]string{"train", "--size", "3x3", "--epochs", "1", "-n", "200", "--out", model, "--progress", "none"}, strings.NewReader(""), &out, &errb); code != exitOK {
		f.Fatalf("train: %s", errb.String())
	}
	for _, s := range [][3]string{{"auto", "2:15", "ward"}, {"3", "2:4", "kmeans"}, {"-1", "9:2", "x"}, {"9", "2:9", "ward-contiguous"}, {"1e3", ":", ""}, {"auto", "2:999999999999", "ward"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, k, rng, method string) {
		outModel := filepath.Join(t.TempDir(), "o.somg")
		r := runCLI(t, "", "cluster", "--model", model, "--k", k, "--range", rng, "--method", method, "--out", outModel)
		switch r.code {
		case exitOK:
		case exitFail, exitUsage:
			if strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr %q is not one line", r.stderr)
			}
		default:
			t.Errorf("exit %d", r.code)
		}
	})
}
