package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

var predictHelp = help{
	cmd:  "predict",
	args: "--model FILE --data FILE.csv [flags]",
	about: `Find each record's best-matching unit and print, as CSV,
row,bmu_row,bmu_col,distance — row is the record's 0-based position in the
data (the header does not count), bmu_row and bmu_col the unit's place on the
map, distance the record's distance to it.

The data are raw rows in the columns the model was trained on: when the model
carries a preprocessing pipeline (trained with --data or a built-in table),
it is applied (missing values filled, scaling, category encoding); otherwise
the file holds the model's numeric features, found by header name, or in
order when the file has no header. Columns the model does not use are
ignored.`,
	groups: []group{
		{"Input", []string{"model", "data", "delimiter"}},
		{"Output", []string{"out"}},
	},
	examples: []string{
		"somgraph predict --model somgraph-out/model.somg --data new.csv",
		"somgraph predict --model houses.somg --data houses.csv --out bmus.csv",
		"cat rows.csv | somgraph predict --model model.somg --data -",
	},
}

func runPredict(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config, modelPath, dataPath, outPath, delim string
	fs := newFlagSet("predict", &config)
	fs.StringVar(&modelPath, "model", "", "model `file` written by somgraph train (required)")
	fs.StringVar(&dataPath, "data", "", "CSV `file` of records, - for standard input (required)")
	fs.StringVar(&delim, "delimiter", ",", "field `separator`, one character (use '\\t' for TSV)")
	fs.StringVar(&outPath, "out", "-", "CSV `file` to write, - for standard output")
	_, code := parse(fs, predictHelp, &config, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if modelPath == "" {
		return report(stderr, "predict", usagef("--model: name the model file, for example --model somgraph-out/model.somg"))
	}
	if dataPath == "" {
		return report(stderr, "predict", usagef("--data: name a CSV file of records, or - for standard input"))
	}
	comma, err := delimiter(delim)
	if err != nil {
		return report(stderr, "predict", err)
	}
	if err := checkOutFile("out", outPath, "bmus.csv"); err != nil {
		return report(stderr, "predict", err)
	}
	if err := predict(modelPath, dataPath, outPath, comma, stdin, stdout); err != nil {
		return report(stderr, "predict", err)
	}
	return exitOK
}

// predict writes the BMU of every record of dataPath under the model.
func predict(modelPath, dataPath, outPath string, comma rune, stdin io.Reader, stdout io.Writer) error {
	m, err := trainer.LoadFile(modelPath)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	in, name, closeIn, err := openInput(dataPath, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	ds, err := readRecords(in, name, m, comma)
	if err != nil {
		return err
	}
	preds, err := m.Predict(ds)
	if err != nil {
		return err
	}
	return writeOutput(outPath, stdout, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"row", "bmu_row", "bmu_col", "distance"})
		for i, p := range preds {
			cw.Write([]string{strconv.Itoa(i), strconv.Itoa(p.Row), strconv.Itoa(p.Col), strconv.FormatFloat(p.Dist, 'g', 7, 64)})
		}
		cw.Flush()
		return cw.Error()
	})
}

// delimiter parses a --delimiter value.
func delimiter(s string) (rune, error) {
	r := []rune(unescape(s))
	if len(r) != 1 || r[0] == '"' || r[0] == '\n' || r[0] == '\r' {
		return 0, usagef("--delimiter %q: want one character, for example ';' or '\\t'", s)
	}
	return r[0], nil
}

// openInput opens path for reading, or stdin for "-".
func openInput(path string, stdin io.Reader) (r io.Reader, name string, closeFn func(), err error) {
	if path == "-" {
		return stdin, "standard input", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, fmt.Errorf("--data: %w", err)
	}
	return f, path, func() { f.Close() }, nil
}

// writeOutput runs write on the file at path, created or truncated, and
// reports write and close errors; "-" (or "") means stdout.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" || path == "" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readRecords reads the records to predict: raw rows through the model's
// pipeline when it has one, else numeric columns.
func readRecords(r io.Reader, name string, m *trainer.Model, comma rune) (*loaders.Dataset, error) {
	if m.Pipeline != nil {
		return readWithPipeline(r, name, m.Pipeline, comma)
	}
	return readNumeric(r, name, m.Features, m.Config.Dim, comma)
}

// readNumeric reads a CSV of d numeric columns. With a header, the columns
// named in features are taken by name; without one (every field of the
// first row is a number), the file must have exactly d columns.
func readNumeric(r io.Reader, name string, features []string, d int, comma rune) (*loaders.Dataset, error) {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.TrimLeadingSpace = true
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s line %d: %v: every row needs as many fields as the first", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		rows, lines = append(rows, rec), append(lines, line)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s is empty: want one row per record (with or without a header)", name)
	}
	rows[0][0] = strings.TrimPrefix(rows[0][0], "\ufeff")
	cols := make([]int, d)
	for j := range cols {
		cols[j] = j
	}
	first := 0
	header := false
	for _, v := range rows[0] {
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			header = true
		}
	}
	if header {
		first = 1
	}
	if header && len(features) == d {
		idx := map[string]int{}
		for j, h := range rows[0] {
			idx[strings.TrimSpace(h)] = j
		}
		for j, f := range features {
			c, ok := idx[f]
			if !ok {
				return nil, fmt.Errorf("%s has no column %q: the model was trained on %s", name, f, strings.Join(features, ", "))
			}
			cols[j] = c
		}
	} else if len(rows[0]) != d {
		return nil, fmt.Errorf("%s has %d columns: the model takes %d numeric features", name, len(rows[0]), d)
	}
	if len(rows) == first {
		return nil, fmt.Errorf("%s has a header but no records", name)
	}
	ds := &loaders.Dataset{N: len(rows) - first, D: d, Features: features, Data: make([]float64, 0, (len(rows)-first)*d)}
	for i, row := range rows[first:] {
		for _, c := range cols {
			s := strings.TrimSpace(row[c])
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v != v || v-v != 0 {
				col := strconv.Itoa(c + 1)
				if header {
					col = strconv.Quote(rows[0][c])
				}
				return nil, fmt.Errorf("%s line %d, column %s: %q is not a finite number (this model has no preprocessing to fill missing values)", name, lines[i+first], col, s)
			}
			ds.Data = append(ds.Data, v)
		}
	}
	if len(features) != d {
		ds.Features = nil
	}
	return ds, nil
}
