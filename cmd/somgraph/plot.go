package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

var plotHelp = help{
	cmd:  "plot",
	args: "--model FILE [--data FILE.csv] --out DIR [flags]",
	about: `Draw a model's charts into a folder, one file per chart:
  hitmap       records per unit of --data
  weights      the codebook as colours (RGB for 3 features, else the first
               three principal components)
  features     one panel per feature, in original units and categories
  preds        the most frequent label per unit (--data with the target
               column of a model trained with --target)
  umatrix      mean distance from each unit to its grid neighbours
  loss         train and valid quantization and topographic error per epoch
  hyperparams  learning rate, radius and batch size per epoch
  clusters     the model's clusters (somgraph cluster), with their borders
  criteria     silhouette and Davies–Bouldin index by k of the clustering
  profiles     each cluster's features, standardized (from --data's
               records, else from the units)
  target       a supervised model's prediction per unit: one panel per
               class with its probability, or the predicted value
  confusion    a supervised model's confusion matrix on --data (rows the
               true class), or predicted against true for a number
  margins      for columns encoded as embeddings (--encode embedding): each
               unit's margin from its level to the second-nearest, low
               where the level shown in features is a close call

When the model has clusters, every map chart draws the borders between
them. With --charts all (the default), charts that need what the model and
--data do not give (records for hitmap, labels for preds, clusters) are
skipped with a note; a chart named in a list that cannot be drawn is an
error.`,
	groups: []group{
		{"Input", []string{"model", "data", "delimiter", "decimal"}},
		{"Output", []string{"out", "format", "charts", "log-scale"}},
	},
	examples: []string{
		"somgraph plot --model somgraph-out/model.somg --out charts/",
		"somgraph plot --model iris.somg --data iris.csv --format svg --charts hitmap,preds",
	},
}

// plotFlags holds the flags of somgraph plot.
type plotFlags struct {
	model, data, delimiter, decimal, out, format, charts string
	logScale, logScaleSet                                bool
}

func runPlot(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config string
	var f plotFlags
	fs := newFlagSet("plot", &config)
	fs.StringVar(&f.model, "model", "", "model `file` written by somgraph train (required)")
	fs.StringVar(&f.data, "data", "", "CSV `file` of records for hitmap and preds, - for standard input")
	fs.StringVar(&f.delimiter, "delimiter", ",", "field `separator` of --data, one character")
	fs.StringVar(&f.decimal, "decimal", ".", decimalUsage)
	fs.StringVar(&f.out, "out", "somgraph-out/charts", "`dir` folder to write the charts into (created if needed)")
	fs.StringVar(&f.format, "format", "png", "`png|svg` image format")
	fs.StringVar(&f.charts, "charts", "all", "comma-separated `list` of charts to draw, or all (every chart the model and data allow)")
	fs.BoolVar(&f.logScale, "log-scale", false, fmt.Sprintf("colour the hit map's counts on a log scale; --log-scale=false keeps a linear one (default: log when the busiest unit has more than %d times the median hits of the units with hits)", viz.AutoLogRatio))
	set, code := parse(fs, plotHelp, &config, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	f.logScaleSet = set["log-scale"]
	if f.model == "" {
		return report(stderr, "plot", usagef("--model: name the model file, for example --model somgraph-out/model.somg"))
	}
	format, err := viz.ParseFormat(f.format)
	if err != nil {
		return report(stderr, "plot", usagef("--format: %s", bare(err)))
	}
	charts, err := chartList(f.charts)
	if err != nil {
		return report(stderr, "plot", err)
	}
	form, err := inputFlags(f.delimiter, f.decimal)
	if err != nil {
		return report(stderr, "plot", err)
	}
	if strings.TrimSpace(f.out) == "" {
		return report(stderr, "plot", usagef("--out: name a folder for the charts"))
	}
	if err := checkOutDir("out", f.out); err != nil {
		return report(stderr, "plot", err)
	}
	if f.data == "" {
		for _, c := range charts {
			if c == "hitmap" || c == "preds" || c == "confusion" {
				return report(stderr, "plot", usagef("--charts %s needs records: add --data FILE.csv", c))
			}
		}
	}
	m, err := trainer.LoadFile(f.model)
	if err != nil {
		return report(stderr, "plot", fmt.Errorf("--model: %w", err))
	}
	if err := plotModel(m, f, charts, format, form, stdin, stdout); err != nil {
		return report(stderr, "plot", err)
	}
	return exitOK
}

// chartList parses a --charts value: nil for "all" (every chart that
// applies), else the named charts.
func chartList(s string) ([]string, error) {
	if t := strings.ToLower(strings.TrimSpace(s)); t == "all" || t == "" {
		return nil, nil
	}
	names, err := viz.ParseCharts(s)
	if err != nil {
		return nil, usagef("--charts: %s", bare(err))
	}
	return names, nil
}

// writeCharts writes charts of in to dir and reports what it wrote and
// skipped on w.
func writeCharts(w io.Writer, in *viz.Interpretation, dir string, format viz.Format, names []string) error {
	paths, err := in.WriteCharts(dir, format, names...)
	if err != nil {
		return err
	}
	var wrote, skipped []string
	all := append(viz.ChartNames(), viz.ClusterChartNames()...)
	if in.Supervised() {
		all = append(all, viz.SupervisedChartNames()...)
	}
	if in.Embedded() {
		all = append(all, viz.EmbeddingChartNames()...)
	}
	for _, n := range all {
		found := false
		for _, p := range paths {
			found = found || strings.TrimSuffix(filepath.Base(p), format.Ext()) == n
		}
		if found {
			wrote = append(wrote, n)
		} else if names == nil {
			skipped = append(skipped, n)
		}
	}
	fmt.Fprintf(w, "wrote %s to %s: %s\n", plural(len(paths), "chart"), dir, strings.Join(wrote, ", "))
	if len(skipped) > 0 {
		fmt.Fprintf(w, "skipped %s (no data, labels, history or clusters for them)\n", strings.Join(skipped, ", "))
	}
	return nil
}

// chartDataName names the records of --data in chart titles: the file's
// name, or "data" for standard input.
func chartDataName(path string) string {
	if path == "-" {
		return "data"
	}
	return filepath.Base(path)
}

// plotModel draws charts of m into f.out.
func plotModel(m *trainer.Model, f plotFlags, charts []string, format viz.Format, form input, stdin io.Reader, stdout io.Writer) error {
	var ds *loaders.Dataset
	var opts []viz.Option
	if f.data != "" {
		in, name, closeIn, err := openInput(f.data, stdin)
		if err != nil {
			return err
		}
		defer closeIn()
		if ds, err = readRecords(in, name, m, form); err != nil {
			return err
		}
		opts = append(opts, viz.WithDataName(chartDataName(f.data)))
	}
	if f.logScaleSet {
		opts = append(opts, viz.WithLogScale(f.logScale))
	}
	in, err := viz.FromModel(m, ds, nil, opts...)
	if err != nil {
		return err
	}
	return writeCharts(stdout, in, f.out, format, charts)
}
