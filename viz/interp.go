package viz

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/internal/pca"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Decoder turns encoded vectors (records or codebook units) back into the
// original features. *loaders.Pipeline implements it.
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

// Option configures an Interpretation.
type Option func(*Interpretation)

// WithDecoder makes FeatureHeatmaps show the original features: continuous
// ones denormalized, categorical ones as the winning level.
func WithDecoder(d Decoder) Option { return func(in *Interpretation) { in.dec = d } }

// WithDataName names the training data in chart titles ("Hit map,
// houses.csv (…)"); the default is "train". Use it when the data passed as
// training data is not what the map was trained on, such as records
// charted with a loaded model.
func WithDataName(name string) Option { return func(in *Interpretation) { in.trainName = name } }

// WithLogScale makes Hitmap colour the counts on a logarithmic scale (on)
// or a linear one (off); without it Hitmap chooses as HitmapChart does.
func WithLogScale(on bool) Option { return func(in *Interpretation) { in.logScale = &on } }

// WithHistory gives the training history the Loss and Hyperparams charts
// draw.
func WithHistory(h []hooks.EpochRecord) Option {
	return func(in *Interpretation) { in.history = slices.Clone(h) }
}

// Interpretation draws the charts of a trained map: hit maps, the codebook
// as colours, one heat map per feature, the class map, the U-matrix and the
// training curves. Build it with New (or FromLearner). It caches the
// best-matching units of the datasets it has seen, so the map must not
// change while it is in use. It is not safe for concurrent use.
type Interpretation struct {
	m            *graph.Map
	train, valid *loaders.Dataset
	dec          Decoder
	history      []hooks.EpochRecord
	batches      []hooks.BatchRecord // per-step hyperparameters (WithRecorder)
	batchEpochs  []hooks.EpochRecord // the epochs of batches
	bmus         map[*loaders.Dataset][]int
	trainName    string // the training data's name in titles; "" is "train"
	logScale     *bool  // the hit map's colour scale; nil chooses
	clusters     *cluster.Result
	pred         *trainer.Predictor // a supervised map's (WithPredictor), or nil
}

// New returns an Interpretation of map m with its training and validation
// data (either may be nil; charts of data then need a dataset passed in).
// Datasets must have m.Dim() features, encoded like the training data.
func New(m *graph.Map, train, valid *loaders.Dataset, opts ...Option) (*Interpretation, error) {
	if m == nil {
		return nil, errors.New("viz: New needs a map, got nil")
	}
	in := &Interpretation{m: m, train: train, valid: valid, bmus: map[*loaders.Dataset][]int{}}
	for _, o := range opts {
		o(in)
	}
	for _, ds := range []*loaders.Dataset{train, valid} {
		if ds == nil {
			continue
		}
		if err := in.checkData(ds); err != nil {
			return nil, err
		}
	}
	if in.clusters != nil && len(in.clusters.Labels) != m.Units() {
		return nil, fmt.Errorf("viz: the clustering labels %d units, the map has %d", len(in.clusters.Labels), m.Units())
	}
	if in.dec != nil && in.dec.Layout().Width != m.Dim() {
		return nil, fmt.Errorf("viz: the decoder's layout has %d columns and the map %d: use the pipeline the map was trained with", in.dec.Layout().Width, m.Dim())
	}
	return in, nil
}

// Map returns the interpreted map.
func (in *Interpretation) Map() *graph.Map { return in.m }

// Train returns the training data (nil if none was given).
func (in *Interpretation) Train() *loaders.Dataset { return in.train }

// Valid returns the validation data (nil if none was given).
func (in *Interpretation) Valid() *loaders.Dataset { return in.valid }

func (in *Interpretation) checkData(ds *loaders.Dataset) error {
	if ds == nil {
		return errors.New("viz: no data: pass a dataset or build the Interpretation with training data")
	}
	if ds.D != in.m.Dim() {
		return fmt.Errorf("viz: dataset has %d features and the map %d: encode it with the training pipeline", ds.D, in.m.Dim())
	}
	if ds.N == 0 || len(ds.Data) != ds.N*ds.D {
		return fmt.Errorf("viz: dataset holds %d values for %d×%d records", len(ds.Data), ds.N, ds.D)
	}
	return nil
}

// data returns ds, or the training data if ds is nil.
func (in *Interpretation) data(ds *loaders.Dataset) (*loaders.Dataset, error) {
	if ds == nil {
		ds = in.train
	}
	return ds, in.checkData(ds)
}

