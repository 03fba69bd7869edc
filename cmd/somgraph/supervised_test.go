package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTrainSupervised: train --supervised on iris, then predict with the
// predicted class and --proba's probabilities.
func TestTrainSupervised(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "iris.somg")
	logPath := filepath.Join(dir, "epochs.csv")
	r := runCLI(t, "", "train", "--dataset", "iris", "--size", "6x6", "--epochs", "20", "--valid", "0.2", "--supervised",
		"--monitor", "valid_accuracy", "--early-stop", "50", "--out", model, "--progress", "lines", "--log", logPath)
	if r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	logRows := readCSV(t, string(readFile(t, logPath)))
	col := map[string]int{}
	for i, h := range logRows[0] {
		col[h] = i
	}
	for e, row := range logRows[1:] {
		for _, name := range []string{"train_accuracy", "valid_accuracy"} {
			if v, err := strconv.ParseFloat(row[col[name]], 64); err != nil || v < 0 || v > 1 {
				t.Errorf("log epoch %d: %s %q", e+1, name, row[col[name]])
			}
		}
		if row[col["valid_rmse"]] != "" {
			t.Errorf("log epoch %d: valid_rmse %q for a class target", e+1, row[col["valid_rmse"]])
		}
	}
	for _, want := range []string{"  acc ", "  valid acc ", "supervised on species (3 classes, target weight 0.5): train accuracy ", ", valid accuracy "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	data := filepath.Join("..", "..", "loaders", "datasets", "iris.csv")
	p := runCLI(t, "", "predict", "--model", model, "--data", data, "--proba")
	if p.code != exitOK {
		t.Fatalf("predict: %d %s", p.code, p.stderr)
	}
	rows := readCSV(t, p.stdout)
	if got := strings.Join(rows[0], ","); got != "row,bmu_row,bmu_col,distance,predicted,p_setosa,p_versicolor,p_virginica" {
		t.Fatalf("header %s", got)
	}
	truth := readCSV(t, string(readFile(t, data)))
	hit := 0
	for i, row := range rows[1:] {
		var sum, best float64
		arg := -1
		for c, s := range row[5:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v < 0 || v > 1 {
				t.Fatalf("row %d: probability %q", i, s)
			}
			sum += v
			if v > best {
				best, arg = v, c
			}
		}
		if math.Abs(sum-1) > 1e-4 || rows[0][5+arg] != "p_"+row[4] {
			t.Fatalf("row %d: probabilities %v sum %v for class %s", i, row[5:], sum, row[4])
		}
		if row[4] == truth[i+1][4] {
			hit++
		}
	}
	if acc := float64(hit) / 150; acc < 0.85 {
		t.Errorf("predicted class right for %.3f of iris, want ≥ 0.85", acc)
	}
	// codebook decodes the features and adds the class probabilities.
	cb := runCLI(t, "", "codebook", "--model", model)
	if cb.code != exitOK || !strings.HasPrefix(cb.stdout, "som_row,som_col,sepal_length,sepal_width,petal_length,petal_width,p_setosa,p_versicolor,p_virginica\n") {
		t.Errorf("codebook: %d %s %.200s", cb.code, cb.stderr, cb.stdout)
	}
	if n := len(readCSV(t, cb.stdout)); n != 37 {
		t.Errorf("codebook has %d rows, want a header and 36 units", n)
	}
	// plot draws the target and confusion charts.
	charts := filepath.Join(dir, "charts")
	pl := runCLI(t, "", "plot", "--model", model, "--data", data, "--out", charts)
	if pl.code != exitOK || !strings.Contains(pl.stdout, "hyperparams, target, confusion") {
		t.Errorf("plot: %d %s %s", pl.code, pl.stderr, pl.stdout)
	}
	for _, n := range []string{"target.png", "confusion.png", "features.png"} {
		if len(readFile(t, filepath.Join(charts, n))) < 1000 {
			t.Errorf("%s is too small", n)
		}
	}
	usageFailure(t, runCLI(t, "", "plot", "--model", model, "--out", charts, "--charts", "confusion"), "--charts confusion needs records: add --data FILE.csv")
	// Placed by features and target: the target column is read.
	p2 := runCLI(t, "", "predict", "--model", model, "--data", data, "--predict-layers", "features,target")
	if p2.code != exitOK || !strings.HasPrefix(p2.stdout, "row,bmu_row,bmu_col,distance,predicted\n") {
		t.Errorf("--predict-layers features,target: %d %s %.100s", p2.code, p2.stderr, p2.stdout)
	}
}

// numericCSV writes a table x1,x2,y with y = 10 + 3·x1 − 2·x2.
func numericCSV(t *testing.T, dir string, n int) string {
	var b strings.Builder
	b.WriteString("x1,x2,y\n")
	for i := range n {
		x1, x2 := float64(i%17)/17, float64((i*7)%23)/23
		fmt.Fprintf(&b, "%g,%g,%g\n", x1, x2, 10+3*x1-2*x2)
	}
	path := filepath.Join(dir, "num.csv")
	writeFile(t, path, []byte(b.String()))
	return path
}

