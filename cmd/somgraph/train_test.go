package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// trainSmall trains a 5x5 map on n colours for epochs epochs into dir and
// returns the model path and the run's result.
func trainSmall(t *testing.T, dir string, n, epochs int, extra ...string) (string, result) {
	t.Helper()
	model := filepath.Join(dir, "sub", "model.somg")
	args := append([]string{"train", "--size", "5x5", "--epochs", strconv.Itoa(epochs), "--n", strconv.Itoa(n), "--out", model, "--progress", "lines"}, extra...)
	r := runCLI(t, "", args...)
	if r.code != exitOK {
		t.Fatalf("train exit code %d, stderr %q", r.code, r.stderr)
	}
	return model, r
}

func TestTrainPredictCodebook(t *testing.T) {
	dir := t.TempDir()
	model, r := trainSmall(t, dir, 500, 2)
	if _, err := os.Stat(model); err != nil {
		t.Fatalf("model file: %v", err)
	}
	for _, want := range []string{"training a 5x5 hex map on 500 random RGB colours", "epoch 1/2  qe ", "epoch 2/2  qe ", "  te(6) ", "alpha ", "sigma ", "done in ", "dead units", "model saved to " + model} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("train stderr = %q, want nothing", r.stderr)
	}

	cases := []struct {
		name   string
		header string
	}{
		{"no header", ""},
		{"header", "red,green,blue"},
		{"header in another order with an extra column", "blue,id,red,green"},
	}
	for _, c := range cases {
		t.Run("predict "+c.name, func(t *testing.T) {
			const n = 37
			var b strings.Builder
			if c.header != "" {
				b.WriteString(c.header + "\n")
			}
			for i := range n {
				if strings.Contains(c.header, "id") {
					fmt.Fprintf(&b, "0.5,%d,%g,0.25\n", i, float64(i)/n)
				} else {
					fmt.Fprintf(&b, "%g,0.25,0.5\n", float64(i)/n)
				}
			}
			data := filepath.Join(t.TempDir(), "x.csv")
			writeFile(t, data, []byte(b.String()))
			r := runCLI(t, "", "predict", "--model", model, "--data", data)
			if r.code != exitOK {
				t.Fatalf("predict exit code %d, stderr %q", r.code, r.stderr)
			}
			rows := readCSV(t, r.stdout)
			if got, want := strings.Join(rows[0], ","), "row,bmu_row,bmu_col,distance"; got != want {
				t.Errorf("header %q, want %q", got, want)
			}
			if len(rows) != n+1 {
				t.Fatalf("%d rows, want header + %d", len(rows), n)
			}
			for i, row := range rows[1:] {
				if atoi(t, row[0]) != i {
					t.Errorf("row %d numbered %s", i, row[0])
				}
				br, bc := atoi(t, row[1]), atoi(t, row[2])
				if br < 0 || br >= 5 || bc < 0 || bc >= 5 {
					t.Errorf("row %d: BMU (%d, %d) outside the 5x5 map", i, br, bc)
				}
				d, err := strconv.ParseFloat(row[3], 64)
				if err != nil || d < 0 || d > math.Sqrt(3) {
					t.Errorf("row %d: distance %q not in [0, √3]", i, row[3])
				}
			}
		})
	}

	t.Run("predict from stdin to a file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "bmu.csv")
		r := runCLI(t, "0.1,0.2,0.3\n0.9,0.8,0.7\n", "predict", "--model", model, "--data", "-", "--out", out)
		if r.code != exitOK || r.stdout != "" {
			t.Fatalf("exit code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		b := readFile(t, out)
		if rows := readCSV(t, string(b)); len(rows) != 3 {
			t.Errorf("%d rows in %s, want 3", len(rows), out)
		}
	})

	bad := []struct {
		name, data, want string
	}{
		{"missing column", "red,green\n0.1,0.2\n", `standard input lacks column "blue" that the model needs: the model takes red, green, blue`},
		{"not a number", "red,green,blue\n0.1,0.2,0.3\n0.1,abc,0.3\n", `standard input:3: column 2 "green": value "abc": value is not a number`},
		{"ragged", "0.1,0.2,0.3\n0.1,0.2\n", "standard input:2: wrong number of fields (2 fields, the first row has 3)"},
		{"too many columns", "0.1,0.2,0.3,0.4\n", "standard input:1: wrong number of fields (4 fields, want 3): give every row one field per feature"},
		{"empty", "", "standard input: dataset is empty"},
		{"header only", "red,green,blue\n", "no data rows after the header"},
	}
	for _, c := range bad {
		t.Run("predict "+c.name, func(t *testing.T) {
			r := runCLI(t, c.data, "predict", "--model", model, "--data", "-")
			if r.code != exitFail {
				t.Errorf("exit code %d, want %d", r.code, exitFail)
			}
			oneErrorLine(t, r, c.want)
		})
	}
	t.Run("predict missing model", func(t *testing.T) {
		r := runCLI(t, "", "predict", "--model", filepath.Join(dir, "none.somg"), "--data", "-")
		if r.code != exitFail {
			t.Errorf("exit code %d, want %d", r.code, exitFail)
		}
		oneErrorLine(t, r, "--model")
	})
	t.Run("predict corrupt model", func(t *testing.T) {
		b := readFile(t, model)
		broken := filepath.Join(t.TempDir(), "broken.somg")
		writeFile(t, broken, b[:len(b)/2])
		r := runCLI(t, "0.1,0.2,0.3\n", "predict", "--model", broken, "--data", "-")
		if r.code != exitFail {
			t.Errorf("exit code %d, want %d", r.code, exitFail)
		}
		oneErrorLine(t, r, "--model")
	})

	t.Run("codebook", func(t *testing.T) {
		r := runCLI(t, "", "codebook", "--model", model)
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		rows := readCSV(t, r.stdout)
		if got, want := strings.Join(rows[0], ","), "som_row,som_col,red,green,blue"; got != want {
			t.Errorf("header %q, want %q", got, want)
		}
		if len(rows) != 26 {
			t.Fatalf("%d rows, want header + 25 units", len(rows))
		}
		for k, row := range rows[1:] {
			if atoi(t, row[0]) != k/5 || atoi(t, row[1]) != k%5 {
				t.Errorf("unit %d at (%s, %s), want (%d, %d)", k, row[0], row[1], k/5, k%5)
			}
		}
	})
}

func TestTrainDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, _ := trainSmall(t, filepath.Join(dir, "a"), 300, 2, "--seed", "7")
	b, _ := trainSmall(t, filepath.Join(dir, "b"), 300, 2, "--seed", "7")
	c, _ := trainSmall(t, filepath.Join(dir, "c"), 300, 2, "--seed", "8")
	ba, bb, bc := readFile(t, a), readFile(t, b), readFile(t, c)
	if !bytes.Equal(ba, bb) {
		t.Error("two runs with --seed 7 wrote different model files")
	}
	if bytes.Equal(ba, bc) {
		t.Error("--seed 7 and --seed 8 wrote the same model file")
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.somg")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, []byte(text))
		return p
	}
	yamlCfg := write("run.yaml", "size: 4x6\nepochs: 3\nn: 200\nout: "+out+"\nschedule: linear\nprogress: lines\n")
	jsonCfg := write("run.json", `{"size": "3x3", "epochs": 2, "n": 100, "out": "`+out+`", "topology": "hex", "early_stop": 0}`)
	sections := write("all.yaml", "train:\n  size: 2x3\n  epochs: 1\n  n: 50\n  out: "+out+"\npredict:\n  model: "+out+"\n")
	cases := []struct {
		name  string
		args  []string
		wants []string
	}{
		{"yaml", []string{"--config", yamlCfg}, []string{"4x6 hex map", "200 random RGB colours", "3 epochs", "schedule linear", "epoch 3/3"}},
		{"flags override yaml", []string{"--config", yamlCfg, "--epochs", "1", "--size", "2x2"}, []string{"2x2 hex map", "1 epoch,", "epoch 1/1"}},
		{"flag before config", []string{"--epochs", "2", "--config", yamlCfg}, []string{"4x6 hex map", "epoch 2/2"}},
		{"json", []string{"--config", jsonCfg}, []string{"3x3 hex map", "100 random RGB colours", "epoch 2/2"}},
		{"section per command", []string{"--config", sections}, []string{"2x3 hex map", "epoch 1/1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"train"}, c.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
			}
			for _, w := range c.wants {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
	t.Run("predict reads its section", func(t *testing.T) {
		r := runCLI(t, "0.1,0.2,0.3\n", "predict", "--config", sections, "--data", "-")
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
	})

	bad := []struct {
		name, text, want string
	}{
		{"unknown key", "size: 4x4\nepoch: 3\n", `unknown option "epoch"`},
		{"bad value", "epochs: many\n", `option "epochs": want a whole number, got text "many"`},
		{"list for a number", "epochs: [1]\n", `option "epochs": want a whole number, got a list [1]`},
		{"map for a number", "epochs: {n: 1}\n", `option "epochs": want a whole number, got a map of keys`},
		{"fraction for a whole number", "epochs: 1.5\n", `option "epochs": want a whole number, got the number 1.5`},
		{"text for a whole number", "epochs: \"3\"\n", `option "epochs": want a whole number, got text "3"`},
		{"text for a number", "lr: fast\n", `option "lr": want a number, got text "fast"`},
		{"number for a boolean", "na-indicators: 1\n", `option "na-indicators": want true or false, got the number 1`},
		{"list for a single value", "size: [4, 4]\n", `option "size": want a valid value, got a list [4 4]`},
		{"list of lists", "cont: [[a]]\n", "a list inside a list"},
		{"negative seed", "seed: -1\n", `option "seed": "-1" is not a whole number, 0 or more`},
		{"a list", "- size\n- 4x4\n", "want YAML or JSON of option: value pairs"},
		{"invalid value", "size: 0x4\n", "--size"},
		{"lr zero", "lr: 0\n", "--lr 0"},
		{"not yaml", "size: [4x4\n", "want YAML or JSON"},
		{"map value", "size:\n  rows: 4\n", `option "size"`},
		{"config in config", "config: other.yaml\n", `unknown option "config"`},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			p := write(strings.ReplaceAll(c.name, " ", "-")+".yaml", c.text)
			r := runCLI(t, "", "train", "--config", p)
			if r.code != exitUsage {
				t.Errorf("exit code %d, want %d", r.code, exitUsage)
			}
			oneErrorLine(t, r, c.want)
		})
	}
}

