package loaders

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestWindowTable checks that the windowed reader takes plain numeric
// files (not leaving them to the general path) in windows of any size,
// from one byte to more than the file: lines longer than the window, CRLF,
// blank lines, a BOM, no final newline, missing values. The table must be
// the in-memory fast reader's, and ReadCSV on the file must return it.
func TestWindowTable(t *testing.T) {
	defer func(w int) { windowSize = w }(windowSize)
	var long strings.Builder
	long.WriteString("\uFEFFa,b,c\r\n")
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 3000 {
		if i%700 == 0 {
			long.WriteString("\n\r\n")
		}
		fmt.Fprintf(&long, "%.*f,%g,%s\r\n", rng.IntN(12), rng.NormFloat64(), rng.ExpFloat64()*1e5, []string{"1", "NA", "", " 2.5 "}[rng.IntN(4)])
	}
	cases := []string{
		"a\n1\n",
		"a,b\n1,2\n3,4",
		"x,y\n" + strings.Repeat("1", 300) + ",2\n3,4\n",
		long.String(),
	}
	for _, data := range cases {
		want := fastTable([]byte(data), &ReadOptions{Name: "in.csv"})
		if want == nil {
			t.Fatalf("fastTable declined %.40q", data)
		}
		for _, w := range []int{1, 2, 7, 64, 4096, 1 << 20} {
			windowSize = w
			f := tempFile(t, data)
			got, err := windowTable(f, &ReadOptions{Name: "in.csv"})
			if err != nil || got == nil {
				t.Fatalf("%d-byte windows: windowTable %.40q = %v, %v", w, data, got, err)
			}
			if !sameTable(got, want) {
				t.Fatalf("%d-byte windows: windowed table of %.40q differs from fastTable's", w, data)
			}
			f.Close()
		}
	}
}

// TestWindowDeclines checks that what the windowed reader declines —
// text, quotes, ragged rows, a target, no data rows — leaves the file
// where it was for the general path.
func TestWindowDeclines(t *testing.T) {
	defer func(w int) { windowSize = w }(windowSize)
	windowSize = 8
	for _, c := range []struct {
		data string
		ro   ReadOptions
	}{
		{"a,b\n1,2\n3,x\n", ReadOptions{}},
		{"a,b\n1,2\n3,\"4\"\n", ReadOptions{}},
		{"a,b\n1,2\n3\n", ReadOptions{}},
		{"a,b\n1,2\n3,4,5\n", ReadOptions{}},
		{"a,b\n1,2\n", ReadOptions{Target: "b"}},
		{"a,b\n1,2\n", ReadOptions{Cat: []string{"a"}}},
		{"a,b\n#1,2\n", ReadOptions{Comment: '#'}},
		{"a,b\n", ReadOptions{}},
		{"", ReadOptions{}},
		{"\"a\nb\",c\n1,2\n", ReadOptions{}},
	} {
		f := tempFile(t, c.data)
		if got, err := windowTable(f, &c.ro); got != nil || err != nil {
			t.Errorf("windowTable(%q) = %v, %v; want it declined", c.data, got, err)
		}
		rest, _ := io.ReadAll(f)
		if string(rest) != c.data {
			t.Errorf("after declining %q the file is at %q", c.data, rest)
		}
		f.Close()
	}
}

// TestWindowsReadError checks that a read error reaches ReadCSV's caller.
func TestWindowsReadError(t *testing.T) {
	w := &windows{r: &lenReader{data: []byte("a,b\n1,2\n"), err: io.ErrUnexpectedEOF}}
	var err error
	for err == nil {
		_, err = w.next()
	}
	if err != io.ErrUnexpectedEOF {
		t.Errorf("windows.next: got %v, want %v", err, io.ErrUnexpectedEOF)
	}
	// A reader that never makes progress is an error, not a hang.
	w = &windows{r: stuckReader{}}
	if _, err := w.next(); err != io.ErrNoProgress {
		t.Errorf("stuck reader: got %v, want %v", err, io.ErrNoProgress)
	}
}

type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