func (in *Interpretation) dataName(ds *loaders.Dataset) string {
	switch ds {
	case in.train:
		if in.trainName != "" {
			return in.trainName
		}
		return "train"
	case in.valid:
		return "valid"
	}
	return "data"
}

// BMUs returns each record's best-matching unit for ds (the training data
// if nil). The result is cached and must not be changed.
func (in *Interpretation) BMUs(ds *loaders.Dataset) ([]int, error) {
	ds, err := in.data(ds)
	if err != nil {
		return nil, err
	}
	if b, ok := in.bmus[ds]; ok {
		return b, nil
	}
	b, _, err := in.m.Predict(ds.Data)
	if err != nil {
		return nil, fmt.Errorf("viz: finding best-matching units: %w", err)
	}
	in.bmus[ds] = b
	return b, nil
}

// HitCounts returns the number of records of ds (the training data if
// nil) whose best-matching unit is each unit.
func (in *Interpretation) HitCounts(ds *loaders.Dataset) ([]float64, error) {
	b, err := in.BMUs(ds)
	if err != nil {
		return nil, err
	}
	return Hits(b, in.m.Units())
}

// Hits counts how many of the best-matching units bmu are each of k units.
// It returns an error for a unit outside [0, k).
func Hits(bmu []int, k int) ([]float64, error) {
	if err := checkBMUs(bmu, k); err != nil {
		return nil, err
	}
	out := make([]float64, k)
	for _, u := range bmu {
		out[u]++
	}
	return out, nil
}

// checkBMUs returns an error for a best-matching unit outside [0, k).
func checkBMUs(bmu []int, k int) error {
	for i, u := range bmu {
		if u < 0 || u >= k {
			return fmt.Errorf("viz: record %d has best-matching unit %d, want 0..%d", i, u, k-1)
		}
	}
	return nil
}

// AutoLogRatio is the ratio of the largest hit count to the median count
// of the units with hits above which HitmapChart colours the counts on a
// log scale: a few crowded units would otherwise leave the rest of the map
// uniformly dark.
const AutoLogRatio = 8

// HitmapChart returns the hit map of counts on grid g: units coloured by
// their count, annotated with it, units without hits empty. The colour
// scale is logarithmic when the largest count exceeds AutoLogRatio times
// the median count of the units with hits; set LogScale to choose.
func HitmapChart(g graph.Grid, counts []float64, title string) *MapChart {
	vals := make([]float64, len(counts))
	ann := make([]string, len(counts))
	for k, c := range counts {
		if c == 0 {
			vals[k] = math.NaN()
			continue
		}
		vals[k] = c
		ann[k] = strconv.FormatFloat(c, 'f', -1, 64)
	}
	return &MapChart{Grid: g, Title: title, Values: vals, Label: "hits", Annotations: ann, LogScale: skewed(counts)}
}

// skewed reports whether the largest of the positive counts exceeds
// AutoLogRatio times their median.
func skewed(counts []float64) bool {
	var pos []float64
	for _, c := range counts {
		if c > 0 {
			pos = append(pos, c)
		}
	}
	if len(pos) < 2 {
		return false
	}
	sort.Float64s(pos)
	median := pos[len(pos)/2]
	if len(pos)%2 == 0 {
		median = (pos[len(pos)/2-1] + pos[len(pos)/2]) / 2
	}
	return pos[len(pos)-1] > AutoLogRatio*median
}

// Hitmap draws the hit counts of ds (the training data if nil) per unit,
// annotated with the counts; units without hits are empty.
func (in *Interpretation) Hitmap(w io.Writer, f Format, ds *loaders.Dataset) error {
	ds, err := in.data(ds)
	if err != nil {
		return err
	}
	counts, err := in.HitCounts(ds)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Hit map, %s (%d records)", in.dataName(ds), ds.N)
	mc := HitmapChart(in.m.Grid(), counts, title)
	if in.logScale != nil {
		mc.LogScale = *in.logScale
	}
	return in.render(w, f, "", mc)
}

