package loaders

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadCSVFormats(t *testing.T) {
	type col struct {
		name string
		role Role
		num  []float64 // NaN = missing; nil for a text column
		str  []string  // nil for a continuous column
		miss []bool    // nil if none is missing
	}
	nan := math.NaN()
	cases := []struct {
		name string
		in   string
		opts *ReadOptions
		want []col
	}{
		{"plain", "a,b\n1,x\n2,y\n", nil,
			[]col{{"a", Continuous, []float64{1, 2}, nil, nil}, {"b", Categorical, nil, []string{"x", "y"}, nil}}},
		{"bom crlf", "\uFEFFa,b\r\n1,x\r\n2.5,y\r\n", nil,
			[]col{{"a", Continuous, []float64{1, 2.5}, nil, nil}, {"b", Categorical, nil, []string{"x", "y"}, nil}}},
		{"bom quoted header", "\uFEFF\"a\",b\n1,x\n", nil,
			[]col{{"a", Continuous, []float64{1}, nil, nil}, {"b", Categorical, nil, []string{"x"}, nil}}},
		{"quotes", "name,v\n\"Smith, J\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n", nil,
			[]col{{"name", Categorical, nil, []string{"Smith, J", `say "hi"`, "two\nlines"}, nil}, {"v", Continuous, []float64{1, 2, 3}, nil, nil}}},
		{"tsv", "a\tb\n1\tx y\n", &ReadOptions{Delimiter: '\t'},
			[]col{{"a", Continuous, []float64{1}, nil, nil}, {"b", Categorical, nil, []string{"x y"}, nil}}},
		{"semicolon", "a;b\n1;2\n", &ReadOptions{Delimiter: ';'},
			[]col{{"a", Continuous, []float64{1}, nil, nil}, {"b", Continuous, []float64{2}, nil, nil}}},
		{"default NA markers", "a,b\n,NA\nNaN,?\nnull,null\n4,z\nna, N/A \n", nil,
			[]col{{"a", Continuous, []float64{nan, nan, nan, 4, nan}, nil, nil},
				{"b", Categorical, nil, []string{"", "", "", "z", ""}, []bool{true, true, true, false, true}}}},
		{"custom NA", "a,b\n-999,x\n1,\n", &ReadOptions{NA: []string{"-999"}},
			[]col{{"a", Continuous, []float64{nan, 1}, nil, nil}, {"b", Categorical, nil, []string{"x", ""}, nil}}},
		{"roles by name", "id,a,b,y\n1,2,3,p\n2,5,6,q\n", &ReadOptions{Cat: []string{"b"}, Ignore: []string{"id"}, Target: "y"},
			[]col{{"id", Ignored, nil, []string{"1", "2"}, nil}, {"a", Continuous, []float64{2, 5}, nil, nil},
				{"b", Categorical, nil, []string{"3", "6"}, nil}, {"y", Target, nil, []string{"p", "q"}, nil}}},
		{"ignore others", "id,a,b\n1,2,x\n", &ReadOptions{Cont: []string{"a"}, IgnoreOthers: true},
			[]col{{"id", Ignored, nil, []string{"1"}, nil}, {"a", Continuous, []float64{2}, nil, nil}, {"b", Ignored, nil, []string{"x"}, nil}}},
		{"all missing infers continuous", "a,b\nNA,1\n,2\n", nil,
			[]col{{"a", Continuous, []float64{nan, nan}, nil, nil}, {"b", Continuous, []float64{1, 2}, nil, nil}}},
		{"empty header name", ",a\nx,1\n", nil,
			[]col{{"column_1", Categorical, nil, []string{"x"}, nil}, {"a", Continuous, []float64{1}, nil, nil}}},
		{"comments", "# made by hand\na,b\n1,x\n# a note\n2,y\n", &ReadOptions{Comment: '#'},
			[]col{{"a", Continuous, []float64{1, 2}, nil, nil}, {"b", Categorical, nil, []string{"x", "y"}, nil}}},
		{"spaces trimmed", "a , b\n 1 , x \n", nil,
			[]col{{"a", Continuous, []float64{1}, nil, nil}, {"b", Categorical, nil, []string{"x"}, nil}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := ReadCSV(strings.NewReader(tc.in), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Columns) != len(tc.want) {
				t.Fatalf("got %d columns %v, want %d", len(tab.Columns), tab.Names(), len(tc.want))
			}
			for j, w := range tc.want {
				c := tab.Columns[j]
				if c.Name != w.name || c.Role != w.role {
					t.Errorf("column %d: got %q %v, want %q %v", j, c.Name, c.Role, w.name, w.role)
				}
				if !slices.EqualFunc(c.Num, w.num, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
					t.Errorf("column %q: got %v, want %v", c.Name, c.Num, w.num)
				}
				if !slices.Equal(c.Str, w.str) {
					t.Errorf("column %q: got %q, want %q", c.Name, c.Str, w.str)
				}
				if !slices.Equal(c.Missing, w.miss) {
					t.Errorf("column %q: missing %v, want %v", c.Name, c.Missing, w.miss)
				}
			}
		})
	}
}

