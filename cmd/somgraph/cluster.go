package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

var clusterHelp = help{
	cmd:  "cluster",
	args: "--model FILE [--data FILE.csv] [--k auto|N] [flags]",
	about: `Group a model's map units into clusters and store the clustering in the
model, so that predict prints each record's cluster and plot draws the
clusters' borders. Prints the silhouette (higher is better) and the
Davies–Bouldin index (lower is better) of every k tried, the chosen k, and
the size of each cluster.

Methods: ward-contiguous (the default) merges only clusters that touch on
the map, so every cluster is one region; ward is unconstrained Ward
clustering; kmeans is k-means with k-means++ seeds. With --k auto, k is the
one of the --range with the highest silhouette. With --data, units are
weighted by how many records hit them, and cluster sizes count records;
--profiles writes each cluster's profile (mean, spread and quantiles of
continuous features, level shares of categorical ones and of the target)
from those records, or from the units' decoded codebook without --data.`,
	groups: []group{
		{"Input", []string{"model", "data", "delimiter"}},
		{"Clustering", []string{"k", "method", "range", "seed", "stability"}},
		{"Output", []string{"out", "profiles"}},
	},
	examples: []string{
		"somgraph cluster --model iris.somg --data iris.csv",
		"somgraph cluster --model iris.somg --k 3 --method kmeans --out iris-k3.somg",
		"somgraph cluster --model houses.somg --data houses.csv --range 2:20 --profiles profiles.csv",
	},
}

type clusterFlags struct {
	model, data, delim, k, method, rng, out, profiles string
	seed                                              uint64
	stability                                         int
}

