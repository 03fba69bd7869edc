package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/loaders"
)

// runProcess runs somgraph as a real process in dir and returns its exit
// code, stdout and stderr.
func runProcess(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := somgraphProcess(t, dir, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// irisWithout writes the built-in iris table without the named column (and
// with the others renamed by rename) to dir/name, separated by sep.
func irisWithout(t *testing.T, dir, name, drop string, sep string, rename map[string]string) string {
	t.Helper()
	data, err := loaders.BuiltinCSV("iris")
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, string(data))
	keep := []int{}
	for j, h := range rows[0] {
		if h != drop {
			keep = append(keep, j)
		}
	}
	var b strings.Builder
	for i, r := range rows {
		var f []string
		for _, j := range keep {
			v := r[j]
			if i == 0 && rename[v] != "" {
				v = rename[v]
			}
			f = append(f, v)
		}
		b.WriteString(strings.Join(f, sep) + "\n")
	}
	path := filepath.Join(dir, name)
	writeFile(t, path, []byte(b.String()))
	return path
}

// TestMismatchedColumns is issue 17 item 4: data lacking a column the model
// needs name the columns the model takes, the missing and the extra ones,
// never a flag the command does not have, with the same exit code from
// predict and plot --data.
func TestMismatchedColumns(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, "", "train", "--dataset", "iris", "--size", "3x3", "--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "iris.somg")); r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	irisWithout(t, dir, "nopw.csv", "petal_width", ",", nil)
	irisWithout(t, dir, "renamed.csv", "", ",", map[string]string{"petal_width": "petal_w"})
	cases := []struct {
		file string
		want []string
	}{
		{"nopw.csv", []string{`nopw.csv lacks column "petal_width" that the model needs`,
			"the model takes sepal_length, sepal_width, petal_length, petal_width", "nopw.csv also has species, which the model does not use"}},
		{"renamed.csv", []string{`renamed.csv lacks column "petal_width"`, "renamed.csv also has petal_w, species"}},
	}
	for _, c := range cases {
		for _, args := range [][]string{
			{"predict", "--model", "iris.somg", "--data", c.file},
			{"plot", "--model", "iris.somg", "--data", c.file, "--out", "charts"},
		} {
			t.Run(args[0]+" "+c.file, func(t *testing.T) {
				r := runProcess(t, dir, args...)
				if r.code != exitFail {
					t.Errorf("exit code %d, want %d", r.code, exitFail)
				}
				for _, w := range c.want {
					oneErrorLine(t, r, w)
				}
				if strings.Contains(r.stderr, "--cont") || strings.Contains(r.stderr, "--help") {
					t.Errorf("names a flag %s does not have: %s", args[0], r.stderr)
				}
			})
		}
	}
}

// TestWrongDelimiter is issue 17 item 5: a TSV or semicolon file read
// without --delimiter is a usage error suggesting the right --delimiter,
// in train, predict and plot.
func TestWrongDelimiter(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, "", "train", "--dataset", "iris", "--size", "3x3", "--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "iris.somg")); r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	irisWithout(t, dir, "iris.tsv", "", "\t", nil)
	irisWithout(t, dir, "iris.ssv", "", ";", nil)
	for _, c := range []struct{ file, want, delim string }{
		{"iris.tsv", `pass --delimiter '\t'`, `\t`},
		{"iris.ssv", "pass --delimiter ';'", ";"},
	} {
		for _, args := range [][]string{
			{"train", "--data", c.file, "--cont", "sepal_length", "--epochs", "1", "--out", "m.somg"},
			{"train", "--data", c.file, "--epochs", "1", "--out", "m.somg"},
			{"predict", "--model", "iris.somg", "--data", c.file},
			{"plot", "--model", "iris.somg", "--data", c.file, "--out", "charts"},
		} {
			t.Run(strings.Join(args[:3], " "), func(t *testing.T) {
				r := runProcess(t, dir, args...)
				if r.code != exitUsage {
					t.Errorf("exit code %d, want %d", r.code, exitUsage)
				}
				oneErrorLine(t, r, c.want)
				oneErrorLine(t, r, "the header is one field")
				if strings.Contains(r.stderr, "unknown column") {
					t.Errorf("contradicts itself: %s", r.stderr)
				}
			})
		}
		// With the suggested delimiter, the same file works.
		if r := runProcess(t, dir, "predict", "--model", "iris.somg", "--data", c.file, "--delimiter", c.delim); r.code != exitOK {
			t.Errorf("with --delimiter %s: %d %s", c.delim, r.code, r.stderr)
		}
	}
}

// TestDataErrorHints checks that loaders' remedies reach the user in the
// words of the command's own flags: train names --bad-rows and
// --lazy-quotes, predict (which has neither) names no flag and no Go
// option.
func TestDataErrorHints(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "iris.somg")
	if r := runCLI(t, "", "train", "--dataset", "iris", "--size", "3x3", "--epochs", "1", "--progress", "none", "--out", model); r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	ragged := "sepal_length,sepal_width,petal_length,petal_width\n1,2,3,4\n1,2\n"
	quote := "sepal_length,sepal_width,petal_length,petal_width\n1,2,3,4\n1,2\"x,3,4\n"
	cases := []struct {
		args        []string
		stdin, want string
	}{
		{[]string{"train", "--data", "-"}, ragged, "make every row have one field per header column, or pass --bad-rows skip"},
		{[]string{"train", "--data", "-"}, quote, "or pass --lazy-quotes"},
		{[]string{"train", "--data", "-", "--cont", "sepal_width"}, "sepal_length,sepal_width\n1,x\n", "declare the column with --cat, or pass --bad-rows skip"},
		{[]string{"predict", "--model", model, "--data", "-"}, ragged, "wrong number of fields (2 fields, the header has 4): make every row have one field per header column\n"},
		{[]string{"predict", "--model", model, "--data", "-"}, "sepal_length,sepal_width,petal_length,petal_width\n1,2,x,4\n", "fix the value, or leave it empty: the model fills or skips missing values"},
	}
	for i, c := range cases {
		if c.args[0] == "train" { // train reads files only
			path := filepath.Join(dir, fmt.Sprintf("bad%d.csv", i))
			writeFile(t, path, []byte(c.stdin))
			c.args[2] = path
			c.args = append(c.args, "--out", filepath.Join(dir, "m.somg"))
		}
		r := runCLI(t, c.stdin, c.args...)
		if r.code != exitFail {
			t.Errorf("%v: exit code %d, want %d", c.args, r.code, exitFail)
		}
		oneErrorLine(t, r, c.want)
		if strings.Contains(r.stderr, "BadRows") || strings.Contains(r.stderr, "LazyQuotes") || strings.Contains(r.stderr, "loaders:") {
			t.Errorf("%v: Go names in %q", c.args, r.stderr)
		}
	}
}