func TestTrainHooksFlags(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "epochs.csv")
	ckpt := filepath.Join(dir, "best.somg")
	_, r := trainSmall(t, dir, 400, 10, "--schedule", "two-phase", "--log", log, "--checkpoint", ckpt, "--valid", "0.25", "--progress", "none")
	if strings.Contains(r.stdout, "epoch 1/10") {
		t.Errorf("--progress none printed epoch lines:\n%s", r.stdout)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, string(b))
	if len(rows) != 11 {
		t.Fatalf("--log wrote %d rows, want header + 10", len(rows))
	}
	col := map[string]int{}
	for j, h := range rows[0] {
		col[h] = j
	}
	for _, h := range []string{"epoch", "alpha", "sigma", "valid_qe"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("log header %v lacks %q", rows[0], h)
		}
	}
	// α and σ follow the two-phase schedule from the defaults: 5x5 map,
	// σ0 = 2.5.
	plan, err := hooks.TwoPhase().Plan(10, trainer.DefaultAlpha, 2.5, trainer.DefaultBatchSize)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows[1:] {
		a, _ := strconv.ParseFloat(row[col["alpha"]], 64)
		s, _ := strconv.ParseFloat(row[col["sigma"]], 64)
		if math.Abs(a-plan[i].Alpha) > 1e-12 || math.Abs(s-plan[i].Sigma) > 1e-12 {
			t.Errorf("epoch %d: alpha %v, sigma %v; two-phase plans %v, %v", i, a, s, plan[i].Alpha, plan[i].Sigma)
		}
		if row[col["valid_qe"]] == "" {
			t.Errorf("epoch %d: no valid_qe with --valid 0.25", i)
		}
		if row[col["te_neighbors"]] != "6" {
			t.Errorf("epoch %d: te_neighbors %q, want 6 on the default hex grid", i, row[col["te_neighbors"]])
		}
	}
	if _, err := os.Stat(ckpt); err != nil {
		t.Errorf("--checkpoint wrote no file: %v", err)
	}

	t.Run("early stop", func(t *testing.T) {
		// A constant schedule on a tiny map stops improving quickly.
		_, r := trainSmall(t, t.TempDir(), 200, 200, "--schedule", "constant", "--early-stop", "1", "--min-delta", "0.5")
		if !strings.Contains(r.stdout, "early stopping after 2 of 200 epochs") {
			t.Errorf("output lacks the early-stopping note:\n%s", r.stdout)
		}
	})
}

