package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/internal/par"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

var predictHelp = help{
	cmd:  "predict",
	args: "--model FILE --data FILE.csv [flags]",
	about: `Find each record's best-matching unit and print, as CSV,
row,bmu_row,bmu_col,distance — row is the record's 0-based position in the
data (the header does not count), bmu_row and bmu_col the unit's place on the
map, distance the record's distance to it — and, when the model has clusters
(somgraph cluster), a last column cluster: the unit's cluster.

The data are raw rows in the columns the model was trained on: when the model
carries a preprocessing pipeline (trained with --data or a built-in table),
it is applied (missing values filled, scaling, category encoding); otherwise
the file holds the model's numeric features, found by header name, or in
order when the file has no header. Columns the model does not use are
ignored.

For a supervised model (train --supervised) records are placed by their
features (--predict-layers features) and a column predicted follows: the
class of the unit, or its value for a numeric target; --proba adds one
column p_<class> per class with the unit's class probabilities.
--predict-layers features,target places records by their target too (the
data must then hold the target column).`,
	groups: []group{
		{"Input", []string{"model", "data", "delimiter", "decimal", "predict-layers"}},
		{"Output", []string{"out", "proba"}},
	},
	examples: []string{
		"somgraph predict --model somgraph-out/model.somg --data new.csv",
		"somgraph predict --model houses.somg --data houses.csv --out bmus.csv",
		"cat rows.csv | somgraph predict --model model.somg --data -",
		"somgraph predict --model iris.somg --data iris.csv --proba",
	},
}

func runPredict(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config, modelPath, dataPath, outPath, delim, decimal, layers string
	var proba bool
	fs := newFlagSet("predict", &config)
	fs.StringVar(&modelPath, "model", "", "model `file` written by somgraph train (required)")
	fs.StringVar(&dataPath, "data", "", "CSV `file` of records, - for standard input (required)")
	fs.StringVar(&delim, "delimiter", ",", "field `separator`, one character (use '\\t' for TSV)")
	fs.StringVar(&decimal, "decimal", ".", decimalUsage)
	fs.StringVar(&outPath, "out", "-", "CSV `file` to write, - for standard output")
	fs.BoolVar(&proba, "proba", false, "for a supervised model with a class target: add the columns p_<class>, the class probabilities of each record's unit")
	fs.StringVar(&layers, "predict-layers", "", "for a supervised model: the `layers` that place records, comma-separated: features (the default) or features,target")
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
	form, err := inputFlags(delim, decimal)
	if err != nil {
		return report(stderr, "predict", err)
	}
	if err := checkOutFile("out", outPath, "bmus.csv"); err != nil {
		return report(stderr, "predict", err)
	}
	var layerNames []string
	for _, n := range strings.Split(layers, ",") {
		if n = strings.TrimSpace(n); n != "" {
			layerNames = append(layerNames, n)
		}
	}
	if strings.TrimSpace(layers) != "" && len(layerNames) == 0 {
		return report(stderr, "predict", usagef("--predict-layers %q: name at least one layer, for example features", layers))
	}
	sup := supervisedOutput{proba: proba, layers: layerNames}
	if err := predict(modelPath, dataPath, outPath, form, sup, stdin, stdout); err != nil {
		return report(stderr, "predict", err)
	}
	return exitOK
}

// supervisedOutput is what predict --proba and --predict-layers ask of a
// supervised model.
type supervisedOutput struct {
	proba  bool
	layers []string
}

// check returns an error if the model cannot give what s asks.
func (s supervisedOutput) check(m *trainer.Model) error {
	if m.Target == nil {
		switch {
		case s.proba:
			return usagef("--proba: the model is not supervised (it has no target); train it with --supervised --target COL")
		case len(s.layers) > 0:
			return usagef("--predict-layers: the model is not supervised and has no layers; leave it out")
		}
		return nil
	}
	if s.proba && m.Target.Kind != trainer.TargetClasses {
		return usagef("--proba: the model's target %q is numeric: it has no class probabilities (predicted is its value)", m.Target.Name)
	}
	return nil
}

