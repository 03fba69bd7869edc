package viz

import (
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
)

// compass is a level table on the unit circle: north, east, south, west
// every quarter turn, the unknown level's row along a third axis.
var compass = [][]float64{{0, 1, 0}, {1, 0, 0}, {0, -1, 0}, {-1, 0, 0}, {0, 0, 1}}

// embDecoder decodes 4 encoded columns: a continuous "height" (the value
// itself) and "heading", embedded in 3 columns with the compass table.
type embDecoder struct{ table [][]float64 }

func (e embDecoder) Layout() loaders.Layout {
	return loaders.Layout{Width: 4, Groups: []loaders.Group{
		{Name: "height", Kind: loaders.Continuous, Start: 0, Width: 1},
		{Name: "heading", Kind: loaders.Categorical, Column: 1, Start: 1, Width: 3, Encoding: loaders.Embedding,
			Levels: []string{"north", "east", "south", "west"}, Vectors: e.table},
	}}
}
func (embDecoder) Denormalize(enc []float64) ([]float64, error) { return enc[:1], nil }
func (e embDecoder) Recategorize(enc []float64) ([]string, error) {
	g := e.Layout().Groups[1]
	if k := g.Code(enc); k >= 0 {
		return []string{g.Levels[k]}, nil
	}
	return []string{loaders.UnknownLevel}, nil
}

// compassMap is a 6×12 map whose units turn a full circle along each row
// (unit (r, c) points at angle 2π·c/12 from north, clockwise) with height r.
func compassMap(t *testing.T) (*graph.Map, []float64) {
	g := graph.Grid{Rows: 6, Cols: 12, Topology: graph.Hexagonal}
	var w, angle []float64
	for k := range g.Units() {
		r, c := g.RowCol(k)
		a := 2 * math.Pi * (float64(c) + 0.25) / 12
		w = append(w, float64(r), math.Sin(a), math.Cos(a), 0)
		angle = append(angle, a)
	}
	return newMap(t, g, 4, w), angle
}

func TestEmbeddedFeaturesAndMargins(t *testing.T) {
	m, angle := compassMap(t)
	in, err := New(m, nil, nil, WithDecoder(embDecoder{compass}))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := in.features()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[1].name != "heading" || len(fs[1].levels) != 4 {
		t.Fatalf("features %+v", fs)
	}
	charts, err := in.marginCharts(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 1 || !strings.Contains(charts[0].Title, "heading") {
		t.Fatalf("charts %+v, want one heading panel", charts)
	}
	for u, a := range angle {
		// Nearest level: the quarter turn closest to a; the second the next
		// closest, at a quarter turn less the offset: the margin is
		// cos δ − cos(π/2 − δ).
		q := math.Round(a / (math.Pi / 2))
		want := int(q) % 4
		delta := math.Abs(a - q*math.Pi/2)
		if got := fs[1].cats[u]; got != want {
			t.Errorf("unit %d at %.2f rad: level %d, want %d", u, a, got, want)
		}
		if got, wm := charts[0].Values[u], math.Cos(delta)-math.Sin(delta); math.Abs(got-wm) > 1e-12 {
			t.Errorf("unit %d: margin %g, want %g", u, got, wm)
		}
	}
	for _, f := range []Format{PNG, SVG} {
		var b, h bytes.Buffer
		if err := in.LevelMargins(&b, f, "heading"); err != nil || b.Len() == 0 {
			t.Fatalf("%v: %v", f, err)
		}
		if err := in.FeatureHeatmaps(&h, f); err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		if f == PNG {
			saveLook(t, "embedded_margins.png", b.Bytes())
			saveLook(t, "embedded_features.png", h.Bytes())
		}
	}
}

func TestLevelMarginsErrors(t *testing.T) {
	m, _ := compassMap(t)
	plain, _ := New(m, nil, nil)
	if err := plain.LevelMargins(io.Discard, PNG); err == nil || !strings.Contains(err.Error(), "decoder") {
		t.Errorf("no decoder: %v", err)
	}
	g := graph.Grid{Rows: 2, Cols: 2}
	oneHot, _ := New(newMap(t, g, 3, make([]float64, 12)), nil, nil, WithDecoder(fakeDecoder{}))
	if err := oneHot.LevelMargins(io.Discard, PNG); err == nil || !strings.Contains(err.Error(), "no feature is encoded as embeddings") {
		t.Errorf("no embedded feature: %v", err)
	}
	in, _ := New(m, nil, nil, WithDecoder(embDecoder{compass}))
	if err := in.LevelMargins(io.Discard, PNG, "height"); err == nil || !strings.Contains(err.Error(), "embedded features: heading") {
		t.Errorf("a continuous name: %v", err)
	}
	bad := [][]float64{{0, 1, 0}, {math.NaN(), 0, 0}, {0, -1, 0}, {-1, 0, 0}, {0, 0, 1}}
	in, _ = New(m, nil, nil, WithDecoder(embDecoder{bad}))
	if err := in.LevelMargins(io.Discard, PNG); !errors.Is(err, loaders.ErrVectors) {
		t.Errorf("a NaN in the table: %v, want ErrVectors", err)
	}
	short := compass[:3]
	in, _ = New(m, nil, nil, WithDecoder(embDecoder{short}))
	if err := in.LevelMargins(io.Discard, PNG); !errors.Is(err, loaders.ErrVectors) {
		t.Errorf("a short table: %v, want ErrVectors", err)
	}
}

// TestMarginsChart: WriteCharts writes margins.png for a map with embedded
// features and skips it for others; Chart("margins") draws it.
func TestMarginsChart(t *testing.T) {
	m, _ := compassMap(t)
	in, _ := New(m, nil, nil, WithDecoder(embDecoder{compass}))
	if !in.Embedded() {
		t.Fatal("Embedded is false with an embedded feature")
	}
	paths, err := in.WriteCharts(t.TempDir(), PNG)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(paths, func(p string) bool { return strings.HasSuffix(p, "margins.png") }) {
		t.Errorf("wrote %v, want margins.png among them", paths)
	}
	g := graph.Grid{Rows: 2, Cols: 2}
	oneHot, _ := New(newMap(t, g, 3, make([]float64, 12)), nil, nil, WithDecoder(fakeDecoder{}))
	if oneHot.Embedded() {
		t.Error("Embedded is true for a one-hot decoder")
	}
	paths, err = oneHot.WriteCharts(t.TempDir(), PNG)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(paths, func(p string) bool { return strings.HasSuffix(p, "margins.png") }) {
		t.Errorf("wrote %v for a one-hot map", paths)
	}
	if err := oneHot.Chart("margins", io.Discard, PNG); err == nil {
		t.Error("Chart(margins) without embedded features: want an error")
	}
}
