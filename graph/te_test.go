package graph

import (
	"strings"
	"testing"
)

// TestTEConventions computes the topographic error of a hand-built 3×3
// rectangular map under both conventions. One-dimensional weights, units
// numbered row by row:
//
//	unit 0 (r0 c0) = 0     unit 1 (r0 c1) = 20    unit 2 (r0 c2) = 30
//	unit 3 (r1 c0) = 1000  unit 4 (r1 c1) = 1     unit 5 (r1 c2) = 2000
//	unit 6 (r2 c0) = 3000  unit 7 (r2 c1) = 4000  unit 8 (r2 c2) = 10
//
// Records and their best and second-best units:
//
//	0.4: 0, 4   diagonal      error with 4 neighbours, not with 8
//	0.6: 4, 0   diagonal      error with 4, not with 8
//	5.4: 4, 8   diagonal      error with 4, not with 8
//	19:  1, 8   two rows apart error with both
//	24:  1, 2   edge          no error
//
// so TE is 4/5 with the 4 edge neighbours and 1/5 with all 8.
func TestTEConventions(t *testing.T) {
	w := []float64{0, 20, 30, 1000, 1, 2000, 3000, 4000, 10}
	data := []float64{0.4, 0.6, 5.4, 19, 24}
	for _, c := range []struct {
		n     int
		want  float64
		label string
	}{{0, 0.8, "te(4)"}, {4, 0.8, "te(4)"}, {8, 0.2, "te(8)"}} {
		for _, dt := range allDtypes {
			m, err := New(Config{Grid: Grid{Rows: 3, Cols: 3}, Dim: 1, Dtype: dt, TENeighbors: c.n})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.SetWeights(w); err != nil {
				t.Fatal(err)
			}
			got, err := m.Evaluate(data, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got.TE != c.want {
				t.Errorf("TENeighbors %d, %v: TE %v, want %v", c.n, dt, got.TE, c.want)
			}
			if l := m.Config().TELabel(); l != c.label {
				t.Errorf("TENeighbors %d: label %q, want %q", c.n, l, c.label)
			}
		}
	}
}

func TestTEAdjacent(t *testing.T) {
	rect := Config{Grid: Grid{Rows: 3, Cols: 4}}
	rect8 := Config{Grid: Grid{Rows: 3, Cols: 4}, TENeighbors: 8}
	torus8 := Config{Grid: Grid{Rows: 3, Cols: 4, Toroidal: true}, TENeighbors: 8}
	hex := Config{Grid: Grid{Rows: 4, Cols: 4, Topology: Hexagonal}}
	u := func(g Grid, r, c int) int { return g.Unit(r, c) }
	cases := []struct {
		name string
		c    Config
		a, b int
		want bool
	}{
		{"rect edge", rect, u(rect.Grid, 1, 1), u(rect.Grid, 1, 2), true},
		{"rect diagonal", rect, u(rect.Grid, 1, 1), u(rect.Grid, 2, 2), false},
		{"rect8 diagonal", rect8, u(rect.Grid, 1, 1), u(rect.Grid, 2, 2), true},
		{"rect8 anti-diagonal", rect8, u(rect.Grid, 1, 1), u(rect.Grid, 0, 2), true},
		{"rect8 knight", rect8, u(rect.Grid, 0, 0), u(rect.Grid, 1, 2), false},
		{"rect8 self", rect8, 5, 5, false},
		{"rect8 wrap is not adjacent on a plane", rect8, u(rect.Grid, 0, 0), u(rect.Grid, 2, 3), false},
		{"torus8 wrapped corner", torus8, u(torus8.Grid, 0, 0), u(torus8.Grid, 2, 3), true},
		{"hex neighbour", hex, u(hex.Grid, 1, 1), u(hex.Grid, 0, 2), true},
	}
	for _, c := range cases {
		if got := c.c.TEAdjacent(c.a, c.b); got != c.want {
			t.Errorf("%s: TEAdjacent(%d, %d) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
	}
	// An inner unit has exactly TENeighborCount adjacent units.
	for _, c := range []Config{rect, rect8, hex} {
		k := c.Grid.Unit(1, 1)
		n := 0
		for j := range c.Grid.Units() {
			if c.TEAdjacent(k, j) {
				n++
			}
		}
		if n != c.TENeighborCount() {
			t.Errorf("%v: inner unit has %d TE neighbours, want %d", c.Grid, n, c.TENeighborCount())
		}
	}
}

func TestTENeighborsInvalid(t *testing.T) {
	for _, c := range []struct {
		g    Grid
		n    int
		want string
	}{
		{Grid{Rows: 2, Cols: 2}, 6, "want 4 (edges) or 8"},
		{Grid{Rows: 2, Cols: 2}, -1, "want 4 (edges) or 8"},
		{Grid{Rows: 2, Cols: 2, Topology: Hexagonal}, 8, "6 neighbours"},
		{Grid{Rows: 2, Cols: 2, Topology: Hexagonal}, 4, "6 neighbours"},
	} {
		_, err := New(Config{Grid: c.g, Dim: 1, TENeighbors: c.n})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v with TENeighbors %d: error %v, want one containing %q", c.g, c.n, err, c.want)
		}
	}
	if _, err := New(Config{Grid: Grid{Rows: 2, Cols: 2, Topology: Hexagonal}, Dim: 1, TENeighbors: 6}); err != nil {
		t.Errorf("hex with 6: %v", err)
	}
}