func TestTrainTable(t *testing.T) {
	dir := t.TempDir()
	// A mixed table: an id to ignore, a categorical column, a label, and
	// missing values.
	var b strings.Builder
	b.WriteString("id,size,colour,weight,kind\n")
	for i := range 60 {
		colour := []string{"red", "green", "blue"}[i%3]
		weight := strconv.Itoa(10 + i%7)
		if i%11 == 0 {
			weight = "NA"
		}
		fmt.Fprintf(&b, "%d,%g,%s,%s,%s\n", i, float64(i%10)/3, colour, weight, []string{"a", "b"}[i%2])
	}
	data := filepath.Join(dir, "mixed.csv")
	writeFile(t, data, []byte(b.String()))
	model := filepath.Join(dir, "mixed.somg")
	r := runCLI(t, "", "train", "--data", data, "--ignore", "id", "--cat", "colour", "--target", "kind", "--size", "3x3",
		"--epochs", "2", "--valid", "0.2", "--out", model)
	if r.code != exitOK {
		t.Fatalf("train exit code %d, stderr %q", r.code, r.stderr)
	}
	// size, weight and three one-hot colour columns.
	if !strings.Contains(r.stdout, "48 records × 5 features, 12 held out") {
		t.Errorf("header line does not show the encoded table:\n%s", r.stdout)
	}

	t.Run("predict raw rows through the pipeline", func(t *testing.T) {
		raw := "kind,weight,colour,size,id\nb,12,green,1.5,0\na,NA,purple,0.2,1\nb,?,,3,2\n"
		r := runCLI(t, raw, "predict", "--model", model, "--data", "-")
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		if rows := readCSV(t, r.stdout); len(rows) != 4 {
			t.Errorf("%d rows, want header + 3:\n%s", len(rows), r.stdout)
		}
	})
	t.Run("predict without an input column", func(t *testing.T) {
		r := runCLI(t, "size,colour\n1,red\n", "predict", "--model", model, "--data", "-")
		if r.code == exitOK {
			t.Fatalf("exit code 0 for data without the weight column")
		}
		oneErrorLine(t, r, "weight")
	})
	t.Run("decoded codebook", func(t *testing.T) {
		r := runCLI(t, "", "codebook", "--model", model)
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		rows := readCSV(t, r.stdout)
		if len(rows) != 10 {
			t.Fatalf("%d rows, want header + 9 units", len(rows))
		}
		colour := -1
		for j, h := range rows[0] {
			if h == "colour" {
				colour = j
			}
		}
		if colour < 0 {
			t.Fatalf("decoded header %v lacks the colour column", rows[0])
		}
		for _, row := range rows[1:] {
			if v := row[colour]; v != "red" && v != "green" && v != "blue" {
				t.Errorf("unit (%s, %s): colour %q is not a category name", row[0], row[1], v)
			}
		}
		r = runCLI(t, "", "codebook", "--model", model, "--encoded")
		if rows := readCSV(t, r.stdout); len(rows[0]) != 2+5 {
			t.Errorf("--encoded header %v, want som_row, som_col and 5 encoded columns", rows[0])
		}
		// One-hot columns have no second-nearest columns: --second
		// changes nothing; with --encoded it is a usage error.
		if r2 := runCLI(t, "", "codebook", "--model", model, "--second"); r2.code != exitOK || r2.stdout != runCLI(t, "", "codebook", "--model", model).stdout {
			t.Errorf("--second on a one-hot model: exit %d, output differs", r2.code)
		}
		r = runCLI(t, "", "codebook", "--model", model, "--second", "--encoded")
		if r.code != exitUsage {
			t.Errorf("--second --encoded: exit %d, want %d", r.code, exitUsage)
		}
		oneErrorLine(t, r, "--second")
	})

	bad := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown column", []string{"--target", "kinds"}, exitUsage, `unknown column "kinds"`},
		{"missing file", []string{"--data", filepath.Join(dir, "none.csv")}, exitFail, "none.csv"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"train", "--data", data, "--epochs", "1", "--out", filepath.Join(dir, "x.somg")}, c.args...)
			r := runCLI(t, "", args...)
			if r.code != c.code {
				t.Errorf("exit code %d, want %d", r.code, c.code)
			}
			oneErrorLine(t, r, c.want)
		})
	}
	t.Run("bad rows skipped and counted", func(t *testing.T) {
		p := filepath.Join(dir, "ragged.csv")
		writeFile(t, p, []byte("a,b\n1,2\n3\n4,5\n6,7\n"))
		r := runCLI(t, "", "train", "--data", p, "--bad-rows", "skip", "--size", "2x2", "--epochs", "1", "--out", filepath.Join(dir, "r.somg"))
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "skipped 1 bad rows") || !strings.Contains(r.stdout, "line 3") {
			t.Errorf("output does not count the skipped row:\n%s", r.stdout)
		}
		r = runCLI(t, "", "train", "--data", p, "--size", "2x2", "--epochs", "1", "--out", filepath.Join(dir, "r.somg"))
		if r.code != exitFail {
			t.Errorf("exit code %d for a ragged file without --bad-rows skip, want %d", r.code, exitFail)
		}
		oneErrorLine(t, r, "--bad-rows skip")
	})
	t.Run("na markers", func(t *testing.T) {
		// 60 distinct numbers, some empty and some "-": with --na - the
		// column stays numeric (an empty field is always missing); without
		// it the column is read as categorical, and a note says so.
		var b strings.Builder
		b.WriteString("x,y\n")
		for i := range 60 {
			y := strconv.Itoa(i)
			switch i % 10 {
			case 3:
				y = ""
			case 7:
				y = "-"
			}
			fmt.Fprintf(&b, "%d,%s\n", i%4, y)
		}
		p := filepath.Join(dir, "na.csv")
		writeFile(t, p, []byte(b.String()))
		args := []string{"train", "--data", p, "--size", "2x2", "--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "na.somg")}
		r := runCLI(t, "", append(args, "--na", "-")...)
		if r.code != exitOK || !strings.Contains(r.stdout, "60 records × 2 features") || strings.Contains(r.stdout, "note:") {
			t.Errorf("--na -: exit code %d, want y numeric (2 features) and no note:\n%s%s", r.code, r.stdout, r.stderr)
		}
		r = runCLI(t, "", args...)
		if r.code != exitOK || !strings.Contains(r.stdout, `note: column "y" looks numeric but was read as categorical (50 levels) because of values such as "-"`) {
			t.Errorf("without --na: exit code %d, want a note on y:\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("streaming", func(t *testing.T) {
		r := runCLI(t, "", "train", "--data", data, "--ignore", "id", "--target", "kind", "--stream-above", "100", "--size", "2x2",
			"--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "stream.somg"))
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "in two streaming passes") || !strings.Contains(r.stdout, "60 records × 5 features") {
			t.Errorf("a file over --stream-above was not streamed into the same features:\n%s", r.stdout)
		}
	})
	t.Run("built-in iris", func(t *testing.T) {
		r := runCLI(t, "", "train", "--dataset", "iris", "--size", "4x4", "--topology", "hex", "--epochs", "2", "--out", filepath.Join(dir, "iris.somg"))
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "150 records × 4 features") {
			t.Errorf("unexpected header:\n%s", r.stdout)
		}
	})
	t.Run("built-in penguins with column options", func(t *testing.T) {
		// penguins: island and sex categorical by default; leaving out
		// year and island keeps the 4 measurements and sex (one-hot:
		// female, male, missing).
		r := runCLI(t, "", "train", "--dataset", "penguins", "--ignore", "year,island", "--size", "3x3", "--epochs", "1",
			"--progress", "none", "--out", filepath.Join(dir, "penguins.somg"))
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "344 records × 7 features") {
			t.Errorf("unexpected header:\n%s", r.stdout)
		}
	})
}

