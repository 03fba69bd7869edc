package loaders

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/embed"
)

// plantedCSV has a column "kind" of 8 levels in two groups (a0–a3 and
// b0–b3) whose rows look alike in three continuous columns, an unrelated
// column "tag" of 3 levels, and a target.
func plantedCSV(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 2))
	var b strings.Builder
	b.WriteString("x1,kind,x2,tag,x3,y\n")
	for i := 0; i < n; i++ {
		k := rng.IntN(8)
		g, s := "a", 1.0
		if k >= 4 {
			g, s = "b", -1
		}
		fmt.Fprintf(&b, "%.4f,%s%d,%.4f,t%d,%.4f,%s\n", s+0.5*rng.NormFloat64(), g, k%4, -s+0.5*rng.NormFloat64(), rng.IntN(3), 0.7*s+0.5*rng.NormFloat64(), g)
	}
	return b.String()
}

func cosDist(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return 1 - ab/math.Sqrt(aa*bb)
}

// groupDistances returns the mean cosine distance between the planted
// column's level vectors within their groups (a0–a3, b0–b3) and between
// them.
func groupDistances(vectors [][]float64) (within, between float64) {
	for a := 0; a < 8; a++ {
		for b := a + 1; b < 8; b++ {
			if d := cosDist(vectors[a], vectors[b]); (a < 4) == (b < 4) {
				within += d / 12
			} else {
				between += d / 16
			}
		}
	}
	return within, between
}

