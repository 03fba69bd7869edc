package loaders

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func opener(b []byte) Opener {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func sameBunch(t *testing.T, a, b *DataBunch) {
	t.Helper()
	ja, _ := json.Marshal(a.Pipeline)
	jb, _ := json.Marshal(b.Pipeline)
	if string(ja) != string(jb) {
		t.Errorf("pipelines differ:\n%s\n%s", ja, jb)
	}
	for _, pair := range [][2]*Dataset{{a.Train, b.Train}, {a.Valid, b.Valid}} {
		x, y := pair[0], pair[1]
		if (x == nil) != (y == nil) {
			t.Fatalf("one split is nil: %v %v", x == nil, y == nil)
		}
		if x == nil {
			continue
		}
		if x.N != y.N || x.D != y.D || !slices.Equal(x.Data, y.Data) || !slices.Equal(x.Labels, y.Labels) || !slices.Equal(x.Features, y.Features) {
			t.Errorf("datasets differ: %d×%d vs %d×%d", x.N, x.D, y.N, y.D)
		}
	}
	if a.Skipped != b.Skipped {
		t.Errorf("skipped %d vs %d", a.Skipped, b.Skipped)
	}
}

// TestStreamMatchesMemory reads the same inputs in memory and streamed.
func TestStreamMatchesMemory(t *testing.T) {
	penguins, _ := BuiltinCSV("penguins")
	housing, _ := BuiltinCSV("housing")
	pr, _ := BuiltinReadOptions("penguins", nil)
	hr, _ := BuiltinReadOptions("housing", nil)
	messy := []byte("\uFEFFid,x,c,split,y\r\n1,2,a,0,p\r\n2,NA,b,1,q\r\n3,5,,0,p\r\n4,oops,a,0\r\n5,7,\"b\",1,q\r\n6,inf,a,0,p\r\n7,1,c,0,q\r\n")
	cases := []struct {
		name string
		data []byte
		opts Options
	}{
		{"penguins", penguins, Options{Read: pr, Pipeline: PipelineOptions{NAIndicators: true}}},
		{"housing ordinal minmax", housing, Options{Read: hr, Pipeline: PipelineOptions{Encode: Ordinal, Normalize: MinMax}}},
		{"numeric column turns text", []byte("a,b\n1,2\n2.0,3\nNA,4\nten,5\n2,6\n"), Options{}},
		{"messy by column, skip", messy, Options{Read: ReadOptions{Target: "y", Ignore: []string{"id"}, BadRows: Skip}, ValidColumn: "split"}},
		{"split column with missing markers", []byte("a,v\n1,0\n2,NA\n3,1\n4,\n5, null \n"), Options{ValidColumn: "v"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem, err := LoadReader(bytes.NewReader(tc.data), &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			st, err := LoadStream(opener(tc.data), &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Streamed || st.Table != nil {
				t.Errorf("streamed bunch: Streamed %v, Table %v", st.Streamed, st.Table != nil)
			}
			sameBunch(t, mem, st)
		})
	}
}

func TestLoadStreamsLargeFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.csv")
	data, _ := BuiltinCSV("penguins")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ro, _ := BuiltinReadOptions("penguins", nil)
	ro.Name = ""
	for _, tc := range []struct {
		name   string
		above  int64
		stream bool
	}{{"small limit streams", 1000, true}, {"default keeps in memory", 0, false}, {"never", -1, false}} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Load(path, &Options{Read: ro, StreamAbove: tc.above})
			if err != nil {
				t.Fatal(err)
			}
			if db.Streamed != tc.stream || db.Train.N != 344 {
				t.Errorf("streamed %v with %d rows, want %v with 344", db.Streamed, db.Train.N, tc.stream)
			}
		})
	}
	_, err := Load(filepath.Join(dir, "none.csv"), nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "loaders: ") {
		t.Errorf("missing file: got %v", err)
	}
	// Errors name the file.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("a,b\n1,2\n3\n"), 0o644)
	for _, above := range []int64{-1, 1} {
		_, err := Load(bad, &Options{StreamAbove: above})
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Name != bad || pe.Line != 3 {
			t.Errorf("StreamAbove %d: got %v, want a ParseError on %s line 3", above, err, bad)
		}
	}
}