func TestTrainInterrupted(t *testing.T) {
	// Ctrl-C cancels the context: training stops after the current batch,
	// and the model is still saved.
	model := filepath.Join(t.TempDir(), "m.somg")
	var f trainFlags
	fs := newFlagSet("train", new(string))
	f.register(fs)
	if err := fs.Parse([]string{"--size", "4x4", "--n", "2000", "--epochs", "50", "--out", model, "--progress", "none"}); err != nil {
		t.Fatal(err)
	}
	p, err := f.plan(map[string]bool{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := p.run(ctx, &out, io.Discard); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "interrupted after 1 of 50 epochs") {
		t.Errorf("output lacks the interruption note:\n%s", out.String())
	}
	if _, err := os.Stat(model); err != nil {
		t.Errorf("an interrupted run saved no model: %v", err)
	}
}

func TestTrainOptions(t *testing.T) {
	// Every library choice the flags expose trains end to end and gives a
	// finite quantization error.
	cases := []struct {
		name string
		args []string
	}{
		{"batch mode", []string{"--mode", "batch"}},
		{"batch mode with chunks", []string{"--mode", "batch", "--batch", "50"}},
		{"float64", []string{"--dtype", "float64"}},
		{"hex toroidal", []string{"--size", "4x5", "--topology", "hex", "--toroidal"}},
		{"cosine bubble", []string{"--distance", "cosine", "--neighborhood", "bubble"}},
		{"manhattan mexican hat", []string{"--distance", "manhattan", "--neighborhood", "mexican-hat"}},
		{"triangle", []string{"--neighborhood", "triangle", "--sigma", "2"}},
		{"pca init", []string{"--init", "pca"}},
		{"kmeans init", []string{"--init", "kmeans"}},
		{"sample init, exponential", []string{"--init", "sample", "--schedule", "exponential", "--lr", "0.5"}},
		{"asymptotic", []string{"--schedule", "asymptotic", "--batch", "16"}},
		{"linear with validation", []string{"--schedule", "linear", "--valid", "0.3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "m.somg")
			args := append([]string{"train", "--size", "4x4", "--n", "300", "--epochs", "3", "--progress", "none", "--out", out}, c.args...)
			r := runCLI(t, "", args...)
			if r.code != exitOK {
				t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
			}
			var qe float64
			i := strings.Index(r.stdout, ": qe ")
			if i < 0 {
				t.Fatalf("no summary:\n%s", r.stdout)
			}
			if _, err := fmt.Sscanf(r.stdout[i:], ": qe %g", &qe); err != nil || math.IsNaN(qe) || math.IsInf(qe, 0) || qe < 0 {
				t.Errorf("summary qe %v (%v):\n%s", qe, err, r.stdout)
			}
		})
	}
}

// TestExactTrainMetrics: with --exact-train-metrics the last epoch's line
// measures the trained map, so it matches the summary, which always does.
func TestExactTrainMetrics(t *testing.T) {
	_, r := trainSmall(t, t.TempDir(), 400, 3, "--exact-train-metrics", "--mode", "batch")
	lines := strings.Split(r.stdout, "\n")
	var last, done string
	for _, l := range lines {
		if strings.HasPrefix(l, "epoch 3/3") {
			last = l
		}
		if strings.HasPrefix(l, "done in ") {
			done = l
		}
	}
	qe := func(s string) string {
		f := strings.Fields(s[strings.Index(s, "qe "):])
		return f[1]
	}
	if last == "" || done == "" || qe(last) != qe(done) {
		t.Errorf("last epoch %q and summary %q should show the same QE", last, done)
	}
}

// TestTrainSummaryMeasuresSavedMap: the summary's QE, TE and dead units are
// those of the saved model's map on the training data (they are computed
// while the model is written), and a model that cannot be saved is an
// error even though that search runs alongside.
func TestTrainSummaryMeasuresSavedMap(t *testing.T) {
	for _, mode := range []string{"batch", "minibatch"} {
		t.Run(mode, func(t *testing.T) {
			model, r := trainSmall(t, t.TempDir(), 400, 3, "--mode", mode, "--seed", "7", "--progress", "none")
			md, err := trainer.LoadFile(model)
			if err != nil {
				t.Fatal(err)
			}
			g, err := md.Map()
			if err != nil {
				t.Fatal(err)
			}
			m, err := g.EvaluateSearch(loaders.Colors(400, 7).Data)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf(": qe %.4f  %s %.4f  dead units %.1f%%\n", m.QE, md.Config.TELabel(), m.TE, 100*m.DeadUnits)
			if !strings.Contains(r.stdout, want) {
				t.Errorf("summary should contain %q:\n%s", want, r.stdout)
			}
		})
	}
	// A file name longer than any file system allows: training runs, the
	// model cannot be written.
	out := filepath.Join(t.TempDir(), strings.Repeat("m", 300)+".somg")
	r := runCLI(t, "", "train", "--size", "4x4", "--n", "200", "--epochs", "1", "--progress", "none", "--out", out)
	if r.code == exitOK || !strings.Contains(r.stderr, "cannot save the model") || strings.Contains(r.stdout, "done in") {
		t.Errorf("exit %d, stdout %q, stderr %q: want the save error and no summary", r.code, r.stdout, r.stderr)
	}
}
