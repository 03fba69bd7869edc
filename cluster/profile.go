package cluster

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/loaders"
)

// Decoder turns encoded vectors back into the original features;
// *loaders.Pipeline implements it.
type Decoder interface {
	// Layout says which encoded columns belong to which input feature.
	Layout() loaders.Layout
	// Denormalize returns the continuous input features in original
	// units, in layout order.
	Denormalize(enc []float64) ([]float64, error)
	// Recategorize returns the categorical input features as level
	// names, in layout order.
	Recategorize(enc []float64) ([]string, error)
}

var _ Decoder = (*loaders.Pipeline)(nil)

// FeatureStat describes one feature within one cluster.
type FeatureStat struct {
	// Name is the feature's name.
	Name string
	// Categorical is true for a categorical feature (Levels and Shares
	// set) and false for a continuous one (the summary statistics set).
	Categorical bool
	// Mean, SD (standard deviation), Min, Q25, Median, Q75 and Max of a
	// continuous feature over the cluster's records that hold it; NaN
	// when there are none.
	Mean, SD, Min, Q25, Median, Q75, Max float64
	// Z is the cluster's mean in standard deviations of all records from
	// their mean (0 for a constant feature).
	Z float64
	// Levels are a categorical feature's levels and Shares the share of
	// the cluster's records at each; ShareZ standardizes each share like
	// Z (the share's difference from its share among all records,
	// divided by the standard deviation of the level's 0/1 indicator).
	Levels []string
	Shares []float64
	ShareZ []float64
}

// Profile describes one cluster.
type Profile struct {
	// Cluster is the cluster's label.
	Cluster int
	// Units is the number of map units in the cluster.
	Units int
	// Records is the number of records whose best-matching unit is in it.
	Records int
	// Features describe the records' input features, in the decoder's
	// layout order (or the encoded columns without a decoder).
	Features []FeatureStat
	// Target describes the records' labels (numbers: as a continuous
	// feature; else as level shares), named after the pipeline's target
	// column (or "target"); nil when the records have none.
	Target *FeatureStat
}

// Profiles describes each cluster of r by the records of ds: record i is in
// the cluster of its best-matching unit bmus[i]. With a decoder (the
// model's pipeline) the features are decoded to original units and
// categories; with nil, the encoded columns are described as they are
// (named by ds.Features). The labels of ds, if any, are described as the
// target. To profile the units themselves, pass the codebook as ds and
// bmus 0..K−1. Missing values (NaN, as a pipeline with
// loaders.SkipMissing keeps them) are left out of their feature's
// statistics: a mean or a share is over the records that hold the feature.
func (r *Result) Profiles(ds *loaders.Dataset, bmus []int, dec Decoder) ([]Profile, error) {
	if ds == nil {
		return nil, errors.New("cluster: profiles of a nil dataset")
	}
	if err := ds.CheckMissing(); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if ds.N == 0 {
		return nil, errors.New("cluster: profiles of an empty dataset")
	}
	if len(bmus) != ds.N {
		return nil, fmt.Errorf("cluster: %d best-matching units for %d records", len(bmus), ds.N)
	}
	labels, err := r.RecordLabels(bmus)
	if err != nil {
		return nil, err
	}
	if dec != nil && dec.Layout().Width != ds.D {
		return nil, fmt.Errorf("cluster: the decoder's layout has %d columns, the records %d", dec.Layout().Width, ds.D)
	}
	cols, err := decodeColumns(ds, dec)
	if err != nil {
		return nil, err
	}
	if ds.Labels != nil {
		if len(ds.Labels) != ds.N {
			return nil, fmt.Errorf("cluster: %d labels for %d records", len(ds.Labels), ds.N)
		}
		t := column{name: "target", text: ds.Labels}
		if p, ok := dec.(*loaders.Pipeline); ok && p.Target != "" {
			t.name = p.Target // the label column's name
		}
		if nums, ok := numbers(ds.Labels); ok {
			t.text, t.values = nil, nums
		}
		cols = append(cols, t)
	}
	units := r.Sizes()
	members := make([][]int, r.K)
	for i, c := range labels {
		members[c] = append(members[c], i)
	}
	all := make([]int, ds.N)
	for i := range all {
		all[i] = i
	}
	overall := make([]FeatureStat, len(cols))
	for j, col := range cols {
		overall[j] = col.stat(all, nil)
	}
	out := make([]Profile, r.K)
	for c := range r.K {
		p := Profile{Cluster: c, Units: units[c], Records: len(members[c])}
		for j, col := range cols {
			s := col.stat(members[c], &overall[j])
			if ds.Labels != nil && j == len(cols)-1 {
				p.Target = &s
				continue
			}
			p.Features = append(p.Features, s)
		}
		out[c] = p
	}
	return out, nil
}

