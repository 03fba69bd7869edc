package loaders

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestReadNumeric(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		opts     NumericOptions
		data     []float64
		features []string
	}{
		{"no header", "1,2\n3,4\n", NumericOptions{D: 2}, []float64{1, 2, 3, 4}, nil},
		{"header, by name and reordered", "b,x,a\n2,9,1\n4,9,3\n", NumericOptions{Features: []string{"a", "b"}}, []float64{1, 2, 3, 4}, []string{"a", "b"}},
		{"header without names wanted", "p,q\n1,2\n", NumericOptions{D: 2}, []float64{1, 2}, nil},
		{"names given, file without header", "5,6\n", NumericOptions{Features: []string{"a", "b"}}, []float64{5, 6}, nil},
		{"spaces, BOM, CRLF", "\uFEFF a , b \r\n 1 , 2 \r\n", NumericOptions{Features: []string{"a", "b"}}, []float64{1, 2}, []string{"a", "b"}},
		{"semicolons", "a;b\n1.5;-2e3\n", NumericOptions{Delimiter: ';', Features: []string{"a", "b"}}, []float64{1.5, -2000}, []string{"a", "b"}},
		{"tabs", "1\t2\n", NumericOptions{Delimiter: '\t', D: 2}, []float64{1, 2}, nil},
		{"features of another width are not names", "a,b,c\n1,2,3\n", NumericOptions{Features: []string{"x"}, D: 3}, []float64{1, 2, 3}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			ds, err := ReadNumeric(strings.NewReader(tc.in), &opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ds.Data, tc.data) || !slices.Equal(ds.Features, tc.features) || ds.N*ds.D != len(tc.data) {
				t.Errorf("got %d×%d %v %q, want %v %q", ds.N, ds.D, ds.Data, ds.Features, tc.data, tc.features)
			}
			if err := ds.Check(); err != nil {
				t.Error(err)
			}
			if !slices.Equal(opts.Features, tc.opts.Features) || opts.D != tc.opts.D {
				t.Errorf("options changed to %+v", opts)
			}
		})
	}
}

func TestReadNumericBadInput(t *testing.T) {
	abc := []string{"red", "green", "blue"}
	cases := []struct {
		name      string
		in        string
		opts      NumericOptions
		want      error
		line, col int    // checked on a *ParseError when not 0
		msg       string // in the message
	}{
		{"empty", "", NumericOptions{Name: "e.csv", D: 3}, ErrEmpty, 0, 0, "e.csv: dataset is empty: want one row per record"},
		{"BOM only", "\uFEFF", NumericOptions{D: 1}, ErrEmpty, 0, 0, ""},
		{"header only", "red,green,blue\n", NumericOptions{Features: abc}, ErrNoRows, 0, 0, "add rows"},
		{"no features", "1\n", NumericOptions{}, ErrEmpty, 0, 0, "D = 0"},
		{"missing column", "red,green\n0.1,0.2\n", NumericOptions{Name: "in.csv", Features: abc}, ErrMissingColumn, 0, 0, `in.csv lacks column "blue": it needs red, green, blue`},
		{"too many columns", "0.1,0.2,0.3,0.4\n", NumericOptions{Features: abc}, ErrFieldCount, 1, 0, "4 fields, want 3"},
		{"too few columns", "0.1,0.2\n", NumericOptions{D: 3}, ErrFieldCount, 1, 0, "2 fields, want 3"},
		{"ragged", "0.1,0.2,0.3\n0.1,0.2\n", NumericOptions{Features: abc}, ErrFieldCount, 2, 0, "2 fields, the first row has 3"},
		{"not a number", "red,green,blue\n0.1,0.2,0.3\n0.1,abc,0.3\n", NumericOptions{Name: "d.csv", Features: abc}, ErrNotNumber, 3, 2, `d.csv:3: column 2 "green": value "abc"`},
		{"empty value", "1,,3\n", NumericOptions{D: 3}, ErrNotNumber, 1, 2, "replace it with a finite number: this reader fills no missing values"},
		{"NaN", "1,2,3\n1,NaN,3\n", NumericOptions{D: 3}, ErrNotNumber, 2, 2, "finite number"},
		{"Inf", "1,2,3\n1,2,-Inf\n", NumericOptions{D: 3}, ErrInfinite, 2, 3, ""},
		{"overflow", "1,2,1e999\n", NumericOptions{D: 3}, ErrInfinite, 0, 0, ""},
		{"bare quote", "1,2,3\n1,x\"y,3\n", NumericOptions{D: 3}, ErrSyntax, 2, 0, "quoting"},
		{"bad delimiter", "1\n", NumericOptions{D: 1, Delimiter: '\n'}, nil, 0, 0, "delimiter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNumeric(strings.NewReader(tc.in), &tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "loaders: ") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q, want it to contain %q", err, tc.msg)
			}
			var pe *ParseError
			if tc.line != 0 && (!errors.As(err, &pe) || pe.Line != tc.line || pe.Column != tc.col) {
				t.Errorf("got %#v, want line %d column %d", err, tc.line, tc.col)
			}
		})
	}
}

