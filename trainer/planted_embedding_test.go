package trainer

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// regions returns, for each label of the units (−1 is no label), the
// number of connected regions (grid-adjacent units of the label) and the
// number of units holding it.
func regions(g graph.Grid, label []int) (count, size map[int]int) {
	count, size = map[int]int{}, map[int]int{}
	seen := make([]bool, len(label))
	for u, l := range label {
		size[l]++
		if seen[u] {
			continue
		}
		count[l]++
		stack := []int{u}
		seen[u] = true
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, n := range g.Neighbors(v) {
				if !seen[n] && label[n] == l {
					seen[n] = true
					stack = append(stack, n)
				}
			}
		}
	}
	return count, size
}

func TestRegions(t *testing.T) {
	g := graph.Grid{Rows: 3, Cols: 4}
	count, size := regions(g, []int{
		0, 0, 1, 1,
		0, 1, 1, 0,
		0, 0, 1, 0,
	})
	if count[0] != 2 || count[1] != 1 || size[0] != 7 || size[1] != 5 {
		t.Errorf("regions = %v, sizes %v; want 0: 2 regions of 7 units, 1: one of 5", count, size)
	}
	hex := graph.Grid{Rows: 2, Cols: 2, Topology: graph.Hexagonal}
	// On a hexagonal grid (odd rows shifted right) units 1 and 2 touch.
	if count, _ := regions(hex, []int{0, 1, 1, 0}); count[0] != 2 || count[1] != 1 {
		t.Errorf("hex regions = %v", count)
	}
}

// plantedLevels is the planted categorical column: six levels in two
// groups, a* and b*, that behave alike within a group.
var plantedLevels = []string{"a0", "a1", "a2", "b0", "b1", "b2"}

// plantedGroup returns the group (0 for a*, 1 for b*) of level code k, −1
// for the unknown level.
func plantedGroup(k int) int {
	if k < 0 {
		return -1
	}
	return k / 3
}

// plantedTable is a hand-made embedding table for plantedLevels in which
// same-group levels point alike: a* near (1, 0, 0), b* near (−1, 0, 0),
// each level turned a little towards its own direction; the unknown
// level's row is (0, 0, 1).
func plantedTable() [][]float64 {
	var tab [][]float64
	for k := range plantedLevels {
		sign := 1.0
		if k >= 3 {
			sign = -1
		}
		tab = append(tab, []float64{sign, 0.3 * float64(k%3-1), 0.1})
	}
	return append(tab, []float64{0, 0, 1})
}

// plantedRecords returns n records of the planted table encoded with the
// embedding table tab: continuous x is −1.5 for group a and +1.5 for group
// b (plus noise), continuous y is noise shared by both groups, and the
// level is drawn uniformly; levels holds each record's level code.
func plantedRecords(rng *rand.Rand, n int, tab [][]float64) (data []float64, levels []int) {
	for range n {
		k := rng.IntN(len(plantedLevels))
		x := 1.5*float64(2*plantedGroup(k)-1) + 0.4*rng.NormFloat64()
		y := rng.NormFloat64()
		data = append(data, x, y)
		data = append(data, tab[k]...)
		levels = append(levels, k)
	}
	return data, levels
}

// TestPlantedEmbeddingRegions trains maps with the Mixed embedding
// distance on records whose categorical column is encoded by a hand-made
// table in which same-group levels point alike, and decodes each unit's
// embedding to its nearest level (loaders.Group.Code): the units of each
// group must form one connected region of at least a quarter of the map,
// for several seeds. Learned tables replace the hand-made one in the
// pipeline tests once the autoencoder fits them.
func TestPlantedEmbeddingRegions(t *testing.T) {
	tab := plantedTable()
	lay := loaders.Layout{Width: 5, Groups: []loaders.Group{
		{Name: "x", Kind: loaders.Continuous, Column: 0, Start: 0, Width: 1},
		{Name: "y", Kind: loaders.Continuous, Column: 1, Start: 1, Width: 1},
		{Name: "c", Kind: loaders.Categorical, Column: 2, Start: 2, Width: 3, Encoding: loaders.Embedding, Levels: plantedLevels, Vectors: tab},
	}}
	if err := lay.Groups[2].CheckVectors(); err != nil {
		t.Fatal(err)
	}
	cols := []loaders.FittedColumn{
		{Name: "x", Kind: loaders.Continuous, Scale: 1, Range: []float64{-3, 3}},
		{Name: "y", Kind: loaders.Continuous, Scale: 1, Range: []float64{-3, 3}},
		{Name: "c", Kind: loaders.Categorical, Levels: plantedLevels},
	}
	grid := graph.Grid{Rows: 8, Cols: 8, Topology: graph.Hexagonal}
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 19))
			data, _ := plantedRecords(rng, 640, tab)
			m, err := graph.New(graph.Config{Grid: grid, Dim: 5, Distance: graph.Mixed, Mixed: layoutFor(lay, cols), Dtype: tensor.Float64})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Initialize(graph.InitSample, data, rng); err != nil {
				t.Fatal(err)
			}
			trainMiniBatch(t, m, data, 5, 32, 15)
			w := m.Weights()
			label := make([]int, grid.Units())
			for u := range label {
				label[u] = plantedGroup(lay.Groups[2].Code(w[u*5 : (u+1)*5]))
			}
			count, size := regions(grid, label)
			t.Logf("groups per unit: regions %v, units %v", count, size)
			for gr := range 2 {
				if count[gr] != 1 || size[gr] < grid.Units()/4 {
					t.Errorf("group %d: %d regions of %d units in all, want one region of at least %d", gr, count[gr], size[gr], grid.Units()/4)
				}
			}
		})
	}
}