func embedBunch(t *testing.T, csv string, po PipelineOptions) *DataBunch {
	t.Helper()
	po.Encode = Embedding
	db, err := LoadReader(strings.NewReader(csv), &Options{Read: ReadOptions{Target: "y"}, Seed: 4, ValidFrac: 0.2, Pipeline: po})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestEmbeddingPlanted: through the pipeline, the learned vectors of
// same-group levels are closer (cosine distance) than those of levels of
// different groups, and the map's data hold each level's vector.
func TestEmbeddingPlanted(t *testing.T) {
	db := embedBunch(t, plantedCSV(2000, 1), PipelineOptions{})
	var kind Group
	for _, g := range db.Pipeline.Layout().Groups {
		if g.Name == "kind" {
			kind = g
		}
	}
	if kind.Encoding != Embedding || kind.Width != embed.Size(9) || len(kind.Vectors) != 9 {
		t.Fatalf("group %+v: want an embedding of width %d with 9 vectors", kind, embed.Size(9))
	}
	within, between := groupDistances(kind.Vectors)
	t.Logf("mean cosine distance within groups %.3f, between %.3f", within, between)
	if !(within < 0.25*between) {
		t.Errorf("mean cosine distance within groups %.3f, between %.3f: want within below a quarter of between", within, between)
	}
	// Each training row holds its level's vector.
	for i := range 50 {
		row := db.Train.Row(i)[kind.Start : kind.Start+kind.Width]
		lvl := db.Table.Column("kind").Str[db.TrainRows[i]]
		k := slicesIndex(kind.Levels, lvl)
		if !reflect.DeepEqual(row, kind.Vectors[k]) {
			t.Fatalf("row %d (%s): %v, want %v", i, lvl, row, kind.Vectors[k])
		}
	}
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestEmbeddingTransform: unseen and missing levels get the unknown
// level's vector, in Transform and EncodeRecord; the features are named
// "<name>#<k>"; the pipeline round-trips through JSON and encodes alike.
func TestEmbeddingTransform(t *testing.T) {
	db := embedBunch(t, plantedCSV(400, 2), PipelineOptions{Embed: &EmbedOptions{Sizes: map[string]int{"tag": 2}, Epochs: 3}})
	p := db.Pipeline
	want := []string{"x1", "kind#0", "kind#1", "kind#2", "kind#3", "kind#4", "x2", "tag#0", "tag#1", "x3"}
	if got := p.Features(); !reflect.DeepEqual(got, want) {
		t.Fatalf("features %q, want %q", got, want)
	}
	if p.Options.Embed.Seed != 4 {
		t.Errorf("embedding seed %d, want Options.Seed 4", p.Options.Embed.Seed)
	}
	tag := p.Layout().Groups[3]
	unknown := tag.Vectors[len(tag.Levels)]
	for _, in := range []string{"t9", "NA"} {
		rec, err := p.EncodeRecord([]string{"0", "a1", "0", in, "0"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec[tag.Start : tag.Start+2]; !reflect.DeepEqual(got, unknown) {
			t.Errorf("tag %q: %v, want the unknown vector %v", in, got, unknown)
		}
	}
	tab := mustRead(t, "x1,kind,x2,tag,x3\n0,zz,0,t1,0\n", nil)
	ds, err := p.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	kind := p.Layout().Groups[1]
	if got := ds.Row(0)[1:6]; !reflect.DeepEqual(got, kind.Vectors[8]) {
		t.Errorf("unseen kind: %v, want the unknown vector %v", got, kind.Vectors[8])
	}
	if got := ds.Row(0)[7:9]; !reflect.DeepEqual(got, tag.Vectors[1]) {
		t.Errorf("tag t1: %v, want %v", got, tag.Vectors[1])
	}
	q, _ := jsonRoundTrip(t, p)
	ds2, err := q.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ds.Data, ds2.Data) {
		t.Errorf("decoded pipeline encodes %v, the fitted one %v", ds2.Data, ds.Data)
	}
}

// TestEmbeddingDeterministic: the same seed gives the same pipeline bytes,
// another seed other vectors.
func TestEmbeddingDeterministic(t *testing.T) {
	csv := plantedCSV(300, 3)
	fit := func(seed uint64) []byte {
		db, err := LoadReader(strings.NewReader(csv), &Options{Read: ReadOptions{Target: "y"}, Seed: seed, ValidFrac: 0.2, Pipeline: PipelineOptions{Encode: Embedding, Embed: &EmbedOptions{Epochs: 3}}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(db.Pipeline)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := fit(1), fit(1), fit(2)
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different pipelines")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 1 and 2 gave the same pipeline")
	}
}

// TestEmbeddingBadInput: a one-level column falls back to one-hot; size
// 0, sizes naming no categorical column, an ID-like column and a
// streamed load are errors; corrupted vectors in a stored pipeline are
// ErrPipeline.
func TestEmbeddingBadInput(t *testing.T) {
	t.Run("one level", func(t *testing.T) {
		csv := strings.Replace(plantedCSV(200, 4), "x1,", "one,x1,", 1)
		csv = strings.ReplaceAll(csv, "\n", "\nsame,")
		csv = strings.TrimSuffix(csv, "same,")
		db := embedBunch(t, csv, PipelineOptions{Embed: &EmbedOptions{Epochs: 2}})
		g := db.Pipeline.Layout().Groups[0]
		if g.Name != "one" || g.Encoding != OneHot || g.Width != 1 || g.Vectors != nil {
			t.Errorf("one-level group %+v: want one-hot of width 1", g)
		}
		if db.Pipeline.Layout().Groups[2].Encoding != Embedding {
			t.Error("the other columns are not embedded")
		}
	})
	bad := map[string]struct {
		csv  string
		po   PipelineOptions
		want error
	}{
		"size 0":       {plantedCSV(200, 5), PipelineOptions{Embed: &EmbedOptions{Sizes: map[string]int{"kind": 0}}}, embed.ErrSize},
		"size unknown": {plantedCSV(200, 5), PipelineOptions{Embed: &EmbedOptions{Sizes: map[string]int{"colour": 3}}}, ErrUnknownColumn},
		"size of cont": {plantedCSV(200, 5), PipelineOptions{Embed: &EmbedOptions{Sizes: map[string]int{"x1": 3}}}, ErrUnknownColumn},
		"skip missing": {plantedCSV(200, 5), PipelineOptions{Missing: SkipMissing}, nil},
		"id column":    {"id,x\n" + idRows(30), PipelineOptions{}, embed.ErrLevels},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			tc.po.Encode = Embedding
			ro := ReadOptions{Target: "y"}
			if !strings.Contains(tc.csv, ",y\n") {
				ro.Target = ""
			}
			_, err := LoadReader(strings.NewReader(tc.csv), &Options{Read: ro, Pipeline: tc.po})
			if tc.want == nil && err != nil && strings.Contains(err.Error(), "embeddings are learned from complete records") {
				return
			}
			if tc.want == nil || !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
	t.Run("streamed", func(t *testing.T) {
		csv := plantedCSV(100, 6)
		open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil }
		_, err := LoadStream(open, &Options{Read: ReadOptions{Target: "y"}, Pipeline: PipelineOptions{Encode: Embedding}})
		if !errors.Is(err, ErrEmbedStream) {
			t.Fatalf("got %v, want ErrEmbedStream", err)
		}
	})
	t.Run("sharded", func(t *testing.T) {
		csv := plantedCSV(100, 6)
		open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil }
		o := &Options{Read: ReadOptions{Target: "y"}, Pipeline: PipelineOptions{Encode: Embedding}}
		s, err := FitShard("a.csv", open, o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Pipeline(o); !errors.Is(err, ErrEmbedStream) {
			t.Fatalf("got %v, want ErrEmbedStream", err)
		}
	})
	t.Run("corrupted", func(t *testing.T) {
		db := embedBunch(t, plantedCSV(200, 7), PipelineOptions{Embed: &EmbedOptions{Epochs: 1}})
		b, _ := json.Marshal(db.Pipeline)
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		for name, edit := range map[string]func(c map[string]any){
			"missing":   func(c map[string]any) { delete(c, "embedding") },
			"one short": func(c map[string]any) { e := c["embedding"].([]any); c["embedding"] = e[1:] },
			"ragged":    func(c map[string]any) { e := c["embedding"].([]any); e[0] = e[0].([]any)[1:] },
			"empty":     func(c map[string]any) { e := c["embedding"].([]any); e[0], e[1] = []any{}, []any{} },
		} {
			var r map[string]any
			_ = json.Unmarshal(b, &r)
			edit(r["columns"].([]any)[1].(map[string]any))
			bb, _ := json.Marshal(r)
			var p Pipeline
			if err := json.Unmarshal(bb, &p); !errors.Is(err, ErrPipeline) {
				t.Errorf("%s: got %v, want ErrPipeline", name, err)
			}
		}
		// Vectors under another encoding.
		var r map[string]any
		_ = json.Unmarshal(b, &r)
		r["options"].(map[string]any)["encode"] = "onehot"
		bb, _ := json.Marshal(r)
		var p Pipeline
		if err := json.Unmarshal(bb, &p); !errors.Is(err, ErrPipeline) {
			t.Errorf("vectors under one-hot: got %v, want ErrPipeline", err)
		}
	})
}

// TestEmbeddingCoOccurrence: the co-occurrence method separates the
// planted groups too, without a seed; an unknown method is an error.
func TestEmbeddingCoOccurrence(t *testing.T) {
	db := embedBunch(t, plantedCSV(2000, 1), PipelineOptions{Embed: &EmbedOptions{Method: EmbedCoOccurrence}})
	kind := db.Pipeline.Layout().Groups[1]
	within, between := groupDistances(kind.Vectors)
	t.Logf("mean cosine distance within groups %.3f, between %.3f", within, between)
	if kind.Encoding != Embedding || !(within < 0.25*between) {
		t.Errorf("%v group: mean cosine distance within groups %.3f, between %.3f: want within below a quarter of between", kind.Encoding, within, between)
	}
	_, err := LoadReader(strings.NewReader(plantedCSV(100, 1)), &Options{Read: ReadOptions{Target: "y"},
		Pipeline: PipelineOptions{Encode: Embedding, Embed: &EmbedOptions{Method: "svd"}}})
	if err == nil || !strings.Contains(err.Error(), `embedding method "svd"`) {
		t.Errorf("unknown method: got %v", err)
	}
}
