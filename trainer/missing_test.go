package trainer

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

// penguinsSkip reads the built-in penguins (missing values in continuous
// and categorical columns) with the given missing-value policy.
func penguinsSkip(t testing.TB, policy loaders.Missing) *loaders.DataBunch {
	t.Helper()
	data, err := loaders.BuiltinCSV("penguins")
	if err != nil {
		t.Fatal(err)
	}
	ro, err := loaders.BuiltinReadOptions("penguins", nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := loaders.LoadReader(bytes.NewReader(data), &loaders.Options{Read: ro, Pipeline: loaders.PipelineOptions{Missing: policy}, ValidFrac: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// refBMUMissing is the reference search of one record with missing
// features: the Euclidean distance over the present features, scaled to
// the full dimension (√(D/present · Σ (x−w)²)), lowest unit on ties.
func refBMUMissing(w []float64, d int, x []float64) (int, float64) {
	best, bestD := -1, math.Inf(1)
	for k := 0; k < len(w)/d; k++ {
		var s float64
		present := 0
		for f, v := range x {
			if !math.IsNaN(v) {
				s += (v - w[k*d+f]) * (v - w[k*d+f])
				present++
			}
		}
		if dist := math.Sqrt(s * float64(d) / float64(present)); dist < bestD {
			best, bestD = k, dist
		}
	}
	return best, bestD
}

// TestMissingSkipTrains trains on penguins with SkipMissing: the learner
// sets graph.Config.Missing from the pipeline, the metrics are finite, the
// model file stores the flag and its pipeline, predictions on records with
// missing values match a plain-Go reference, and they are the same after
// the model is written and read back.
func TestMissingSkipTrains(t *testing.T) {
	for _, mode := range []Mode{MiniBatch, Batch} {
		t.Run(mode.String(), func(t *testing.T) { testMissingSkipTrains(t, mode) })
	}
}

func testMissingSkipTrains(t *testing.T, mode Mode) {
	db := penguinsSkip(t, loaders.SkipMissing)
	opts := Options{Grid: graph.Grid{Rows: 4, Cols: 4}, Pipeline: db.Pipeline, Seed: 3, Mode: mode}
	l, err := New(db.Train, db.Valid, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Options().Missing || !l.Map().Config().Missing {
		t.Fatalf("Options.Missing %v, Config.Missing %v: want both set by the skip pipeline", l.Options().Missing, l.Map().Config().Missing)
	}
	if err := l.Fit(4); err != nil {
		t.Fatal(err)
	}
	for _, e := range l.History() {
		for _, v := range []float64{e.Train.QE, e.Train.TE, e.Train.Distortion, e.Valid.QE, e.Valid.TE, e.Valid.Distortion} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("epoch %d metrics %+v / %+v are not finite", e.Epoch, e.Train, e.Valid)
			}
		}
	}
	var buf bytes.Buffer
	if err := l.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"missing":true`) || !strings.Contains(buf.String(), `"missing":"skip"`) {
		t.Fatal("the model file stores neither the map's nor the pipeline's policy")
	}
	m, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Config.Missing || !m.Missing || m.Pipeline.Options.Missing != loaders.SkipMissing {
		t.Fatalf("loaded: Config.Missing %v, Options.Missing %v, pipeline %v", m.Config.Missing, m.Missing, m.Pipeline.Options.Missing)
	}
	// The valid split holds records with missing values.
	holes := 0
	for _, v := range db.Valid.Data {
		if math.IsNaN(v) {
			holes++
		}
	}
	if holes == 0 {
		t.Fatal("the valid split has no missing value: the test would prove nothing")
	}
	before, err := l.Predict(db.Valid)
	if err != nil {
		t.Fatal(err)
	}
	after, err := m.Predict(db.Valid)
	if err != nil {
		t.Fatal(err)
	}
	w, d := l.Map().Weights(), db.Valid.D
	for i := range before {
		k, dist := refBMUMissing(w, d, db.Valid.Row(i))
		if before[i] != after[i] || before[i].Unit != k || math.Abs(before[i].Dist-dist) > 1e-4*(1+dist) {
			t.Fatalf("record %d: learner %+v, loaded model %+v, reference unit %d at %v", i, before[i], after[i], k, dist)
		}
	}
	// A fill model's file has no "missing" key, as before.
	fill := penguinsSkip(t, loaders.FillMissing)
	fo := Options{Grid: graph.Grid{Rows: 3, Cols: 3}, Pipeline: fill.Pipeline}
	fl, err := New(fill.Train, nil, &fo)
	if err != nil {
		t.Fatal(err)
	}
	if fl.Map().Config().Missing {
		t.Error("a fill pipeline set Config.Missing")
	}
	buf.Reset()
	if err := fl.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"missing":true`) || strings.Contains(buf.String(), `"missing":"`) {
		t.Error("a fill model's file names a missing-value policy")
	}
	// A model that fills rejects records with missing values.
	if _, err := fl.Predict(db.Valid); err == nil {
		t.Error("a fill model predicted records holding NaN")
	}
}

// TestMissingErrors tries the bad input of skipping missing values: the
// mixed distance, an infinite value, a feature missing in every record, a
// record with no feature present (train and predict), a model file whose
// pipeline skips but whose map does not, and a flag of the wrong type.
func TestMissingErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	grid := graph.Grid{Rows: 2, Cols: 2}
	ds := func(data ...float64) *loaders.Dataset {
		return &loaders.Dataset{Data: data, N: len(data) / 2, D: 2, Features: []string{"a", "b"}}
	}
	db := penguinsSkip(t, loaders.SkipMissing)
	if _, err := New(db.Train, nil, &Options{Grid: grid, Pipeline: db.Pipeline, Distance: graph.Mixed}); !errors.Is(err, graph.ErrDistance) || !strings.Contains(err.Error(), "mixed") {
		t.Errorf("mixed distance with skip: %v, want ErrDistance naming mixed", err)
	}
	cases := []struct {
		name string
		data *loaders.Dataset
		want string
	}{
		{"infinite", ds(1, 2, inf, nan, 3, 4), "row 1, column 0 is +Inf"},
		{"column all missing", ds(1, nan, 2, nan, 3, nan), "feature 1 (b) is missing in every record"},
		{"record empty", ds(1, 2, nan, nan, 3, 4), "row 1"},
	}
	for _, c := range cases {
		_, err := New(c.data, nil, &Options{Grid: grid, Missing: true})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if _, err := New(ds(1, 2, 3, 4), c.data, &Options{Grid: grid, Missing: true}); c.name != "column all missing" && err == nil {
			t.Errorf("%s as validation data: no error", c.name)
		}
	}
	if _, err := New(ds(1, 2, nan, nan, 3, 4), nil, &Options{Grid: grid, Missing: true}); !errors.Is(err, loaders.ErrNoFeaturePresent) {
		t.Errorf("empty record: %v, want ErrNoFeaturePresent", err)
	}
	l, err := New(ds(1, 2, nan, 4, 3, nan, 5, 6), nil, &Options{Grid: grid, Missing: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Predict(ds(1, nan, nan, nan)); !errors.Is(err, loaders.ErrNoFeaturePresent) || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("predict an empty record: %v, want ErrNoFeaturePresent at row 1", err)
	}
	if _, err := l.Predict(ds(1, inf)); err == nil {
		t.Error("predict an infinite value: no error")
	}
	good := exported(t, func() *Learner {
		l, err := New(db.Train, nil, &Options{Grid: grid, Pipeline: db.Pipeline})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}())
	for name, fn := range map[string]func(doc map[string]any){
		"pipeline skips, map does not": func(doc map[string]any) { delete(doc, "missing") },
		"missing not a bool":           func(doc map[string]any) { doc["missing"] = "yes" },
	} {
		if _, err := Load(bytes.NewReader(edit(t, good, fn))); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := Load(bytes.NewReader(good)); err != nil {
		t.Fatalf("the unedited file: %v", err)
	}
}
