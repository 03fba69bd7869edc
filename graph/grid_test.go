package graph

import (
	"math"
	"slices"
	"testing"
)

func TestGridNeighbors(t *testing.T) {
	cases := []struct {
		name string
		g    Grid
		unit int
		want []int
	}{
		{"rect interior", Grid{Rows: 3, Cols: 3}, 4, []int{1, 3, 5, 7}},
		{"rect corner", Grid{Rows: 3, Cols: 3}, 0, []int{1, 3}},
		{"rect torus corner", Grid{Rows: 3, Cols: 3, Toroidal: true}, 0, []int{1, 2, 3, 6}},
		// Even row 2, col 2 of a 4x4 hex grid: left/right, and the rows
		// above and below at columns 1 and 2 (odd rows are shifted right).
		{"hex even row", Grid{Rows: 4, Cols: 4, Topology: Hexagonal}, 10, []int{5, 6, 9, 11, 13, 14}},
		// Odd row 1, col 1: rows 0 and 2 at columns 1 and 2.
		{"hex odd row", Grid{Rows: 4, Cols: 4, Topology: Hexagonal}, 5, []int{1, 2, 4, 6, 9, 10}},
		{"hex corner", Grid{Rows: 4, Cols: 4, Topology: Hexagonal}, 0, []int{1, 4}},
		{"hex torus corner", Grid{Rows: 4, Cols: 4, Topology: Hexagonal, Toroidal: true}, 0, []int{1, 3, 4, 7, 12, 15}},
		{"single unit", Grid{Rows: 1, Cols: 1}, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.g.Neighbors(c.unit); !slices.Equal(got, c.want) {
				t.Errorf("Neighbors(%d) = %v, want %v", c.unit, got, c.want)
			}
			for _, n := range c.g.Neighbors(c.unit) {
				if d := c.g.Dist(c.unit, n); math.Abs(d-1) > 1e-12 {
					t.Errorf("neighbour %d at distance %g, want 1", n, d)
				}
			}
		})
	}
}

// TestOffsetTable checks the offset table the neighbourhood and update use
// against Grid.Dist for every pair of units on every kind of grid.
func TestOffsetTable(t *testing.T) {
	for _, g := range append(allGrids, Grid{Rows: 5, Cols: 3, Topology: Hexagonal}, Grid{Rows: 1, Cols: 7, Toroidal: true}) {
		t.Run(g.String(), func(t *testing.T) {
			m, err := New(Config{Grid: g, Dim: 1})
			if err != nil {
				t.Fatal(err)
			}
			row := make([]float64, g.Units())
			for a := 0; a < g.Units(); a++ {
				gather(m.tables.o, m.tables.o.dist, a, row)
				for b := 0; b < g.Units(); b++ {
					if want := g.Dist(a, b); math.Abs(row[b]-want) > 1e-12 || math.Abs(m.GridDist(a, b)-want) > 1e-12 {
						t.Fatalf("distance %d→%d: table %g, GridDist %g, Grid.Dist %g", a, b, row[b], m.GridDist(a, b), want)
					}
				}
			}
		})
	}
}

func TestGridValidate(t *testing.T) {
	bad := map[string]Grid{
		"zero rows":        {Rows: 0, Cols: 5},
		"negative cols":    {Rows: 3, Cols: -1},
		"odd hex torus":    {Rows: 3, Cols: 4, Topology: Hexagonal, Toroidal: true},
		"unknown topology": {Rows: 2, Cols: 2, Topology: 7},
	}
	for name, g := range bad {
		if err := g.Validate(); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if err := (Grid{Rows: 4, Cols: 3, Topology: Hexagonal, Toroidal: true}).Validate(); err != nil {
		t.Errorf("even hex torus: %v", err)
	}
}

func TestParse(t *testing.T) {
	if r, c, err := ParseSize("20x30"); err != nil || r != 20 || c != 30 {
		t.Errorf("ParseSize(20x30) = %d, %d, %v", r, c, err)
	}
	for _, s := range []string{"0x5", "5", "ax3", "3x", "-2x4", "2x2x2"} {
		if _, _, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q): want an error", s)
		}
	}
	if n, err := ParseNeighborhood("mexican-hat"); err != nil || n != MexicanHat {
		t.Errorf("ParseNeighborhood(mexican-hat) = %v, %v", n, err)
	}
	for _, d := range append(slices.Clone(allDistances), Mixed) {
		if got, err := ParseDistance(d.String()); err != nil || got != d {
			t.Errorf("ParseDistance(%q) = %v, %v", d, got, err)
		}
	}
	for _, n := range allNeighborhoods {
		if got, err := ParseNeighborhood(n.String()); err != nil || got != n {
			t.Errorf("ParseNeighborhood(%q) = %v, %v", n, got, err)
		}
	}
	for _, i := range []Init{InitRandom, InitSample, InitPCA, InitKMeans} {
		if got, err := ParseInit(i.String()); err != nil || got != i {
			t.Errorf("ParseInit(%q) = %v, %v", i, got, err)
		}
	}
	for _, s := range []string{"", "euclid", "gauss"} {
		if _, err := ParseDistance(s); err == nil {
			t.Errorf("ParseDistance(%q): want an error", s)
		}
	}
	if _, err := ParseInit("kmeans"); err != nil {
		t.Error(err)
	}
	if _, err := ParseTopology("hexagon"); err == nil {
		t.Error("ParseTopology(hexagon): want an error")
	}
}

