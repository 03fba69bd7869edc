package loaders

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"a,b,c\n1,x,2\n3,y,NA\n",
	"\uFEFFa,b\r\n1,\"q,\"\"r\"\"\"\r\n2,s\r\n",
	"a\n\n1\n",
	"a,b\n1\n2,3,4\n",
	"a,a\n1,2\n",
	"x,y\ninf,1\n-1e999,2\nNaN,3\n",
	"x;y\n1;2\n",
	"h\n\"unterminated\n",
	"a,b\n1e308,-1e308\n1.7e308,5\n",
	"a,b\n0x1p-2,1_0\n.5,-.5\n",
	"c\nmissing\nNA\nunknown\n",
	",\n,\n",
	"",
}

// FuzzReadCSV checks that the reader never panics (with either decimal
// mark), that every error starts with the package name, and that a table
// it returns is consistent.
func FuzzReadCSV(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), byte(','), false, false)
	}
	f.Add([]byte("a;b\n2,5;x\n-1,0;y\n"), byte(';'), false, true)
	f.Fuzz(func(t *testing.T, data []byte, delim byte, skip, decimalComma bool) {
		opts := &ReadOptions{Delimiter: rune(delim)}
		if decimalComma {
			opts.Decimal = ','
		}
		if skip {
			opts.BadRows = Skip
		}
		tab, err := ReadCSV(bytes.NewReader(data), opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "loaders: ") {
				t.Fatalf("error without the package name: %v", err)
			}
			return
		}
		if tab.Rows < 1 {
			t.Fatalf("table with %d rows and no error", tab.Rows)
		}
		names := map[string]bool{}
		for _, c := range tab.Columns {
			if c.Len() != tab.Rows || c.Role == Auto || names[c.Name] || c.Name == "" {
				t.Fatalf("column %q: %d values, role %v, in a table of %d rows", c.Name, c.Len(), c.Role, tab.Rows)
			}
			names[c.Name] = true
			for _, v := range c.Num {
				if math.IsInf(v, 0) {
					t.Fatalf("column %q holds %v", c.Name, v)
				}
			}
		}
		if !skip && tab.Skipped != 0 {
			t.Fatalf("%d rows skipped under Fail", tab.Skipped)
		}
	})
}

// FuzzPipeline fits and applies a pipeline to whatever the reader accepts:
// no panic, finite encodings, JSON round trip, inverse round trips.
func FuzzPipeline(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0), uint8(0), true)
	}
	f.Add([]byte("a,b\n1,x\n1,x\n"), uint8(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, scaling, encoding uint8, ind bool) {
		tab, err := ReadCSV(bytes.NewReader(data), &ReadOptions{BadRows: Skip, LazyQuotes: true})
		if err != nil {
			return
		}
		opts := &PipelineOptions{Normalize: Scaling(scaling % 3), Encode: Encoding(encoding % 2), NAIndicators: ind}
		p, err := Fit(tab, nil, opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "loaders: ") {
				t.Fatalf("error without the package name: %v", err)
			}
			return
		}
		ds, err := p.Transform(tab)
		if err != nil {
			t.Fatalf("transform of the fitted rows: %v", err)
		}
		if err := ds.Check(); err != nil {
			t.Fatalf("encoded data: %v", err)
		}
		q, _ := jsonRoundTrip(t, p)
		ds2, err := q.Transform(tab)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range ds.Data {
			if ds2.Data[i] != v {
				t.Fatalf("decoded pipeline encodes value %d as %v, not %v", i, ds2.Data[i], v)
			}
		}
		for i := 0; i < ds.N; i++ {
			row := ds.Row(i)
			cats, err := p.Recategorize(row)
			if err != nil {
				t.Fatal(err)
			}
			conts, _ := p.Denormalize(row)
			if _, err := p.Decode(row); err != nil {
				t.Fatal(err)
			}
			ci, ki := 0, 0
			for j, pc := range p.Columns {
				c := tab.Column(pc.Name)
				if pc.Kind == Categorical {
					want := c.Str[i]
					if c.IsMissing(i) {
						want = MissingLevel
					}
					if cats[ci] != want {
						t.Fatalf("row %d %q: Recategorize gives %q, want %q", i, pc.Name, cats[ci], want)
					}
					ci++
					continue
				}
				want := c.Num[i]
				if math.IsNaN(want) {
					want = p.Columns[j].Fill
				}
				tol := 1e-6 * math.Max(math.Abs(want), math.Abs(pc.Center)+pc.Scale)
				if math.Abs(conts[ki]-want) > tol {
					t.Fatalf("row %d %q: Denormalize gives %v, want %v", i, pc.Name, conts[ki], want)
				}
				ki++
			}
		}
	})
}

// FuzzPipelineJSON decodes arbitrary bytes as a pipeline: an error or a
// pipeline that works, never a panic.
func FuzzPipelineJSON(f *testing.F) {
	tab, _ := ReadCSV(strings.NewReader("a,b,y\n1,x,p\nNA,y,q\n3,NA,p\n"), &ReadOptions{Target: "y"})
	for _, o := range []PipelineOptions{{}, {Encode: Ordinal, Normalize: MinMax, NAIndicators: true}} {
		p, _ := Fit(tab, nil, &o)
		b, _ := json.Marshal(p)
		f.Add(b)
	}
	f.Add([]byte(`{"version":1,"columns":[{"name":"a","kind":"continuous","scale":1e-320}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Pipeline
		if err := json.Unmarshal(data, &p); err != nil {
			return
		}
		rec := make([]string, len(p.Columns))
		for i := range rec {
			rec[i] = "NA"
		}
		enc, err := p.EncodeRecord(rec, nil)
		if err != nil {
			return
		}
		if _, err := p.Decode(enc); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.WriteCodebook(&buf, enc, 1, 1); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzStream checks that the streaming reader agrees with the in-memory
// one: both fail, or both give the same pipeline and data; and that its
// windowed fast path (in small windows) and its row-by-row path give the
// same bunch, skip errors and error.
func FuzzStream(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("a,b\n1,2\n2.0,3\nNA,4\nten,5\n"), true)
	f.Add([]byte("a,b\n1,2\n2.0,3\nNA,4\n\n5,-1e3\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		opts := &Options{Read: ReadOptions{LazyQuotes: true}}
		if skip {
			opts.Read.BadRows = Skip
		}
		mem, err1 := LoadReader(bytes.NewReader(data), opts)
		st, err2 := loadStreamBoth(t, data, opts, 1+len(data)%13)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("in memory: %v; streamed: %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		j1, _ := json.Marshal(mem.Pipeline)
		j2, _ := json.Marshal(st.Pipeline)
		if string(j1) != string(j2) {
			t.Fatalf("pipelines differ:\n%s\n%s", j1, j2)
		}
		if mem.Train.N != st.Train.N || mem.Skipped != st.Skipped {
			t.Fatalf("rows %d vs %d, skipped %d vs %d", mem.Train.N, st.Train.N, mem.Skipped, st.Skipped)
		}
		for i, v := range mem.Train.Data {
			if st.Train.Data[i] != v {
				t.Fatalf("value %d: %v vs %v", i, v, st.Train.Data[i])
			}
		}
	})
}