// predict writes the BMU of every record of dataPath under the model.
func predict(modelPath, dataPath, outPath string, form input, sup supervisedOutput, stdin io.Reader, stdout io.Writer) error {
	m, err := trainer.LoadFile(modelPath)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	if err := sup.check(m); err != nil {
		return err
	}
	in, name, closeIn, err := openInput(dataPath, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	ds, err := readRecords(in, name, m, form)
	if err != nil {
		return err
	}
	var pr *trainer.Predictor
	if m.Target != nil {
		if pr, err = m.Predictor(sup.layers...); err != nil {
			return usagef("--predict-layers: %s", bare(err))
		}
		if slices.Contains(pr.Layers(), trainer.TargetLayer) {
			if ds.Labels == nil {
				return fmt.Errorf("--predict-layers %s: the data have no %q column to place records by", strings.Join(sup.layers, ","), m.Target.Name)
			}
			if ds, err = m.Target.Augment(ds); err != nil {
				return fmt.Errorf("--predict-layers: %s", bare(err))
			}
		}
	}
	var preds []trainer.Prediction
	if pr != nil {
		preds, err = pr.Predict(ds)
	} else {
		preds, err = m.Predict(ds)
	}
	if err != nil {
		return err
	}
	var clusters []int
	if m.Clusters != nil {
		clusters = m.Clusters.Labels
	}
	return writeOutput(outPath, stdout, func(w io.Writer) error {
		if pr == nil {
			return writePredictions(w, preds, clusters)
		}
		return writeSupervisedPredictions(w, preds, clusters, pr, m.Target.Classes, sup.proba)
	})
}

// predictionHead is the CSV header of predict's first columns; cluster
// follows when the model has clusters.
var predictionHead = []string{"row", "bmu_row", "bmu_col", "distance"}

// writeSupervisedPredictions writes predict's CSV for a supervised model
// (pr): row, unit, distance, [cluster,] the predicted class or value and,
// with proba, one column per class of classes.
func writeSupervisedPredictions(w io.Writer, preds []trainer.Prediction, clusters []int, pr *trainer.Predictor, classes []string, proba bool) error {
	cw := csv.NewWriter(w)
	head := slices.Clone(predictionHead)
	if clusters != nil {
		head = append(head, "cluster") // the BMU's cluster (somgraph cluster)
	}
	head = append(head, "predicted")
	if proba {
		for _, c := range classes {
			head = append(head, "p_"+c)
		}
	}
	cw.Write(head)
	for i, p := range preds {
		rec := []string{strconv.Itoa(i), strconv.Itoa(p.Row), strconv.Itoa(p.Col), strconv.FormatFloat(p.Dist, 'g', 7, 64)}
		if clusters != nil {
			rec = append(rec, strconv.Itoa(clusters[p.Unit]))
		}
		rec = append(rec, p.Class)
		if proba {
			for _, v := range pr.Proba(p.Unit) {
				rec = append(rec, strconv.FormatFloat(v, 'g', 6, 64))
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// minPredictionRows keeps short outputs in one goroutine.
const minPredictionRows = 4096

// writePredictions writes predict's CSV for a map without a target: row,
// bmu_row, bmu_col, distance (7 significant digits) and, when clusters
// is not nil, the unit's cluster. All fields are numbers (nothing to
// quote); the rows are formatted in parallel chunks, in order, and
// written as they are done. The bytes are those of a csv.Writer
// (TestWritePredictionsMatchesCSV).
func writePredictions(w io.Writer, preds []trainer.Prediction, clusters []int) error {
	head := strings.Join(predictionHead, ",")
	if clusters != nil {
		head += ",cluster"
	}
	if _, err := io.WriteString(w, head+"\n"); err != nil {
		return err
	}
	chunks := par.Chunks(len(preds), minPredictionRows) * 4 // several per worker: writing starts with the first
	size := (len(preds) + chunks - 1) / chunks
	bufs := make([]chan []byte, chunks)
	for c := range bufs {
		bufs[c] = make(chan []byte, 1)
	}
	go par.Split(chunks, par.Workers(), func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			b := make([]byte, 0, size*40)
			for i := c * size; i < min((c+1)*size, len(preds)); i++ {
				p := preds[i]
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(p.Row), 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(p.Col), 10)
				b = append(b, ',')
				b = strconv.AppendFloat(b, p.Dist, 'g', 7, 64)
				if clusters != nil {
					b = append(b, ',')
					b = strconv.AppendInt(b, int64(clusters[p.Unit]), 10)
				}
				b = append(b, '\n')
			}
			bufs[c] <- b
		}
	})
	var err error
	for _, ch := range bufs {
		b := <-ch // every chunk is received, so no formatting goroutine is left blocked after an error
		if err == nil {
			_, err = w.Write(b)
		}
	}
	return err
}

// input is how the records of predict and plot --data are written.
type input struct {
	delim   rune // --delimiter
	decimal rune // --decimal
}

// inputFlags parses --delimiter and --decimal.
func inputFlags(delim, decimal string) (input, error) {
	d, err := delimiter(delim)
	if err != nil {
		return input{}, err
	}
	m, err := decimalMark(decimal, d)
	return input{delim: d, decimal: m}, err
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
func readRecords(r io.Reader, name string, m *trainer.Model, in input) (*loaders.Dataset, error) {
	if m.Pipeline != nil {
		return readWithPipeline(r, name, m.Pipeline, in)
	}
	if in.decimal == ',' {
		return nil, usagef("--decimal , reads tables for models trained with a pipeline (from --data or --dataset); this model takes plain numbers")
	}
	ds, err := loaders.ReadNumeric(r, &loaders.NumericOptions{Name: name, Delimiter: in.delim, Features: m.Features, D: m.Config.Dim})
	if err != nil {
		return nil, dataError(err, numericHints)
	}
	return ds, nil
}