// column is one feature's values over all records: numbers or texts.
type column struct {
	name    string
	values  []float64 // continuous (NaN: missing)
	text    []string  // categorical
	levels  []string  // categorical levels in order (nil: sorted texts)
	missing []bool    // categorical: the record's value is missing (NaN), or nil
}

func decodeColumns(ds *loaders.Dataset, dec Decoder) ([]column, error) {
	if dec == nil {
		cols := make([]column, ds.D)
		for j := range cols {
			cols[j].name = "feature " + strconv.Itoa(j)
			if ds.Features != nil {
				cols[j].name = ds.Features[j]
			}
			cols[j].values = make([]float64, ds.N)
			for i := range ds.N {
				cols[j].values[i] = ds.Data[i*ds.D+j]
			}
		}
		return cols, nil
	}
	var cols []column
	var cont, cat []int
	var catGroups []loaders.Group
	for _, g := range dec.Layout().Groups {
		if g.Indicator {
			continue
		}
		c := column{name: g.Name}
		if g.Kind == loaders.Categorical {
			c.text, c.levels = make([]string, ds.N), g.Levels
			cat = append(cat, len(cols))
			catGroups = append(catGroups, g)
		} else {
			c.values = make([]float64, ds.N)
			cont = append(cont, len(cols))
		}
		cols = append(cols, c)
	}
	for i := range ds.N {
		row := ds.Row(i)
		vals, err := dec.Denormalize(row)
		if err != nil {
			return nil, fmt.Errorf("cluster: decoding record %d: %w", i, err)
		}
		levels, err := dec.Recategorize(row)
		if err != nil {
			return nil, fmt.Errorf("cluster: decoding record %d: %w", i, err)
		}
		if len(vals) != len(cont) || len(levels) != len(cat) {
			return nil, fmt.Errorf("cluster: the decoder gave %d continuous and %d categorical values for a layout of %d and %d", len(vals), len(levels), len(cont), len(cat))
		}
		for k, j := range cont {
			cols[j].values[i] = vals[k]
		}
		for k, j := range cat {
			cols[j].text[i] = levels[k]
			if math.IsNaN(row[catGroups[k].Start]) { // skipped, not unknown
				if cols[j].missing == nil {
					cols[j].missing = make([]bool, ds.N)
				}
				cols[j].missing[i] = true
			}
		}
	}
	return cols, nil
}

// numbers parses every text as a finite number.
func numbers(s []string) ([]float64, bool) {
	out := make([]float64, len(s))
	for i, t := range s {
		v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		out[i] = v
	}
	return out, len(s) > 0
}

