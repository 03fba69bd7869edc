package graph

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Topology is the shape of a map's cells.
type Topology uint8

const (
	// Rectangular cells: the four edge neighbours of a unit are at distance 1.
	Rectangular Topology = iota
	// Hexagonal cells: odd rows are shifted right by ½ and rows are √3/2
	// apart, so all six neighbours of a unit are at distance 1.
	Hexagonal
)

// String returns "rect" or "hex".
func (t Topology) String() string {
	switch t {
	case Rectangular:
		return "rect"
	case Hexagonal:
		return "hex"
	}
	return fmt.Sprintf("Topology(%d)", uint8(t))
}

// ParseTopology parses "rect" (or "rectangular") and "hex" (or "hexagonal").
func ParseTopology(s string) (Topology, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "rect", "rectangular", "square":
		return Rectangular, nil
	case "hex", "hexagonal":
		return Hexagonal, nil
	}
	return 0, fmt.Errorf("graph: unknown topology %q (want rect or hex)", s)
}

// Grid is the layout of the map's units. Unit k sits at row k / Cols and
// column k % Cols.
type Grid struct {
	Rows, Cols int
	Topology   Topology
	// Toroidal wraps the map's edges: the last column neighbours the first,
	// and so do the last and first rows.
	Toroidal bool
}

// hexRowPitch is the vertical distance between rows of a hexagonal grid.
var hexRowPitch = math.Sqrt(3) / 2

// Validate reports whether the grid can be used: both sides at least 1, a
// known topology, and, for a toroidal hexagonal grid, an even number of rows
// (otherwise the row shift does not wrap consistently).
func (g Grid) Validate() error {
	if g.Rows < 1 || g.Cols < 1 {
		return fmt.Errorf("graph: grid %dx%d: both sides must be at least 1", g.Rows, g.Cols)
	}
	if g.Rows*g.Cols > 1<<20 {
		return fmt.Errorf("graph: grid %dx%d has more than 1,048,576 units", g.Rows, g.Cols)
	}
	if g.Topology > Hexagonal {
		return fmt.Errorf("graph: unknown topology %d", g.Topology)
	}
	if g.Topology == Hexagonal && g.Toroidal && g.Rows%2 != 0 {
		return fmt.Errorf("graph: a toroidal hexagonal grid needs an even number of rows, got %d", g.Rows)
	}
	return nil
}

// Units returns the number of units, Rows·Cols.
func (g Grid) Units() int { return g.Rows * g.Cols }

// RowCol returns the row and column of unit k.
func (g Grid) RowCol(k int) (row, col int) { return k / g.Cols, k % g.Cols }

// Unit returns the index of the unit at row, col.
func (g Grid) Unit(row, col int) int { return row*g.Cols + col }

// Coords returns the position of unit k in the plane: (column, row) for a
// rectangular grid; for a hexagonal grid odd rows are shifted by ½ and rows
// are √3/2 apart.
func (g Grid) Coords(k int) (x, y float64) {
	r, c := g.RowCol(k)
	if g.Topology == Hexagonal {
		x = float64(c)
		if r%2 == 1 {
			x += 0.5
		}
		return x, float64(r) * hexRowPitch
	}
	return float64(c), float64(r)
}

// Dist returns the Euclidean distance between units a and b in the plane
// (see Coords). On a toroidal grid it is the shortest distance over the
// wrapped edges.
func (g Grid) Dist(a, b int) float64 {
	ax, ay := g.Coords(a)
	bx, by := g.Coords(b)
	dx, dy := math.Abs(ax-bx), math.Abs(ay-by)
	if g.Toroidal {
		w := float64(g.Cols)
		h := float64(g.Rows)
		if g.Topology == Hexagonal {
			h *= hexRowPitch
		}
		dx = math.Min(dx, w-dx)
		dy = math.Min(dy, h-dy)
	}
	return math.Sqrt(dx*dx + dy*dy)
}

// Adjacent reports whether units a and b are distinct grid neighbours
// (at distance 1).
func (g Grid) Adjacent(a, b int) bool {
	return a != b && g.Dist(a, b) < 1+1e-9
}

// Neighbors returns the units adjacent to unit k in increasing order.
func (g Grid) Neighbors(k int) []int {
	var out []int
	r, c := g.RowCol(k)
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			rr, cc := r+dr, c+dc
			if g.Toroidal {
				rr, cc = (rr+g.Rows)%g.Rows, (cc+g.Cols)%g.Cols
			} else if rr < 0 || rr >= g.Rows || cc < 0 || cc >= g.Cols {
				continue
			}
			j := g.Unit(rr, cc)
			if g.Adjacent(k, j) && !slices.Contains(out, j) {
				out = append(out, j)
			}
		}
	}
	slices.Sort(out)
	return out
}

// String formats the grid as, for example, "20x20 hex toroidal".
func (g Grid) String() string {
	s := fmt.Sprintf("%dx%d %s", g.Rows, g.Cols, g.Topology)
	if g.Toroidal {
		s += " toroidal"
	}
	return s
}

// ParseSize parses "RxC" (for example "20x20") into rows and columns.
func ParseSize(s string) (rows, cols int, err error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "x")
	if len(parts) != 2 {
		return 0, 0, fmt.Errorf("graph: size %q: want ROWSxCOLS, for example 20x20", s)
	}
	if _, err := fmt.Sscanf(parts[0]+" "+parts[1], "%d %d", &rows, &cols); err != nil {
		return 0, 0, fmt.Errorf("graph: size %q: want ROWSxCOLS, for example 20x20", s)
	}
	if rows < 1 || cols < 1 {
		return 0, 0, fmt.Errorf("graph: size %q: both sides must be at least 1", s)
	}
	return rows, cols, nil
}
