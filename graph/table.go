package graph

import (
	"math"
	"sync"
)

// offsets describes grid distances by row and column offset. On every grid
// the distance between two units depends only on the offset (dr, dc) from
// the first to the second and, for hexagonal grids, on the parity of the
// first unit's row. A table over offsets has 2·(2R−1)·(2C−1) entries instead
// of K², and one row of a K×K matrix indexed by unit is R contiguous runs of
// C values, so gathering it is R copies.
type offsets struct {
	rows, cols int
	dist       []float64 // [parity][dr+R-1][dc+C-1]
}

func newOffsets(g Grid) *offsets {
	o := &offsets{rows: g.Rows, cols: g.Cols, dist: make([]float64, 2*(2*g.Rows-1)*(2*g.Cols-1))}
	w := 2*g.Cols - 1
	for p := 0; p < 2; p++ {
		for dr := -(g.Rows - 1); dr < g.Rows; dr++ {
			for dc := -(g.Cols - 1); dc < g.Cols; dc++ {
				o.dist[(p*(2*g.Rows-1)+dr+g.Rows-1)*w+dc+g.Cols-1] = offsetDist(g, p, dr, dc)
			}
		}
	}
	return o
}

// offsetDist is the grid distance from a unit in a row of parity p to the
// unit dr rows and dc columns away (see Grid.Dist).
func offsetDist(g Grid, p, dr, dc int) float64 {
	dx, dy := float64(dc), float64(dr)
	h := float64(g.Rows)
	if g.Topology == Hexagonal {
		dx += 0.5 * float64(((p+dr)%2+2)%2-p)
		dy *= hexRowPitch
		h *= hexRowPitch
	}
	dx, dy = math.Abs(dx), math.Abs(dy)
	if g.Toroidal {
		dx = math.Min(dx, float64(g.Cols)-dx)
		dy = math.Min(dy, h-dy)
	}
	return math.Sqrt(dx*dx + dy*dy)
}

// origin returns the position in an offsets table of the offset from unit
// j to unit 0: the offsets from j to the units of row r are the C values
// from origin(j) + r·(2C−1).
func (o *offsets) origin(j int) int {
	rj, cj := j/o.cols, j%o.cols
	return ((rj%2)*(2*o.rows-1)+o.rows-1-rj)*(2*o.cols-1) + o.cols - 1 - cj
}

// index returns the position in an offsets table of the offset from unit a
// to unit b.
func (o *offsets) index(a, b int) int {
	return o.origin(a) + (b/o.cols)*(2*o.cols-1) + b%o.cols
}

// gather writes into dst (length K) the values of the table t for the
// offsets from unit j to every unit: R copies of C values.
func gather[T float](o *offsets, t []T, j int, dst []T) {
	base, w := o.origin(j), 2*o.cols-1
	for r := 0; r < o.rows; r++ {
		copy(dst[r*o.cols:(r+1)*o.cols], t[base+r*w:])
	}
}

// tableCache keeps the neighbourhood values over offsets for the most
// recently used radius.
type tableCache struct {
	mu     sync.Mutex
	o      *offsets
	hood   Neighborhood
	sigma  float64
	vals   []float64
	vals32 []float32 // vals in float32
}

func newTableCache(m *Map) *tableCache {
	return &tableCache{o: newOffsets(m.cfg.Grid), hood: m.cfg.Neighborhood, sigma: math.NaN()}
}

// both returns the table of sigma in float64 and in float32, computing
// them once per σ.
func (c *tableCache) both(sigma float64) ([]float64, []float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sigma == c.sigma {
		return c.vals, c.vals32
	}
	vals, vals32 := make([]float64, len(c.o.dist)), make([]float32, len(c.o.dist))
	for i, d := range c.o.dist {
		vals[i] = c.hood.Value(d, sigma)
		vals32[i] = float32(vals[i])
	}
	c.vals, c.vals32, c.sigma = vals, vals32, sigma
	return vals, vals32
}

// typedTable returns h(dist, σ) over offsets in the element type T. The
// result is shared: callers must not change it, and it stays valid until
// the next call with another σ.
func typedTable[T float](c *tableCache, sigma float64) []T {
	vals, vals32 := c.both(sigma)
	if t, ok := any(vals).([]T); ok {
		return t
	}
	return any(vals32).([]T)
}
