package viz

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/somgraph/somgraph/graph"
	"github.com/wcharczuk/go-chart/v2/drawing"
	"gonum.org/v1/gonum/mat"
)

// PCAScatter draws records and a codebook projected on the first two
// principal components of the records: records as small grey dots, units
// as red dots joined to their grid neighbours, so one sees how the map
// spreads over the data.
type PCAScatter struct {
	// Title is drawn above the plot; it may be empty.
	Title string
	// Grid is the map's layout and Dim the number of features.
	Grid graph.Grid
	Dim  int
	// Data holds the records, row-major (at most 3,000 of them are drawn,
	// evenly spaced, and at most 20,000 fit the projection). The
	// projection is kept between renders while Data is the same slice:
	// assign a new slice rather than changing its values in place.
	Data []float64
	// Codebook holds the units' weights, row-major.
	Codebook []float64

	proj *projector
}

// projector projects vectors on the first two principal components of a
// dataset.
type projector struct {
	src  []float64 // the data it was fitted on
	d    int
	vecs *mat.Dense
	mean []float64
}

func newProjector(data []float64, d int) (*projector, error) {
	src := data
	data = thinRows(data, d, 20000)
	n := len(data) / d
	if n < 2 {
		return &projector{src: src, d: d, mean: append([]float64(nil), data[:d]...)}, nil
	}
	vecs, mean, err := pcaBasis(data, n, d)
	if err != nil {
		return nil, err
	}
	return &projector{src: src, d: d, vecs: vecs, mean: mean}, nil
}

// fits reports whether p was fitted on data (the same slice) with d
// features.
func (p *projector) fits(data []float64, d int) bool {
	return p != nil && p.d == d && len(p.src) == len(data) && &p.src[0] == &data[0]
}

// thinRows returns the rows of d values of data, thinned evenly from the
// first to at most most rows; data itself if it has no more.
func thinRows(data []float64, d, most int) []float64 {
	n := len(data) / d
	if n <= most {
		return data
	}
	stride := (n + most - 1) / most
	sub := make([]float64, 0, (n/stride+1)*d)
	for i := 0; i < n; i += stride {
		sub = append(sub, data[i*d:(i+1)*d]...)
	}
	return sub
}

// project returns the two coordinates of each row of x (the second is 0
// for one-dimensional data).
func (p *projector) project(x []float64) (xs, ys []float64) {
	n := len(x) / p.d
	if p.vecs == nil {
		return make([]float64, n), make([]float64, n)
	}
	pc := project(x, n, p.d, p.vecs, p.mean, 2)
	if len(pc) == 1 {
		return pc[0], make([]float64, n)
	}
	return pc[0], pc[1]
}

// Check returns an error if the scatter cannot be drawn.
func (ps *PCAScatter) Check() error {
	if err := ps.Grid.Validate(); err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	if ps.Dim < 1 {
		return fmt.Errorf("viz: PCA scatter: dimension %d must be at least 1", ps.Dim)
	}
	if len(ps.Data) == 0 || len(ps.Data)%ps.Dim != 0 {
		return fmt.Errorf("viz: PCA scatter: %d data values are not whole records of %d features", len(ps.Data), ps.Dim)
	}
	if len(ps.Codebook) != ps.Grid.Units()*ps.Dim {
		return fmt.Errorf("viz: PCA scatter: codebook of %d values for %d units of %d features", len(ps.Codebook), ps.Grid.Units(), ps.Dim)
	}
	for i, v := range ps.Codebook {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("viz: PCA scatter: weight %d of unit %d is %v", i%ps.Dim, i/ps.Dim, v)
		}
	}
	return nil
}