// trainMiniBatch trains m on data (records of d values) for the given
// epochs in batches of b, α from 0.5 to 0.05 and σ from 3 to 0.5 on a
// linear schedule: the trainer's mini-batch loop written out for a map
// built without a pipeline.
func trainMiniBatch(t *testing.T, m *graph.Map, data []float64, d, b, epochs int) {
	t.Helper()
	n := len(data) / d
	f, err := m.NewForward(b)
	if err != nil {
		t.Fatal(err)
	}
	steps, step := epochs*(n/b), 0
	for range epochs {
		for lo := 0; lo+b <= n; lo += b {
			frac := float64(step) / float64(steps)
			alpha, sigma := 0.5+frac*(0.05-0.5), 3+frac*(0.5-3)
			x := tensor.New(tensor.WithShape(b, d), tensor.WithBacking(append([]float64(nil), data[lo*d:(lo+b)*d]...)))
			if err := f.Run(x, sigma); err != nil {
				t.Fatal(err)
			}
			if _, err := f.UpdateMiniBatch(alpha); err != nil {
				t.Fatal(err)
			}
			step++
		}
	}
	if math.IsNaN(m.Weights()[0]) {
		t.Fatal("training diverged")
	}
}

// plantedRawTable returns a raw table of n rows: a categorical "kind" of
// eight levels k0–k7 in two groups (k0–k3 and k4–k7) whose rows look alike
// in three continuous columns, and an unrelated categorical "noise".
func plantedRawTable(t *testing.T, n int, seed uint64) *loaders.Table {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 19))
	var rows [][]string
	f := func(x float64) string { return fmt.Sprintf("%.4f", x) }
	for range n {
		k := rng.IntN(8)
		sign := 1.0
		if k >= 4 {
			sign = -1
		}
		rows = append(rows, []string{fmt.Sprint("k", k), f(sign + 0.5*rng.NormFloat64()), f(-sign + 0.5*rng.NormFloat64()),
			f(0.7*sign + 0.5*rng.NormFloat64()), fmt.Sprint("n", rng.IntN(3))})
	}
	tab, err := loaders.FromStrings([]string{"kind", "a", "b", "c", "noise"}, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestPlantedLearnedEmbeddingRegions is the planted-structure test of the
// map with learned embeddings: the pipeline learns the vectors of "kind"
// (the autoencoder of package embed), the trainer builds the Mixed
// embedding distance from the pipeline, and the trained map's units,
// decoded by the pipeline (nearest level by cosine), show each group of
// levels as one connected region of at least a quarter of the map, for
// several seeds of the data, the embeddings and the map.
func TestPlantedLearnedEmbeddingRegions(t *testing.T) {
	if testing.Short() {
		t.Skip("trains embeddings and maps")
	}
	grid := graph.Grid{Rows: 8, Cols: 8, Topology: graph.Hexagonal}
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			tab := plantedRawTable(t, 1200, seed)
			p, err := loaders.Fit(tab, nil, &loaders.PipelineOptions{Encode: loaders.Embedding, Embed: &loaders.EmbedOptions{Seed: seed}})
			if err != nil {
				t.Fatal(err)
			}
			ds, err := p.Transform(tab)
			if err != nil {
				t.Fatal(err)
			}
			l, err := New(ds, nil, &Options{Grid: grid, Distance: graph.Mixed, Pipeline: p, Dtype: tensor.Float64, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(l.Map().Config().Mixed.Groups, func(g graph.CategoryGroup) bool { return g.Embedded }) {
				t.Fatal("the map's layout has no embedded group")
			}
			if err := l.Fit(10); err != nil {
				t.Fatal(err)
			}
			w, d := l.Map().Weights(), ds.D
			label := make([]int, grid.Units())
			for u := range label {
				cats, err := p.Recategorize(w[u*d : (u+1)*d])
				if err != nil {
					t.Fatal(err)
				}
				label[u] = -1
				if k := slices.Index([]string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}, cats[0]); k >= 0 {
					label[u] = k / 4
				}
			}
			count, size := regions(grid, label)
			t.Logf("groups per unit: regions %v, units %v", count, size)
			for gr := range 2 {
				if count[gr] != 1 || size[gr] < grid.Units()/4 {
					t.Errorf("group %d: %d regions of %d units in all, want one region of at least %d", gr, count[gr], size[gr], grid.Units()/4)
				}
			}
			if seed == 1 {
				checkEmbeddedModelRoundTrip(t, l, ds)
			}
		})
	}
}

// checkEmbeddedModelRoundTrip exports l, loads it back and checks that the
// loaded model rebuilds the same Mixed layout from its pipeline (the fixed
// ranges come from the stored pipeline) and predicts the same units and
// distances.
func checkEmbeddedModelRoundTrip(t *testing.T, l *Learner, ds *loaders.Dataset) {
	t.Helper()
	var buf bytes.Buffer
	if err := l.Export(&buf); err != nil {
		t.Fatal(err)
	}
	md, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	a, b := l.Map().Config().Mixed, md.Config.Mixed
	if b == nil || a.EmbeddingWeight != b.EmbeddingWeight || a.ContinuousScale != b.ContinuousScale ||
		a.ContinuousWeight != b.ContinuousWeight || !slices.Equal(a.Groups, b.Groups) {
		t.Fatalf("loaded layout %+v, trained %+v", b, a)
	}
	want, err := l.Predict(ds)
	if err != nil {
		t.Fatal(err)
	}
	got, err := md.Predict(ds)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d: loaded model predicts %+v, learner %+v", i, got[i], want[i])
		}
	}
}
