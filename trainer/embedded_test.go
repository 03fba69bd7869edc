package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// embeddedLayout is a hand-made pipeline layout of 10 columns: a
// continuous "a" (training range [0, 10], scale 2: it spans 5 encoded
// units) with its missing indicator, a continuous "b" fitted before
// ranges were kept (no Range: it counts 1), embedded "city" (3 wide) and
// "job" (2 wide), and a one-hot "sex".
func embeddedLayout() (loaders.Layout, []loaders.FittedColumn) {
	cols := []loaders.FittedColumn{
		{Name: "a", Kind: loaders.Continuous, Center: 0, Scale: 2, Range: []float64{0, 10}, Indicator: true},
		{Name: "b", Kind: loaders.Continuous, Center: 0, Scale: 1},
		{Name: "city", Kind: loaders.Categorical, Levels: []string{"x", "y"}},
		{Name: "job", Kind: loaders.Categorical, Levels: []string{"p", "q", "r"}},
		{Name: "sex", Kind: loaders.Categorical, Levels: []string{"f", "m"}},
	}
	lay := loaders.Layout{Width: 10, Groups: []loaders.Group{
		{Name: "a", Kind: loaders.Continuous, Column: 0, Start: 0, Width: 1},
		{Name: "a_na", Kind: loaders.Continuous, Column: 0, Start: 1, Width: 1, Indicator: true},
		{Name: "b", Kind: loaders.Continuous, Column: 1, Start: 2, Width: 1},
		{Name: "city", Kind: loaders.Categorical, Column: 2, Start: 3, Width: 3, Encoding: loaders.Embedding, Levels: cols[2].Levels},
		{Name: "job", Kind: loaders.Categorical, Column: 3, Start: 6, Width: 2, Encoding: loaders.Embedding, Levels: cols[3].Levels},
		{Name: "sex", Kind: loaders.Categorical, Column: 4, Start: 8, Width: 2, Encoding: loaders.OneHot, Levels: cols[4].Levels},
	}}
	return lay, cols
}

// TestEmbeddingLayout: the trainer turns Embedding groups into Embedded
// graph groups with fastsom's MixedEmbeddingDistance weights (each part's
// share of the 10 columns) and the continuous diameter as the fixed range.
func TestEmbeddingLayout(t *testing.T) {
	lay, cols := embeddedLayout()
	l := layoutFor(lay, cols)
	want := &graph.MixedLayout{
		Continuous: []int{0, 1, 2},
		Groups: []graph.CategoryGroup{{Start: 3, Width: 3, Levels: 2, Embedded: true}, {Start: 6, Width: 2, Levels: 3, Embedded: true},
			{Start: 8, Width: 2, Levels: 2}},
		ContinuousWeight: 3.0 / 10, EmbeddingWeight: 5.0 / 20, CategoryWeight: 2.0 / 10,
		ContinuousScale: math.Sqrt(5*5 + 1 + 1),
	}
	if l.ContinuousWeight != want.ContinuousWeight || l.EmbeddingWeight != want.EmbeddingWeight ||
		l.CategoryWeight != want.CategoryWeight || math.Abs(l.ContinuousScale-want.ContinuousScale) > 1e-15 ||
		len(l.Groups) != 3 || l.Groups[0] != want.Groups[0] || l.Groups[1] != want.Groups[1] || l.Groups[2] != want.Groups[2] ||
		len(l.Continuous) != 3 {
		t.Fatalf("layout %+v, want %+v", l, want)
	}

	// Every part is normalised to [0, 1] and the weights sum to 1, so two
	// records inside the training ranges are at most 1 apart.
	m, err := graph.New(graph.Config{Grid: graph.Grid{Rows: 1, Cols: 8}, Dim: 10, Distance: graph.Mixed, Mixed: l, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 19))
	rec := func() []float64 {
		v := []float64{5 * rng.Float64(), float64(rng.IntN(2)), rng.Float64(), 0, 0, 0, 0, 0, 0, 0}
		for c := 3; c < 8; c++ {
			v[c] = rng.NormFloat64()
		}
		v[8+rng.IntN(2)] = 1
		return v
	}
	var w, x []float64
	for range 8 {
		w = append(w, rec()...)
	}
	for range 50 {
		x = append(x, rec()...)
	}
	// The farthest pair: opposite corners, opposite embeddings, other level.
	x = append(x, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0)
	w[0], w[1], w[2] = 5, 1, 1
	for c := 3; c < 8; c++ {
		w[c] = -1
	}
	w[8], w[9] = 0, 1
	if err := m.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	f, err := m.NewSearch(51)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Search(tensor.New(tensor.WithShape(51, 10), tensor.WithBacking(x))); err != nil {
		t.Fatal(err)
	}
	dist := f.Distances().Data().([]float64)
	for i, v := range dist {
		if !(v >= 0 && v <= 1+1e-12) {
			t.Fatalf("record %d, unit %d: distance %v outside [0, 1]", i/8, i%8, v)
		}
	}
	if far := dist[50*8]; math.Abs(far-1) > 1e-12 {
		t.Errorf("the farthest pair is %v apart, want 1", far)
	}
}

// TestEmbeddingLayoutEdges: only categorical embeddings (no continuous
// column: scale 1), and constant continuous columns (a zero diameter: 1).
func TestEmbeddingLayoutEdges(t *testing.T) {
	lay := loaders.Layout{Width: 2, Groups: []loaders.Group{
		{Name: "city", Kind: loaders.Categorical, Start: 0, Width: 2, Encoding: loaders.Embedding, Levels: []string{"x", "y"}},
	}}
	cols := []loaders.FittedColumn{{Name: "city", Kind: loaders.Categorical, Levels: []string{"x", "y"}}}
	l := layoutFor(lay, cols)
	if l.ContinuousWeight != 0 || l.EmbeddingWeight != 1 || l.ContinuousScale != 1 || l.CategoryWeight != 0 {
		t.Errorf("embedding only: %+v", l)
	}
	lay = loaders.Layout{Width: 3, Groups: []loaders.Group{
		{Name: "k", Kind: loaders.Continuous, Column: 0, Start: 0, Width: 1},
		{Name: "city", Kind: loaders.Categorical, Column: 1, Start: 1, Width: 2, Encoding: loaders.Embedding, Levels: []string{"x", "y"}},
	}}
	cols = []loaders.FittedColumn{{Name: "k", Kind: loaders.Continuous, Scale: 1, Range: []float64{4, 4}}, cols[0]}
	if l := layoutFor(lay, cols); l.ContinuousScale != 1 || l.ContinuousWeight != 1.0/3 || l.EmbeddingWeight != 2.0/3 {
		t.Errorf("constant column: %+v", l)
	}
	// Without Embedding groups the layout is fastsom's mixed categorical
	// distance, unchanged: no scale, no embedding weight.
	lay.Groups[1].Encoding, lay.Groups[1].Width = loaders.Ordinal, 1
	lay.Width = 2
	if l := layoutFor(lay, cols); l.ContinuousScale != 0 || l.EmbeddingWeight != 0 || l.Groups[0].Embedded {
		t.Errorf("no embedding: %+v", l)
	}
}