// Render draws the scatter to w in format f.
func (ps *PCAScatter) Render(w io.Writer, f Format) error {
	if ps == nil {
		return errors.New("viz: nil PCAScatter")
	}
	if err := ps.Check(); err != nil {
		return err
	}
	if !ps.proj.fits(ps.Data, ps.Dim) {
		p, err := newProjector(ps.Data, ps.Dim)
		if err != nil {
			return err
		}
		ps.proj = p
	}
	dx, dy := ps.proj.project(thinRows(ps.Data, ps.Dim, 3000))
	ux, uy := ps.proj.project(ps.Codebook)

	const W, H = 560, 480
	const left, right, top, bottom = 58.0, 20.0, 48.0, 50.0
	// The view spans the records' central 99% and every unit, so that a
	// few outliers do not squeeze the map into a corner.
	xlo, xhi := robustRange(dx, ux)
	ylo, yhi := robustRange(dy, uy)
	xlo, xhi = paddedRange(xlo, xhi, 0.1)
	ylo, yhi = paddedRange(ylo, yhi, 0.1)
	px, py := (xhi-xlo)*0.05, (yhi-ylo)*0.05
	xlo, xhi, ylo, yhi = xlo-px, xhi+px, ylo-py, yhi+py
	// equal aspect: one unit of PC 1 is as long as one of PC 2
	bw, bh := W-left-right, H-top-bottom
	scale := math.Min(bw/(xhi-xlo), bh/(yhi-ylo))
	cx, cy := (xlo+xhi)/2, (ylo+yhi)/2
	xlo, xhi = cx-bw/scale/2, cx+bw/scale/2
	ylo, yhi = cy-bh/scale/2, cy+bh/scale/2
	toX := func(v float64) float64 { return left + (v-xlo)*scale }
	toY := func(v float64) float64 { return top + bh - (v-ylo)*scale }

	c, err := newCanvas(f, W, H)
	if err != nil {
		return err
	}
	if ps.Title != "" {
		c.text(ps.Title, W/2, 20, fontTitle, colorText, alignCenter)
	}
	grid := drawing.Color{R: 232, G: 232, B: 232, A: 255}
	xt, _, _ := niceTicks(xlo, xhi, 6, false)
	for _, t := range xt {
		if t.Value < xlo || t.Value > xhi {
			continue
		}
		x := toX(t.Value)
		c.line(x, top, x, top+bh, grid, 1)
		c.text(t.Label, x, top+bh+10, fontTick, colorMuted, alignCenter)
	}
	yt, _, _ := niceTicks(ylo, yhi, 6, false)
	for _, t := range yt {
		if t.Value < ylo || t.Value > yhi {
			continue
		}
		y := toY(t.Value)
		c.line(left, y, left+bw, y, grid, 1)
		c.text(t.Label, left-5, y, fontTick, colorMuted, alignRight)
	}
	axis := drawing.Color{R: 150, G: 150, B: 150, A: 255}
	c.line(left, top+bh, left+bw, top+bh, axis, 1)
	c.line(left, top, left, top+bh, axis, 1)
	c.text("PC 1", left+bw/2, H-14, fontLabel, colorText, alignCenter)
	c.text("PC 2", 8, top-12, fontLabel, colorText, alignLeft)

	dot := drawing.Color{R: 110, G: 110, B: 110, A: 150}
	dotR := 2.2
	if len(dx) > 1000 {
		dotR = 1.6
	}
	outside := 0
	for i := range dx {
		if dx[i] < xlo || dx[i] > xhi || dy[i] < ylo || dy[i] > yhi {
			outside++
			continue
		}
		c.circle(toX(dx[i]), toY(dy[i]), dotR, dot)
	}
	if outside > 0 {
		c.text(fmt.Sprintf("%d of %d drawn records outside the view", outside, len(dx)), left+bw, H-14, fontTick, colorMuted, alignRight)
	}
	mesh := drawing.Color{R: 214, G: 39, B: 40, A: 170}
	unit := drawing.Color{R: 214, G: 39, B: 40, A: 255}
	g := ps.Grid
	for u := range g.Units() {
		ru, cu := g.RowCol(u)
		for _, v := range g.Neighbors(u) {
			rv, cv := g.RowCol(v)
			if v < u || abs(ru-rv) > 1 || abs(cu-cv) > 1 { // each edge once, no wrapped edges
				continue
			}
			c.line(toX(ux[u]), toY(uy[u]), toX(ux[v]), toY(uy[v]), mesh, 1)
		}
	}
	rad := 2.6
	if g.Units() > 400 {
		rad = 1.6
	}
	for u := range ux {
		c.circle(toX(ux[u]), toY(uy[u]), rad, unit)
	}
	// legend
	lx := left + bw - 80
	c.rect(lx-8, top+4, left+bw-4, top+40, drawing.Color{R: 255, G: 255, B: 255, A: 220})
	c.circle(lx, top+14, 2.5, drawing.Color{R: 110, G: 110, B: 110, A: 255})
	c.text("records", lx+8, top+14, fontLegend, colorText, alignLeft)
	c.circle(lx, top+30, 2.6, unit)
	c.text("units", lx+8, top+30, fontLegend, colorText, alignLeft)
	return c.save(w)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// robustRange returns the range of the central 99% of data (all of it
// for fewer than 200 values) widened to include every unit.
func robustRange(data, units []float64) (lo, hi float64) {
	s := slices.Clone(data)
	slices.Sort(s)
	lo, hi = s[0], s[len(s)-1]
	if len(s) >= 200 {
		lo, hi = s[len(s)/200], s[len(s)-1-len(s)/200]
	}
	for _, v := range units {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}
