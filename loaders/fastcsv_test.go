package loaders

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// readBoth reads data with ReadCSV and ReadNumeric with the fast reader on
// and off and fails if the tables, datasets or errors differ.
func readBoth(t *testing.T, data string, ro ReadOptions, no NumericOptions) {
	t.Helper()
	defer func() { useFast = true }()
	type out struct {
		t   *Table
		ds  *Dataset
		err [2]string
	}
	var res [2]out
	for i, fast := range []bool{true, false} {
		useFast = fast
		tab, err := ReadCSV(strings.NewReader(data), &ro)
		if err != nil {
			res[i].err[0] = err.Error()
		}
		res[i].t = tab
		ds, err := ReadNumeric(strings.NewReader(data), &no)
		if err != nil {
			res[i].err[1] = err.Error()
		}
		res[i].ds = ds
	}
	if res[0].err != res[1].err {
		t.Fatalf("errors differ for %q:\nfast    %q\ngeneral %q", data, res[0].err, res[1].err)
	}
	// A regular file goes through the windowed reader: give it tiny
	// windows, and a file position after a prefix it must not read.
	useFast = true
	defer func(w int) { windowSize = w }(windowSize)
	windowSize = 1 + len(data)%61
	tab, err := readFileAt(t, "skip me\n", data, &ro)
	if e := errString(err); e != res[1].err[0] {
		t.Fatalf("errors differ for %q in %d-byte windows:\nwindowed %q\ngeneral  %q", data, windowSize, e, res[1].err[0])
	}
	if !sameTable(tab, res[1].t) {
		t.Fatalf("ReadCSV tables differ for %q in %d-byte windows:\nwindowed %+v\ngeneral  %+v", data, windowSize, tab, res[1].t)
	}
	if !sameTable(res[0].t, res[1].t) {
		t.Fatalf("ReadCSV tables differ for %q:\nfast    %+v\ngeneral %+v", data, res[0].t, res[1].t)
	}
	if !sameDataset(res[0].ds, res[1].ds) {
		t.Fatalf("ReadNumeric datasets differ for %q:\nfast    %+v\ngeneral %+v", data, res[0].ds, res[1].ds)
	}
}

