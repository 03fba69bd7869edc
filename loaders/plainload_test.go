package loaders

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// loadBoth loads data from a file (after a prefix the reader has passed)
// with and without Options.NoTable, in windows of window bytes, and fails
// unless both give the same bunch bit for bit (pipeline, datasets, row
// indices, skips) or the same error, and the NoTable bunch has no table.
// It reports whether the one-pass path (loadPlain) took the file; when it
// declines, it must leave the file where it was.
func loadBoth(t *testing.T, data string, opts Options, window int) bool {
	t.Helper()
	defer func(w int) { windowSize = w }(windowSize)
	windowSize = window
	const prefix = "not,the,data\n"
	open := func() io.Reader {
		f := tempFile(t, prefix+data)
		if _, err := f.Seek(int64(len(prefix)), io.SeekStart); err != nil {
			t.Fatal(err)
		}
		return f
	}
	want, werr := LoadReader(open(), &opts)
	o := opts
	o.NoTable = true
	got, err := LoadReader(open(), &o)
	if errString(err) != errString(werr) {
		t.Fatalf("%.60q %+v in %d-byte windows: errors differ:\nNoTable %v\ntable   %v", data, opts, window, err, werr)
	}
	if err == nil {
		if got.Table != nil {
			t.Errorf("%.60q: NoTable bunch has a table", data)
		}
		jg, _ := json.Marshal(got.Pipeline)
		jw, _ := json.Marshal(want.Pipeline)
		if string(jg) != string(jw) {
			t.Fatalf("%.60q %+v in %d-byte windows: pipelines differ:\n%s\n%s", data, opts, window, jg, jw)
		}
		for _, pair := range [][2]*Dataset{{got.Train, want.Train}, {got.Valid, want.Valid}} {
			if !sameDataset(pair[0], pair[1]) || pair[0] != nil && !slices.Equal(pair[0].Labels, pair[1].Labels) {
				t.Fatalf("%.60q %+v in %d-byte windows: datasets differ", data, opts, window)
			}
		}
		if !slices.Equal(got.TrainRows, want.TrainRows) || !slices.Equal(got.ValidRows, want.ValidRows) ||
			got.Skipped != want.Skipped || !reflect.DeepEqual(got.SkipErrors, want.SkipErrors) ||
			!slices.Equal(got.CommaDecimals, want.CommaDecimals) || got.Streamed != want.Streamed {
			t.Fatalf("%.60q %+v: rows, skips or notes differ:\n%+v\n%+v", data, opts, got, want)
		}
	}
	r := open()
	db, perr := loadPlain(r, &o)
	if db == nil && perr == nil {
		if at, _ := r.(io.Seeker).Seek(0, io.SeekCurrent); at != int64(len(prefix)) {
			t.Errorf("%.60q: loadPlain declined and left the file at %d, want %d", data, at, len(prefix))
		}
	}
	return db != nil || perr != nil
}