// WeightColors returns the codebook as one colour per unit: the weights
// themselves when the map has 3 features (scaled by 255 if they lie in
// [0, 1], else each rescaled from its range to 0–255), otherwise the first
// three principal components of the codebook, each rescaled to 0–255. With
// fewer than 3 features the missing channels are the first component
// (grey) or mid-grey.
//
// With a decoder whose three features are all continuous (the colours data
// set, normalized), the weights are denormalized first, so the units show
// the colours they stand for.
func (in *Interpretation) WeightColors() ([]color.RGBA, error) {
	w, k, d := in.m.Weights(), in.m.Units(), in.m.Dim()
	if in.dec != nil && d == 3 && in.threeContinuous() {
		raw := make([]float64, 0, len(w))
		for u := range k {
			v, err := in.dec.Denormalize(w[u*d : (u+1)*d])
			if err != nil || len(v) != 3 {
				return nil, fmt.Errorf("viz: denormalizing unit %d: got %d values, %v", u, len(v), err)
			}
			raw = append(raw, v...)
		}
		w = raw
	}
	return CodebookColors(w, k, d)
}

// threeContinuous reports whether the decoder's layout is three continuous
// features without missing indicators.
func (in *Interpretation) threeContinuous() bool {
	gs := in.dec.Layout().Groups
	if len(gs) != 3 {
		return false
	}
	for _, g := range gs {
		if g.Kind != loaders.Continuous || g.Indicator || g.Width != 1 {
			return false
		}
	}
	return true
}

// CodebookColors is WeightColors for a row-major k×d codebook.
func CodebookColors(w []float64, k, d int) ([]color.RGBA, error) {
	if k < 1 || d < 1 || len(w) != k*d {
		return nil, fmt.Errorf("viz: codebook of %d values is not %d units × %d features", len(w), k, d)
	}
	ch := make([][]float64, 3) // per channel, one value per unit
	if d == 3 {
		in01 := true
		for _, v := range w {
			in01 = in01 && v >= 0 && v <= 1
		}
		for c := range 3 {
			ch[c] = make([]float64, k)
			for u := range k {
				ch[c][u] = w[u*3+c]
			}
			if !in01 {
				rescale(ch[c])
			}
		}
	} else {
		pcs, err := principal(w, k, d, 3)
		if err != nil {
			return nil, err
		}
		spread := func(v []float64) float64 { return slices.Max(v) - slices.Min(v) }
		for c := range 3 {
			switch {
			case c < len(pcs) && spread(pcs[c]) <= 1e-9*spread(pcs[0]):
				// a component without variance: rescaling would show noise
				ch[c] = slices.Repeat([]float64{0.5}, k)
			case c < len(pcs):
				ch[c] = pcs[c]
				rescale(ch[c])
			case len(pcs) == 1:
				ch[c] = ch[0]
			default:
				ch[c] = slices.Repeat([]float64{0.5}, k)
			}
		}
	}
	out := make([]color.RGBA, k)
	for u := range out {
		out[u] = color.RGBA{to255(ch[0][u]), to255(ch[1][u]), to255(ch[2][u]), 255}
	}
	return out, nil
}

func to255(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255)) }

// rescale maps v linearly onto [0, 1]; a constant v becomes 0.5.
func rescale(v []float64) {
	lo, hi := slices.Min(v), slices.Max(v)
	for i := range v {
		if hi > lo {
			v[i] = (v[i] - lo) / (hi - lo)
		} else {
			v[i] = 0.5
		}
	}
}

// principal projects the rows of the n×d matrix x onto its first (up to)
// q principal components and returns one slice of n scores per component.
func principal(x []float64, n, d, q int) ([][]float64, error) {
	q = min(q, d)
	if n < 2 {
		out := make([][]float64, q)
		for i := range out {
			out[i] = make([]float64, n)
		}
		return out, nil
	}
	vecs, mean, err := pcaBasis(x, n, d)
	if err != nil {
		return nil, err
	}
	return project(x, n, d, vecs, mean, q), nil
}

// pcaBasis returns the d×d matrix of principal directions (columns, by
// decreasing variance) of the n×d data and its column means.
func pcaBasis(x []float64, n, d int) (*mat.Dense, []float64, error) {
	vecs, _, mean, ok := pca.Components(x, n, d)
	if !ok {
		return nil, nil, errors.New("viz: principal components analysis failed (the data may be degenerate)")
	}
	return vecs, mean, nil
}

// project returns the scores of the n×d rows of x on the first q columns
// of vecs after centring on mean.
func project(x []float64, n, d int, vecs *mat.Dense, mean []float64, q int) [][]float64 {
	_, nc := vecs.Dims()
	q = min(q, nc)
	out := make([][]float64, q)
	for c := range q {
		out[c] = make([]float64, n)
		for i := range n {
			s := 0.0
			for j := range d {
				s += (x[i*d+j] - mean[j]) * vecs.At(j, c)
			}
			out[c][i] = s
		}
	}
	return out
}