// TestReadCSVBadInput checks every bad-input case of issue 4: the error
// wraps the right sentinel and names the line and column.
func TestReadCSVBadInput(t *testing.T) {
	cases := []struct {
		name       string
		in         string
		opts       *ReadOptions
		want       error
		line, col  int    // 0: not checked as a *ParseError
		colName    string // checked if not empty
		msgContain string
	}{
		{"ragged short", "a,b,c\n1,2,3\n4,5\n", nil, ErrFieldCount, 3, 0, "", "2 fields, the header has 3"},
		{"ragged long", "a,b\n1,2\n3,4\n5,6,7\n", nil, ErrFieldCount, 4, 0, "", "3 fields"},
		{"not a number", "a,b\n1,2\n3,x7\n", &ReadOptions{Name: "d.csv", Cont: []string{"b"}}, ErrNotNumber, 3, 2, "b", "d.csv:3: column 2 \"b\""},
		{"unknown column in Cont", "a,b\n1,2\n", &ReadOptions{Cont: []string{"zz"}}, ErrUnknownColumn, 0, 0, "", "\"zz\" in Cont: the columns are a, b"},
		{"unknown column in Cat", "a,b\n1,2\n", &ReadOptions{Cat: []string{"c"}}, ErrUnknownColumn, 0, 0, "", "in Cat"},
		{"unknown column in Ignore", "a,b\n1,2\n", &ReadOptions{Ignore: []string{"c"}}, ErrUnknownColumn, 0, 0, "", "in Ignore"},
		{"unknown target", "a,b\n1,2\n", &ReadOptions{Target: "y"}, ErrUnknownColumn, 0, 0, "", "in Target"},
		{"role conflict", "a,b\n1,2\n", &ReadOptions{Cont: []string{"a"}, Cat: []string{"a"}}, ErrRoleConflict, 0, 0, "", "both continuous and categorical"},
		{"duplicate header", "a,b,a\n1,2,3\n", nil, ErrDuplicateColumn, 1, 3, "a", "also column 1"},
		{"empty file", "", &ReadOptions{Name: "e.csv"}, ErrNoHeader, 0, 0, "", "e.csv"},
		{"bom only", "\uFEFF", nil, ErrNoHeader, 0, 0, "", ""},
		{"header only", "a,b\n", nil, ErrNoRows, 0, 0, "", "add rows"},
		{"target entirely missing", "a,y\n1,NA\n2,\n", &ReadOptions{Name: "t.csv", Target: "y"}, ErrTargetEmpty, 2, 2, "y", "t.csv:2: column 2 \"y\": target column is entirely missing: choose another"},
		{"target entirely missing, skip", "a,y\n1,NA\n2,\n", &ReadOptions{Target: "y", BadRows: Skip}, ErrTargetEmpty, 0, 0, "", ""},
		{"all rows skipped", "a,b\n1\n2\n", &ReadOptions{BadRows: Skip}, ErrNoRows, 0, 0, "", "all 2 rows were skipped"},
		{"target missing then present", "a,y\n1,NA\n2,p\n", &ReadOptions{Target: "y"}, ErrMissingTarget, 2, 2, "y", ""},
		{"target missing then other error", "a,y\n1,NA\n2,p,3\n", &ReadOptions{Target: "y"}, ErrMissingTarget, 2, 2, "y", ""},
		{"target missing in a row", "a,y\n1,p\n2,NA\n", &ReadOptions{Target: "y"}, ErrMissingTarget, 3, 2, "y", "fill the target"},
		{"plus inf", "a,b\n1,2\n+Inf,3\n", nil, ErrInfinite, 3, 1, "a", "value \"+Inf\""},
		{"minus inf declared", "a,b\n1,-inf\n", &ReadOptions{Cont: []string{"b"}}, ErrInfinite, 2, 2, "b", ""},
		{"overflow", "a\n1e999\n", nil, ErrInfinite, 2, 1, "a", ""},
		{"latin-1 value", "a,b\n1,caf\xe9\n", nil, ErrNotUTF8, 2, 2, "b", "convert the file to UTF-8"},
		{"latin-1 header", "a,\xe9t\xe9\n1,2\n", nil, ErrNotUTF8, 1, 2, "", ""},
		{"bare quote", "a,b\n1,x\"y\n", nil, ErrSyntax, 2, 0, "", "bare"},
		{"unterminated quote", "a,b\n1,\"xy\n", nil, ErrSyntax, 0, 0, "", "quote"},
		{"bad delimiter", "a\n1\n", &ReadOptions{Delimiter: '"'}, nil, 0, 0, "", "delimiter"},
		{"bad policy", "a\n1\n", &ReadOptions{BadRows: 7}, nil, 0, 0, "", "bad-rows policy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.in), tc.opts)
			if err == nil {
				t.Fatal("got no error")
			}
			if !strings.HasPrefix(err.Error(), "loaders: ") {
				t.Errorf("message %q does not start with the package name", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want errors.Is %v", err, tc.want)
			}
			if tc.msgContain != "" && !strings.Contains(err.Error(), tc.msgContain) {
				t.Errorf("message %q does not contain %q", err, tc.msgContain)
			}
			if tc.line == 0 {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T, want *ParseError", err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("got line %d column %d, want line %d column %d", pe.Line, pe.Column, tc.line, tc.col)
			}
			if tc.colName != "" && pe.ColumnName != tc.colName {
				t.Errorf("got column name %q, want %q", pe.ColumnName, tc.colName)
			}
		})
	}
}