// TestLoadPlainMatchesTable checks Load's one-pass path (NoTable) against
// ReadCSV and NewDataBunch: plain numeric files (taken by it: more columns
// than one summary group, missing values filled, with indicators and kept
// missing, a random split, every normalization, CRLF, a BOM, blank lines,
// no final newline, a constant column) and its errors (a column with no
// value, a record with none under SkipMissing, a split leaving no training
// rows); and near misses left to the general path (text, quotes, ragged
// rows under Fail and Skip, Inf, a target, a validation column, decimal
// commas, comments, embeddings, a header alone, an empty file).
func TestLoadPlainMatchesTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	var b strings.Builder
	const cols = 11 // one summary group of 8 and 3 more
	for j := range cols {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "x%d", j)
	}
	b.WriteByte('\n')
	for i := range 3000 {
		for j := range cols {
			if j > 0 {
				b.WriteByte(',')
			}
			switch {
			case j == 3:
				b.WriteString("2.5") // constant
			case j == 5 && i%7 == 0:
				b.WriteString([]string{"NA", ""}[i%2])
			case j == 9:
				fmt.Fprintf(&b, "%g", rng.ExpFloat64()*1e5)
			default:
				fmt.Fprintf(&b, "%.5f", rng.NormFloat64())
			}
		}
		b.WriteByte('\n')
	}
	plain := b.String()
	complete := strings.NewReplacer(",NA,", ",1,", ",,", ",1,").Replace(plain)
	bad := func(line string) string {
		cut := strings.IndexByte(plain[len(plain)/2:], '\n') + len(plain)/2 + 1
		return plain[:cut] + line + "\n" + plain[cut:]
	}
	row := strings.TrimSuffix(strings.Repeat("1,", cols), ",")
	for _, c := range []struct {
		name string
		data string
		opts Options
		fast bool
	}{
		{"plain", plain, Options{}, true},
		{"complete", complete, Options{}, true},
		{"valid 0.2", plain, Options{ValidFrac: 0.2, Seed: 5}, true},
		{"minmax", plain, Options{Pipeline: PipelineOptions{Normalize: MinMax}}, true},
		{"no scaling", complete, Options{Pipeline: PipelineOptions{Normalize: NoScaling}}, true},
		{"indicators", plain, Options{Pipeline: PipelineOptions{NAIndicators: true}}, true},
		{"skip missing", plain, Options{Pipeline: PipelineOptions{Missing: SkipMissing}}, true},
		{"skip missing, no value", bad(strings.Repeat(",", cols-1)), Options{Pipeline: PipelineOptions{Missing: SkipMissing}}, true},
		{"crlf", strings.ReplaceAll(plain, "\n", "\r\n"), Options{}, true},
		{"bom, blank lines", "\uFEFF" + strings.Replace(bad(""), "\n", "\n\n", 3), Options{}, true},
		{"no final newline", strings.TrimSuffix(plain, "\n"), Options{}, true},
		{"all missing", "a,b\n1,NA\n2,\n", Options{}, true},
		{"one row", "a,b\n1,2\n", Options{}, true},
		{"no training rows", "a,b\n1,2\n3,4\n", Options{ValidFrac: 0.9}, true},
		{"text", bad(strings.Replace(row, "1", "x", 1)), Options{}, false},
		{"quoted", bad(strings.Replace(row, "1", `"1"`, 1)), Options{}, false},
		{"ragged", bad("1,2"), Options{}, false},
		{"ragged, skip", bad("1,2"), Options{Read: ReadOptions{BadRows: Skip}}, false},
		{"inf", bad(strings.Replace(row, "1", "Inf", 1)), Options{}, false},
		{"huge", bad(strings.Replace(row, "1", "1e999", 1)), Options{}, false},
		{"target", complete, Options{Read: ReadOptions{Target: "x1"}}, false},
		{"valid column", "a,v\n1,0\n2,1\n3,0\n", Options{ValidColumn: "v"}, false},
		{"decimal comma option", "a;b\n1;2\n3;4\n", Options{Read: ReadOptions{Delimiter: ';', Decimal: ','}}, false},
		{"decimal commas", "a;b\n1,5;2\n3,5;4\n", Options{Read: ReadOptions{Delimiter: ';'}}, false},
		{"comment", "a,b\n1,2\n#3,4\n", Options{Read: ReadOptions{Comment: '#'}}, false},
		{"embedding", "a,b\n1,2\n3,4\n", Options{Pipeline: PipelineOptions{Encode: Embedding}}, false},
		{"header only", "a,b\n", Options{}, false},
		{"empty", "", Options{}, false},
	} {
		for _, w := range []int{64, 1000, 1 << 20} {
			if fast := loadBoth(t, c.data, c.opts, w); fast != c.fast {
				t.Errorf("%s in %d-byte windows: one-pass path took it: %v, want %v", c.name, w, fast, c.fast)
			}
		}
	}
}

// TestEncodeInPlace checks the in-place encoding against contEnc.encode
// row by row, and that a value encoding to ±Inf is reported.
func TestEncodeInPlace(t *testing.T) {
	const n, w = 5000, 3
	plan := []contEnc{{start: 0, fill: 1, center: 2, scale: 3}, {start: 1, fill: 0, center: -1, scale: 0.5}, {start: 2, fill: 7, center: 0, scale: 1}}
	if !inPlace(plan) || inPlace(nil) || inPlace([]contEnc{{start: 1}}) || inPlace([]contEnc{{indicator: true}}) {
		t.Fatal("inPlace is wrong")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]float64, n*w)
	for i := range data {
		data[i] = rng.NormFloat64()
		if i%13 == 0 {
			data[i] = math.NaN()
		}
	}
	want := make([]float64, n*w)
	for i := range n {
		for j := range plan {
			plan[j].encode(data[i*w+j], want[i*w:])
		}
	}
	if !encodeInPlace(plan, data, n) || !sameBits(data, want) {
		t.Fatal("encodeInPlace differs from encode")
	}
	data[len(data)-1] = 1.7e308
	plan[2].scale = 1e-10
	if encodeInPlace(plan, data, n) {
		t.Error("a value encoding to +Inf was not reported")
	}
}

// FuzzLoadPlain checks Load's one-pass path against the table path on any
// input.
func FuzzLoadPlain(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "b,a\n1,NA\n\n3,4", "a,b\r\n1,2\r\n3,x\n", "a,b\n1e308,-1e308\n", "a\n1\n1\n"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, valid bool) {
		var o Options
		if valid {
			o.ValidFrac, o.Seed = 0.3, uint64(len(s))
		}
		loadBoth(t, s, o, 1+len(s)%17)
	})
}

// TestNoTableBuiltin checks that Builtin under NoTable drops the table and
// nothing else.
func TestNoTableBuiltin(t *testing.T) {
	want, err := Builtin("penguins", &Options{ValidFrac: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Builtin("penguins", &Options{ValidFrac: 0.2, Seed: 1, NoTable: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Table != nil || want.Table == nil {
		t.Fatalf("tables: NoTable %v, default %v", got.Table != nil, want.Table != nil)
	}
	if !sameDataset(got.Train, want.Train) || !sameDataset(got.Valid, want.Valid) || !slices.Equal(got.TrainRows, want.TrainRows) ||
		!slices.Equal(got.Train.Labels, want.Train.Labels) || got.Skipped != want.Skipped {
		t.Error("NoTable changed the bunch")
	}
}
