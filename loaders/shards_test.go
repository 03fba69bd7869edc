package loaders_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/loaders"
)

// shardRows returns CSV data rows with a continuous column with missing
// values, a constant column, a categorical column and a target.
func shardRows(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 1))
	cats := []string{"red", "green", "blue", "NA"}
	rows := make([]string, n)
	for i := range rows {
		x := fmt.Sprintf("%.4f", rng.NormFloat64()*3+1)
		if rng.IntN(10) == 0 {
			x = ""
		}
		rows[i] = fmt.Sprintf("%s,%d,7,%s,%s", x, rng.IntN(100), cats[rng.IntN(len(cats))], []string{"a", "b"}[rng.IntN(2)])
	}
	return rows
}

const shardHeader = "x,y,const,colour,label"

// writeShards writes the rows as shards of the given sizes (-1: a file of
// no bytes; 0: a header only) and the same rows as one file; it returns
// the shard paths and the whole file's path.
func writeShards(t *testing.T, rows []string, sizes []int) (shards []string, whole string) {
	t.Helper()
	dir := t.TempDir()
	i := 0
	for k, n := range sizes {
		p := filepath.Join(dir, fmt.Sprintf("part-%02d.csv", k))
		text := ""
		if n >= 0 {
			text = shardHeader + "\n" + strings.Join(append(slices.Clone(rows[i:i+n]), ""), "\n")
			i += n
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, p)
	}
	if i != len(rows) {
		t.Fatalf("sizes cover %d of %d rows", i, len(rows))
	}
	whole = filepath.Join(dir, "whole.csv")
	if err := os.WriteFile(whole, []byte(shardHeader+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return shards, whole
}

func opener(path string) loaders.Opener {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// fitShards summarizes each shard, sends each summary through its binary
// form and merges them in reverse order, as a distributed combiner might.
func fitShards(t *testing.T, shards []string, opts *loaders.Options) (*loaders.ShardSummary, error) {
	t.Helper()
	var merged loaders.ShardSummary
	for k := len(shards) - 1; k >= 0; k-- {
		s, err := loaders.FitShard(shards[k], opener(shards[k]), opts)
		if err != nil {
			return nil, err
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var d loaders.ShardSummary
		if err := d.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(&d); err != nil {
			return nil, err
		}
	}
	return &merged, nil
}

func samePipeline(t *testing.T, got, want *loaders.Pipeline) {
	t.Helper()
	if got.Target != want.Target || !slices.Equal(got.NA, want.NA) || got.Options != want.Options || len(got.Columns) != len(want.Columns) {
		t.Fatalf("pipeline %+v, want %+v", got, want)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*(1+math.Abs(b)) }
	for j, c := range got.Columns {
		w := want.Columns[j]
		if c.Name != w.Name || c.Kind != w.Kind || c.Missing != w.Missing || c.Indicator != w.Indicator || !slices.Equal(c.Levels, w.Levels) ||
			!near(c.Fill, w.Fill) || !near(c.Center, w.Center) || !near(c.Scale, w.Scale) {
			t.Fatalf("column %d: %+v, want %+v", j, c, w)
		}
	}
	if !slices.Equal(got.Features(), want.Features()) {
		t.Fatalf("features %v, want %v", got.Features(), want.Features())
	}
}

// TestShardsMatchLoad checks that the pipeline fitted from merged shard
// summaries, and the rows encoded shard by shard, are those of Load on the
// same rows in one file, for unequal shards, a header-only shard and an
// empty file, under each normalization.
func TestShardsMatchLoad(t *testing.T) {
	rows := shardRows(700, 3)
	shards, whole := writeShards(t, rows, []int{1, 400, 0, -1, 299})
	for _, pipe := range []loaders.PipelineOptions{{}, {Normalize: loaders.MinMax, NAIndicators: true}, {Encode: loaders.Ordinal}} {
		opts := &loaders.Options{Read: loaders.ReadOptions{Target: "label"}, Pipeline: pipe}
		db, err := loaders.Load(whole, opts)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := fitShards(t, shards, opts)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rows() != len(rows) {
			t.Fatalf("summarized %d rows, want %d", sum.Rows(), len(rows))
		}
		p, err := sum.Pipeline(opts)
		if err != nil {
			t.Fatal(err)
		}
		samePipeline(t, p, db.Pipeline)
		var data []float64
		var labels []string
		for _, s := range shards {
			n, skipped, err := loaders.EncodeShard(s, opener(s), p, opts, func(rec []float64, _ int, label string, _ bool) error {
				data = append(data, rec...)
				labels = append(labels, label)
				return nil
			})
			if err != nil || skipped != 0 {
				t.Fatalf("%s: %d rows, %d skipped, %v", s, n, skipped, err)
			}
		}
		if !slices.Equal(labels, db.Train.Labels) || len(data) != len(db.Train.Data) {
			t.Fatalf("encoded %d values, %d labels; Load %d, %d", len(data), len(labels), len(db.Train.Data), len(db.Train.Labels))
		}
		for i, v := range data {
			if math.Abs(v-db.Train.Data[i]) > 1e-12 {
				t.Fatalf("value %d: %v, Load %v", i, v, db.Train.Data[i])
			}
		}
	}
}

// TestShardsRefit checks a column numeric in one shard and text in
// another: ErrRefit naming it, then, declared categorical, Load's pipeline
// (which infers it categorical from the whole file). A column that turns
// to text within a shard is refitted by FitShard itself.
func TestShardsRefit(t *testing.T) {
	rows := shardRows(60, 4)
	rows[45] = strings.Replace(rows[45], ",7,", ",seven,", 1) // in the second shard
	rows[5] = strings.Replace(rows[5], ",", ",text,", 1)
	rows[5] = strings.Replace(rows[5], ",text,"+strings.Split(rows[5], ",")[2]+",", ",text,", 1) // y := "text" within shard 1
	shards, whole := writeShards(t, rows, []int{30, 30})
	opts := &loaders.Options{Read: loaders.ReadOptions{Target: "label"}}
	db, err := loaders.Load(whole, opts)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fitShards(t, shards, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sum.Pipeline(opts); !errors.Is(err, loaders.ErrRefit) || !slices.Equal(sum.Refit(), []string{"y", "const"}) {
		t.Fatalf("pipeline: %v, refit %v; want ErrRefit for y and const", err, sum.Refit())
	}
	opts.Read.Cat = sum.Refit()
	if sum, err = fitShards(t, shards, opts); err != nil {
		t.Fatal(err)
	}
	p, err := sum.Pipeline(opts)
	if err != nil {
		t.Fatal(err)
	}
	samePipeline(t, p, db.Pipeline)
	if p.Columns[1].Kind != loaders.Categorical {
		t.Fatalf("y with text in shard 1 is %v", p.Columns[1].Kind)
	}
}

// TestShardBadRows checks that a malformed row gives the error Load gives
// on that shard's file, and that under Skip the skip count is Load's on
// the whole file.
func TestShardBadRows(t *testing.T) {
	rows := shardRows(50, 5)
	rows[33] = "1.5,2,7,red" // a field short
	rows[40] = "abc,2,7,red,a"
	rows[12] = "inf,2,7,red,a"
	shards, whole := writeShards(t, rows, []int{10, 20, 20})
	opts := &loaders.Options{Read: loaders.ReadOptions{Target: "label", Cont: []string{"x"}}}
	_, want := loaders.Load(shards[2], opts)
	_, err := fitShards(t, shards, opts)
	if err == nil || want == nil || err.Error() != want.Error() || !errors.Is(err, loaders.ErrFieldCount) {
		t.Fatalf("shards: %v\nLoad of the shard: %v", err, want)
	}
	if !strings.Contains(err.Error(), "part-02.csv:5") {
		t.Fatalf("error %q does not name the shard's line 5", err)
	}
	skip := *opts
	skip.Read.BadRows = loaders.Skip
	db, err := loaders.Load(whole, &skip)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fitShards(t, shards, &skip)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped() != db.Skipped || sum.Skipped() != 3 || sum.Rows() != db.Train.N {
		t.Fatalf("shards skipped %d and kept %d rows, Load %d and %d", sum.Skipped(), sum.Rows(), db.Skipped, db.Train.N)
	}
	p, err := sum.Pipeline(&skip)
	if err != nil {
		t.Fatal(err)
	}
	samePipeline(t, p, db.Pipeline)
	total := 0
	for _, s := range shards {
		_, n, err := loaders.EncodeShard(s, opener(s), p, &skip, func([]float64, int, string, bool) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != db.Skipped {
		t.Fatalf("encoding skipped %d rows, Load %d", total, db.Skipped)
	}
}

func TestShardErrors(t *testing.T) {
	shards, _ := writeShards(t, nil, []int{-1, 0})
	opts := &loaders.Options{}
	sum, err := fitShards(t, shards[:1], opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sum.Pipeline(opts); !errors.Is(err, loaders.ErrNoHeader) {
		t.Errorf("only empty shards: %v, want ErrNoHeader", err)
	}
	sum, _ = fitShards(t, shards, opts)
	if _, err := sum.Pipeline(opts); !errors.Is(err, loaders.ErrNoRows) {
		t.Errorf("header only: %v, want ErrNoRows", err)
	}
	if _, err := loaders.FitShard("x", opener(shards[0]), &loaders.Options{ValidFrac: 1.5}); err == nil {
		t.Error("a validation fraction of 1.5: no error")
	}
	// Different headers.
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte("x,y\n1,2\n"), 0o644)
	os.WriteFile(b, []byte("x,z\n1,2\n"), 0o644)
	if _, err := fitShards(t, []string{a, b}, opts); err == nil || !strings.Contains(err.Error(), "different headers") {
		t.Errorf("different headers: %v", err)
	}
	// A shard lacking a pipeline input.
	sa, _ := loaders.FitShard(a, opener(a), opts)
	p, err := sa.Pipeline(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := loaders.EncodeShard(b, opener(b), p, opts, func([]float64, int, string, bool) error { return nil }); err == nil || !strings.Contains(err.Error(), `"y"`) {
		t.Errorf("encoding a shard without y: %v", err)
	}
	// Corrupt summaries.
	for _, bad := range [][]byte{nil, []byte("garbage"), bytes.Repeat([]byte{0xff}, 40)} {
		var s loaders.ShardSummary
		if err := s.UnmarshalBinary(bad); err == nil {
			t.Errorf("decoding %q: no error", bad)
		}
	}
}

// TestShardMedianSample checks the merged median sample above
// StreamSample: the fill is near the true median of a uniform column.
func TestShardMedianSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	rows := make([]string, 4000)
	for i := range rows {
		x := fmt.Sprint(rng.Float64() * 100)
		if i%50 == 0 {
			x = "NA"
		}
		rows[i] = x + ",1,7,red,a"
	}
	shards, _ := writeShards(t, rows, []int{1000, 500, 2500})
	opts := &loaders.Options{StreamSample: 400, Read: loaders.ReadOptions{Target: "label"}}
	sum, err := fitShards(t, shards, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sum.Pipeline(opts)
	if err != nil {
		t.Fatal(err)
	}
	if f := p.Columns[0].Fill; math.Abs(f-50) > 8 {
		t.Fatalf("median estimate %v of a uniform [0, 100) column", f)
	}
}

func FuzzShardSummaryUnmarshal(f *testing.F) {
	s, _ := loaders.FitShard("f", func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("a,b\n1,x\n2,y\n")), nil
	}, nil)
	b, _ := s.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var d loaders.ShardSummary
		if d.UnmarshalBinary(b) != nil {
			return
		}
		var m loaders.ShardSummary
		_ = m.Merge(&d)
		_ = m.Merge(&d)
		_, _ = m.Pipeline(nil)
	})
}

// splitShards writes rows (shardRows' columns plus a "split" marker
// column) as shards of the given sizes, and the same rows as one file.
func splitShards(t *testing.T, rows []string, marks []string, sizes []int) (shards []string, whole string) {
	t.Helper()
	marked := make([]string, len(rows))
	for i, r := range rows {
		marked[i] = r + "," + marks[i]
	}
	shards, whole = writeShards(t, marked, sizes)
	for _, f := range append(slices.Clone(shards), whole) {
		b, _ := os.ReadFile(f)
		if len(b) > 0 {
			os.WriteFile(f, []byte(strings.Replace(string(b), shardHeader, shardHeader+",split", 1)), 0o644)
		}
	}
	return shards, whole
}

// encodeSplit encodes the shards and returns the records and labels of
// each split, and each record's split in order.
func encodeSplit(t *testing.T, shards []string, p *loaders.Pipeline, opts *loaders.Options) (train, valid []float64, trainLabels, validLabels []string, flags []bool) {
	t.Helper()
	for _, s := range shards {
		_, _, err := loaders.EncodeShard(s, opener(s), p, opts, func(rec []float64, _ int, label string, v bool) error {
			flags = append(flags, v)
			if v {
				valid, validLabels = append(valid, rec...), append(validLabels, label)
			} else {
				train, trainLabels = append(train, rec...), append(trainLabels, label)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return
}

func sameData(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i, v := range got {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("%s: value %d: %v, want %v", what, i, v, want[i])
		}
	}
}

// TestShardsValidColumnMatchesLoad checks a validation split marked by a
// column: the pipeline is fitted on the training rows only and each split
// holds the rows Load puts in it from the same rows in one file.
func TestShardsValidColumnMatchesLoad(t *testing.T) {
	rows := shardRows(500, 9)
	marks := make([]string, len(rows))
	rng := rand.New(rand.NewPCG(4, 4))
	for i := range marks {
		marks[i] = []string{"train", "valid", "0", "1", ""}[rng.IntN(5)]
	}
	shards, whole := splitShards(t, rows, marks, []int{3, 200, 0, -1, 297})
	opts := &loaders.Options{Read: loaders.ReadOptions{Target: "label"}, ValidColumn: "split"}
	db, err := loaders.Load(whole, opts)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fitShards(t, shards, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows() != db.Train.N || sum.ValidRows() != db.Valid.N {
		t.Fatalf("summarized %d+%d rows, Load %d+%d", sum.Rows(), sum.ValidRows(), db.Train.N, db.Valid.N)
	}
	per := sum.Shards()
	if len(per) != 4 || per[shards[1]].Train+per[shards[1]].Valid != 200 || per[shards[2]] != (loaders.ShardCount{}) {
		t.Fatalf("per shard: %v", per)
	}
	p, err := sum.Pipeline(opts)
	if err != nil {
		t.Fatal(err)
	}
	samePipeline(t, p, db.Pipeline)
	train, valid, tl, vl, _ := encodeSplit(t, shards, p, opts)
	sameData(t, "train", train, db.Train.Data)
	sameData(t, "valid", valid, db.Valid.Data)
	if !slices.Equal(tl, db.Train.Labels) || !slices.Equal(vl, db.Valid.Labels) {
		t.Fatal("labels differ from Load's")
	}
	// A bad marker is Load's located error; a column marking every row
	// valid leaves no training rows.
	marks[250] = "maybe"
	shards, whole = splitShards(t, rows, marks, []int{200, 300})
	_, lerr := loaders.Load(whole, opts)
	_, serr := fitShards(t, shards, opts)
	if lerr == nil || serr == nil || !strings.Contains(serr.Error(), "maybe") || !errors.Is(serr, loaders.ErrSplitValue) {
		t.Fatalf("bad marker: shards %v, Load %v", serr, lerr)
	}
	for i := range marks {
		marks[i] = "valid"
	}
	shards, _ = splitShards(t, rows, marks, []int{200, 300})
	if sum, err = fitShards(t, shards, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := sum.Pipeline(opts); err == nil || !strings.Contains(err.Error(), "no training rows") {
		t.Fatalf("every row valid: %v", err)
	}
	if _, err := fitShards(t, shards, &loaders.Options{ValidColumn: "nosuch"}); !errors.Is(err, loaders.ErrUnknownColumn) {
		t.Fatalf("unknown valid column: %v", err)
	}
}

// TestShardsValidFrac checks the random split of shards: about ValidFrac
// of the rows, the same rows for the same seed and file names wherever
// the files are, others for another seed, and the pipeline of Load on the
// rows it drew, marked with a column.
func TestShardsValidFrac(t *testing.T) {
	rows := shardRows(2000, 5)
	shards, _ := writeShards(t, rows, []int{700, 0, 1300})
	opts := &loaders.Options{Read: loaders.ReadOptions{Target: "label"}, ValidFrac: 0.25, Seed: 3}
	sum, err := fitShards(t, shards, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(sum.ValidRows()) / 2000; sum.Rows()+sum.ValidRows() != 2000 || math.Abs(got-0.25) > 0.04 {
		t.Fatalf("%d train + %d valid rows of 2000", sum.Rows(), sum.ValidRows())
	}
	p, err := sum.Pipeline(opts)
	if err != nil {
		t.Fatal(err)
	}
	train, valid, _, _, flags := encodeSplit(t, shards, p, opts)
	// The same shards elsewhere: the same split.
	moved, _ := writeShards(t, rows, []int{700, 0, 1300})
	_, _, _, _, again := encodeSplit(t, moved, p, opts)
	if !slices.Equal(flags, again) {
		t.Fatal("the same shards in another directory: another split")
	}
	other := *opts
	other.Seed = 4
	if _, _, _, _, f4 := encodeSplit(t, shards, p, &other); slices.Equal(flags, f4) {
		t.Fatal("another seed: the same split")
	}
	// Load on the same rows, the drawn split marked by a column.
	marks := make([]string, len(flags))
	for i, v := range flags {
		marks[i] = map[bool]string{true: "valid", false: "train"}[v]
	}
	_, whole := splitShards(t, rows, marks, []int{2000})
	db, err := loaders.Load(whole, &loaders.Options{Read: loaders.ReadOptions{Target: "label"}, ValidColumn: "split"})
	if err != nil {
		t.Fatal(err)
	}
	samePipeline(t, p, db.Pipeline)
	sameData(t, "train", train, db.Train.Data)
	sameData(t, "valid", valid, db.Valid.Data)
}