func TestColumnError(t *testing.T) {
	_, err := ReadNumeric(strings.NewReader("a,petal_w,species\n1,2,x\n"), &NumericOptions{Name: "f.csv", Features: []string{"a", "petal_width"}})
	var ce *ColumnError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *ColumnError", err)
	}
	if ce.Name != "f.csv" || ce.Option != "" || !slices.Equal(ce.Missing, []string{"petal_width"}) ||
		!slices.Equal(ce.Want, []string{"a", "petal_width"}) || !slices.Equal(ce.Extra(), []string{"petal_w", "species"}) {
		t.Errorf("got %+v, extra %q", ce, ce.Extra())
	}
	if want := `loaders: f.csv lacks column "petal_width": it needs a, petal_width (its other columns, not used: petal_w, species)`; err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	_, err = ReadCSV(strings.NewReader("a,b\n1,2\n"), &ReadOptions{Cont: []string{"x", "a", "y"}})
	if !errors.As(err, &ce) || ce.Option != "Cont" || !slices.Equal(ce.Missing, []string{"x", "y"}) || !errors.Is(err, ErrUnknownColumn) || errors.Is(err, ErrMissingColumn) {
		t.Errorf("got %#v", err)
	}
}

// TestParseErrorHint checks that the remedy is a field: the message ends
// with it, and a program can replace it.
func TestParseErrorHint(t *testing.T) {
	_, err := ReadCSV(strings.NewReader("a,b\n1,2\n3\n"), &ReadOptions{Name: "r.csv"})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Hint != hints[ErrFieldCount] || !strings.HasSuffix(err.Error(), ": "+pe.Hint) {
		t.Fatalf("got %v, want a *ParseError ending with its hint", err)
	}
	pe.Hint = "pass --bad-rows skip"
	if want := "loaders: r.csv:3: wrong number of fields (1 fields, the header has 2): pass --bad-rows skip"; pe.Error() != want {
		t.Errorf("got %q, want %q", pe.Error(), want)
	}
	pe.Hint = ""
	if strings.HasSuffix(pe.Error(), ": ") || strings.Contains(pe.Error(), "BadRows") {
		t.Errorf("without a hint: %q", pe.Error())
	}
}

// FuzzReadNumeric checks that ReadNumeric never panics, that its errors
// name the package, and that what it returns is a consistent, finite
// dataset that agrees with strconv.ParseFloat on a re-read of its own output.
func FuzzReadNumeric(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), byte(','), uint8(2), true)
	}
	f.Add([]byte("1,2\n3,4\n"), byte(','), uint8(2), false)
	f.Add([]byte("a;b\n1.5;2\n"), byte(';'), uint8(2), true)
	f.Fuzz(func(t *testing.T, data []byte, delim byte, d uint8, named bool) {
		opts := &NumericOptions{Delimiter: rune(delim), D: int(d % 5)}
		if named {
			opts.Features = []string{"a", "b", "c", "x", "y"}[:opts.D]
		}
		ds, err := ReadNumeric(bytes.NewReader(data), opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "loaders: ") {
				t.Fatalf("error without the package name: %v", err)
			}
			return
		}
		if ds.N < 1 || ds.D != opts.D || len(ds.Data) != ds.N*ds.D {
			t.Fatalf("%d×%d dataset holding %d values", ds.N, ds.D, len(ds.Data))
		}
		if err := ds.Check(); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		for i := 0; i < ds.N; i++ {
			for j, v := range ds.Row(i) {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
			b.WriteByte('\n')
		}
		again, err := ReadNumeric(&b, &NumericOptions{D: ds.D})
		if err != nil || !slices.Equal(again.Data, ds.Data) {
			t.Fatalf("re-reading %q: %v", b.String(), err)
		}
	})
}