func runCluster(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config string
	var f clusterFlags
	fs := newFlagSet("cluster", &config)
	fs.StringVar(&f.model, "model", "", "model `file` written by somgraph train (required)")
	fs.StringVar(&f.data, "data", "", "CSV `file` of records (optional) to weight units by their hits, - for standard input")
	fs.StringVar(&f.delim, "delimiter", ",", "field `separator` of --data, one character (use '\\t' for TSV)")
	fs.StringVar(&f.k, "k", "auto", "number of clusters, or auto to choose it in --range by the silhouette")
	fs.StringVar(&f.method, "method", "ward-contiguous", "`ward-contiguous|ward|kmeans` clustering method")
	fs.StringVar(&f.rng, "range", "2:15", "`MIN:MAX` of k tried by --k auto (at most the number of units)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of k-means and of --stability resampling")
	fs.IntVar(&f.stability, "stability", 0, "`runs` of bootstrap resampling of the units: print the mean adjusted Rand index between runs per k (0: off)")
	fs.StringVar(&f.out, "out", "", "model `file` to write with its clusters (default: --model itself)")
	fs.StringVar(&f.profiles, "profiles", "", "CSV `file` to write the clusters' profiles to")
	_, code := parse(fs, clusterHelp, &config, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if err := clusterCmd(f, stdin, stdout); err != nil {
		return report(stderr, "cluster", err)
	}
	return exitOK
}

// options checks the flags that need no model.
func (f clusterFlags) options() (cluster.Options, error) {
	var o cluster.Options
	var err error
	if f.model == "" {
		return o, usagef("--model: name the model file, for example --model somgraph-out/model.somg")
	}
	if o.Method, err = cluster.ParseMethod(f.method); err != nil {
		return o, usagef("--method: %s", bare(err))
	}
	if k := strings.ToLower(strings.TrimSpace(f.k)); k != "auto" {
		n, err := strconv.Atoi(k)
		if err != nil {
			return o, usagef("--k %q: want auto or a whole number of clusters, at least 2", f.k)
		}
		if n < 2 {
			return o, usagef("--k %d: want at least 2 clusters", n)
		}
		o.K = n
	}
	lo, hi, ok := strings.Cut(f.rng, ":")
	a, errA := strconv.Atoi(strings.TrimSpace(lo))
	b, errB := strconv.Atoi(strings.TrimSpace(hi))
	switch {
	case !ok || errA != nil || errB != nil:
		return o, usagef("--range %q: want MIN:MAX, for example 2:15", f.rng)
	case a < 2:
		return o, usagef("--range %q: k starts at 2 at least", f.rng)
	case b < a:
		return o, usagef("--range %q is out of order: want MIN:MAX with MIN ≤ MAX", f.rng)
	}
	o.MinK, o.MaxK = a, b
	o.KMeans.Seed = f.seed
	if f.stability < 0 || f.stability == 1 {
		return o, usagef("--stability %d: want 0 (off) or at least 2 runs", f.stability)
	}
	return o, nil
}

func clusterCmd(f clusterFlags, stdin io.Reader, stdout io.Writer) error {
	o, err := f.options()
	if err != nil {
		return err
	}
	comma, err := delimiter(f.delim)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = f.model
	}
	if err := checkOutFile("out", out, "model.somg"); err != nil {
		return err
	}
	if err := checkOutFile("profiles", f.profiles, "profiles.csv"); err != nil {
		return err
	}
	m, err := trainer.LoadFile(f.model)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	g, d := m.Config.Grid, m.Config.Dim
	units := g.Units()
	if units < 2 {
		return fmt.Errorf("--model: the map has %d unit: clustering needs at least 2 units", units)
	}
	if o.K > units {
		return usagef("--k %d: the map has only %d units", o.K, units)
	}
	switch {
	case o.MinK > units && o.K == 0:
		return usagef("--range %s: the map has only %d units", f.rng, units)
	case o.MinK > units: // --k N: the range only adds criteria to compare
		o.MinK, o.MaxK = 0, 0
	default:
		o.MaxK = min(o.MaxK, units)
	}
	// records: hits weight the units and give the clusters' sizes
	var ds *loaders.Dataset
	var bmus []int
	if f.data != "" {
		in, name, closeIn, err := openInput(f.data, stdin)
		if err != nil {
			return err
		}
		ds, err = readRecords(in, name, m, input{delim: comma})
		closeIn()
		if err != nil {
			return err
		}
		mp, err := m.Map()
		if err != nil {
			return err
		}
		if bmus, _, err = mp.Predict(ds.Data); err != nil {
			return err
		}
		o.Weights = make([]float64, units)
		for _, u := range bmus {
			o.Weights[u]++
		}
	}
	r, err := cluster.Fit(m.Weights, d, g, &o)
	if err != nil {
		return err
	}
	var stab []cluster.StabilityPoint
	if f.stability > 0 {
		if stab, err = cluster.Stability(m.Weights, d, g, &o, f.stability, f.seed); err != nil {
			return err
		}
	}
	weighted := ""
	if ds != nil {
		weighted = fmt.Sprintf(", units weighted by the hits of %d records", ds.N)
	}
	fmt.Fprintf(stdout, "clustering the %d units of a %v map (%v%s)\n", units, g, o.Method, weighted)
	writeCriteria(stdout, r, stab)
	if o.K == 0 {
		fmt.Fprintf(stdout, "chosen k = %d (highest silhouette in %d:%d)\n", r.K, o.MinK, o.MaxK)
	} else {
		fmt.Fprintf(stdout, "k = %d\n", r.K)
	}
	sizes := r.Sizes()
	var recs []int
	if ds != nil {
		labels, err := r.RecordLabels(bmus)
		if err != nil {
			return err
		}
		recs = cluster.Counts(labels, r.K)
	}
	fmt.Fprintf(stdout, "%7s %6s", "cluster", "units")
	if recs != nil {
		fmt.Fprintf(stdout, " %8s", "records")
	}
	fmt.Fprintln(stdout)
	for c := range r.K {
		fmt.Fprintf(stdout, "%7d %6d", c, sizes[c])
		if recs != nil {
			fmt.Fprintf(stdout, " %8d", recs[c])
		}
		fmt.Fprintln(stdout)
	}
	if f.profiles != "" {
		pds, pbmus := ds, bmus
		if pds == nil { // profile the units' decoded codebook
			pds = &loaders.Dataset{N: units, D: d, Data: m.Weights, Features: m.Features}
			pbmus = make([]int, units)
			for u := range pbmus {
				pbmus[u] = u
			}
		}
		var dec cluster.Decoder
		if m.Pipeline != nil {
			dec = m.Pipeline
		}
		ps, err := r.Profiles(pds, pbmus, dec)
		if err != nil {
			return err
		}
		if err := writeOutput(f.profiles, stdout, func(w io.Writer) error { return cluster.WriteProfilesCSV(w, ps) }); err != nil {
			return err
		}
		if f.profiles != "-" {
			fmt.Fprintf(stdout, "profiles written to %s\n", f.profiles)
		}
	}
	m.Clusters = r
	if err := m.ExportFile(out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model with its clusters written to %s\n", out)
	return nil
}

// writeCriteria prints the criterion table, marking the chosen k.
func writeCriteria(w io.Writer, r *cluster.Result, stab []cluster.StabilityPoint) {
	fmt.Fprintf(w, "%4s %11s %15s", "k", "silhouette", "davies-bouldin")
	if stab != nil {
		fmt.Fprintf(w, " %14s", "stability(ARI)")
	}
	fmt.Fprintln(w)
	for i, c := range r.Criteria {
		mark := ""
		if c.K == r.K {
			mark = "  <-"
		}
		fmt.Fprintf(w, "%4d %11.4f %15.4f", c.K, c.Silhouette, c.DaviesBouldin)
		if i < len(stab) {
			fmt.Fprintf(w, " %14.4f", stab[i].MeanARI)
		}
		fmt.Fprintln(w, mark)
	}
}