func TestStreamRandomSplit(t *testing.T) {
	data, _ := BuiltinCSV("housing")
	ro, _ := BuiltinReadOptions("housing", nil)
	const frac = 0.2
	db, err := LoadStream(opener(data), &Options{Read: ro, ValidFrac: frac, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	n := db.Train.N + db.Valid.N
	share := float64(db.Valid.N) / float64(n)
	// Binomial(20640, 0.2): standard deviation 0.0028; allow 5 of them.
	if n != 20640 || math.Abs(share-frac) > 0.014 {
		t.Errorf("%d rows, valid share %.4f, want 20640 and %.2f±0.014", n, share, frac)
	}
	// Fit on train only: the same pipeline as fitted in memory on the
	// streamed train rows.
	tab := mustRead(t, string(data), &ro)
	var train []int
	for i := 0; i < tab.Rows; i++ {
		if rowDraw(11, i+1) >= frac {
			train = append(train, i)
		}
	}
	p, err := Fit(tab, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(p)
	j2, _ := json.Marshal(db.Pipeline)
	if string(j1) != string(j2) {
		t.Errorf("streamed pipeline differs from one fitted on its train rows")
	}
}

func TestStreamLimits(t *testing.T) {
	data, _ := BuiltinCSV("housing")
	ro, _ := BuiltinReadOptions("housing", nil)
	db, err := LoadStream(opener(data), &Options{Read: ro, StreamSample: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// A sampled median of total_rooms (exact: 2127) stays close.
	c := db.Pipeline.Columns[3]
	if c.Name != "total_rooms" || math.Abs(c.Fill-2127)/2127 > 0.1 {
		t.Errorf("%s sampled median %v, want 2127 within 10%%", c.Name, c.Fill)
	}
	_, err = LoadStream(opener(data), &Options{Read: ReadOptions{Cat: []string{"longitude"}}, Pipeline: PipelineOptions{MaxLevels: 100}})
	if !errors.Is(err, ErrTooManyLevels) || !strings.Contains(err.Error(), "longitude") {
		t.Errorf("too many levels: got %v", err)
	}
	cases := []struct {
		name string
		open Opener
		opts *Options
		want error
		msg  string
	}{
		{"open fails", func() (io.ReadCloser, error) { return nil, os.ErrPermission }, nil, os.ErrPermission, "opening"},
		{"empty", opener(nil), nil, ErrNoHeader, ""},
		{"header only", opener([]byte("a,b\n")), nil, ErrNoRows, ""},
		{"unknown valid column", opener([]byte("a\n1\n")), &Options{ValidColumn: "v"}, ErrUnknownColumn, "ValidColumn"},
		{"bad split value", opener([]byte("a,v\n1,0\n2,maybe\n")), &Options{ValidColumn: "v"}, ErrSplitValue, ":3: column 2"},
		{"all valid", opener([]byte("a,v\n1,1\n")), &Options{ValidColumn: "v"}, nil, "no training rows"},
		{"bad fraction", opener([]byte("a\n1\n")), &Options{ValidFrac: 1}, nil, "valid fraction"},
		{"target empty", opener([]byte("a,y\n1,\n2,NA\n")), &Options{Read: ReadOptions{Target: "y"}}, ErrTargetEmpty, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadStream(tc.open, tc.opts)
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
	// The file changes between the passes.
	calls := 0
	changing := func() (io.ReadCloser, error) {
		calls++
		if calls == 1 {
			return io.NopCloser(strings.NewReader("a,b\n1,2\n")), nil
		}
		return io.NopCloser(strings.NewReader("b\n1\n2\n")), nil
	}
	if _, err := LoadStream(changing, nil); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("changed file: got %v", err)
	}
}

func TestDataBunchLoaders(t *testing.T) {
	db, err := Builtin("iris", &Options{ValidFrac: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if db.Train.N != 120 || db.Valid.N != 30 {
		t.Fatalf("split %d/%d, want 120/30", db.Train.N, db.Valid.N)
	}
	if len(db.TrainRows)+len(db.ValidRows) != 150 {
		t.Errorf("row indices %d+%d", len(db.TrainRows), len(db.ValidRows))
	}
	order := func(seed uint64) []int {
		train, valid, err := db.Loaders(32, tensor.Float32, seed)
		if err != nil {
			t.Fatal(err)
		}
		var b Batch
		var seen []int
		for epoch, size := range []int{32, 50} {
			if err := train.SetBatchSize(size); err != nil {
				t.Fatal(err)
			}
			train.Start()
			batches := 0
			for train.Next(&b) {
				batches++
				if len(b.Labels) != b.Size() || b.X.Shape()[1] != 4 {
					t.Fatalf("batch of %d records, %d labels, shape %v", b.Size(), len(b.Labels), b.X.Shape())
				}
				if epoch == 0 {
					seen = append(seen, b.Index...)
				}
			}
			if want := (120 + size - 1) / size; batches != want {
				t.Errorf("epoch %d: %d batches of %d, want %d", epoch, batches, size, want)
			}
		}
		valid.Start()
		var vi []int
		for valid.Next(&b) {
			vi = append(vi, b.Index...)
		}
		if len(vi) != 30 {
			t.Fatalf("validation epoch served %d records, want 30", len(vi))
		}
		for i, v := range vi {
			if v != i {
				t.Fatalf("validation order %v is shuffled", vi)
			}
		}
		return seen
	}
	a, b := order(5), order(5)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different batches")
	}
	sorted := slices.Sorted(slices.Values(a))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("an epoch did not visit every record once")
		}
	}
	if slices.Equal(a, sorted) {
		t.Error("the training loader does not shuffle")
	}
}

// loadStreamBoth reads data with LoadStream with the windowed fast reader
// (in windows of window bytes) and without it, and fails unless both give
// the same bunch, skip errors and error. It returns the fast reader's.
func loadStreamBoth(t *testing.T, data []byte, opts *Options, window int) (*DataBunch, error) {
	t.Helper()
	defer func(w int) { useFast, windowSize = true, w }(windowSize)
	windowSize = window
	fast, err1 := LoadStream(opener(data), opts)
	useFast = false
	slow, err2 := LoadStream(opener(data), opts)
	if errString(err1) != errString(err2) {
		t.Fatalf("%.60q: errors differ:\nfast %v\nslow %v", data, err1, err2)
	}
	if err1 != nil {
		return nil, err1
	}
	sameBunch(t, fast, slow)
	if !reflect.DeepEqual(fast.SkipErrors, slow.SkipErrors) {
		t.Errorf("%.60q: skip errors differ:\nfast %v\nslow %v", data, fast.SkipErrors, slow.SkipErrors)
	}
	return fast, nil
}

// TestStreamFastMatchesRowByRow checks the streaming reader's fast path
// against its row-by-row path and against the in-memory reader, on plain
// numeric files (taken by the fast path) and near misses it must leave to
// the row-by-row path: text, quotes, ragged rows, Inf, values that
// normalize to Inf, under BadRows Fail and Skip, with random splits,
// missing-value indicators and median samples smaller than the data.
func TestStreamFastMatchesRowByRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var plain bytes.Buffer
	plain.WriteString("a,b,c\n")
	for i := range 5000 {
		fmt.Fprintf(&plain, "%.4f,%g,%s\n", rng.NormFloat64(), rng.ExpFloat64()*1e3, []string{"1", "NA", "", "-2.5"}[i%4])
	}
	bad := func(line string) []byte {
		b := bytes.Clone(plain.Bytes())
		cut := bytes.IndexByte(b[len(b)/2:], '\n') + len(b)/2 + 1
		return append(append(b[:cut:cut], line+"\n"...), b[cut:]...)
	}
	inputs := map[string][]byte{
		"plain":      plain.Bytes(),
		"text":       bad("1,x,2"),
		"quoted":     bad("1,\"2\",3"),
		"ragged":     bad("1,2"),
		"inf":        bad("1,Inf,2"),
		"huge":       bad("1.7e308,1,2"),
		"crlf":       bytes.ReplaceAll(plain.Bytes(), []byte("\n"), []byte("\r\n")),
		"no newline": bytes.TrimSuffix(plain.Bytes(), []byte("\n")),
	}
	for name, data := range inputs {
		for _, opts := range []Options{
			{},
			{Read: ReadOptions{BadRows: Skip}},
			{Read: ReadOptions{BadRows: Skip}, ValidFrac: 0.25, Seed: 3},
			{Read: ReadOptions{BadRows: Skip}, StreamSample: 100, Pipeline: PipelineOptions{NAIndicators: true, Normalize: MinMax}},
		} {
			for _, w := range []int{64, 1000, 1 << 20} {
				st, err := loadStreamBoth(t, data, &opts, w)
				mem, merr := LoadReader(bytes.NewReader(data), &opts)
				if errString(err) != errString(merr) {
					t.Errorf("%s %+v: streamed error %v, in memory %v", name, opts, err, merr)
				}
				if err != nil || opts.StreamSample != 0 || opts.ValidFrac != 0 {
					continue // medians from a sample, or another split rule
				}
				sameBunch(t, st, mem)
				if !reflect.DeepEqual(st.SkipErrors, mem.SkipErrors) {
					t.Errorf("%s: skip errors streamed %v, in memory %v", name, st.SkipErrors, mem.SkipErrors)
				}
			}
		}
	}
	// The plain file is the fast path's: both passes take it.
	o := Options{StreamSample: DefaultStreamSample}
	st := &streamer{o: &o, ro: o.readOptions()}
	if ok, err := st.fastPass(opener(plain.Bytes()), true); !ok || err != nil {
		t.Fatalf("fitting fastPass on the plain file: %v, %v", ok, err)
	}
	p, err := st.fit()
	if err != nil {
		t.Fatal(err)
	}
	st.p, st.fidx, st.row = p, []int{0, 1, 2}, make([]float64, p.Width())
	st.train, st.valid = &Dataset{D: p.Width()}, &Dataset{D: p.Width()}
	if ok, err := st.fastPass(opener(plain.Bytes()), false); !ok || err != nil || st.train.N != 5000 {
		t.Fatalf("encoding fastPass on the plain file: %v, %v, %d rows", ok, err, st.train.N)
	}
}
