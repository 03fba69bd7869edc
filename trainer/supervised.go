package trainer

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// The layer names of a supervised map: the features (the training data's
// columns, Options.Distance) and the target (one-hot classes with the
// Tanimoto distance, or the scaled numeric target with the Euclidean one).
const (
	FeaturesLayer = "features"
	TargetLayer   = "target"
)

// DefaultTargetWeight is the target layer's weight when
// Options.TargetWeight is 0: the features and the target weigh 0.5 each,
// as in R kohonen's xyf (user.weights = c(0.5, 0.5)).
const DefaultTargetWeight = 0.5

// TargetKind is how a supervised map reads its target.
type TargetKind uint8

const (
	// TargetAuto is TargetNumeric when every label is a number and
	// TargetClasses otherwise.
	TargetAuto TargetKind = iota
	// TargetClasses treats each distinct label as a class, one-hot encoded.
	TargetClasses
	// TargetNumeric reads the labels as numbers, scaled to mean 0 and
	// standard deviation 1 over the training records.
	TargetNumeric
)

var targetKindNames = []string{"auto", "classes", "numeric"}

// String returns "auto", "classes" or "numeric".
func (k TargetKind) String() string {
	if int(k) < len(targetKindNames) {
		return targetKindNames[k]
	}
	return fmt.Sprintf("TargetKind(%d)", uint8(k))
}

// ParseTargetKind parses "auto", "classes" (or "class") and "numeric".
func ParseTargetKind(s string) (TargetKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "auto", "":
		return TargetAuto, nil
	case "classes", "class":
		return TargetClasses, nil
	case "numeric", "number":
		return TargetNumeric, nil
	}
	return 0, fmt.Errorf("trainer: unknown target kind %q (want auto, classes or numeric)", s)
}

// Target describes the target layer of a supervised map: what its
// columns mean and how to turn them back into a class or a value.
type Target struct {
	// Name is the target column's name (the pipeline's Target), or
	// "target" when the data do not name it.
	Name string
	// Kind is TargetClasses or TargetNumeric.
	Kind TargetKind
	// Classes are the classes in the order of the layer's one-hot columns
	// (sorted), for TargetClasses.
	Classes []string
	// Mean and SD scale a numeric target: the layer holds (y−Mean)/SD.
	Mean, SD float64
}

// Width is the number of columns of the target layer.
func (t *Target) Width() int {
	if t.Kind == TargetClasses {
		return len(t.Classes)
	}
	return 1
}

// columns names the target layer's columns: "name=class" for each class,
// or the target's name.
func (t *Target) columns() []string {
	if t.Kind != TargetClasses {
		return []string{t.Name}
	}
	out := make([]string, len(t.Classes))
	for i, c := range t.Classes {
		out[i] = t.Name + "=" + c
	}
	return out
}

// check returns an error if t cannot describe a target layer.
func (t *Target) check() error {
	switch t.Kind {
	case TargetClasses:
		if len(t.Classes) < 2 {
			return fmt.Errorf("target %q has %d classes, want at least 2", t.Name, len(t.Classes))
		}
		if !slices.IsSorted(t.Classes) || len(slices.Compact(slices.Clone(t.Classes))) != len(t.Classes) {
			return fmt.Errorf("target %q: classes %q are not sorted and distinct", t.Name, t.Classes)
		}
	case TargetNumeric:
		if !(t.SD > 0) || math.IsInf(t.SD, 0) || math.IsNaN(t.Mean) || math.IsInf(t.Mean, 0) {
			return fmt.Errorf("target %q: mean %v and standard deviation %v must be finite, the deviation > 0", t.Name, t.Mean, t.SD)
		}
	default:
		return fmt.Errorf("target %q: kind %v, want classes or numeric", t.Name, t.Kind)
	}
	return nil
}

