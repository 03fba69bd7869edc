package loaders

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// mixedTable has a continuous column with a missing value, a constant
// column, and a categorical column with a missing value.
const mixedCSV = "x,k,c,y\n" +
	"1.5,7,red,p\n" +
	"NA,7,blue,q\n" +
	"-3,7,red,p\n" +
	"10,7,NA,q\n" +
	"2,7,green,p\n"

func mustRead(t *testing.T, in string, opts *ReadOptions) *Table {
	t.Helper()
	tab, err := ReadCSV(strings.NewReader(in), opts)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestRecategorizeEncodeRoundTrip(t *testing.T) {
	for _, enc := range []Encoding{OneHot, Ordinal} {
		t.Run(enc.String(), func(t *testing.T) {
			tab := mustRead(t, mixedCSV+"5,7,blue,p\n", &ReadOptions{Target: "y"})
			p, err := Fit(tab, nil, &PipelineOptions{Encode: enc})
			if err != nil {
				t.Fatal(err)
			}
			ds, err := p.Transform(tab)
			if err != nil {
				t.Fatal(err)
			}
			c := tab.Column("c")
			for i := 0; i < ds.N; i++ {
				got, err := p.Recategorize(ds.Row(i))
				if err != nil {
					t.Fatal(err)
				}
				want := c.Str[i]
				if c.IsMissing(i) {
					want = MissingLevel
				}
				if len(got) != 1 || got[0] != want {
					t.Errorf("row %d: Recategorize(Encode(%q)) = %q", i, want, got)
				}
			}
			if got, want := slices.Clone(ds.Labels), []string{"p", "q", "p", "q", "p", "p"}; !slices.Equal(got, want) {
				t.Errorf("labels %v, want %v", got, want)
			}
		})
	}
}

func TestDenormalizeNormalizeRoundTrip(t *testing.T) {
	const rel = 1e-6
	data, err := BuiltinCSV("housing")
	if err != nil {
		t.Fatal(err)
	}
	housing := mustRead(t, string(data), &ReadOptions{Target: "median_house_value"})
	small := mustRead(t, "a,b,c\n1e-9,5,-1e6\n3e-9,5,2e6\n2e-9,5,0.5\n", nil)
	for _, tc := range []struct {
		name string
		tab  *Table
	}{{"housing", housing}, {"tiny, constant, large", small}} {
		for _, sc := range []Scaling{ZScore, MinMax, NoScaling} {
			t.Run(tc.name+"/"+sc.String(), func(t *testing.T) {
				p, err := Fit(tc.tab, nil, &PipelineOptions{Normalize: sc, NAIndicators: true})
				if err != nil {
					t.Fatal(err)
				}
				ds, err := p.Transform(tc.tab)
				if err != nil {
					t.Fatal(err)
				}
				var conts []*Column
				for i := range tc.tab.Columns {
					if tc.tab.Columns[i].Role == Continuous {
						conts = append(conts, &tc.tab.Columns[i])
					}
				}
				for i := 0; i < ds.N; i++ {
					got, err := p.Denormalize(ds.Row(i))
					if err != nil {
						t.Fatal(err)
					}
					for j, c := range conts {
						want := c.Num[i]
						if math.IsNaN(want) {
							want = p.Columns[slices.IndexFunc(p.Columns, func(f FittedColumn) bool { return f.Name == c.Name })].Fill
						}
						if math.Abs(got[j]-want) > rel*math.Abs(want) {
							t.Fatalf("row %d %s: Denormalize(Normalize(%v)) = %v, relative error %.3g > %g", i, c.Name, want, got[j], math.Abs(got[j]-want)/math.Abs(want), rel)
						}
					}
				}
			})
		}
	}
}

func TestNormalizeStatistics(t *testing.T) {
	// x train values 1.5, -3, 10, 2 and one missing: median of four is
	// (1.5+2)/2 = 1.75; filled column 1.5, 1.75, -3, 10, 2.
	filled := []float64{1.5, 1.75, -3, 10, 2}
	var mean, ss float64
	for _, v := range filled {
		mean += v
	}
	mean /= 5
	for _, v := range filled {
		ss += (v - mean) * (v - mean)
	}
	std := math.Sqrt(ss / 5)
	const tol = 1e-12
	cases := []struct {
		name          string
		opts          PipelineOptions
		center, scale float64
		kCenter       float64 // the constant column
	}{
		{"zscore", PipelineOptions{}, mean, std, 7},
		{"minmax", PipelineOptions{Normalize: MinMax}, -3, 13, 7},
		{"none", PipelineOptions{Normalize: NoScaling}, 0, 1, 0},
	}
	tab := mustRead(t, mixedCSV, &ReadOptions{Target: "y"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Fit(tab, nil, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			x, k := p.Columns[0], p.Columns[1]
			if x.Fill != 1.75 || x.Missing != 1 {
				t.Errorf("fill %v (%d missing), want 1.75 (1)", x.Fill, x.Missing)
			}
			if math.Abs(x.Center-tc.center) > tol || math.Abs(x.Scale-tc.scale) > tol {
				t.Errorf("center %v scale %v, want %v %v", x.Center, x.Scale, tc.center, tc.scale)
			}
			if k.Scale != 1 || k.Center != tc.kCenter {
				t.Errorf("constant column: center %v scale %v, want %v and 1", k.Center, k.Scale, tc.kCenter)
			}
			ds, err := p.Transform(tab)
			if err != nil {
				t.Fatal(err)
			}
			if err := ds.Check(); err != nil {
				t.Errorf("encoded data not finite: %v", err)
			}
			for i := 0; i < ds.N; i++ {
				if got, want := ds.Row(i)[1], 7-tc.kCenter; got != want {
					t.Errorf("row %d constant column encodes to %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestEncodingLayout(t *testing.T) {
	tab := mustRead(t, mixedCSV, &ReadOptions{Target: "y"})
	cases := []struct {
		name     string
		opts     PipelineOptions
		features []string
	}{
		{"onehot", PipelineOptions{}, []string{"x", "k", "c=blue", "c=green", "c=red", "c=missing"}},
		{"onehot indicators", PipelineOptions{NAIndicators: true}, []string{"x", "x_na", "k", "c=blue", "c=green", "c=red", "c=missing"}},
		{"ordinal", PipelineOptions{Encode: Ordinal}, []string{"x", "k", "c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Fit(tab, nil, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Features(); !slices.Equal(got, tc.features) {
				t.Fatalf("features %q, want %q", got, tc.features)
			}
			l := p.Layout()
			if l.Width != len(tc.features) {
				t.Errorf("layout width %d, want %d", l.Width, len(tc.features))
			}
			end := 0
			for _, g := range l.Groups {
				if g.Start != end {
					t.Errorf("group %q starts at %d, want %d", g.Name, g.Start, end)
				}
				end += g.Width
			}
			if end != l.Width {
				t.Errorf("groups cover %d columns, want %d", end, l.Width)
			}
			ds, err := p.Transform(tab)
			if err != nil {
				t.Fatal(err)
			}
			// Row 3 is "10,7,NA": c is the missing level.
			cg := l.CategoricalGroups()[0]
			r := ds.Row(3)
			if tc.opts.Encode == Ordinal {
				if r[cg.Start] != 4 {
					t.Errorf("ordinal code of missing %v, want 4", r[cg.Start])
				}
			} else if !slices.Equal(r[cg.Start:cg.Start+cg.Width], []float64{0, 0, 0, 1}) {
				t.Errorf("one-hot of missing %v, want [0 0 0 1]", r[cg.Start:cg.Start+cg.Width])
			}
			if tc.opts.NAIndicators {
				if got := []float64{ds.Row(0)[1], ds.Row(1)[1]}; !slices.Equal(got, []float64{0, 1}) {
					t.Errorf("x_na of rows 0, 1 = %v, want [0 1]", got)
				}
			}
		})
	}
}

func TestUnseenCategories(t *testing.T) {
	train := mustRead(t, "v,c\n1,a\n2,b\n", nil)
	test := mustRead(t, "v,c\n1,zebra\n2,NA\n3,b\n", nil)
	for _, enc := range []Encoding{OneHot, Ordinal} {
		t.Run(enc.String(), func(t *testing.T) {
			p, err := Fit(train, nil, &PipelineOptions{Encode: enc})
			if err != nil {
				t.Fatal(err)
			}
			ds, err := p.Transform(test)
			if err != nil {
				t.Fatalf("unseen category: %v", err)
			}
			want := []string{UnknownLevel, UnknownLevel, "b"}
			for i := range want {
				got, _ := p.Recategorize(ds.Row(i))
				if got[0] != want[i] {
					t.Errorf("row %d: %q, want %q", i, got[0], want[i])
				}
			}
			if enc == OneHot && !slices.Equal(ds.Row(0)[1:], []float64{0, 0}) {
				t.Errorf("unknown one-hot %v, want all zero", ds.Row(0)[1:])
			}
			if enc == Ordinal && ds.Row(0)[1] != 0 {
				t.Errorf("unknown ordinal code %v, want 0", ds.Row(0)[1])
			}
		})
	}
}

// TestFitOnTrainOnly changes only the validation rows and checks that the
// fitted statistics stay the same, bit for bit.
func TestFitOnTrainOnly(t *testing.T) {
	base := "x,c,split\n1,a,0\n2,b,0\n4,a,0\n8,b,0\n"
	valid1 := base + "3,a,1\n5,b,1\n"
	valid2 := base + "1e6,zebra,1\n-77,NA,1\nNA,yak,1\n"
	fit := func(in string) *DataBunch {
		db, err := LoadReader(strings.NewReader(in), &Options{ValidColumn: "split", Pipeline: PipelineOptions{NAIndicators: true}})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	a, b := fit(valid1), fit(valid2)
	ja, _ := json.Marshal(a.Pipeline)
	jb, _ := json.Marshal(b.Pipeline)
	if string(ja) != string(jb) {
		t.Errorf("statistics changed with the validation rows:\n%s\n%s", ja, jb)
	}
	if a.Train.N != 4 || a.Valid.N != 2 || b.Valid.N != 3 {
		t.Errorf("split sizes %d/%d and %d, want 4/2 and 3", a.Train.N, a.Valid.N, b.Valid.N)
	}
	if slices.Contains(a.Features(), "split") {
		t.Errorf("the split column is a feature: %v", a.Features())
	}
	// The same holds for a random split: fit the rows by hand and compare.
	tab := mustRead(t, valid1, nil)
	db, err := NewDataBunch(tab, &Options{ValidFrac: 0.5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Fit(tab.Subset(db.TrainRows), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(db.Pipeline)
	j2, _ := json.Marshal(p)
	if string(j1) != string(j2) {
		t.Errorf("random split: pipeline %s differs from one fitted on the train rows %s", j1, j2)
	}
}

// jsonRoundTrip encodes p as JSON and decodes it into a new Pipeline,
// failing the test on any error; it returns the decoded pipeline and the
// JSON.
func jsonRoundTrip(t testing.TB, p *Pipeline) (*Pipeline, []byte) {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Pipeline
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatalf("decoding an encoded pipeline: %v\n%s", err, b)
	}
	return &q, b
}

func TestPipelineJSON(t *testing.T) {
	tab := mustRead(t, mixedCSV, &ReadOptions{Target: "y"})
	p, err := Fit(tab, nil, &PipelineOptions{Normalize: MinMax, NAIndicators: true})
	if err != nil {
		t.Fatal(err)
	}
	q, b := jsonRoundTrip(t, p)
	d1, err := p.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := q.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d1.Data, d2.Data) || !slices.Equal(d1.Features, d2.Features) {
		t.Errorf("decoded pipeline encodes differently")
	}
	if !strings.Contains(string(b), `"normalize":"minmax"`) || !strings.Contains(string(b), `"kind":"categorical"`) {
		t.Errorf("enums are not written by name: %s", b)
	}
	q.Columns = slices.Clone(q.Columns)
	q.Columns[0].Scale = -1
	if err := q.Validate(); !errors.Is(err, ErrPipeline) {
		t.Errorf("Validate of a negative scale: got %v", err)
	}
	if names := tab.Names(); !slices.Equal(names, []string{"x", "k", "c", "y"}) {
		t.Errorf("names %v", names)
	}
	good := string(b)
	bad := []struct{ name, from, to string }{
		{"version", `"version":1`, `"version":2`},
		{"zero scale", `"scale":13`, `"scale":0`},
		{"negative scale", `"scale":13`, `"scale":-1`},
		{"kind auto", `"kind":"continuous"`, `"kind":"auto"`},
		{"unknown kind", `"kind":"continuous"`, `"kind":"weird"`},
		{"unknown encoding", `"encode":"onehot"`, `"encode":"hash"`},
		{"no levels", `"levels":["blue","green","red","missing"]`, `"levels":[]`},
		{"duplicate levels", `"levels":["blue","green","red","missing"]`, `"levels":["blue","blue"]`},
		{"duplicate names", `"name":"k"`, `"name":"x"`},
		{"fill type", `"fill":1.75`, `"fill":"a"`},
		{"truncated", `}]}`, `}]`},
		{"no columns", good, `{"version":1,"options":{},"columns":[]}`},
		{"not json", good, `garbage`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.from) {
				t.Fatalf("test setup: %q not in %s", tc.from, good)
			}
			var r Pipeline
			err := json.Unmarshal([]byte(strings.Replace(good, tc.from, tc.to, 1)), &r)
			if err == nil {
				t.Fatal("corrupted pipeline decoded without error")
			}
			var syntax *json.SyntaxError
			if !errors.Is(err, ErrPipeline) && !errors.As(err, &syntax) {
				t.Errorf("got %v, want ErrPipeline or a JSON syntax error", err)
			}
		})
	}
}

// TestValidateCopy validates a changed copy of a pipeline: the original
// must keep its features (init once reused their backing array).
func TestValidateCopy(t *testing.T) {
	tab := mustRead(t, mixedCSV, &ReadOptions{Target: "y"})
	p, err := Fit(tab, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := p.Features()
	q := *p
	q.Columns = slices.Clone(q.Columns)
	q.Columns[0].Name = "renamed"
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := p.Features(); !slices.Equal(got, want) {
		t.Errorf("validating a copy changed the original's features: %v, want %v", got, want)
	}
	if got := q.Features(); got[0] != "renamed" {
		t.Errorf("copy's features %v, want the renamed column first", got)
	}
}

func idRows(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "id%d,%d\n", i, i)
	}
	return b.String()
}

func TestLevelCap(t *testing.T) {
	tab := mustRead(t, "id,x\n"+idRows(DefaultMaxLevels+1), nil)
	cases := []struct {
		name string
		opts PipelineOptions
		ok   bool
	}{
		{"default cap", PipelineOptions{}, false},
		{"raised", PipelineOptions{MaxLevels: 5000}, true},
		{"no cap", PipelineOptions{MaxLevels: -1}, true},
		{"ordinal has none", PipelineOptions{Encode: Ordinal}, true},
		{"at the cap", PipelineOptions{MaxLevels: DefaultMaxLevels + 1}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fit(tab, nil, &tc.opts)
			if (err == nil) != tc.ok {
				t.Errorf("got %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestFitErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		opts *ReadOptions
		want error
		msg  string
	}{
		{"all missing in train", "a,b\nNA,1\nNA,2\n", nil, ErrAllMissing, `column "a"`},
		{"no features", "a,b\n1,2\n", &ReadOptions{Target: "a", Ignore: []string{"b"}}, ErrNoFeatures, ""},
		{"too large", "a\n1e308\n-1e308\n1.7e308\n", nil, nil, "too large to normalize"},
		{"id column one-hot", "id,x\n" + idRows(DefaultMaxLevels+1), nil, ErrTooManyLevels, `column "id"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fit(mustRead(t, tc.in, tc.opts), nil, nil)
			if err == nil {
				t.Fatal("got no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "loaders: ") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q: want the package prefix and %q", err, tc.msg)
			}
		})
	}
	for _, rows := range [][]int{{5}, {0, -1}} {
		if _, err := Fit(mustRead(t, "a,c\n1,x\n", nil), rows, nil); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("fit rows %v: got %v, want an out-of-range error", rows, err)
		}
	}
}

func TestTransformAndEncodeErrors(t *testing.T) {
	train := mustRead(t, "a,c\n1,x\n2,y\n", nil)
	p, err := Fit(train, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"missing column", func() error { _, err := p.Transform(mustRead(t, "a\n1\n", nil)); return err }, ErrMissingColumn},
		{"text in continuous input", func() error {
			_, err := p.Transform(mustRead(t, "a,c\nabc,x\n", &ReadOptions{Cat: []string{"a"}}))
			return err
		}, ErrNotNumber},
		{"normalizes to inf", func() error { _, err := p.Transform(mustRead(t, "a,c\n1.7e308,x\n", nil)); return err }, ErrInfinite},
		{"record length", func() error { _, err := p.EncodeRecord([]string{"1"}, nil); return err }, ErrShape},
		{"record not a number", func() error { _, err := p.EncodeRecord([]string{"one", "x"}, nil); return err }, ErrNotNumber},
		{"record infinite", func() error { _, err := p.EncodeRecord([]string{"Inf", "x"}, nil); return err }, ErrInfinite},
		{"denormalize length", func() error { _, err := p.Denormalize([]float64{1}); return err }, ErrShape},
		{"recategorize length", func() error { _, err := p.Recategorize(nil); return err }, ErrShape},
		{"codebook length", func() error { return p.WriteCodebook(&strings.Builder{}, make([]float64, 5), 1, 2) }, ErrShape},
		{"unfitted", func() error { _, err := (&Pipeline{}).Transform(train); return err }, ErrPipeline},
		{"unfitted decode", func() error { _, err := (&Pipeline{}).Decode(nil); return err }, ErrPipeline},
		{"columns changed", func() error {
			q := *p
			q.Columns = append(q.Columns, FittedColumn{Name: "z", Kind: Continuous, Scale: 1})
			_, err := q.EncodeRecord([]string{"1", "x", "2"}, nil)
			return err
		}, ErrPipeline},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	got, err := p.EncodeRecord([]string{"NA", "y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 0, 1}; !slices.Equal(got, want) { // median 1.5 is the mean: 0
		t.Errorf("EncodeRecord(NA, y) = %v, want %v", got, want)
	}
	// A pipeline without markers (JSON "na": null) reads DefaultNA, as
	// Transform and ReadOptions do.
	q := *p
	q.NA = nil
	if got, err := q.EncodeRecord([]string{"NA", "y"}, nil); err != nil || !slices.Equal(got, []float64{0, 0, 1}) {
		t.Errorf("EncodeRecord(NA, y) with nil NA = %v, %v; want [0 0 1]", got, err)
	}
}

// TestLayoutMixedWeights checks the layout facts the trainer builds the
// Mixed distance from (graph.MixedLayout; its values are tested in graph).
func TestLayoutMixedWeights(t *testing.T) {
	// Layout: continuous a, b; one-hot c (3 levels); ordinal d (2 levels).
	l := Layout{Width: 6, Groups: []Group{
		{Name: "a", Kind: Continuous, Start: 0, Width: 1},
		{Name: "b", Kind: Continuous, Start: 1, Width: 1},
		{Name: "c", Kind: Categorical, Start: 2, Width: 3, Levels: []string{"x", "y", "z"}},
		{Name: "d", Kind: Categorical, Start: 5, Width: 1, Encoding: Ordinal, Levels: []string{"p", "q"}},
	}}
	if wc, wm := l.MixedWeights(); wc != 0.5 || wm != 0.25 {
		t.Errorf("weights %v, %v; want 0.5, 0.25", wc, wm)
	}
	if got := l.ContinuousColumns(); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("continuous columns %v, want [0 1]", got)
	}
	if got := l.CategoricalGroups(); len(got) != 2 || got[0].Name != "c" || got[1].Name != "d" {
		t.Errorf("categorical groups %v, want c and d", got)
	}
	codes := []struct {
		g    int
		v    []float64
		want int
	}{
		{2, []float64{0, 0, 0.6, 0.3, 0.1, 1}, 0},
		{2, []float64{0, 0, 0, 0.2, 0.2, 1}, 1}, // ties to the lowest level
		{2, []float64{0, 0, 0, 0, 0, 1}, -1},    // no positive column: unknown
		{3, []float64{0, 0, 1, 0, 0, 1.4}, 0},
		{3, []float64{0, 0, 1, 0, 0, 0.4}, -1},
		{3, []float64{0, 0, 1, 0, 0, 7}, 1}, // beyond the last level: the last
	}
	for _, c := range codes {
		if got := l.Groups[c.g].Code(c.v); got != c.want {
			t.Errorf("group %s, %v: code %d, want %d", l.Groups[c.g].Name, c.v, got, c.want)
		}
	}
}

// TestPredictPath reads new raw rows the way the CLI's predict does: with
// the pipeline's ReadOptions, extra columns ignored, the target optional.
func TestPredictPath(t *testing.T) {
	db, err := Builtin("penguins", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := db.Pipeline
	cases := []struct {
		name   string
		in     string
		labels []string
		want   error
	}{
		{"no target, extra column, reordered, unseen island",
			"id,year,sex,body_mass_g,flipper_length_mm,bill_depth_mm,bill_length_mm,island\n" +
				"1,2008,male,4000,200,17,44,Biscoe\n" +
				"2,NA,NA,NA,NA,NA,NA,Atlantis\n", nil, nil},
		{"target partly missing",
			"species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n" +
				"Adelie,Dream,39,18,190,3700,female,2007\n" +
				"NA,Dream,39,18,190,3700,female,2007\n", []string{"Adelie", ""}, nil},
		{"missing input column", "island,year\nDream,2007\n", nil, ErrMissingColumn},
		{"bad number names the line", "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n" +
			"Dream,39,18,190,3700,female,2007\nDream,x,18,190,3700,female,2007\n", nil, ErrNotNumber},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ro := p.ReadOptions()
			ro.Name = "new.csv"
			tab, err := ReadCSV(strings.NewReader(tc.in), &ro)
			if err == nil {
				var ds *Dataset
				ds, err = p.Transform(tab)
				if err == nil {
					if ds.D != p.Width() || !slices.Equal(ds.Labels, tc.labels) {
						t.Errorf("got %d columns, labels %q; want %d, %q", ds.D, ds.Labels, p.Width(), tc.labels)
					}
					if tc.labels == nil {
						dec, _ := p.Decode(ds.Row(1))
						if dec[0] != UnknownLevel || dec[5] != MissingLevel {
							t.Errorf("decoded %v: want an unknown island and a missing sex", dec)
						}
					}
				}
			}
			if tc.want == nil && err != nil {
				t.Fatal(err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}