// TestTrainSupervisedNumeric: a numeric target gives RMSE/MAE and a
// predicted value; --proba is refused.
func TestTrainSupervisedNumeric(t *testing.T) {
	dir := t.TempDir()
	data := numericCSV(t, dir, 300)
	model := filepath.Join(dir, "num.somg")
	r := runCLI(t, "", "train", "--data", data, "--target", "y", "--supervised", "--size", "6x6", "--epochs", "20", "--valid", "0.2", "--out", model, "--progress", "lines")
	if r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	for _, want := range []string{"  rmse ", "  valid mae ", "supervised on y (numeric, target weight 0.5): train rmse "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	p := runCLI(t, "", "predict", "--model", model, "--data", data)
	if p.code != exitOK {
		t.Fatalf("predict: %d %s", p.code, p.stderr)
	}
	rows := readCSV(t, p.stdout)
	truth := readCSV(t, string(readFile(t, data)))
	var se float64
	for i, row := range rows[1:] {
		v, err1 := strconv.ParseFloat(row[4], 64)
		y, err2 := strconv.ParseFloat(truth[i+1][2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %d: %v %v", i, err1, err2)
		}
		se += (v - y) * (v - y)
	}
	// y has a standard deviation of about 1; a 36-unit map predicts it closely.
	if rmse := math.Sqrt(se / 300); rmse > 0.4 {
		t.Errorf("predicted RMSE %.3f, want ≤ 0.4", rmse)
	}
	usageFailure(t, runCLI(t, "", "predict", "--model", model, "--data", data, "--proba"), `--proba: the model's target "y" is numeric`)
	if cb := runCLI(t, "", "codebook", "--model", model); cb.code != exitOK || !strings.HasPrefix(cb.stdout, "som_row,som_col,x1,x2,predicted_y\n") {
		t.Errorf("codebook: %d %s %.200s", cb.code, cb.stderr, cb.stdout)
	}
}

// TestSupervisedBadInput: each bad supervised command is one clear error.
func TestSupervisedBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, []byte(text))
		return p
	}
	oneClass := write("one.csv", "a,b,c\n1,2,x\n2,3,x\n3,1,x\n4,4,x\n")
	noTarget := write("none.csv", "a,b,c\n1,2,\n2,3,\n3,1,\n4,4,\n")
	unseen := write("unseen.csv", "a,b,c,v\n1,2,x,0\n2,3,y,0\n3,1,x,0\n4,4,y,0\n5,5,z,1\n")
	num := numericCSV(t, dir, 40)
	plain, _ := trainSmall(t, dir, 100, 1)
	sup := filepath.Join(dir, "sup.somg")
	if r := runCLI(t, "", "train", "--dataset", "iris", "--size", "3x3", "--epochs", "1", "--supervised", "--out", sup, "--progress", "none"); r.code != exitOK {
		t.Fatalf("train: %s", r.stderr)
	}
	train := func(extra ...string) []string {
		return append([]string{"train", "--size", "3x3", "--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "x.somg")}, extra...)
	}
	for _, c := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"colours", train("--supervised"), true, "--supervised needs a target, and the colours data have none"},
		{"no --target", train("--data", num, "--supervised"), true, "--supervised needs a target: name its column with --target COL"},
		{"weight 0", train("--dataset", "iris", "--supervised", "--target-weight", "0"), true, "--target-weight 0: must be a number strictly between 0 and 1"},
		{"weight negative", train("--dataset", "iris", "--supervised", "--target-weight", "-0.2"), true, "--target-weight -0.2: must be"},
		{"weight NaN", train("--dataset", "iris", "--supervised", "--target-weight", "NaN"), true, "--target-weight NaN: must be"},
		{"weight 1", train("--dataset", "iris", "--supervised", "--target-weight", "1"), true, "--target-weight 1: must be"},
		{"weight without supervised", train("--dataset", "iris", "--target-weight", "0.3"), true, "--target-weight applies to a supervised map: add --supervised"},
		{"bad kind", train("--dataset", "iris", "--supervised", "--target-kind", "colour"), true, `--target-kind: unknown target kind "colour"`},
		{"classes as numbers", train("--dataset", "iris", "--supervised", "--target-kind", "numeric"), false, `the numeric target "species" has the value "setosa"`},
		{"init model", train("--dataset", "iris", "--supervised", "--init-model", sup), true, "--supervised cannot be combined with --init-model"},
		{"one class", train("--data", oneClass, "--target", "c", "--supervised"), false, `the target "c" has one class ("x")`},
		{"target all missing", train("--data", noTarget, "--target", "c", "--supervised"), false, "target column is entirely missing"},
		{"unseen valid class", train("--data", unseen, "--target", "c", "--valid-column", "v", "--supervised"), false, `validation record 0: class "z" was not in the training data (classes x, y)`},
		{"accuracy of an unsupervised map", train("--dataset", "iris", "--valid", "0.2", "--early-stop", "2", "--monitor", "valid_accuracy"), false, `metric "valid_accuracy" needs a supervised map`},
		{"proba unsupervised", []string{"predict", "--model", plain, "--data", "-", "--proba"}, true, "--proba: the model is not supervised"},
		{"layers unsupervised", []string{"predict", "--model", plain, "--data", "-", "--predict-layers", "features"}, true, "--predict-layers: the model is not supervised"},
		{"unknown layer", []string{"predict", "--model", sup, "--data", "-", "--predict-layers", "colour"}, true, `no layer "colour" (its layers: features, target)`},
		{"empty layers", []string{"predict", "--model", sup, "--data", "-", "--predict-layers", ","}, true, "name at least one layer"},
		{"target chart unsupervised", []string{"plot", "--model", plain, "--out", filepath.Join(dir, "ch"), "--charts", "target"}, false, "the map has no target: train it with --supervised"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n", c.args...)
			if c.usage {
				usageFailure(t, r, c.want)
				return
			}
			if r.code == exitOK {
				t.Fatalf("exit 0, want an error containing %q", c.want)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q, want %q", r.stderr, c.want)
			}
		})
	}
}