// readFileAt writes prefix+data to a file and reads it with ReadCSV from
// the end of the prefix.
func readFileAt(t *testing.T, prefix, data string, ro *ReadOptions) (*Table, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte(prefix+data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.ReadFull(f, make([]byte, len(prefix))); err != nil {
		t.Fatal(err)
	}
	return ReadCSV(f, ro)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// sameTable compares tables with NaN equal to NaN (bit for bit).
func sameTable(a, b *Table) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Name != b.Name || a.Rows != b.Rows || a.Skipped != b.Skipped || len(a.Columns) != len(b.Columns) ||
		len(a.SkipErrors) != len(b.SkipErrors) || !reflect.DeepEqual(a.NA, b.NA) {
		return false
	}
	for j := range a.Columns {
		ca, cb := a.Columns[j], b.Columns[j]
		if ca.Name != cb.Name || ca.Role != cb.Role || !reflect.DeepEqual(ca.Str, cb.Str) || !reflect.DeepEqual(ca.Missing, cb.Missing) || !sameBits(ca.Num, cb.Num) {
			return false
		}
	}
	return true
}

func sameDataset(a, b *Dataset) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.N == b.N && a.D == b.D && reflect.DeepEqual(a.Features, b.Features) && sameBits(a.Data, b.Data)
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestFastMatchesGeneral reads numeric CSVs and near misses (missing
// values, spaces, quotes, ragged rows, blank and CRLF lines, a BOM, text,
// Inf) with the fast reader and the general one: same tables, datasets and
// errors.
func TestFastMatchesGeneral(t *testing.T) {
	cases := []string{
		"a,b\n1,2\n3,4\n",
		"a,b\n1,2\n3,4",
		"a,b\r\n1,2\r\n3,4\r\n",
		"\uFEFFa,b\n1,2\n",
		"a,b\n1,2\n\n3,4\n\n",
		"a,b\n1,\n3,4\n",
		"a,b\n1,NA\n3,4\n",
		"a,b\n 1 , 2\n3,4\n",
		"a,b\n1,2,3\n",
		"a,b\n1\n",
		"a,b\n1,x\n",
		"a,b\n1,\"2\"\n",
		"a,b\n1,Inf\n",
		"a,b\n1,1e400\n",
		"a,b\n1,NaN\n",
		"a,b\n",
		"1,2\n3,4\n",
		"a,b\n1,2\r3,4\n",
		"a,b\n-0,+.5e-3\n0x1p3,1_0\n",
		"a;b\n1;2\n",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		var b strings.Builder
		b.WriteString("x,y,z\n")
		for range 1 + r.IntN(2000) {
			fmt.Fprintf(&b, "%s,%s,%s\n", strconv.FormatFloat(r.NormFloat64(), 'f', r.IntN(9), 64),
				strconv.FormatFloat(r.NormFloat64()*1e10, 'g', -1, 64), strconv.FormatFloat(r.Float64(), 'e', 17, 64))
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		readBoth(t, c, ReadOptions{Name: "in.csv"}, NumericOptions{Name: "in.csv", D: 2})
		readBoth(t, c, ReadOptions{Name: "in.csv", Delimiter: ';', NA: []string{"-1"}}, NumericOptions{Name: "in.csv", Features: []string{"b"}})
	}
}

// TestFastLarge checks a body large enough to be cut into many chunks, with
// blank lines among them, against the general path.
func TestFastLarge(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a,b,c,d\n")
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 60000 {
		if i%9999 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%.6f,%.6f,%d,%.3e\n", r.Float64(), -r.Float64(), r.IntN(100), r.NormFloat64())
	}
	readBoth(t, b.String(), ReadOptions{}, NumericOptions{D: 4})
}

// FuzzFastMatchesGeneral checks that the fast reader and the general one
// agree on any input.
func FuzzFastMatchesGeneral(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,b\n1,\n\n3,4", "1,2\r\n3,x\n", "a\n1e5\n-0\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		readBoth(t, s, ReadOptions{}, NumericOptions{D: 2})
	})
}

// lenReader says it holds n bytes whatever it holds, and fails with err
// after its data when err is not nil.
type lenReader struct {
	data []byte
	n    int
	err  error
}

func (r *lenReader) Len() int { return r.n }

func (r *lenReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadAll checks that readAll returns every byte whether the size r
// announces is right, too small or too large, and r's error.
func TestReadAll(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789\n"), 1000)
	for _, n := range []int{0, 1, len(data) - 1, len(data), len(data) + 1, 3 * len(data)} {
		got, err := readAll(&lenReader{data: data, n: n})
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("announced %d of %d bytes: got %d bytes, %v", n, len(data), len(got), err)
		}
	}
	bad := errors.New("disk gone")
	if _, err := readAll(&lenReader{data: data, n: 10, err: bad}); !errors.Is(err, bad) {
		t.Errorf("reader error: got %v, want %v", err, bad)
	}
}

// TestDecimalLine checks that fastBody parses bodies a line at a time
// (decimal) into the same values, row count and verdict as a field at a
// time: plain lines, CRLF, empty lines, a last line without its newline or
// ending in "\r", too few and too many fields, fields decimalLine leaves
// to the field parser (spaces, NA, empty, signs, long mantissas, overflow),
// and delimiters that are number bytes (the line scan is off).
func TestDecimalLine(t *testing.T) {
	s := &schema{header: []string{"a", "b", "c"}, na: DefaultNA}
	field, decimal := fastField(s)
	if !decimal {
		t.Fatal("the default missing markers are not numbers: want decimal")
	}
	parse := func(body string, delim byte, dec bool) (rows [][]float64, ok bool) {
		fb := fastBody{body: []byte(body), delim: delim, width: 3, field: field, decimal: dec,
			alloc: func(n int) { rows = make([][]float64, n) },
			store: func(r int, vals []float64) { rows[r] = slices.Clone(vals) }}
		ok = fb.parse()
		return rows, ok
	}
	fb := fastBody{delim: ',', width: 3, field: field, decimal: true}
	vals := make([]float64, 3)
	for line, want := range map[string]int{"1,2,3\n4": 6, "1,2,3\r\n": 7, "-1.5,2e3,.3": 11, "1,2,3\r": 0, " 1,2,3\n": 0, "1,2\n": 0, "\n": 0} {
		if n := fb.decimalLine([]byte(line), vals); n != want {
			t.Errorf("decimalLine(%q) = %d, want %d", line, n, want)
		}
	}
	for _, body := range []string{
		"1,2,3\n4,5,6\n", "1,2,3\r\n4,5,6\r\n", "1,2,3\n\n4,5,6", "\n1,2,3\r\n\r\n4,5,6\r", "1,2,3\r",
		"1,2\n", "1,2,3,4\n", "1,2,3\n4,5\n", "1,2,3,\n", ",1,2\n",
		" 1,2,3\n", "1, 2,3\n", "1,2,3 \n", "NA,2,\n", "1,NaN,-Inf\n", "+1,-0,.5\n", "1.,5e-3,1E+2\n",
		"12345678901234567890123,0.30000000000000004,4.9e-324\n", "1e400,2,3\n", "1e,2,3\n", "1,2e,3\n",
		"1;2;3\n", "0x10,2,3\n", "1_0,2,3\n", "1\r2,3,4\n",
	} {
		for _, delim := range []byte{',', ';', '.', 'e', '1'} {
			b := strings.ReplaceAll(body, ",", string(delim))
			lines, lok := parse(b, delim, true)
			fields, fok := parse(b, delim, false)
			if lok != fok || lok && (len(lines) != len(fields) || !sameBits(slices.Concat(lines...), slices.Concat(fields...))) {
				t.Errorf("%q: by lines %v %v, by fields %v %v", b, lines, lok, fields, fok)
			}
		}
	}
}
