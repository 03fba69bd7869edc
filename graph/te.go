package graph

import (
	"fmt"
	"math"
)

// checkTENeighbors returns an error unless TENeighbors fits the topology.
func (c Config) checkTENeighbors() error {
	switch n := c.TENeighbors; {
	case n == 0:
	case c.Grid.Topology == Hexagonal && n != 6:
		return fmt.Errorf("graph: topographic-error neighbours %d on a hexagonal grid: a hex unit has 6 neighbours (use 6 or 0)", n)
	case c.Grid.Topology == Rectangular && n != 4 && n != 8:
		return fmt.Errorf("graph: topographic-error neighbours %d on a rectangular grid: want 4 (edges) or 8 (edges and diagonals)", n)
	}
	return nil
}

// TENeighborCount returns how many grid neighbours an inner unit has for
// the topographic error: TENeighbors, or, when it is 0, 4 on a
// rectangular grid and 6 on a hexagonal one.
func (c Config) TENeighborCount() int {
	switch {
	case c.TENeighbors != 0:
		return c.TENeighbors
	case c.Grid.Topology == Hexagonal:
		return 6
	}
	return 4
}

// TEAdjacent reports whether units a and b count as neighbours for the
// topographic error, the share of records whose best and second-best units
// are not adjacent. With 4 (the default on a rectangular grid) and 6 (a
// hexagonal grid) the adjacent units are the edge neighbours, at grid
// distance 1 (Grid.Adjacent); with 8 on a rectangular grid the diagonal
// units, at distance √2, count too, as in MiniSom's topographic_error. On
// a toroidal grid the edges wrap.
func (c Config) TEAdjacent(a, b int) bool {
	if c.TENeighborCount() == 8 {
		return a != b && c.Grid.Dist(a, b) < math.Sqrt2+1e-9
	}
	return c.Grid.Adjacent(a, b)
}

// TELabel names the topographic error with its convention for logs and
// charts: "te(4)", "te(8)" or "te(6)", the number of grid neighbours that
// count as adjacent.
func (c Config) TELabel() string { return fmt.Sprintf("te(%d)", c.TENeighborCount()) }

// TEConvention names the units that count as adjacent in a few words:
// "4 edge neighbours", "8 neighbours incl. diagonals" or "6 hex neighbours".
func (c Config) TEConvention() string {
	switch c.TENeighborCount() {
	case 8:
		return "8 neighbours incl. diagonals"
	case 6:
		return "6 hex neighbours"
	}
	return "4 edge neighbours"
}