// fitTarget reads the target of the training labels.
func fitTarget(name string, labels []string, kind TargetKind) (*Target, error) {
	if name == "" {
		name = "target"
	}
	if labels == nil {
		return nil, errors.New("trainer: supervised training needs a target, and the training data have no labels: name the target column (--target)")
	}
	var present []string
	for _, s := range labels {
		if s != "" {
			present = append(present, s)
		}
	}
	if len(present) == 0 {
		return nil, fmt.Errorf("trainer: the target %q is missing in every training record: choose another target column", name)
	}
	if kind == TargetAuto {
		kind = TargetNumeric
		for _, s := range present {
			if _, ok := parseTargetValue(s); !ok {
				kind = TargetClasses
				break
			}
		}
	}
	t := &Target{Name: name, Kind: kind}
	switch kind {
	case TargetClasses:
		t.Classes = slices.Compact(slices.Sorted(slices.Values(present)))
		if len(t.Classes) < 2 {
			return nil, fmt.Errorf("trainer: the target %q has one class (%q) in the training data: a supervised map needs at least two classes", name, t.Classes[0])
		}
	case TargetNumeric:
		var sum, sq float64
		for i, s := range present {
			v, ok := parseTargetValue(s)
			if !ok {
				return nil, fmt.Errorf("trainer: the numeric target %q has the value %q (the %d-th present value), not a finite number: use --target-kind classes, or fix the value", name, s, i+1)
			}
			sum += v
			sq += v * v
		}
		n := float64(len(present))
		t.Mean = sum / n
		t.SD = math.Sqrt(max(0, sq/n-t.Mean*t.Mean))
		if !(t.SD > 1e-12*max(1, math.Abs(t.Mean))) {
			return nil, fmt.Errorf("trainer: the numeric target %q is constant (%v) in the training data: there is nothing to learn", name, t.Mean)
		}
	default:
		return nil, fmt.Errorf("trainer: unknown target kind %d (want TargetAuto, TargetClasses or TargetNumeric)", kind)
	}
	return t, nil
}