// TestGridDistTable checks grid distances above 1 against a table worked
// out by hand from the geometry (unit k at row k / Cols, column k % Cols;
// hexagonal odd rows shifted right by ½ and rows √3/2 apart; a torus wraps
// both axes, a hexagonal one by Rows·√3/2 vertically), so that Grid.Dist
// and the offset table behind the neighbourhood (Map.GridDist) are not
// their own oracle.
func TestGridDistTable(t *testing.T) {
	r3, r7 := math.Sqrt(3), math.Sqrt(7)
	rect := Grid{Rows: 4, Cols: 5}
	torus := Grid{Rows: 4, Cols: 5, Toroidal: true}
	hex := Grid{Rows: 4, Cols: 5, Topology: Hexagonal}
	hexTorus := Grid{Rows: 4, Cols: 5, Topology: Hexagonal, Toroidal: true}
	cases := []struct {
		name string
		g    Grid
		a, b int // units (row, col) in the comments
		want float64
	}{
		{"rect (0,0)→(2,2)", rect, 0, 12, 2 * math.Sqrt2},
		{"rect (0,0)→(3,4)", rect, 0, 19, 5},
		{"torus (0,0)→(3,4): both axes wrap to 1", torus, 0, 19, math.Sqrt2},
		{"torus (0,0)→(2,2): half way down, 2 across", torus, 0, 12, 2 * math.Sqrt2},
		{"torus (0,0)→(0,3): 3 right is 2 left", torus, 0, 3, 2},
		{"torus (1,1)→(3,4): 2 down, 3 right is 2 left", torus, 6, 19, 2 * math.Sqrt2},
		{"hex (0,0)→(2,0): two rows straight down", hex, 0, 10, r3},
		{"hex (0,0)→(1,1): x 1.5, y √3/2", hex, 0, 6, r3},
		{"hex (0,0)→(0,3)", hex, 0, 3, 3},
		{"hex (1,0)→(3,2): x 2, y √3", hex, 5, 17, r7},
		{"hex (0,0)→(3,1): x 1.5, y 3√3/2", hex, 0, 16, 3},
		{"hex (1,1)→(0,0): x 1.5 back", hex, 6, 0, r3},
		{"hex torus (0,0)→(3,0): wraps to a neighbour", hexTorus, 0, 15, 1},
		{"hex torus (0,0)→(2,0): √3 either way", hexTorus, 0, 10, r3},
		{"hex torus (0,0)→(0,3): 2 left", hexTorus, 0, 3, 2},
		{"hex torus (0,0)→(3,3): x 3.5 wraps to 1.5, y to √3/2", hexTorus, 0, 18, r3},
		{"hex torus (1,0)→(2,4): x 3.5 wraps to 1.5", hexTorus, 5, 14, r3},
		{"hex torus (1,2)→(3,0): x 2 left, y √3", hexTorus, 7, 15, r7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(Config{Grid: c.g, Dim: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, pair := range [][2]int{{c.a, c.b}, {c.b, c.a}} {
				if got := c.g.Dist(pair[0], pair[1]); math.Abs(got-c.want) > 1e-12 {
					t.Errorf("Grid.Dist(%d, %d) = %.15g, want %.15g", pair[0], pair[1], got, c.want)
				}
				if got := m.GridDist(pair[0], pair[1]); math.Abs(got-c.want) > 1e-12 {
					t.Errorf("Map.GridDist(%d, %d) = %.15g, want %.15g", pair[0], pair[1], got, c.want)
				}
			}
		})
	}
}