// TestDecimalComma is issue 17 item 6: with --delimiter ';', columns of
// numbers written with a decimal comma are no longer silently categorical:
// train warns and suggests --decimal ,, which reads them as numbers in
// train, predict and plot.
func TestDecimalComma(t *testing.T) {
	dir := t.TempDir()
	path := irisWithout(t, dir, "iris.ssv", "", ";", nil)
	writeFile(t, path, []byte(strings.ReplaceAll(string(readFile(t, path)), ".", ",")))
	r := runProcess(t, dir, "train", "--data", "iris.ssv", "--delimiter", ";", "--target", "species", "--size", "3x3", "--epochs", "1", "--out", "cat.somg")
	if r.code != exitOK {
		t.Fatalf("train: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `warning: columns "sepal_length", "sepal_width", "petal_length", "petal_width" hold numbers with a decimal comma (such as 2,5), read as categories: pass --decimal , to read them as numbers`) {
		t.Errorf("no warning about decimal commas:\n%s", r.stdout)
	}
	r = runProcess(t, dir, "train", "--data", "iris.ssv", "--delimiter", ";", "--decimal", ",", "--target", "species", "--size", "3x3", "--epochs", "1", "--out", "num.somg")
	if r.code != exitOK || strings.Contains(r.stdout, "decimal comma") || !strings.Contains(r.stdout, "× 4 features") {
		t.Errorf("train --decimal ,: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"predict", "--model", "num.somg", "--data", "iris.ssv", "--delimiter", ";", "--decimal", ","},
		{"plot", "--model", "num.somg", "--data", "iris.ssv", "--delimiter", ";", "--decimal", ",", "--out", "charts"},
	} {
		if r := runProcess(t, dir, args...); r.code != exitOK {
			t.Errorf("%s: %d %s", args[0], r.code, r.stderr)
		}
	}
	// Without --decimal, the model's numeric columns reject "5,1".
	r = runProcess(t, dir, "predict", "--model", "num.somg", "--data", "iris.ssv", "--delimiter", ";")
	if r.code != exitFail {
		t.Errorf("predict without --decimal: exit %d", r.code)
	}
	oneErrorLine(t, r, `value "5,1": value is not a number: it has a decimal comma: pass --decimal ,`)
	for _, args := range [][]string{
		{"train", "--data", "iris.ssv", "--decimal", ",", "--out", "x.somg"},
		{"predict", "--model", "num.somg", "--data", "iris.ssv", "--decimal", ","},
		{"train", "--data", "iris.ssv", "--delimiter", ";", "--decimal", "x", "--out", "x.somg"},
	} {
		r := runProcess(t, dir, args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, r.code, exitUsage)
		}
		oneErrorLine(t, r, "--decimal")
	}
}