// parseTargetValue reads a numeric target value.
func parseTargetValue(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// encode writes the target layer's values of one label into dst (Width
// values): one-hot for a class, the scaled value for a number, NaN for a
// missing label (""). It returns an error for a class or value the target
// does not know.
func (t *Target) encode(label string, dst []float64) error {
	if label == "" {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return nil
	}
	if t.Kind == TargetNumeric {
		v, ok := parseTargetValue(label)
		if !ok {
			return fmt.Errorf("target value %q is not a finite number", label)
		}
		dst[0] = (v - t.Mean) / t.SD
		return nil
	}
	c, ok := slices.BinarySearch(t.Classes, label)
	if !ok {
		return fmt.Errorf("class %q was not in the training data (classes %s)", label, strings.Join(t.Classes, ", "))
	}
	for i := range dst {
		dst[i] = 0
	}
	dst[c] = 1
	return nil
}

// augment returns ds with the target layer's columns added after its
// features (the data a supervised map trains on). what names the data in
// errors. Missing labels are an error unless missing is true (the map
// then reads them as missing values).
func (t *Target) augment(what string, ds *loaders.Dataset, missing bool) (*loaders.Dataset, error) {
	if ds.Labels == nil {
		return nil, fmt.Errorf("trainer: the %s data have no target labels: supervised training needs the target %q in every split", what, t.Name)
	}
	w := t.Width()
	d := ds.D + w
	out := &loaders.Dataset{Data: make([]float64, ds.N*d), N: ds.N, D: d, Labels: ds.Labels}
	if ds.Features != nil {
		out.Features = append(slices.Clone(ds.Features), t.columns()...)
	}
	for i := range ds.N {
		row := out.Data[i*d : (i+1)*d]
		copy(row, ds.Data[i*ds.D:(i+1)*ds.D])
		if ds.Labels[i] == "" && !missing {
			return nil, fmt.Errorf("trainer: %s record %d has no target value: fill it or drop the record", what, i)
		}
		if err := t.encode(ds.Labels[i], row[ds.D:]); err != nil {
			return nil, fmt.Errorf("trainer: %s record %d: %v", what, i, err)
		}
	}
	return out, nil
}

// Augment returns ds (a supervised map's features) with the target
// layer's columns added after them, encoded from ds.Labels: the records of
// the full map's width, for a Predictor that searches the target layer
// too. A missing label becomes missing values (NaN), which only a map
// with missing values (graph.Config.Missing) reads; an unknown class or
// a value that is not a number is an error naming its record.
func (t *Target) Augment(ds *loaders.Dataset) (*loaders.Dataset, error) {
	if ds == nil {
		return nil, errors.New("trainer: no data: pass a *loaders.Dataset")
	}
	return t.augment("input", ds, true)
}

// supervisedLayers returns the layers of a supervised map with dim
// feature columns: the features with distance dist and weight
// 1−targetWeight, the target with weight targetWeight.
func supervisedLayers(dim int, dist graph.Distance, t *Target, targetWeight float64) graph.Layers {
	yd := graph.Euclidean
	if t.Kind == TargetClasses {
		yd = graph.Tanimoto
	}
	return graph.Layers{
		{Name: FeaturesLayer, Start: 0, Width: dim, Weight: 1 - targetWeight, Distance: dist},
		{Name: TargetLayer, Start: dim, Width: t.Width(), Weight: targetWeight, Distance: yd},
	}
}

// scaleLayers sets the scales of the map's layers from its (initial)
// codebook as kohonen does (graph.NormalizeLayers) and rebuilds the map
// with them, keeping the codebook.
func (l *Learner) scaleLayers() error {
	cfg := l.m.Config()
	w := l.m.Weights()
	scaled, err := graph.NormalizeLayers(*cfg.Layers, cfg.Mixed, w, cfg.Dim)
	if err != nil {
		return fmt.Errorf("trainer: scaling the layers by the initial codebook: %w", err)
	}
	ls := graph.Layers(scaled)
	cfg.Layers = &ls
	m, err := graph.New(cfg)
	if err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	if err := m.SetWeights(w); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	l.m, l.stats, l.running, l.forwards = m, m.NewStats(), m.NewMetricsAcc(), nil
	return nil
}

// Predictor places records on a map by some of its layers and, on a
// supervised map, reads the target layer of their best-matching units.
// Model.Predictor and Learner.Predictor return one.
type Predictor struct {
	sub    *graph.Map    // the map of the chosen layers
	layers []graph.Layer // the chosen layers, with the full map's columns
	dim    int           // the full map's dimension
	target *Target
	y      []float64 // K×target width: the target layer of the codebook
}

// newPredictor returns a Predictor for the map cfg with codebook weights,
// searching with the layers named (nil: every layer but the target; a map
// without layers is searched whole).
func newPredictor(cfg graph.Config, weights []float64, target *Target, names []string) (*Predictor, error) {
	p := &Predictor{dim: cfg.Dim, target: target}
	all := cfg.Layers
	if all == nil {
		if len(names) > 0 {
			return nil, fmt.Errorf("trainer: predict layers %q: the map has no layers", names)
		}
		m, err := graph.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("trainer: %w", err)
		}
		if err := m.SetWeights(weights); err != nil {
			return nil, fmt.Errorf("trainer: %w", err)
		}
		p.sub = m
		return p, nil
	}
	for _, n := range names {
		if !slices.ContainsFunc(*all, func(l graph.Layer) bool { return l.Name == n }) {
			return nil, fmt.Errorf("trainer: predict layers: the map has no layer %q (its layers: %s)", n, layerNames(*all))
		}
	}
	for _, l := range *all {
		use := slices.Contains(names, l.Name)
		if names == nil {
			use = target == nil || l.Name != TargetLayer
		}
		if use {
			p.layers = append(p.layers, l)
		}
	}
	if len(p.layers) == 0 {
		return nil, errors.New("trainer: predict layers: choose at least one layer")
	}
	sub := cfg
	sub.Dim = 0
	var ls graph.Layers
	keepMixed := false
	for _, l := range p.layers {
		r := l
		r.Start = sub.Dim
		sub.Dim += l.Width
		ls = append(ls, r)
		keepMixed = keepMixed || l.Distance == graph.Mixed
	}
	sub.Layers = &ls
	if !keepMixed {
		sub.Mixed = nil
		if sub.Distance == graph.Mixed {
			sub.Distance = graph.Euclidean
		}
	} else if p.layers[0].Start != 0 {
		return nil, errors.New("trainer: predict layers: a mixed-distance layer must come first")
	}
	m, err := graph.New(sub)
	if err != nil {
		return nil, fmt.Errorf("trainer: predict layers: %w", err)
	}
	k := cfg.Grid.Units()
	sw := make([]float64, 0, k*sub.Dim)
	for u := range k {
		row := weights[u*cfg.Dim : (u+1)*cfg.Dim]
		for _, l := range p.layers {
			sw = append(sw, row[l.Start:l.Start+l.Width]...)
		}
	}
	if err := m.SetWeights(sw); err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	p.sub = m
	if target != nil {
		i := slices.IndexFunc(*all, func(l graph.Layer) bool { return l.Name == TargetLayer })
		if i < 0 || (*all)[i].Width != target.Width() {
			return nil, fmt.Errorf("trainer: the map has no target layer of %d columns", target.Width())
		}
		tl := (*all)[i]
		p.y = make([]float64, 0, k*tl.Width)
		for u := range k {
			p.y = append(p.y, weights[u*cfg.Dim+tl.Start:u*cfg.Dim+tl.Start+tl.Width]...)
		}
	}
	return p, nil
}