// tempFile returns data in a file opened for reading.
func tempFile(t *testing.T, data string) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readTransformBoth reads data from a file with ReadTransform (windows of
// window bytes) and from memory with ReadCSV and Transform, and fails
// unless both give the same dataset bit for bit or the same error. It
// reports whether the windowed path took the file.
func readTransformBoth(t *testing.T, p *Pipeline, data string, ro ReadOptions, window int) bool {
	t.Helper()
	defer func(w int) { windowSize = w }(windowSize)
	windowSize = window
	want, werr := func() (*Dataset, error) {
		tab, err := ReadCSV(strings.NewReader(data), &ro)
		if err != nil {
			return nil, err
		}
		return p.Transform(tab)
	}()
	got, err := p.ReadTransform(tempFile(t, data), &ro)
	if errString(err) != errString(werr) {
		t.Fatalf("%.60q in %d-byte windows: errors differ:\nReadTransform      %v\nReadCSV, Transform %v", data, window, err, werr)
	}
	if !sameDataset(got, want) || got != nil && !slices.Equal(got.Labels, want.Labels) {
		t.Fatalf("%.60q in %d-byte windows: datasets differ", data, window)
	}
	fast, _ := p.windowDataset(tempFile(t, data), &ro)
	return fast != nil
}

// TestReadTransform checks ReadTransform against ReadCSV and Transform on
// a pipeline of continuous inputs (with missing-value indicators): plain
// files (taken by the windowed path, columns in any order, extra columns
// are left to the general path), and near misses: a missing column, text,
// quotes, Inf, a value that normalizes to Inf, ragged rows.
func TestReadTransform(t *testing.T) {
	train := "a,b,c\n1,2,0.1\n4,NA,0.2\n7,8,0.3\n" // c's spread is small: 1.7e308 normalizes to Inf
	tab, err := ReadCSV(strings.NewReader(train), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Fit(tab, nil, &PipelineOptions{NAIndicators: true})
	if err != nil {
		t.Fatal(err)
	}
	var big strings.Builder
	big.WriteString("c,b,a\n")
	rng := rand.New(rand.NewPCG(9, 9))
	for range 4000 {
		fmt.Fprintf(&big, "%g,%s,%.3f\n", rng.NormFloat64(), []string{"1.5", "", "NA", "-3"}[rng.IntN(4)], rng.Float64())
	}
	ro := p.ReadOptions()
	ro.Name = "new.csv"
	for _, c := range []struct {
		data string
		fast bool
	}{
		{train, true},
		{big.String(), true},
		{"a,b,c,d\n1,2,3,x\n", false},
		{"a,b\n1,2\n", false},
		{"a,b,c\n1,2,x\n", false},
		{"a,b,c\n1,\"2\",3\n", false},
		{"a,b,c\n1,2,Inf\n", false},
		{"a,b,c\n1,2,1.7e308\n", false},
		{"a,b,c\n1,2\n", false},
		{"a,b,c\n", false},
	} {
		for _, w := range []int{16, 4096} {
			if fast := readTransformBoth(t, p, c.data, ro, w); fast != c.fast {
				t.Errorf("%.40q: windowed path took it: %v, want %v", c.data, fast, c.fast)
			}
		}
	}
	// Under SkipMissing missing values stay NaN and a record with none
	// present is an error: the general path's.
	skip, err := Fit(tab, nil, &PipelineOptions{Missing: SkipMissing})
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{big.String(), "a,b,c\n1,NA,3\nNA,,NA\n"} {
		if readTransformBoth(t, skip, data, ro, 64) {
			t.Errorf("%.40q under SkipMissing: the windowed path took it", data)
		}
	}
}

// FuzzReadTransform checks ReadTransform against ReadCSV and Transform on
// any input, for a pipeline of continuous inputs.
func FuzzReadTransform(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "b,a\n1,NA\n\n3,4", "a,b\r\n1,2\r\n3,x\n", "a,b\n1e308,-1e308\n"} {
		f.Add(s)
	}
	tab, err := ReadCSV(strings.NewReader("a,b\n1,2\n3,NA\n-5,0.5\n"), nil)
	if err != nil {
		f.Fatal(err)
	}
	p, err := Fit(tab, nil, &PipelineOptions{NAIndicators: true})
	if err != nil {
		f.Fatal(err)
	}
	ro := p.ReadOptions()
	f.Fuzz(func(t *testing.T, s string) {
		readTransformBoth(t, p, s, ro, 1+len(s)%17)
	})
}

// TestFitShardFastMatchesRows checks FitShard's windowed fast path against
// its row-by-row path: the same summary (its binary form), error and
// refit columns on plain numeric shards and near misses (bad rows under
// Fail and Skip, a column turning to text, quotes), with and without a
// random split, in small and large windows; and that the plain shard is
// the fast path's.
func TestFitShardFastMatchesRows(t *testing.T) {
	defer func(w int) { useFast, windowSize = true, w }(windowSize)
	var plain strings.Builder
	plain.WriteString("a,b,c\n")
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range 3000 {
		fmt.Fprintf(&plain, "%.5f,%g,%s\n", rng.NormFloat64(), rng.ExpFloat64(), []string{"1", "NA", "", "-2"}[i%4])
	}
	p := plain.String()
	inputs := []string{p, p + "1,2\n", p + "1,x,3\n", p + "1,\"2\",3\n", p + "1,Inf,3\n", "a,b\n", ""}
	for _, data := range inputs {
		for _, opts := range []Options{{}, {Read: ReadOptions{BadRows: Skip}}, {ValidFrac: 0.3, Seed: 5}, {StreamSample: 50}} {
			for _, w := range []int{32, 1 << 20} {
				windowSize = w
				var sums [2]*ShardSummary
				var errs [2]string
				for i, fast := range []bool{true, false} {
					useFast = fast
					sum, err := FitShard("dir/part-1.csv", opener([]byte(data)), &opts)
					sums[i], errs[i] = sum, errString(err)
				}
				if errs[0] != errs[1] || (sums[0] == nil) != (sums[1] == nil) || sums[0] != nil && !reflect.DeepEqual(sums[0].s, sums[1].s) {
					t.Fatalf("%.40q, valid frac %v, skip %v, sample %d, %d-byte windows: fast and row-by-row differ:\n%v %+v\n%v %+v",
						data, opts.ValidFrac, opts.Read.BadRows, opts.StreamSample, w, errs[0], sums[0], errs[1], sums[1])
				}
			}
		}
	}
	o, _ := shardOptions(nil)
	o.Read.Name = "p.csv"
	if _, _, ok, err := fastFitShard(opener([]byte(p)), &o); !ok || err != nil {
		t.Errorf("fastFitShard on the plain shard: %v, %v", ok, err)
	}
}
