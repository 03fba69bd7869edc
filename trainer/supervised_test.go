package trainer

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

var updateSplits = flag.Bool("update-splits", false, "rewrite ../scripts/kohonen-xyf/iris-splits.csv")

// irisSplitsFile holds the stratified splits of the iris experiment, read
// by scripts/kohonen-xyf/xyf.R so that R's kohonen trains on the same rows.
const irisSplitsFile = "../scripts/kohonen-xyf/iris-splits.csv"

// The iris experiment: 10 seeds, a stratified 80/20 split each, the same
// map options for every seed.
var (
	irisSeeds = []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	irisOpts  = Options{Grid: graph.Grid{Rows: 6, Cols: 6, Topology: graph.Hexagonal}}
)

// stratifiedSplit returns the validation rows of a stratified split of
// labels: in each class (in sorted order) round(frac·n) rows drawn with a
// PCG generator of seed, sorted.
func stratifiedSplit(labels []string, frac float64, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x5714A7))
	classes := slices.Compact(slices.Sorted(slices.Values(labels)))
	var valid []int
	for _, c := range classes {
		var rows []int
		for i, l := range labels {
			if l == c {
				rows = append(rows, i)
			}
		}
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		valid = append(valid, rows[:int(math.Round(frac*float64(len(rows))))]...)
	}
	slices.Sort(valid)
	return valid
}