func layerNames(ls []graph.Layer) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.Name
	}
	return strings.Join(names, ", ")
}

// Layers names the layers the Predictor searches with (nil for a map
// without layers).
func (p *Predictor) Layers() []string {
	if p.layers == nil {
		return nil
	}
	out := make([]string, len(p.layers))
	for i, l := range p.layers {
		out[i] = l.Name
	}
	return out
}

// Dim is the number of columns a record must have: those of the chosen
// layers (a record of the full map's width is accepted too, and only the
// chosen layers' columns are read).
func (p *Predictor) Dim() int { return p.sub.Dim() }

// Map returns the map of the chosen layers: the codebook's columns of
// those layers, searched with their layered distance. It is the
// Predictor's own map; do not change it.
func (p *Predictor) Map() *graph.Map { return p.sub }

// Select returns the chosen layers' columns of ds when ds has the full
// map's width, and ds itself otherwise (nil for nil).
func (p *Predictor) Select(ds *loaders.Dataset) *loaders.Dataset {
	if ds != nil && p.layers != nil && ds.D == p.dim && ds.D != p.sub.Dim() {
		return p.selectColumns(ds)
	}
	return ds
}

// Predict places every record of ds: its best-matching unit by the chosen
// layers, the distance to it (the layered distance of those layers), and
// for a supervised map the target read from the unit's target layer.
func (p *Predictor) Predict(ds *loaders.Dataset) ([]Prediction, error) {
	preds, err := predict(p.sub, p.Select(ds))
	if err != nil {
		return nil, err
	}
	if p.target != nil {
		for i := range preds {
			p.readTarget(&preds[i])
		}
	}
	return preds, nil
}

// selectColumns returns the chosen layers' columns of the full-width ds.
func (p *Predictor) selectColumns(ds *loaders.Dataset) *loaders.Dataset {
	d := p.sub.Dim()
	out := &loaders.Dataset{Data: make([]float64, 0, ds.N*d), N: ds.N, D: d, Labels: ds.Labels}
	if ds.Features != nil {
		for _, l := range p.layers {
			out.Features = append(out.Features, ds.Features[l.Start:l.Start+l.Width]...)
		}
	}
	for i := range ds.N {
		row := ds.Data[i*ds.D : (i+1)*ds.D]
		for _, l := range p.layers {
			out.Data = append(out.Data, row[l.Start:l.Start+l.Width]...)
		}
	}
	return out
}

// readTarget fills the target part of a prediction from its unit.
func (p *Predictor) readTarget(pr *Prediction) {
	t := p.target
	y := p.y[pr.Unit*t.Width() : (pr.Unit+1)*t.Width()]
	if t.Kind == TargetNumeric {
		pr.Value = y[0]*t.SD + t.Mean
		pr.Class = strconv.FormatFloat(pr.Value, 'g', -1, 64)
		return
	}
	proba := classProba(y)
	best := 0
	for c, v := range proba {
		if v > proba[best] {
			best = c
		}
	}
	pr.Class = t.Classes[best]
}

// Proba returns the class probabilities of unit k of a map with a class
// target, in Target.Classes order: the unit's target layer with its
// values clipped to [0, 1], divided by their sum. It returns nil for other
// maps and units out of range.
func (p *Predictor) Proba(k int) []float64 {
	t := p.target
	if t == nil || t.Kind != TargetClasses || k < 0 || k >= p.sub.Grid().Units() {
		return nil
	}
	return classProba(p.y[k*t.Width() : (k+1)*t.Width()])
}