// Weights draws the codebook as an RGB image (see WeightColors).
func (in *Interpretation) Weights(w io.Writer, f Format) error {
	cols, err := in.WeightColors()
	if err != nil {
		return err
	}
	cc := make([]color.Color, len(cols))
	for i, c := range cols {
		cc[i] = c
	}
	title := "Codebook as RGB"
	if in.m.Dim() != 3 {
		title = "Codebook, first 3 principal components as RGB"
	}
	return in.render(w, f, "", &MapChart{Grid: in.m.Grid(), Title: title, Colors: cc})
}

// feature is one panel of FeatureHeatmaps.
type feature struct {
	name   string
	values []float64 // continuous: one per unit
	cats   []int     // categorical: level per unit, -1 unknown
	levels []string
}

// Features returns the names of the features FeatureHeatmaps can draw: the
// input features of the decoder, or the dataset's (encoded) feature names.
func (in *Interpretation) Features() []string {
	fs, err := in.features()
	if err != nil {
		return nil
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return out
}

func (in *Interpretation) features() ([]feature, error) {
	k, d := in.m.Units(), in.m.Dim()
	w := in.m.Weights()
	if in.dec == nil {
		var names []string
		if in.train != nil && in.train.Features != nil {
			names = in.train.Features
		}
		fs := make([]feature, d)
		for j := range d {
			fs[j].name = "feature " + strconv.Itoa(j)
			if names != nil {
				fs[j].name = names[j]
			}
			fs[j].values = make([]float64, k)
			for u := range k {
				fs[j].values[u] = w[u*d+j]
			}
		}
		return fs, nil
	}
	var fs []feature
	var cont, cat []int // indices into fs in layout order
	for _, g := range in.dec.Layout().Groups {
		if g.Indicator {
			continue
		}
		f := feature{name: g.Name}
		if g.Kind == loaders.Categorical {
			f.cats, f.levels = make([]int, k), slices.Clone(g.Levels)
			cat = append(cat, len(fs))
		} else {
			f.values = make([]float64, k)
			cont = append(cont, len(fs))
		}
		fs = append(fs, f)
	}
	for u := range k {
		row := w[u*d : (u+1)*d]
		vals, err := in.dec.Denormalize(row)
		if err != nil {
			return nil, fmt.Errorf("viz: decoding unit %d: %w", u, err)
		}
		levels, err := in.dec.Recategorize(row)
		if err != nil {
			return nil, fmt.Errorf("viz: decoding unit %d: %w", u, err)
		}
		if len(vals) != len(cont) || len(levels) != len(cat) {
			return nil, fmt.Errorf("viz: decoder returned %d continuous and %d categorical values for a layout of %d and %d", len(vals), len(levels), len(cont), len(cat))
		}
		for i, j := range cont {
			fs[j].values[u] = vals[i]
		}
		for i, j := range cat {
			f := &fs[j]
			f.cats[u] = slices.Index(f.levels, levels[i]) // -1 for the unknown level
		}
	}
	return fs, nil
}

// FeatureHeatmaps draws one panel per feature (the named ones, or all if
// none are named): continuous features as the codebook's values
// (denormalized with a decoder), categorical features as each unit's
// winning level with one colour per level and a legend.
func (in *Interpretation) FeatureHeatmaps(w io.Writer, f Format, names ...string) error {
	fs, err := in.features()
	if err != nil {
		return err
	}
	if len(names) > 0 {
		var pick []feature
		for _, n := range names {
			i := slices.IndexFunc(fs, func(f feature) bool { return f.name == n })
			if i < 0 {
				all := make([]string, len(fs))
				for j, f := range fs {
					all[j] = f.name
				}
				return fmt.Errorf("viz: no feature %q (features: %s)", n, strings.Join(all, ", "))
			}
			pick = append(pick, fs[i])
		}
		fs = pick
	}
	g := in.m.Grid()
	charts := make([]*MapChart, len(fs))
	for i, ft := range fs {
		mc := &MapChart{Grid: g, Title: ft.name}
		if ft.cats != nil {
			mc.Categories, mc.CategoryNames = ft.cats, ft.levels
		} else {
			mc.Values = ft.values
		}
		if len(fs) > 1 && mc.CellSize == 0 {
			mc.CellSize = panelCell(g, len(fs))
		}
		charts[i] = mc
	}
	return in.render(w, f, "Features", charts...)
}

// panelCell chooses a cell size that keeps a figure of n panels readable.
func panelCell(g graph.Grid, n int) float64 {
	mc := MapChart{Grid: g}
	ex, ey := mc.extent()
	target := 260.0
	if n > 9 {
		target = 200
	}
	return math.Max(4, math.Min(40, math.Min(target/ex, target/ey)))
}

// PredsChart returns the class map of labels with their best-matching
// units on grid g (see Interpretation.Preds).
func PredsChart(g graph.Grid, bmu []int, labels []string, bins int, title string) (*MapChart, error) {
	if len(bmu) != len(labels) {
		return nil, fmt.Errorf("viz: %d best-matching units for %d labels", len(bmu), len(labels))
	}
	k := g.Units()
	if err := checkBMUs(bmu, k); err != nil {
		return nil, err
	}
	nums, numeric := parseNumbers(labels)
	mc := &MapChart{Grid: g, Title: title}
	if numeric && bins == 0 {
		sum, n := make([]float64, k), make([]float64, k)
		for i, u := range bmu {
			sum[u] += nums[i]
			n[u]++
		}
		mc.Values = make([]float64, k)
		for u := range k {
			mc.Values[u] = math.NaN()
			if n[u] > 0 {
				mc.Values[u] = sum[u] / n[u]
			}
		}
		mc.Label = "mean"
		return mc, nil
	}
	var class []int
	var names []string
	if numeric && bins > 0 {
		class, names = quantileBins(nums, bins)
		mc.Ordered = true
	} else {
		names = slices.Clone(labels)
		slices.Sort(names)
		names = slices.Compact(names)
		class = make([]int, len(labels))
		for i, l := range labels {
			class[i], _ = slices.BinarySearch(names, l)
		}
	}
	votes := make([]int, k*len(names))
	for i, u := range bmu {
		votes[u*len(names)+class[i]]++
	}
	mc.Categories, mc.CategoryNames = make([]int, k), names
	for u := range k {
		best, bv := -1, 0
		for c := range names {
			if v := votes[u*len(names)+c]; v > bv {
				best, bv = c, v
			}
		}
		mc.Categories[u] = best
	}
	return mc, nil
}

// parseNumbers reports whether every label is a finite number.
func parseNumbers(labels []string) ([]float64, bool) {
	out := make([]float64, len(labels))
	for i, l := range labels {
		v, err := strconv.ParseFloat(strings.TrimSpace(l), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		out[i] = v
	}
	return out, len(labels) > 0
}

// quantileBins puts each value in one of up to n bins of equal counts
// (fewer if values repeat) and names the bins by their ranges.
func quantileBins(v []float64, n int) ([]int, []string) {
	s := slices.Clone(v)
	sort.Float64s(s)
	edges := []float64{s[0]}
	for b := 1; b < n; b++ {
		q := stat.Quantile(float64(b)/float64(n), stat.Empirical, s, nil)
		if q > edges[len(edges)-1] {
			edges = append(edges, q)
		}
	}
	top := s[len(s)-1]
	names := make([]string, len(edges))
	for i, lo := range edges {
		hi := top
		if i+1 < len(edges) {
			hi = edges[i+1]
		}
		names[i] = formatShort(lo) + " – " + formatShort(hi)
	}
	class := make([]int, len(v))
	for i, x := range v {
		// the last edge ≤ x
		j := sort.SearchFloat64s(edges, x)
		if j == len(edges) || edges[j] > x {
			j--
		}
		class[i] = max(j, 0)
	}
	return class, names
}

// formatShort formats v exactly if that is short, else to about four
// significant digits (whole numbers from 1,000 up).
func formatShort(v float64) string {
	if s := strconv.FormatFloat(v, 'f', -1, 64); len(s) <= 7 {
		return s
	}
	if math.Abs(v) >= 1000 && math.Abs(v) < 1e9 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Preds draws the most frequent label per unit of ds (the training data if
// nil), with a legend of the labels. If every label is a number the
// target is continuous: with bins > 0 it is cut into that many quantile
// bins, with bins = 0 each unit shows the mean of its records. bins < 0
// treats numeric labels as class names. Units without hits are empty.
func (in *Interpretation) Preds(w io.Writer, f Format, ds *loaders.Dataset, bins int) error {
	ds, err := in.data(ds)
	if err != nil {
		return err
	}
	if ds.Labels == nil {
		return errors.New("viz: the dataset has no labels: read it with a target column to draw predictions")
	}
	b, err := in.BMUs(ds)
	if err != nil {
		return err
	}
	target := in.targetName()
	title := "Most frequent label per unit"
	_, numeric := parseNumbers(ds.Labels)
	if numeric && bins == 0 {
		title = "Mean target per unit"
		if target != "" {
			title = "Mean " + target + " per unit"
		}
	} else if numeric && bins > 0 {
		title = fmt.Sprintf("Most frequent target bin (of %d) per unit", bins)
	}
	mc, err := PredsChart(in.m.Grid(), b, ds.Labels, bins, fmt.Sprintf("%s, %s", title, in.dataName(ds)))
	if err != nil {
		return err
	}
	if numeric && bins == 0 && target != "" {
		mc.Label = "mean " + target
	}
	return in.render(w, f, "", mc)
}

// targetName returns the name of the label column when the decoder is a
// pipeline that knows it, else "".
func (in *Interpretation) targetName() string {
	if p, ok := in.dec.(*loaders.Pipeline); ok && p != nil {
		return p.Target
	}
	return ""
}

// UMatrixValues returns, per unit, the mean Euclidean distance between its
// weights and those of its grid neighbours (hexagonal and toroidal grids
// included): high values mark borders between clusters.
func (in *Interpretation) UMatrixValues() []float64 {
	return UMatrix(in.m.Grid(), in.m.Weights(), in.m.Dim())
}

// UMatrix returns the U-matrix values of a row-major codebook of dim
// features on grid g (see Interpretation.UMatrixValues). A unit without
// neighbours (a 1×1 map) gets 0.
func UMatrix(g graph.Grid, w []float64, dim int) []float64 {
	k := g.Units()
	out := make([]float64, k)
	for u := range k {
		nb := g.Neighbors(u)
		if len(nb) == 0 {
			continue
		}
		s := 0.0
		for _, v := range nb {
			d := 0.0
			for j := range dim {
				x := w[u*dim+j] - w[v*dim+j]
				d += x * x
			}
			s += math.Sqrt(d)
		}
		out[u] = s / float64(len(nb))
	}
	return out
}

// UMatrix draws the U-matrix (see UMatrixValues).
func (in *Interpretation) UMatrix(w io.Writer, f Format) error {
	mc := &MapChart{Grid: in.m.Grid(), Title: "U-matrix", Values: in.UMatrixValues(), Label: "mean distance"}
	return in.render(w, f, "", mc)
}

var errNoHistory = errors.New("viz: no training history: build the Interpretation with WithHistory or FromLearner")

// LossCharts returns the curve charts of history: quantization error and
// topographic error, train and valid, per epoch.
//
// A supervised map's history adds a third chart: the target's accuracy
// (or RMSE) on train and valid.
func LossCharts(history []hooks.EpochRecord) ([]*CurveChart, error) {
	if len(history) == 0 {
		return nil, errNoHistory
	}
	ep := make([]float64, len(history))
	var tq, vq, tt, vt []float64
	hasValid := false
	for i, e := range history {
		ep[i] = float64(e.Epoch)
		tq, tt = append(tq, e.Train.QE), append(tt, e.Train.TE)
		v, vte := math.NaN(), math.NaN()
		if e.HasValid {
			v, vte, hasValid = e.Valid.QE, e.Valid.TE, true
		}
		vq, vt = append(vq, v), append(vt, vte)
	}
	qe := &CurveChart{Title: "Quantization error", XLabel: "epoch", YLabel: "QE", Series: []Series{{"train", ep, tq}}, Height: 280}
	te := &CurveChart{Title: "Topographic error", XLabel: "epoch", YLabel: "TE", Series: []Series{{"train", ep, tt}}, Height: 280}
	if hasValid {
		qe.Series = append(qe.Series, Series{"valid", ep, vq})
		te.Series = append(te.Series, Series{"valid", ep, vt})
	}
	cs := []*CurveChart{qe, te}
	if tc := targetCurve(history, ep); tc != nil {
		cs = append(cs, tc)
	}
	return cs, nil
}

// targetCurve returns the chart of a supervised map's target metric per
// epoch — the accuracy of a class target, the RMSE of a numeric one, on
// train and valid — or nil when the history has none.
func targetCurve(history []hooks.EpochRecord, ep []float64) *CurveChart {
	if !history[len(history)-1].HasTarget {
		return nil
	}
	classes := !math.IsNaN(history[len(history)-1].TrainTarget.Accuracy)
	get := func(m hooks.TargetMetrics) float64 {
		if classes {
			return m.Accuracy
		}
		return m.RMSE
	}
	var tr, va []float64
	hasValid := false
	for _, e := range history {
		t, v := math.NaN(), math.NaN()
		if e.HasTarget {
			t = get(e.TrainTarget)
			if e.HasValid {
				v, hasValid = get(e.ValidTarget), true
			}
		}
		tr, va = append(tr, t), append(va, v)
	}
	c := &CurveChart{Title: "Target accuracy (records placed by their features)", XLabel: "epoch", YLabel: "accuracy", Series: []Series{{"train", ep, tr}}, Height: 280}
	if !classes {
		c.Title, c.YLabel = "Target RMSE (records placed by their features)", "RMSE"
	}
	if hasValid {
		c.Series = append(c.Series, Series{"valid", ep, va})
	}
	return c
}

// HyperparamCharts returns the curve charts of the learning rate α, the
// radius σ and the batch size per epoch of history.
func HyperparamCharts(history []hooks.EpochRecord) ([]*CurveChart, error) {
	if len(history) == 0 {
		return nil, errNoHistory
	}
	ep := make([]float64, len(history))
	a, s, b := make([]float64, len(history)), make([]float64, len(history)), make([]float64, len(history))
	for i, e := range history {
		ep[i], a[i], s[i], b[i] = float64(e.Epoch), e.Alpha, e.Sigma, float64(e.BatchSize)
	}
	return hyperparamCharts("epoch", ep, a, s, b), nil
}

// hyperparamCharts returns the curve charts of α, σ and the batch size
// over x (epochs or steps, named by xLabel).
func hyperparamCharts(xLabel string, x, alpha, sigma, batch []float64) []*CurveChart {
	return []*CurveChart{
		{Title: "Learning rate α", XLabel: xLabel, YLabel: "α", Series: []Series{{"alpha", x, alpha}}, Height: 220},
		{Title: "Neighbourhood radius σ", XLabel: xLabel, YLabel: "σ (grid units)", Series: []Series{{"sigma", x, sigma}}, Height: 220},
		{Title: "Batch size", XLabel: xLabel, YLabel: "records", Series: []Series{{"batch size", x, batch}}, Height: 220},
	}
}

// Loss draws the training and validation quantization and topographic
// errors per epoch.
func (in *Interpretation) Loss(w io.Writer, f Format) error {
	cs, err := LossCharts(in.history)
	if err != nil {
		return err
	}
	labelTE(cs, in.m.Config())
	return RenderCurves(w, f, cs...)
}

// Hyperparams draws α, σ and the batch size per epoch, or per step if
// the Interpretation has batch records (WithRecorder).
func (in *Interpretation) Hyperparams(w io.Writer, f Format) error {
	if len(in.batches) > 0 {
		return RenderCurves(w, f, StepCharts(in.batches, in.batchEpochs)...)
	}
	cs, err := HyperparamCharts(in.history)
	if err != nil {
		return err
	}
	return RenderCurves(w, f, cs...)
}

// maxCurvePoints caps the points of a per-step curve; longer runs are
// thinned evenly (the last step is always kept).
const maxCurvePoints = 2000

// StepCharts returns the curve charts of α, σ and the batch size per
// training step, from a Recorder's batch records and, for the batch size,
// the records of their epochs (the epoch's planned batch size: the last
// batch of an epoch is often smaller, which is not a change of setting;
// without the epoch's record, the batch's own size).
func StepCharts(batches []hooks.BatchRecord, epochs []hooks.EpochRecord) []*CurveChart {
	stride := (len(batches) + maxCurvePoints - 1) / maxCurvePoints
	var x, a, s, b []float64
	for i, st := range batches {
		if i%stride != 0 && i != len(batches)-1 {
			continue
		}
		size := st.Size
		if st.Epoch >= 1 && st.Epoch <= len(epochs) {
			size = epochs[st.Epoch-1].BatchSize
		}
		x = append(x, float64(st.Step))
		a, s, b = append(a, st.Alpha), append(s, st.Sigma), append(b, float64(size))
	}
	return hyperparamCharts("step", x, a, s, b)
}
