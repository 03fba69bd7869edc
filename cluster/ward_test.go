package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

// bruteWard is the textbook O(n³) Ward clustering: clusters are sets of
// rows; at each step every allowed pair is tried and its cost is the
// increase of the weighted within-cluster sum of squares, computed from
// the rows themselves.
func bruteWard(data []float64, d int, w []float64, grid *graph.Grid) []Merge {
	n := len(data) / d
	type cl struct {
		id    int
		units []int
	}
	var cs []cl
	for i := range n {
		cs = append(cs, cl{i, []int{i}})
	}
	sse := func(units []int) float64 {
		mean := make([]float64, d)
		tw := 0.0
		for _, u := range units {
			tw += w[u]
			for j := range d {
				mean[j] += w[u] * data[u*d+j]
			}
		}
		for j := range mean {
			mean[j] /= tw
		}
		s := 0.0
		for _, u := range units {
			for j := range d {
				v := data[u*d+j] - mean[j]
				s += w[u] * v * v
			}
		}
		return s
	}
	touch := func(a, b []int) bool {
		if grid == nil {
			return true
		}
		for _, x := range a {
			for _, y := range b {
				if grid.Adjacent(x, y) {
					return true
				}
			}
		}
		return false
	}
	var out []Merge
	for step := 0; len(cs) > 1; step++ {
		bi, bj, best := -1, -1, math.Inf(1)
		for i := range cs {
			for j := i + 1; j < len(cs); j++ {
				if !touch(cs[i].units, cs[j].units) {
					continue
				}
				u := append(slices.Clone(cs[i].units), cs[j].units...)
				c := sse(u) - sse(cs[i].units) - sse(cs[j].units)
				if c < best {
					bi, bj, best = i, j, c
				}
			}
		}
		a, b := cs[bi], cs[bj]
		out = append(out, Merge{A: min(a.id, b.id), B: max(a.id, b.id), Cost: best, Size: len(a.units) + len(b.units)})
		cs[bi] = cl{n + step, append(slices.Clone(a.units), b.units...)}
		cs = slices.Delete(cs, bj, bj+1)
	}
	return out
}

func randomData(n, d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func TestWardAgainstBruteForce(t *testing.T) {
	grids := []graph.Grid{
		{Rows: 4, Cols: 5},
		{Rows: 4, Cols: 5, Topology: graph.Hexagonal},
		{Rows: 4, Cols: 4, Topology: graph.Hexagonal, Toroidal: true},
		{Rows: 3, Cols: 6, Toroidal: true},
	}
	for gi, g := range grids {
		n := g.Units()
		for _, contiguous := range []bool{false, true} {
			for _, weighted := range []bool{false, true} {
				data := randomData(n, 3, uint64(gi)+10)
				var w []float64
				bw := slices.Repeat([]float64{1}, n)
				if weighted {
					rng := rand.New(rand.NewPCG(uint64(gi), 2))
					w = make([]float64, n)
					for i := range w {
						w[i] = float64(1 + rng.IntN(9))
					}
					bw = w
				}
				var grid *graph.Grid
				if contiguous {
					grid = &g
				}
				got, err := WardLinkage(data, 3, w, grid)
				if err != nil {
					t.Fatal(err)
				}
				want := bruteWard(data, 3, bw, grid)
				if err := got.Validate(); err != nil {
					t.Fatalf("%v contiguous=%v: %v", g, contiguous, err)
				}
				for i, m := range want {
					gm := got.Merges[i]
					if gm.A != m.A || gm.B != m.B || gm.Size != m.Size || math.Abs(gm.Cost-m.Cost) > 1e-9*(1+m.Cost) {
						t.Fatalf("%v contiguous=%v weighted=%v merge %d: got %+v, want %+v", g, contiguous, weighted, i, gm, m)
					}
				}
			}
		}
	}
}

// TestContiguousClustersAreConnected checks on random codebooks that every
// cut of a contiguous tree gives clusters that are connected on the grid,
// and that plain Ward, on the same data, does not always.
func TestContiguousClustersAreConnected(t *testing.T) {
	g := graph.Grid{Rows: 8, Cols: 8, Topology: graph.Hexagonal}
	data := randomData(g.Units(), 4, 3)
	for _, contiguous := range []bool{true, false} {
		var grid *graph.Grid
		if contiguous {
			grid = &g
		}
		lk, err := WardLinkage(data, 4, nil, grid)
		if err != nil {
			t.Fatal(err)
		}
		allConnected := true
		for k := 2; k <= 20; k++ {
			labels, _ := lk.Cut(k)
			if !connected(g, labels, k) {
				allConnected = false
				if contiguous {
					t.Fatalf("contiguous cut k=%d has a disconnected cluster: %v", k, labels)
				}
			}
		}
		if !contiguous && allConnected {
			t.Errorf("plain Ward on random data gave connected clusters at every k: the contiguity test proves nothing")
		}
	}
}

// connected reports whether every cluster is one connected region of g.
func connected(g graph.Grid, labels []int, k int) bool {
	seen := make([]bool, len(labels))
	regions := 0
	for s := range labels {
		if seen[s] {
			continue
		}
		regions++
		stack := []int{s}
		seen[s] = true
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, v := range g.Neighbors(u) {
				if !seen[v] && labels[v] == labels[u] {
					seen[v] = true
					stack = append(stack, v)
				}
			}
		}
	}
	return regions == k
}

func TestCut(t *testing.T) {
	// 0 and 1 merge first, then 2 and 3, then both pairs.
	lk := &Linkage{N: 4, Merges: []Merge{{0, 1, 1, 2}, {2, 3, 2, 2}, {4, 5, 9, 4}}}
	if err := lk.Validate(); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[int][]int{1: {0, 0, 0, 0}, 2: {0, 0, 1, 1}, 3: {0, 0, 1, 2}, 4: {0, 1, 2, 3}} {
		got, err := lk.Cut(k)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Cut(%d) = %v, %v; want %v", k, got, err, want)
		}
	}
	for _, k := range []int{0, 5, -1} {
		if _, err := lk.Cut(k); err == nil {
			t.Errorf("Cut(%d): no error", k)
		}
	}
	bad := []Linkage{
		{N: 3, Merges: []Merge{{0, 1, 1, 2}}},
		{N: 3, Merges: []Merge{{0, 1, 1, 2}, {0, 2, 1, 2}}},
		{N: 3, Merges: []Merge{{0, 1, 1, 2}, {3, 2, 1, 3}}},
		{N: 3, Merges: []Merge{{0, 1, math.NaN(), 2}, {2, 3, 1, 3}}},
		{N: 3, Merges: []Merge{{0, 1, 1, 2}, {2, 3, 1, 2}}},
		{N: 0},
	}
	for i, l := range bad {
		if err := l.Validate(); err == nil {
			t.Errorf("bad linkage %d: no error", i)
		}
	}
}