// UnitValues returns the target layer of every unit, in the target's
// terms: K rows of class probabilities (Proba) for a class target, K rows
// of one predicted value for a numeric one; nil for a map without target.
func (p *Predictor) UnitValues() [][]float64 {
	t := p.target
	if t == nil {
		return nil
	}
	k := p.sub.Grid().Units()
	out := make([][]float64, k)
	for u := range out {
		if t.Kind == TargetClasses {
			out[u] = p.Proba(u)
		} else {
			out[u] = []float64{p.y[u]*t.SD + t.Mean}
		}
	}
	return out
}

// Target describes the map's target, or is nil for a map without one.
func (p *Predictor) Target() *Target { return p.target }

// classProba turns a unit's one-hot layer into probabilities: values
// clipped to [0, 1] and divided by their sum (uniform when all are 0).
// A trained unit's layer is already a weighted mean of one-hot rows, so
// this only corrects the small drift of an initialization or a step.
func classProba(y []float64) []float64 {
	p := make([]float64, len(y))
	var s float64
	for i, v := range y {
		p[i] = min(1, max(0, v))
		s += p[i]
	}
	for i := range p {
		if s > 0 {
			p[i] /= s
		} else {
			p[i] = 1 / float64(len(p))
		}
	}
	return p
}

// targetMetrics measures the predictions of a supervised map on labels:
// accuracy for classes, RMSE and MAE for a numeric target. Records
// without a label are left out; with none left the metrics are NaN.
func targetMetrics(t *Target, preds []Prediction, labels []string) hooks.TargetMetrics {
	m := hooks.TargetMetrics{Accuracy: math.NaN(), RMSE: math.NaN(), MAE: math.NaN()}
	n, hit := 0, 0
	var se, ae float64
	for i, p := range preds {
		if labels[i] == "" {
			continue
		}
		if t.Kind == TargetClasses {
			n++
			if p.Class == labels[i] {
				hit++
			}
			continue
		}
		v, ok := parseTargetValue(labels[i])
		if !ok {
			continue
		}
		n++
		e := p.Value - v
		se += e * e
		ae += math.Abs(e)
	}
	if n == 0 {
		return m
	}
	if t.Kind == TargetClasses {
		m.Accuracy = float64(hit) / float64(n)
	} else {
		m.RMSE, m.MAE = math.Sqrt(se/float64(n)), ae/float64(n)
	}
	return m
}

// Predictor returns a Predictor for the Learner's current map searching
// with the layers named (nil: every layer but a supervised map's target).
// It copies the codebook: train further, then ask for a new one.
func (l *Learner) Predictor(layers ...string) (*Predictor, error) {
	return newPredictor(l.m.Config(), l.m.Weights(), l.target, layers)
}

// Target describes a supervised Learner's target layer, or is nil.
func (l *Learner) Target() *Target { return l.target }

// epochTargetMetrics measures the map's target predictions on the
// training and the validation data, each record placed by its features.
func (l *Learner) epochTargetMetrics(st *hooks.State) error {
	p, err := l.Predictor()
	if err != nil {
		return err
	}
	for _, s := range []struct {
		ds  *loaders.Dataset
		out *hooks.TargetMetrics
	}{{l.train, &st.TrainTarget}, {l.valid, &st.ValidTarget}} {
		if s.ds == nil {
			continue
		}
		preds, err := p.Predict(s.ds)
		if err != nil {
			return err
		}
		*s.out = targetMetrics(l.target, preds, s.ds.Labels)
	}
	return nil
}

// supervise turns the training and validation data of a supervised
// Learner into feature+target data and the map configuration cfg into
// the two-layer one. A saved supervised map (nil for none) gives the
// target, which is not fitted again, and the layers with their scales.
func supervise(train, valid *loaders.Dataset, o *Options, cfg *graph.Config, saved *Model) (tr, va *loaders.Dataset, t *Target, err error) {
	name := ""
	if o.Pipeline != nil {
		name = o.Pipeline.Target
	}
	if saved != nil && saved.Target != nil {
		t = saved.Target.clone()
	} else if t, err = fitTarget(name, train.Labels, o.TargetKind); err != nil {
		return nil, nil, nil, err
	}
	if tr, err = t.augment("training", train, cfg.Missing); err != nil {
		return nil, nil, nil, err
	}
	if valid != nil {
		if va, err = t.augment("validation", valid, cfg.Missing); err != nil {
			return nil, nil, nil, err
		}
	}
	ls := supervisedLayers(train.D, o.Distance, t, o.TargetWeight)
	if saved != nil && saved.Target != nil {
		ls = slices.Clone(*saved.Config.Layers)
	}
	cfg.Dim = tr.D
	cfg.Layers = &ls
	return tr, va, t, nil
}

