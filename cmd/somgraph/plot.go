package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

// chartNames lists the charts plot draws, in the order it draws them.
var chartNames = []string{"hitmap", "weights", "features", "preds", "umatrix", "loss", "hyperparams"}

var plotHelp = help{
	cmd:  "plot",
	args: "--model FILE [--data FILE.csv] --out DIR [flags]",
	about: `Draw a model's charts into a folder, one file per chart:
  hitmap       records per unit (of --data, else nothing to count: skipped)
  weights      the codebook as colours (RGB for 3 features, else the first
               three principal components)
  features     one panel per feature, in original units and categories
  preds        the most frequent label per unit (needs labelled --data)
  umatrix      mean distance from each unit to its grid neighbours
  loss         train and valid quantization and topographic error per epoch
  hyperparams  learning rate, radius and batch size per epoch
Charts that need data the model or --data do not have are skipped with a
note.`,
	groups: []group{
		{"Input", []string{"model", "data", "delimiter"}},
		{"Output", []string{"out", "format", "charts"}},
	},
	examples: []string{
		"somgraph plot --model somgraph-out/model.somg --out charts/",
		"somgraph plot --model iris.somg --data iris.csv --format svg --charts hitmap,preds",
	},
}

// plotFlags holds the flags of somgraph plot.
type plotFlags struct {
	model, data, delimiter, out, format, charts string
}

func runPlot(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config string
	var f plotFlags
	fs := newFlagSet("plot", &config)
	fs.StringVar(&f.model, "model", "", "model `file` written by somgraph train (required)")
	fs.StringVar(&f.data, "data", "", "CSV `file` of records for hitmap and preds, - for standard input")
	fs.StringVar(&f.delimiter, "delimiter", ",", "field `separator` of --data, one character")
	fs.StringVar(&f.out, "out", "somgraph-out/charts", "`folder` to write the charts into (created if needed)")
	fs.StringVar(&f.format, "format", "png", "`png|svg` image format")
	fs.StringVar(&f.charts, "charts", strings.Join(chartNames, ","), "comma-separated `list` of charts to draw")
	_, code := parse(fs, plotHelp, &config, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if f.model == "" {
		return report(stderr, "plot", usagef("--model: name the model file, for example --model somgraph-out/model.somg"))
	}
	format, err := viz.ParseFormat(f.format)
	if err != nil {
		return report(stderr, "plot", usagef("--format: %s", bare(err)))
	}
	charts, err := parseCharts(f.charts)
	if err != nil {
		return report(stderr, "plot", err)
	}
	comma, err := delimiter(f.delimiter)
	if err != nil {
		return report(stderr, "plot", err)
	}
	if strings.TrimSpace(f.out) == "" {
		return report(stderr, "plot", usagef("--out: name a folder for the charts"))
	}
	m, err := trainer.LoadFile(f.model)
	if err != nil {
		return report(stderr, "plot", fmt.Errorf("--model: %w", err))
	}
	if err := plotModel(m, f, charts, format, comma, stdin, stdout); err != nil {
		return report(stderr, "plot", err)
	}
	return exitOK
}

// parseCharts parses a --charts list.
func parseCharts(s string) ([]string, error) {
	var out []string
	for _, c := range splitList(strings.ToLower(s)) {
		if !slices.Contains(chartNames, c) {
			return nil, usagef("--charts: unknown chart %q (want some of %s)", c, strings.Join(chartNames, ", "))
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, usagef("--charts: name at least one chart, for example --charts hitmap,umatrix")
	}
	return out, nil
}

// plotModel draws charts of m into f.out.
func plotModel(m *trainer.Model, f plotFlags, charts []string, format viz.Format, comma rune, stdin io.Reader, stdout io.Writer) error {
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return fmt.Errorf("drawing charts: %w", errNotYet)
}