func TestTargetEntirelyMissingFromColumns(t *testing.T) {
	_, err := FromColumns("mem", []Column{
		{Name: "a", Num: []float64{1, 2}},
		{Name: "y", Role: Target, Str: []string{"", ""}, Missing: []bool{true, true}},
	})
	if !errors.Is(err, ErrTargetEmpty) {
		t.Fatalf("got %v, want ErrTargetEmpty", err)
	}
}

func TestSkipBadRows(t *testing.T) {
	in := "a,b,y\n" +
		"1,x,p\n" + // line 2: good
		"2,y\n" + // line 3: ragged
		"inf,z,q\n" + // line 4: infinite
		"3,w,NA\n" + // line 5: missing target
		"4,v,r\n" + // line 6: good
		"abc,u,s\n" // line 7: not a number (declared)
	tab, err := ReadCSV(strings.NewReader(in), &ReadOptions{Cont: []string{"a"}, Target: "y", BadRows: Skip})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows != 2 || tab.Skipped != 4 || len(tab.SkipErrors) != 4 {
		t.Fatalf("got %d rows and %d skipped (%d errors), want 2 and 4 (4)", tab.Rows, tab.Skipped, len(tab.SkipErrors))
	}
	wantLines := []int{3, 4, 5, 7}
	wantErrs := []error{ErrFieldCount, ErrInfinite, ErrMissingTarget, ErrNotNumber}
	for i, pe := range tab.SkipErrors {
		if pe.Line != wantLines[i] || !errors.Is(pe, wantErrs[i]) {
			t.Errorf("skip %d: got line %d %v, want line %d %v", i, pe.Line, pe.Err, wantLines[i], wantErrs[i])
		}
	}
	if got := tab.Column("a").Num; !slices.Equal(got, []float64{1, 4}) {
		t.Errorf("kept a = %v, want [1 4]", got)
	}
	db, err := NewDataBunch(tab, nil)
	if err != nil {
		t.Fatal(err)
	}
	if db.Skipped != 4 || db.Train.N != 2 {
		t.Errorf("data bunch: %d skipped, %d rows; want 4 and 2", db.Skipped, db.Train.N)
	}
}