func ExampleReadNumeric() {
	in := "petal_length,species,petal_width\n1.4,setosa,0.2\n4.7,versicolor,1.4\n"
	ds, err := ReadNumeric(strings.NewReader(in), &NumericOptions{Name: "new.csv", Features: []string{"petal_width", "petal_length"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.N, "records of", ds.Features)
	fmt.Println(ds.Row(1))

	_, err = ReadNumeric(strings.NewReader("petal_length\n1.4\n"), &NumericOptions{Name: "new.csv", Features: []string{"petal_width", "petal_length"}})
	var ce *ColumnError
	if errors.As(err, &ce) {
		fmt.Println("missing", ce.Missing, "of", ce.Want)
	}
	// Output:
	// 2 records of [petal_width petal_length]
	// [1.4 4.7]
	// missing [petal_width] of [petal_width petal_length]
}

// TestWrongDelimiter checks that a file read with the wrong delimiter
// (its header one field holding another separator) is an ErrDelimiter
// naming the likely one, from every reader.
func TestWrongDelimiter(t *testing.T) {
	cases := []struct {
		name, in string
		delim    rune
		want     rune
	}{
		{"tsv", "a\tb\tc\n1\t2\t3\n", 0, '\t'},
		{"semicolons", "a;b;c\n1,5;2;3\n", ',', ';'},
		{"pipes", "a|b\n1|2\n", 0, '|'},
		{"commas under semicolon", "a,b\n1,2\n", ';', ','},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := "set Delimiter to " + strconv.QuoteRune(tc.want)
			_, err := ReadCSV(strings.NewReader(tc.in), &ReadOptions{Delimiter: tc.delim})
			var pe *ParseError
			if !errors.Is(err, ErrDelimiter) || !errors.As(err, &pe) || pe.Hint != want || pe.Line != 1 {
				t.Errorf("ReadCSV: got %v, want ErrDelimiter with hint %q", err, want)
			}
			_, err = LoadStream(func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(tc.in)), nil },
				&Options{Read: ReadOptions{Delimiter: tc.delim}})
			if !errors.Is(err, ErrDelimiter) {
				t.Errorf("LoadStream: got %v", err)
			}
			_, err = ReadNumeric(strings.NewReader(tc.in), &NumericOptions{Delimiter: tc.delim, D: 2})
			if !errors.Is(err, ErrDelimiter) {
				t.Errorf("ReadNumeric: got %v", err)
			}
			if g, ok := GuessDelimiter(strings.SplitN(tc.in, "\n", 2)[0], tc.delim); !ok || g != tc.want {
				t.Errorf("GuessDelimiter = %q, %v", g, ok)
			}
		})
	}
	// One column whose name holds no separator is fine.
	if _, err := ReadCSV(strings.NewReader("price\n1\n"), nil); err != nil {
		t.Error(err)
	}
	if _, ok := GuessDelimiter("a;b", ';'); ok {
		t.Error("GuessDelimiter suggests the delimiter in use")
	}
}

// TestDecimalComma checks reading numbers written with a decimal comma,
// and that without Decimal ',' such columns, inferred categorical, are
// named in Table.CommaDecimals.
func TestDecimalComma(t *testing.T) {
	in := "a;b;c;d\n2,5;x;1;NA\n-0,25;y;2;3,0\n1e3;z;3;\n"
	tab, err := ReadCSV(strings.NewReader(in), &ReadOptions{Delimiter: ';'})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.CommaDecimals, []string{"a", "d"}) || tab.Column("a").Role != Categorical {
		t.Errorf("CommaDecimals %q, a is %v", tab.CommaDecimals, tab.Column("a").Role)
	}
	tab, err = ReadCSV(strings.NewReader(in), &ReadOptions{Delimiter: ';', Decimal: ','})
	if err != nil {
		t.Fatal(err)
	}
	if a := tab.Column("a"); a.Role != Continuous || !slices.Equal(a.Num, []float64{2.5, -0.25, 1000}) || tab.CommaDecimals != nil {
		t.Errorf("a: %v %v, CommaDecimals %q", a.Role, a.Num, tab.CommaDecimals)
	}
	if d := tab.Column("d"); d.Role != Continuous || d.Num[1] != 3 || !d.IsMissing(0) || !d.IsMissing(2) {
		t.Errorf("d: %v %v", d.Role, d.Num)
	}
	// Text, a dot or two commas are not decimal-comma numbers.
	for _, col := range []string{"v\n1,5\nabc\n", "v\n1,5\n2.5\n", "v\n1,5,2\n"} {
		tab, err := ReadCSV(strings.NewReader(col), &ReadOptions{Delimiter: ';'})
		if err != nil || tab.CommaDecimals != nil {
			t.Errorf("%q: CommaDecimals %q, %v", col, tab.CommaDecimals, err)
		}
	}
	_, err = ReadCSV(strings.NewReader("v\n2.5\n"), &ReadOptions{Delimiter: ';', Decimal: ',', Cont: []string{"v"}})
	if !errors.Is(err, ErrNotNumber) {
		t.Errorf("a dot under Decimal ',': %v", err)
	}
	if _, err := ReadCSV(strings.NewReader("v\n1\n"), &ReadOptions{Decimal: ','}); err == nil || !strings.Contains(err.Error(), "another character") {
		t.Errorf("decimal comma with comma delimiter: %v", err)
	}
	if _, err := ReadCSV(strings.NewReader("v\n1\n"), &ReadOptions{Decimal: 'x'}); err == nil {
		t.Error("decimal mark x accepted")
	}
}
