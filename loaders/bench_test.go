package loaders

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/somgraph/somgraph/embed"
)

// benchSets are the size tiers: 150, 344 and 20,640 rows.
var benchSets = []string{"iris", "penguins", "housing"}

func benchEach(b *testing.B, fn func(b *testing.B, data []byte, ro ReadOptions)) {
	for _, name := range benchSets {
		data, err := BuiltinCSV(name)
		if err != nil {
			b.Fatal(err)
		}
		ro, _ := BuiltinReadOptions(name, nil)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			fn(b, data, ro)
		})
	}
}

func BenchmarkReadCSV(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte, ro ReadOptions) {
		for b.Loop() {
			if _, err := ReadCSV(bytes.NewReader(data), &ro); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLoadReader(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte, ro ReadOptions) {
		for b.Loop() {
			if _, err := LoadReader(bytes.NewReader(data), &Options{Read: ro, ValidFrac: 0.2}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLoadStream(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte, ro ReadOptions) {
		for b.Loop() {
			if _, err := LoadStream(opener(data), &Options{Read: ro, ValidFrac: 0.2}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkTransform(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte, ro ReadOptions) {
		t, err := ReadCSV(bytes.NewReader(data), &ro)
		if err != nil {
			b.Fatal(err)
		}
		p, err := Fit(t, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := p.Transform(t); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEmbed is Builtin with Embedding encoding, the autoencoder run
// to its early stop (or embed.DefaultEpochs); the tiers are penguins
// (island, sex) and housing (ocean_proximity).
func BenchmarkEmbed(b *testing.B) {
	for _, name := range []string{"penguins", "housing"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			epochs := 0
			for b.Loop() {
				db, err := Builtin(name, &Options{Seed: 1, ValidFrac: 0.2, Pipeline: PipelineOptions{Encode: Embedding,
					Embed: &EmbedOptions{Progress: func(embed.Epoch) { epochs++ }}}})
				if err != nil {
					b.Fatal(err)
				}
				_ = db
			}
			b.ReportMetric(float64(epochs)/float64(b.N), "epochs/op")
		})
	}
}

// BenchmarkStreamNumeric compares the streaming reader's windowed fast
// path with its row-by-row path on a plain numeric file of 20,000 rows of
// 16 columns (both passes, fit and encode), and with the in-memory reader
// (LoadReader: read, parse, fit, transform).
func BenchmarkStreamNumeric(b *testing.B) {
	var buf bytes.Buffer
	rng := rand.New(rand.NewPCG(1, 1))
	for j := range 16 {
		if j > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, "f%d", j)
	}
	buf.WriteByte('\n')
	writeRows(&buf, 20000, 16, rng.NormFloat64)
	data := buf.Bytes()
	b.Run("in-memory", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := LoadReader(bytes.NewReader(data), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, fast := range []bool{true, false} {
		b.Run(map[bool]string{true: "windowed", false: "rows"}[fast], func(b *testing.B) {
			defer func() { useFast = true }()
			useFast = fast
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := LoadStream(opener(data), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFastBody parses a body of 4,000 rows of 64 six-decimal values
// (the shape of somgraph bench --write-csv's files) on one goroutine: the
// fast reader's text-to-values speed, without allocation or stores, a line
// at a time (decimalLine) and a field at a time.
func BenchmarkFastBody(b *testing.B) {
	var buf bytes.Buffer
	writeRows(&buf, 4000, 64, rand.New(rand.NewPCG(2, 2)).Float64)
	body := buf.Bytes()
	s := &schema{header: make([]string, 64), na: DefaultNA}
	field, _ := fastField(s)
	for _, decimal := range []bool{true, false} {
		b.Run(map[bool]string{true: "lines", false: "fields"}[decimal], func(b *testing.B) {
			fb := fastBody{delim: ',', width: 64, field: field, decimal: decimal,
				alloc: func(int) {}, store: func(int, []float64) {}}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var failed atomic.Bool
			for b.Loop() {
				if !fb.chunk(body, 0, &failed) {
					b.Fatal("declined")
				}
			}
		})
	}
}

// writeRows writes rows lines of cols comma-separated values drawn from
// value, with six decimals.
func writeRows(buf *bytes.Buffer, rows, cols int, value func() float64) {
	for range rows {
		for j := range cols {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.FormatFloat(value(), 'f', 6, 64))
		}
		buf.WriteByte('\n')
	}
}