// irisSplit prepares the iris table for one split: the pipeline (z-score)
// fitted on the training rows only.
func irisSplit(t *testing.T, tab *loaders.Table, valid []int) (train, val *loaders.Dataset, p *loaders.Pipeline) {
	t.Helper()
	var trainRows []int
	for i := range tab.Rows {
		if !slices.Contains(valid, i) {
			trainRows = append(trainRows, i)
		}
	}
	p, err := loaders.Fit(tab, trainRows, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := p.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	return all.Subset(trainRows), all.Subset(valid), p
}

func irisTable(t *testing.T) *loaders.Table {
	t.Helper()
	tab, err := loaders.BuiltinTable("iris", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func tableLabels(t *testing.T, tab *loaders.Table, name string) []string {
	t.Helper()
	c := tab.Column(name)
	if c == nil {
		t.Fatalf("no column %q", name)
	}
	return c.Str
}

// TestSupervisedIris is the experiment: a supervised 6×6 hex map
// on iris, 10 seeds, each with a stratified 80/20 split; the held-out
// accuracy's mean must be at least 0.9. The same splits are in
// irisSplitsFile for R's kohonen xyf (scripts/kohonen-xyf).
func TestSupervisedIris(t *testing.T) {
	tab := irisTable(t)
	labels := tableLabels(t, tab, "species")
	var file bytes.Buffer
	file.WriteString("seed,row,valid\n")
	var accs []float64
	for _, seed := range irisSeeds {
		valid := stratifiedSplit(labels, 0.2, seed)
		for i := range tab.Rows {
			fmt.Fprintf(&file, "%d,%d,%d\n", seed, i+1, b2i(slices.Contains(valid, i)))
		}
		tr, va, p := irisSplit(t, tab, valid)
		o := irisOpts
		o.Seed, o.Supervised, o.Pipeline = seed, true, p
		l, err := New(tr, va, &o)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Fit(irisEpochs); err != nil {
			t.Fatal(err)
		}
		preds, err := l.Predict(va)
		if err != nil {
			t.Fatal(err)
		}
		hit := 0
		for i, pr := range preds {
			if pr.Class == va.Labels[i] {
				hit++
			}
		}
		acc := float64(hit) / float64(va.N)
		last := l.History()[len(l.History())-1]
		if !last.HasTarget || last.ValidTarget.Accuracy != acc {
			t.Errorf("seed %d: the last epoch's valid accuracy %v, Predict's %v", seed, last.ValidTarget.Accuracy, acc)
		}
		accs = append(accs, acc)
	}
	mean, sd := meanSD(accs)
	t.Logf("iris supervised 6x6 hex, %d epochs, held-out accuracy over %d seeds: %.4f ± %.4f (%v)", irisEpochs, len(accs), mean, sd, accs)
	if mean < 0.9 {
		t.Errorf("mean held-out accuracy %.4f < 0.9", mean)
	}
	if *updateSplits {
		if err := os.WriteFile(irisSplitsFile, file.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(irisSplitsFile)
	if err != nil || !bytes.Equal(got, file.Bytes()) {
		t.Errorf("%s is not the splits of this test (%v): run go test ./trainer -run SupervisedIris -update-splits", irisSplitsFile, err)
	}
}

// irisEpochs is the iris experiment's number of epochs.
const irisEpochs = 30

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

// labelled returns n records of 2 features with labels lab(i, x).
func labelled(n int, lab func(i int, x []float64) string) *loaders.Dataset {
	rng := rand.New(rand.NewPCG(7, 7))
	ds := &loaders.Dataset{N: n, D: 2, Data: make([]float64, 2*n), Labels: make([]string, n), Features: []string{"a", "b"}}
	for i := range n {
		x := ds.Data[2*i : 2*i+2]
		x[0], x[1] = rng.Float64(), rng.Float64()
		ds.Labels[i] = lab(i, x)
	}
	return ds
}

func side(_ int, x []float64) string {
	if x[0] > 0.5 {
		return "right"
	}
	return "left"
}

// TestSupervisedErrors: each bad supervised setup is a clear error.
func TestSupervisedErrors(t *testing.T) {
	good := labelled(50, side)
	oneClass := labelled(50, func(int, []float64) string { return "only" })
	allMissing := labelled(50, func(int, []float64) string { return "" })
	someMissing := labelled(50, func(i int, x []float64) string {
		if i == 7 {
			return ""
		}
		return side(i, x)
	})
	noLabels := labelled(50, side)
	noLabels.Labels = nil
	unseen := labelled(10, func(i int, x []float64) string {
		if i == 3 {
			return "middle"
		}
		return side(i, x)
	})
	constant := labelled(50, func(int, []float64) string { return "2.5" })
	sup := func(o Options) *Options { o.Supervised = true; return &o }
	for _, c := range []struct {
		name         string
		train, valid *loaders.Dataset
		opts         *Options
		want         string
	}{
		{"one class", oneClass, nil, sup(Options{}), `has one class ("only")`},
		{"all missing", allMissing, nil, sup(Options{}), "missing in every training record"},
		{"missing label", someMissing, nil, sup(Options{}), "training record 7 has no target value"},
		{"no labels", noLabels, nil, sup(Options{}), "have no labels"},
		{"unseen valid class", good, unseen, sup(Options{}), `validation record 3: class "middle" was not in the training data`},
		{"valid without labels", good, noLabels, sup(Options{}), "validation data have no target labels"},
		{"constant number", constant, nil, sup(Options{}), "is constant (2.5)"},
		{"classes as numbers", good, nil, sup(Options{TargetKind: TargetNumeric}), `"left"`},
		{"weight zero is the default, negative", good, nil, sup(Options{TargetWeight: -0.5}), "target weight -0.5 must be a number strictly between 0 and 1"},
		{"weight one", good, nil, sup(Options{TargetWeight: 1}), "target weight 1 must"},
		{"weight NaN", good, nil, sup(Options{TargetWeight: math.NaN()}), "target weight NaN must"},
		{"weight without supervised", good, nil, &Options{TargetWeight: 0.3}, "need Supervised"},
		{"kind without supervised", good, nil, &Options{TargetKind: TargetClasses}, "need Supervised"},
		{"unknown kind", good, nil, sup(Options{TargetKind: 9}), "unknown target kind"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.train, c.valid, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestSupervisedModel: a supervised model's file keeps its layers and
// target; loaded, it predicts like the Learner; Predictor's layer choice
// and class probabilities; checkpoints and continuing are refused.
func TestSupervisedModel(t *testing.T) {
	train := labelled(200, side)
	valid := labelled(40, side)
	l, err := New(train, valid, &Options{Grid: graph.Grid{Rows: 4, Cols: 4}, Supervised: true, TargetWeight: 0.3, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(10); err != nil {
		t.Fatal(err)
	}
	h := l.History()
	last := h[len(h)-1]
	if !last.HasTarget || !(last.ValidTarget.Accuracy >= 0.9) || !(last.TrainTarget.Accuracy >= 0.9) || !math.IsNaN(last.ValidTarget.RMSE) {
		t.Errorf("last epoch's target metrics: %+v %+v", last.TrainTarget, last.ValidTarget)
	}
	var buf bytes.Buffer
	if err := l.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"target":{"name":"target","kind":"classes","classes":["left","right"]}`) ||
		!strings.Contains(buf.String(), `"layers":[{"name":"features","start":0,"width":2,"weight":0.7,"distance":"euclidean"`) {
		t.Errorf("model file lacks the layers or target: %s", buf.String()[:min(buf.Len(), 600)])
	}
	m, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Supervised || m.TargetWeight != 0.3 || m.TargetKind != TargetClasses || m.Config.Dim != 4 || !slices.Equal(m.Features, []string{"a", "b", "target=left", "target=right"}) {
		t.Errorf("loaded: supervised %v weight %v kind %v dim %d features %q", m.Supervised, m.TargetWeight, m.TargetKind, m.Config.Dim, m.Features)
	}
	for i, e := range m.History {
		le := h[i]
		if !e.HasTarget || e.TrainTarget.Accuracy != le.TrainTarget.Accuracy || e.ValidTarget.Accuracy != le.ValidTarget.Accuracy || !math.IsNaN(e.ValidTarget.RMSE) {
			t.Errorf("epoch %d: loaded target metrics %+v %+v, learner's %+v %+v", i+1, e.TrainTarget, e.ValidTarget, le.TrainTarget, le.ValidTarget)
		}
	}
	if !slices.Equal(*m.Config.Layers, *l.Map().Config().Layers) {
		t.Errorf("layers %v, learner's %v", *m.Config.Layers, *l.Map().Config().Layers)
	}
	want, err := l.Predict(valid)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Predict(valid)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("loaded model predicts %v, learner %v", got[:3], want[:3])
	}
	// The reference: the BMU by the features layer alone, over the codebook.
	p, err := m.Predictor()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Layers(), []string{FeaturesLayer}) || p.Dim() != 2 {
		t.Errorf("default predict layers %v, dim %d", p.Layers(), p.Dim())
	}
	for i, pr := range got {
		x := valid.Row(i)
		best, bd := -1, math.Inf(1)
		for k := range m.Config.Grid.Units() {
			w := m.Weights[k*4 : k*4+2]
			d := (x[0]-w[0])*(x[0]-w[0]) + (x[1]-w[1])*(x[1]-w[1])
			if d < bd {
				best, bd = k, d
			}
		}
		y := m.Weights[best*4+2 : best*4+4]
		cls := "left"
		if y[1] > y[0] {
			cls = "right"
		}
		if pr.Unit != best || math.Abs(pr.Dist-bd) > 1e-5 || pr.Class != cls {
			t.Fatalf("record %d: unit %d dist %v class %s, reference %d %v %s", i, pr.Unit, pr.Dist, pr.Class, best, bd, cls)
		}
		pb := p.Proba(pr.Unit)
		if len(pb) != 2 || math.Abs(pb[0]+pb[1]-1) > 1e-12 || (pb[1] > pb[0]) != (cls == "right") {
			t.Fatalf("record %d: proba %v for class %s", i, pb, cls)
		}
	}
	// Records of the full width (features and target) are read by their features.
	full, err := m.Predict(l.Valid())
	if err != nil || !slices.Equal(full, got) {
		t.Errorf("full-width records: %v", err)
	}
	// Both layers: the target then counts.
	both, err := m.Predictor(FeaturesLayer, TargetLayer)
	if err != nil || both.Dim() != 4 {
		t.Fatalf("both layers: %v", err)
	}
	if _, err := both.Predict(valid); err == nil || !strings.Contains(err.Error(), "data has 2 features, the map 4") {
		t.Errorf("feature-only records on both layers: %v", err)
	}
	if _, err := m.Predictor("colour"); err == nil || !strings.Contains(err.Error(), `no layer "colour" (its layers: features, target)`) {
		t.Errorf("unknown layer: %v", err)
	}
	if _, err := NewFromModel(m, train, nil, nil); err == nil || !strings.Contains(err.Error(), "supervised") {
		t.Errorf("continue: %v", err)
	}
	// A changed target in the file is caught.
	bad := strings.Replace(buf.String(), `"classes":["left","right"]`, `"classes":["left","mid","right"]`, 1)
	if _, err := decodeModel(1, []byte(strings.Split(bad, "\n")[1])); err == nil || !strings.Contains(err.Error(), "target") {
		t.Errorf("a target of 3 classes on a 2-column layer: %v", err)
	}
}

// TestSupervisedNumeric: a numeric target, scaled in the map and read back
// in its own units; RMSE and MAE per epoch; early stopping on valid_rmse.
func TestSupervisedNumeric(t *testing.T) {
	f := func(_ int, x []float64) string { return strconv.FormatFloat(100+50*x[0]+20*x[1], 'g', -1, 64) }
	train, valid := labelled(300, f), labelled(60, f)
	es, err := hooks.NewEarlyStopping(hooks.ValidRMSE, 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(train, valid, &Options{Grid: graph.Grid{Rows: 6, Cols: 6}, Supervised: true, Seed: 1, Hooks: []hooks.Hook{es}})
	if err != nil {
		t.Fatal(err)
	}
	tg := l.Target()
	if tg.Kind != TargetNumeric || math.Abs(tg.Mean-135) > 5 || tg.SD < 10 {
		t.Errorf("target %+v", tg)
	}
	if err := l.Fit(40); err != nil {
		t.Fatal(err)
	}
	h := l.History()
	last := h[len(h)-1]
	// y spans 100..170 (sd ≈ 15); a 36-unit map should predict within a few units.
	if !(last.ValidTarget.RMSE < 6) || !(last.ValidTarget.MAE <= last.ValidTarget.RMSE) || !math.IsNaN(last.ValidTarget.Accuracy) {
		t.Errorf("last epoch: %+v", last.ValidTarget)
	}
	preds, err := l.Predict(valid)
	if err != nil {
		t.Fatal(err)
	}
	var se float64
	for i, p := range preds {
		y, _ := strconv.ParseFloat(valid.Labels[i], 64)
		se += (p.Value - y) * (p.Value - y)
		if p.Class != strconv.FormatFloat(p.Value, 'g', -1, 64) {
			t.Fatalf("class %q of value %v", p.Class, p.Value)
		}
	}
	if rmse := math.Sqrt(se / float64(len(preds))); math.Abs(rmse-last.ValidTarget.RMSE) > 1e-9 {
		t.Errorf("Predict's RMSE %v, the epoch's %v", rmse, last.ValidTarget.RMSE)
	}
	best := math.Inf(1)
	for _, e := range h {
		best = min(best, e.ValidTarget.RMSE)
	}
	if es.Best != best || h[es.BestEpoch].ValidTarget.RMSE != best {
		t.Errorf("early stopping's best valid_rmse %v at epoch %d, the history's %v", es.Best, es.BestEpoch, best)
	}
	t.Logf("numeric target: %d epochs, valid RMSE %.3f MAE %.3f (best %.3f at epoch %d)", len(h), last.ValidTarget.RMSE, last.ValidTarget.MAE, es.Best, es.BestEpoch+1)
	// An unsupervised map has no target metric to stop on.
	es2, _ := hooks.NewEarlyStopping(hooks.ValidAccuracy, 2, 0)
	u, err := New(train, valid, &Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Hooks: []hooks.Hook{es2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Fit(2); err == nil || !strings.Contains(err.Error(), "needs a supervised map") {
		t.Errorf("early stopping on accuracy of an unsupervised map: %v", err)
	}
}

// TestSupervisedNewInitialized: an external initialization cannot build
// the target layer, so it is refused.
func TestSupervisedNewInitialized(t *testing.T) {
	_, err := NewInitialized(labelled(20, side), nil, &Options{Supervised: true}, func(*graph.Map, *rand.Rand) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "supervised") {
		t.Errorf("NewInitialized of a supervised map: %v", err)
	}
}

// TestSupervisedMissing: with Options.Missing a record without a label
// trains on its features alone (its target layer is missing) and is left
// out of the accuracy.
func TestSupervisedMissing(t *testing.T) {
	train := labelled(100, func(i int, x []float64) string {
		if i%10 == 3 {
			return ""
		}
		return side(i, x)
	})
	l, err := New(train, nil, &Options{Grid: graph.Grid{Rows: 4, Cols: 4}, Supervised: true, Missing: true, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Map().Config().Missing || !math.IsNaN(l.Train().Row(3)[2]) {
		t.Fatalf("missing %v, record 3's target %v", l.Map().Config().Missing, l.Train().Row(3)[2:])
	}
	if err := l.Fit(10); err != nil {
		t.Fatal(err)
	}
	preds, err := l.Predict(train)
	if err != nil {
		t.Fatal(err)
	}
	hit, n := 0, 0
	for i, p := range preds {
		if train.Labels[i] != "" {
			n++
			if p.Class == train.Labels[i] {
				hit++
			}
		}
	}
	h := l.History()
	if acc := h[len(h)-1].TrainTarget.Accuracy; n != 90 || acc != float64(hit)/90 || acc < 0.85 {
		t.Errorf("accuracy %v, want %d/%d ≥ 0.85", acc, hit, n)
	}
}