// stat describes the column over the rows idx; ref (the statistics of all
// rows) standardizes it, or nil when computing ref itself.
func (col column) stat(idx []int, ref *FeatureStat) FeatureStat {
	s := FeatureStat{Name: col.name}
	if col.values == nil {
		s.Categorical = true
		s.Levels = col.levels
		if ref != nil {
			s.Levels = ref.Levels
		}
		if s.Levels == nil {
			s.Levels = slices.Clone(col.text)
			slices.Sort(s.Levels)
			s.Levels = slices.Compact(s.Levels)
		}
		s.Shares = make([]float64, len(s.Levels))
		other, present := 0.0, 0
		for _, i := range idx {
			if col.missing != nil && col.missing[i] {
				continue
			}
			present++
			if k := slices.Index(s.Levels, col.text[i]); k >= 0 {
				s.Shares[k]++
			} else {
				other++
			}
		}
		if other > 0 { // the unknown level, or a level the decoder did not list
			s.Levels = append(slices.Clone(s.Levels), loaders.UnknownLevel)
			s.Shares = append(s.Shares, other)
		}
		for k := range s.Shares {
			if present > 0 {
				s.Shares[k] /= float64(present)
			} else {
				s.Shares[k] = math.NaN()
			}
		}
		if ref != nil {
			s.ShareZ = make([]float64, len(s.Shares))
			for k, v := range s.Shares {
				p := 0.0
				if k < len(ref.Shares) && ref.Levels[k] == s.Levels[k] {
					p = ref.Shares[k]
				}
				if sd := math.Sqrt(p * (1 - p)); sd > 0 {
					s.ShareZ[k] = (v - p) / sd
				}
			}
		}
		return s
	}
	v := make([]float64, 0, len(idx))
	for _, i := range idx {
		if x := col.values[i]; !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	nan := math.NaN()
	s.Mean, s.SD, s.Min, s.Q25, s.Median, s.Q75, s.Max = nan, nan, nan, nan, nan, nan, nan
	if len(v) == 0 {
		return s
	}
	slices.Sort(v)
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	s.Mean = sum / float64(len(v))
	ss := 0.0
	for _, x := range v {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	s.SD = 0
	if len(v) > 1 {
		s.SD = math.Sqrt(ss / float64(len(v)-1))
	}
	s.Min, s.Max = v[0], v[len(v)-1]
	s.Q25, s.Median, s.Q75 = quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75)
	if ref != nil && ref.SD > 0 {
		s.Z = (s.Mean - ref.Mean) / ref.SD
	}
	return s
}

// quantile returns the p-quantile of sorted v, interpolating linearly
// between order statistics (R's type 7, NumPy's default).
func quantile(v []float64, p float64) float64 {
	h := p * float64(len(v)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(v) {
		return v[len(v)-1]
	}
	return v[i] + (h-lo)*(v[i+1]-v[i])
}

// WriteProfilesCSV writes the profiles as CSV, one row per cluster: the
// columns cluster, units and records, then for each continuous feature
// <name>_mean, _sd, _min, _q25, _median, _q75 and _max, and for each
// categorical one a <name>=<level> column per level with its share. The
// target's columns are named after the pipeline's target column, or
// "target". Values missing for a cluster without records are empty.
func WriteProfilesCSV(w io.Writer, ps []Profile) error {
	if len(ps) == 0 {
		return errors.New("cluster: no profiles to write")
	}
	stats := func(p Profile) []FeatureStat {
		fs := p.Features
		if p.Target != nil {
			fs = append(slices.Clone(fs), *p.Target)
		}
		return fs
	}
	head := []string{"cluster", "units", "records"}
	// the header comes from the union of levels over clusters
	first := stats(ps[0])
	levels := make([][]string, len(first))
	for _, p := range ps {
		fs := stats(p)
		if len(fs) != len(first) {
			return fmt.Errorf("cluster: profile of cluster %d has %d features, that of cluster %d %d", p.Cluster, len(fs), ps[0].Cluster, len(first))
		}
		for j, f := range fs {
			for _, l := range f.Levels {
				if !slices.Contains(levels[j], l) {
					levels[j] = append(levels[j], l)
				}
			}
		}
	}
	suffixes := []string{"mean", "sd", "min", "q25", "median", "q75", "max"}
	for j, f := range first {
		if f.Categorical {
			for _, l := range levels[j] {
				head = append(head, f.Name+"="+l)
			}
			continue
		}
		for _, s := range suffixes {
			head = append(head, f.Name+"_"+s)
		}
	}
	cw := csv.NewWriter(w)
	cw.Write(head)
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	for _, p := range ps {
		row := []string{strconv.Itoa(p.Cluster), strconv.Itoa(p.Units), strconv.Itoa(p.Records)}
		for j, f := range stats(p) {
			if f.Categorical {
				for _, l := range levels[j] {
					share := 0.0
					if p.Records == 0 {
						share = math.NaN()
					}
					if k := slices.Index(f.Levels, l); k >= 0 {
						share = f.Shares[k]
					}
					row = append(row, num(share))
				}
				continue
			}
			for _, v := range []float64{f.Mean, f.SD, f.Min, f.Q25, f.Median, f.Q75, f.Max} {
				row = append(row, num(v))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("cluster: writing profiles: %w", err)
	}
	return nil
}
