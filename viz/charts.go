package viz

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/internal/atomicfile"
)

var (
	mapChartNames     = []string{"hitmap", "weights", "features", "preds", "umatrix", "loss", "hyperparams"}
	clusterChartNames = []string{"clusters", "criteria", "profiles"}
	chartNames        = slices.Concat(mapChartNames, clusterChartNames, supervisedChartNames, embeddingChartNames)
)

// ChartNames lists the charts of every map that Chart and WriteCharts
// accept, in the order WriteCharts writes them; ClusterChartNames lists
// those of a map with clusters.
func ChartNames() []string { return slices.Clone(mapChartNames) }

// ClusterChartNames lists the charts Chart and WriteCharts draw for a map
// with clusters (WithClusters), written after those of ChartNames.
func ClusterChartNames() []string { return slices.Clone(clusterChartNames) }

// ParseCharts parses a comma-separated list of chart names (as the CLI's
// --charts flag takes it); "all" or "" means every chart of ChartNames
// (the cluster charts only when named).
func ParseCharts(s string) ([]string, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "all" {
		return ChartNames(), nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(chartNames, n) {
			return nil, fmt.Errorf("viz: unknown chart %q (want a comma-separated list of %s)", n, strings.Join(chartNames, ", "))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// Chart draws the chart called name (see ChartNames) with its defaults:
// hit map and labels of the training data, a continuous target as the mean
// per unit, every feature.
func (in *Interpretation) Chart(name string, w io.Writer, f Format) error {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "hitmap":
		return in.Hitmap(w, f, nil)
	case "weights":
		return in.Weights(w, f)
	case "features":
		return in.FeatureHeatmaps(w, f)
	case "preds":
		return in.Preds(w, f, nil, 0)
	case "umatrix":
		return in.UMatrix(w, f)
	case "loss":
		return in.Loss(w, f)
	case "hyperparams":
		return in.Hyperparams(w, f)
	case "clusters":
		return in.ClusterMap(w, f)
	case "criteria":
		return in.Criteria(w, f)
	case "profiles":
		return in.Profiles(w, f)
	case "target":
		return in.TargetMap(w, f)
	case "confusion":
		return in.Confusion(w, f, nil)
	case "margins":
		return in.LevelMargins(w, f)
	}
	return fmt.Errorf("viz: unknown chart %q (want one of %s)", name, strings.Join(chartNames, ", "))
}

// applies reports whether the chart can be drawn from what the
// Interpretation holds.
func (in *Interpretation) applies(name string) bool {
	switch name {
	case "hitmap":
		return in.train != nil
	case "preds":
		return in.train != nil && in.train.Labels != nil
	case "loss":
		return len(in.history) > 0
	case "hyperparams":
		return len(in.history) > 0 || len(in.batches) > 0
	case "clusters", "profiles":
		return in.borders() != nil
	case "criteria":
		return in.clusters != nil && len(in.clusters.Criteria) > 0
	case "target":
		return in.Supervised()
	case "confusion":
		ds := in.valid
		if ds == nil {
			ds = in.train
		}
		return in.Supervised() && ds != nil && ds.Labels != nil
	case "margins":
		return in.Embedded()
	}
	return true
}

// WriteCharts writes the named charts to dir (created if needed) as
// <name>.png or <name>.svg and returns the paths written. With no names it
// writes every chart that applies, skipping those that need what the
// Interpretation lacks (data, labels, history); a named chart that cannot
// be drawn is an error.
func (in *Interpretation) WriteCharts(dir string, f Format, names ...string) ([]string, error) {
	if _, err := f.provider(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		for _, n := range chartNames {
			if in.applies(n) {
				names = append(names, n)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("viz: chart folder: %w", err)
	}
	var paths []string
	for _, n := range names {
		var b bytes.Buffer
		if err := in.Chart(n, &b, f); err != nil {
			return paths, fmt.Errorf("viz: chart %s: %w", n, unwrapViz(err))
		}
		p := filepath.Join(dir, n+f.Ext())
		if err := writeFile(p, b.Bytes()); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// unwrapViz keeps wrapped messages from repeating the package prefix.
func unwrapViz(err error) error {
	if s := err.Error(); strings.HasPrefix(s, "viz: ") {
		return &trimmed{msg: strings.TrimPrefix(s, "viz: "), err: err}
	}
	return err
}

type trimmed struct {
	msg string
	err error
}

func (t *trimmed) Error() string { return t.msg }
func (t *trimmed) Unwrap() error { return t.err }

// writeFile writes data to path through a temporary file in the same
// folder, so a reader never sees half a chart; the file is 0644 less the
// umask, as a model file is.
func writeFile(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("viz: writing %s: %w", path, err)
	}
	return nil
}