func TestFromColumnsErrors(t *testing.T) {
	cases := []struct {
		name string
		cols []Column
		want error
		msg  string
	}{
		{"no columns", nil, ErrNoHeader, ""},
		{"ragged", []Column{{Name: "a", Num: []float64{1, 2}}, {Name: "b", Num: []float64{1}}}, nil, "same length"},
		{"duplicate", []Column{{Name: "a", Num: []float64{1}}, {Name: "a", Num: []float64{1}}}, ErrDuplicateColumn, ""},
		{"no name", []Column{{Num: []float64{1}}}, nil, "no name"},
		{"inf", []Column{{Name: "a", Num: []float64{1, math.Inf(-1)}}}, ErrInfinite, "row 2"},
		{"two targets", []Column{{Name: "a", Role: Target, Str: []string{"x"}}, {Name: "b", Role: Target, Str: []string{"y"}}}, ErrRoleConflict, ""},
		{"wrong storage", []Column{{Name: "a", Role: Categorical, Num: []float64{1}}}, nil, "give its values in Str"},
		{"no rows", []Column{{Name: "a", Num: []float64{}}}, ErrNoRows, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromColumns("mem", tc.cols)
			if err == nil {
				t.Fatal("got no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestFromStringsMatchesReadCSV(t *testing.T) {
	a, err := FromStrings([]string{"x", "c"}, [][]string{{"1", "p"}, {"NA", "q"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadCSV(strings.NewReader("x,c\n1,p\nNA,q\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Columns[0].Role != b.Columns[0].Role || a.Columns[1].Role != b.Columns[1].Role ||
		a.Columns[0].MissingCount() != 1 || !slices.Equal(a.Columns[1].Str, b.Columns[1].Str) {
		t.Errorf("FromStrings %+v differs from ReadCSV %+v", a.Columns, b.Columns)
	}
	_, err = FromStrings([]string{"x"}, [][]string{{"1"}, {"1", "2"}}, nil)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || !errors.Is(err, ErrFieldCount) {
		t.Errorf("ragged row: got %v, want ErrFieldCount on line 3", err)
	}
}

func TestParseEnums(t *testing.T) {
	cases := []struct {
		name string
		f    func(string) (string, error)
		in   string
		want string
		bad  bool
	}{
		{"role cont", func(s string) (string, error) { r, err := ParseRole(s); return r.String(), err }, "cont", "continuous", false},
		{"role ignore", func(s string) (string, error) { r, err := ParseRole(s); return r.String(), err }, "Ignore", "ignored", false},
		{"role bad", func(s string) (string, error) { r, err := ParseRole(s); return r.String(), err }, "feature", "", true},
		{"badrows skip", func(s string) (string, error) { r, err := ParseBadRows(s); return r.String(), err }, "skip", "skip", false},
		{"badrows bad", func(s string) (string, error) { r, err := ParseBadRows(s); return r.String(), err }, "drop", "", true},
		{"scaling minmax", func(s string) (string, error) { r, err := ParseScaling(s); return r.String(), err }, "min-max", "minmax", false},
		{"scaling bad", func(s string) (string, error) { r, err := ParseScaling(s); return r.String(), err }, "robust", "", true},
		{"encoding ordinal", func(s string) (string, error) { r, err := ParseEncoding(s); return r.String(), err }, "ordinal", "ordinal", false},
		{"encoding default", func(s string) (string, error) { r, err := ParseEncoding(s); return r.String(), err }, "", "onehot", false},
		{"encoding embedding", func(s string) (string, error) { r, err := ParseEncoding(s); return r.String(), err }, " Embedding ", "embedding", false},
		{"encoding bad", func(s string) (string, error) { r, err := ParseEncoding(s); return r.String(), err }, "hash", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f(tc.in)
			if tc.bad {
				if err == nil || !strings.HasPrefix(err.Error(), "loaders: ") {
					t.Errorf("got %v, want a loaders error", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