// clone returns a copy of t (nil for nil).
func (t *Target) clone() *Target {
	if t == nil {
		return nil
	}
	c := *t
	c.Classes = slices.Clone(t.Classes)
	return &c
}

func toFileLayers(ls *graph.Layers) []fileLayer {
	if ls == nil {
		return nil
	}
	out := make([]fileLayer, len(*ls))
	for i, l := range *ls {
		out[i] = fileLayer{Name: l.Name, Start: l.Start, Width: l.Width, Weight: l.Weight, Distance: l.Distance.String(), Scale: l.Scale}
	}
	return out
}

func fileLayersConfig(fl []fileLayer) (*graph.Layers, error) {
	if fl == nil {
		return nil, nil
	}
	ls := make(graph.Layers, len(fl))
	for i, l := range fl {
		d, err := graph.ParseDistance(l.Distance)
		if err != nil {
			return nil, fmt.Errorf("layer %q: %w", l.Name, err)
		}
		ls[i] = graph.Layer{Name: l.Name, Start: l.Start, Width: l.Width, Weight: l.Weight, Distance: d, Scale: l.Scale}
	}
	return &ls, nil
}

func toFileTarget(t *Target) *fileTarget {
	if t == nil {
		return nil
	}
	return &fileTarget{Name: t.Name, Kind: t.Kind.String(), Classes: t.Classes, Mean: t.Mean, SD: t.SD}
}

// target converts and checks a stored target (nil for none).
func (f *fileTarget) target() (*Target, error) {
	if f == nil {
		return nil, nil
	}
	k, err := ParseTargetKind(f.Kind)
	if err != nil || k == TargetAuto {
		return nil, fmt.Errorf("target kind %q: want classes or numeric", f.Kind)
	}
	t := &Target{Name: f.Name, Kind: k, Classes: f.Classes, Mean: f.Mean, SD: f.SD}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

// checkTargetLayers checks that a supervised map has the two layers its
// target needs: the features, then the target of the target's width.
func checkTargetLayers(cfg graph.Config, t *Target) error {
	if t == nil {
		return nil
	}
	if cfg.Layers == nil || len(*cfg.Layers) != 2 {
		return fmt.Errorf("a supervised map has the layers %q and %q", FeaturesLayer, TargetLayer)
	}
	ls := *cfg.Layers
	if ls[0].Name != FeaturesLayer || ls[1].Name != TargetLayer || ls[1].Width != t.Width() {
		return fmt.Errorf("a supervised map has the layers %q and %q (%d columns), not %s", FeaturesLayer, TargetLayer, t.Width(), layerNames(ls))
	}
	return nil
}

// fileTargetMetrics is a hooks.TargetMetrics as a model file stores it:
// NaN values (a metric of the other kind of target) are left out.
type fileTargetMetrics struct {
	Accuracy *float64 `json:"accuracy,omitempty"`
	RMSE     *float64 `json:"rmse,omitempty"`
	MAE      *float64 `json:"mae,omitempty"`
}

func toFileTargetMetrics(m hooks.TargetMetrics) *fileTargetMetrics {
	num := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return &fileTargetMetrics{Accuracy: num(m.Accuracy), RMSE: num(m.RMSE), MAE: num(m.MAE)}
}

// metrics returns the stored metrics, NaN where absent (all NaN for nil).
func (f *fileTargetMetrics) metrics() hooks.TargetMetrics {
	m := hooks.TargetMetrics{Accuracy: math.NaN(), RMSE: math.NaN(), MAE: math.NaN()}
	if f == nil {
		return m
	}
	for _, p := range []struct {
		v   *float64
		out *float64
	}{{f.Accuracy, &m.Accuracy}, {f.RMSE, &m.RMSE}, {f.MAE, &m.MAE}} {
		if p.v != nil {
			*p.out = *p.v
		}
	}
	return m
}
