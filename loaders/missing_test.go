package loaders

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sameNaN reports whether a and b are equal to 1e-12, NaN matching NaN.
func sameNaN(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return math.Abs(x-y) <= 1e-12 || math.IsNaN(x) && math.IsNaN(y)
	})
}

// skipCSV has a continuous column with holes, a complete one and a
// categorical one with a hole.
const skipCSV = "x,y,c\n1,10,a\nNA,20,b\n4,,a\n7,40,\n"

// TestSkipMissingEncodes checks SkipMissing against values worked out by
// hand: missing values stay NaN (a missing category makes its whole
// group NaN), the scaling uses the present values only, and no missing
// level or indicator appears. FillMissing on the same data fills.
func TestSkipMissingEncodes(t *testing.T) {
	skip, err := LoadReader(strings.NewReader(skipCSV), &Options{Pipeline: PipelineOptions{Missing: SkipMissing}})
	if err != nil {
		t.Fatal(err)
	}
	p := skip.Pipeline
	if got, want := p.Features(), []string{"x", "y", "c=a", "c=b"}; !slices.Equal(got, want) {
		t.Fatalf("features %v, want %v (no missing level)", got, want)
	}
	// x: present 1, 4, 7: mean 4, population sd sqrt(6). y: 10, 20, 40.
	sdx := math.Sqrt(6)
	my := 70.0 / 3
	sdy := math.Sqrt(((10-my)*(10-my) + (20-my)*(20-my) + (40-my)*(40-my)) / 3)
	nan := math.NaN()
	want := []float64{
		(1 - 4) / sdx, (10 - my) / sdy, 1, 0,
		nan, (20 - my) / sdy, 0, 1,
		0, nan, 1, 0,
		3 / sdx, (40 - my) / sdy, nan, nan,
	}
	if !sameNaN(skip.Train.Data, want) {
		t.Fatalf("encoded %v, want %v", skip.Train.Data, want)
	}
	if err := skip.Train.Check(); err == nil {
		t.Error("Check accepted NaN")
	}
	if err := skip.Train.CheckMissing(); err != nil {
		t.Errorf("CheckMissing: %v", err)
	}
	fill, err := LoadReader(strings.NewReader(skipCSV), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := fill.Train.Check(); err != nil {
		t.Errorf("fill left a missing value: %v", err)
	}
	if got := fill.Pipeline.Features(); !slices.Contains(got, "c="+MissingLevel) {
		t.Errorf("fill features %v lack the missing level", got)
	}
	// The pipeline keeps its policy through JSON, and EncodeRecord
	// follows it; a fill pipeline's JSON has no "missing" key (old files
	// stay the same).
	q, b := jsonRoundTrip(t, p)
	if !strings.Contains(string(b), `"missing":"skip"`) {
		t.Errorf("JSON %s lacks the policy", b)
	}
	rec, err := q.EncodeRecord([]string{"NA", "20", "NA"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sameNaN(rec, []float64{nan, (20 - my) / sdy, nan, nan}) {
		t.Errorf("EncodeRecord %v", rec)
	}
	if _, err := q.EncodeRecord([]string{"NA", "", "?"}, nil); !errors.Is(err, ErrNoFeaturePresent) {
		t.Errorf("EncodeRecord of an empty record: %v, want ErrNoFeaturePresent", err)
	}
	fb, _ := json.Marshal(fill.Pipeline)
	if strings.Contains(string(fb), `"missing":"`) {
		t.Errorf("fill pipeline JSON names a policy: %s", fb)
	}
}

// TestSkipMissingNoFeatureRow checks that a record with no feature present
// is an error naming its file and line on every reading path: in memory
// (general and fast numeric readers), streamed, and shard by shard.
func TestSkipMissingNoFeatureRow(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, data, where string
	}{
		// The target is not a feature; the empty row is on line 4.
		{"mixed.csv", "x,c,y\n1,a,p\n2,b,q\nNA,,p\n3,a,q\n", "mixed.csv:4"},
		// Plain numbers: the fast reader.
		{"numeric.csv", "x,y\n1,2\n3,4\n5,6\nNA,NA\n", "numeric.csv:5"},
		// An empty line shifts the rows: the general reader's line.
		{"blank.csv", "x,y\n1,2\n\n3,4\n,\n", "blank.csv:5"},
		{"blanks.csv", "x,y\n\n1,2\n3,4\n\n\n5,6\n7,8\n\r\nNA,\n", "blanks.csv:10"},
		// Quotes: the general reader too.
		{"quoted.csv", "x,c\n\"1\",a\n2,b\n\"NA\",\"\"\n", "quoted.csv:4"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, []byte(c.data), 0o644); err != nil {
			t.Fatal(err)
		}
		opts := &Options{Pipeline: PipelineOptions{Missing: SkipMissing}}
		if strings.HasPrefix(c.name, "mixed") {
			opts.Read.Target = "y"
		}
		check := func(how string, err error) {
			t.Helper()
			if !errors.Is(err, ErrNoFeaturePresent) || !strings.Contains(err.Error(), c.where+":") {
				t.Errorf("%s %s: %v, want ErrNoFeaturePresent at %s", c.name, how, err, c.where)
			}
		}
		_, err := Load(path, opts)
		check("in memory", err)
		_, err = LoadReader(strings.NewReader(c.data), &Options{Read: ReadOptions{Name: path, Target: opts.Read.Target}, Pipeline: opts.Pipeline})
		check("from a reader", err)
		for _, w := range []int{1, 5, 9} { // windows of whole lines, empty lines at their edges
			old := windowSize
			windowSize = w
			_, err = Load(path, opts)
			windowSize = old
			check(fmt.Sprintf("in windows of %d bytes", w), err)
		}
		so := *opts
		so.StreamAbove = 1
		_, err = Load(path, &so)
		check("streamed", err)
		op := func() (io.ReadCloser, error) { return os.Open(path) }
		sum, err := FitShard(path, op, opts)
		if err != nil {
			t.Fatalf("%s: FitShard: %v", c.name, err)
		}
		p, err := sum.Pipeline(opts)
		if err != nil {
			t.Fatalf("%s: shard pipeline: %v", c.name, err)
		}
		_, _, err = EncodeShard(path, op, p, opts, func([]float64, int, string, bool) error { return nil })
		check("shard", err)
		// With FillMissing the same file loads.
		if _, err := Load(path, &Options{Read: opts.Read}); err != nil {
			t.Errorf("%s with fill: %v", c.name, err)
		}
	}
}

// TestSkipMissingStreamMatchesMemory reads penguins (which has missing
// values in continuous and categorical columns) with SkipMissing in
// memory, streamed and by shards: the same pipeline and the same NaNs.
func TestSkipMissingStreamMatchesMemory(t *testing.T) {
	data, _ := BuiltinCSV("penguins")
	ro, _ := BuiltinReadOptions("penguins", nil)
	opts := &Options{Read: ro, Pipeline: PipelineOptions{Missing: SkipMissing}, ValidFrac: 0.2, Seed: 3}
	mem, err := LoadReader(strings.NewReader(string(data)), opts)
	if err != nil {
		t.Fatal(err)
	}
	nan := 0
	for _, v := range mem.Train.Data {
		if math.IsNaN(v) {
			nan++
		}
	}
	if nan == 0 {
		t.Fatal("penguins read with SkipMissing has no NaN")
	}
	for _, c := range mem.Pipeline.Columns {
		if slices.Contains(c.Levels, MissingLevel) || c.Indicator {
			t.Errorf("column %s: levels %v, indicator %v", c.Name, c.Levels, c.Indicator)
		}
	}
	// The streamed split draws each row on its own: compare without one.
	whole := &Options{Read: ro, Pipeline: opts.Pipeline}
	mw, err := LoadReader(strings.NewReader(string(data)), whole)
	if err != nil {
		t.Fatal(err)
	}
	sw, err := LoadStream(opener(data), whole)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(mw.Pipeline)
	jb, _ := json.Marshal(sw.Pipeline)
	if string(ja) != string(jb) {
		t.Errorf("pipelines differ:\n%s\n%s", ja, jb)
	}
	if mw.Train.N != sw.Train.N || !sameNaN(mw.Train.Data, sw.Train.Data) {
		t.Errorf("streamed rows differ from the rows read in memory")
	}
}

// TestSkipMissingErrors tries bad input for the policy: an unknown name,
// indicators with skip, a column with no value, a pipeline file naming an
// unknown policy or an indicator under skip, and datasets with infinite
// values or empty records.
func TestSkipMissingErrors(t *testing.T) {
	for _, s := range []string{"fill", "Skip ", ""} {
		if _, err := ParseMissing(s); err != nil {
			t.Errorf("ParseMissing(%q): %v", s, err)
		}
	}
	if _, err := ParseMissing("impute"); err == nil || !strings.Contains(err.Error(), "fill or skip") {
		t.Errorf("ParseMissing(impute): %v", err)
	}
	if _, err := LoadReader(strings.NewReader(skipCSV), &Options{Pipeline: PipelineOptions{Missing: SkipMissing, NAIndicators: true}}); err == nil || !strings.Contains(err.Error(), "indicators") {
		t.Errorf("indicators with skip: %v", err)
	}
	if _, err := LoadReader(strings.NewReader(skipCSV), &Options{Pipeline: PipelineOptions{Missing: SkipMissing, Encode: Embedding}}); err == nil || !strings.Contains(err.Error(), "embeddings") {
		t.Errorf("embeddings with skip: %v", err)
	}
	if _, err := LoadReader(strings.NewReader("x,y\nNA,1\nNA,2\n"), &Options{Pipeline: PipelineOptions{Missing: SkipMissing}}); !errors.Is(err, ErrAllMissing) {
		t.Errorf("an all-missing column: %v, want ErrAllMissing", err)
	}
	db, err := LoadReader(strings.NewReader(skipCSV), &Options{Pipeline: PipelineOptions{Missing: SkipMissing}})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(db.Pipeline)
	for name, bad := range map[string]string{
		"unknown policy": strings.Replace(string(good), `"missing":"skip"`, `"missing":"impute"`, 1),
		"number policy":  strings.Replace(string(good), `"missing":"skip"`, `"missing":7`, 1),
		"indicator":      strings.Replace(string(good), `"kind":"continuous",`, `"kind":"continuous","indicator":true,`, 1),
	} {
		if bad == string(good) {
			t.Fatalf("%s: the replacement did not apply to %s", name, good)
		}
		var p Pipeline
		if err := json.Unmarshal([]byte(bad), &p); !errors.Is(err, ErrPipeline) {
			t.Errorf("%s: %v, want ErrPipeline", name, err)
		}
	}
	// A table built in memory has no lines: the error names the row.
	tab, err := FromColumns("mem", []Column{{Name: "x", Num: []float64{1, math.NaN()}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewDataBunch(tab, &Options{Pipeline: PipelineOptions{Missing: SkipMissing}}); !errors.Is(err, ErrNoFeaturePresent) || !strings.Contains(err.Error(), "mem: row 2") {
		t.Errorf("in-memory table: %v, want ErrNoFeaturePresent at row 2", err)
	}
	inf := math.Inf(1)
	for name, ds := range map[string]*Dataset{
		"inf":   {Data: []float64{1, math.NaN(), inf, 2}, N: 2, D: 2},
		"empty": {Data: []float64{1, math.NaN(), math.NaN(), math.NaN()}, N: 2, D: 2},
	} {
		err := ds.CheckMissing()
		if err == nil || !strings.Contains(err.Error(), "row 1") {
			t.Errorf("%s: %v, want an error naming row 1", name, err)
		}
		if name == "empty" && !errors.Is(err, ErrNoFeaturePresent) {
			t.Errorf("empty record: %v, want ErrNoFeaturePresent", err)
		}
	}
}

// TestSkipMissingNumericStream reads a plain numeric file with holes (the
// fast windowed readers) with SkipMissing in memory and streamed: the
// same pipeline and the same NaNs.
func TestSkipMissingNumericStream(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c\n")
	for i := range 500 {
		v := []string{fmt.Sprint(i % 7), fmt.Sprint(i * i % 13), fmt.Sprint(i % 5)}
		v[i%3] = "NA"
		if i%11 == 0 {
			v[(i+1)%3] = ""
		}
		b.WriteString(strings.Join(v, ",") + "\n")
	}
	data := []byte(b.String())
	dir := t.TempDir()
	path := filepath.Join(dir, "holes.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := &Options{Pipeline: PipelineOptions{Missing: SkipMissing}}
	mem, err := Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	so := *opts
	so.StreamAbove = 1
	str, err := Load(path, &so)
	if err != nil {
		t.Fatal(err)
	}
	if !str.Streamed {
		t.Fatal("not streamed")
	}
	ja, _ := json.Marshal(mem.Pipeline)
	jb, _ := json.Marshal(str.Pipeline)
	if string(ja) != string(jb) {
		t.Errorf("pipelines differ:\n%s\n%s", ja, jb)
	}
	nan := 0
	for _, v := range mem.Train.Data {
		if math.IsNaN(v) {
			nan++
		}
	}
	if nan < 500 || mem.Train.N != 500 || !sameNaN(mem.Train.Data, str.Train.Data) {
		t.Errorf("%d NaN in %d rows; streamed rows equal: %v", nan, mem.Train.N, sameNaN(mem.Train.Data, str.Train.Data))
	}
}
