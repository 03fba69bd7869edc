package viz

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/somgraph/somgraph/graph"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// DefaultMaxAnnotated is the largest number of units whose cells are
// annotated when MapChart.MaxAnnotated is zero.
const DefaultMaxAnnotated = 900

// MapChart draws a map as a grid of cells: squares on a rectangular grid,
// hexagons on a hexagonal one, unit k at row k / Cols and column k % Cols,
// row 0 at the top. Each cell is coloured from exactly one of Values,
// Colors or Categories.
type MapChart struct {
	// Grid is the map's layout.
	Grid graph.Grid
	// Title is drawn above the map; it may be empty.
	Title string

	// Values colours each unit on the Viridis scale, with a colour bar.
	// NaN marks an empty unit.
	Values []float64
	// Min and Max fix the scale of Values when Min < Max; otherwise the
	// scale spans the finite values.
	Min, Max float64
	// Label is the caption of the colour bar (for example "hits").
	Label string
	// LogScale colours Values on a logarithmic scale, for counts whose
	// largest values would otherwise leave every other cell dark; the
	// colour bar's caption then says "(log scale)". Every finite value
	// must be greater than 0.
	LogScale bool

	// Colors gives each unit its colour; a nil entry marks an empty unit.
	Colors []color.Color

	// Categories gives each unit a category index into CategoryNames,
	// shown with one colour per category and a legend; -1 marks an empty
	// unit.
	Categories []int
	// CategoryNames names the categories in legend order. If nil the
	// categories are named by their index.
	CategoryNames []string
	// Ordered colours the categories on the Viridis scale (for ordered
	// categories such as quantile bins) instead of distinct hues.
	Ordered bool

	// Annotations holds one text per unit, drawn in the cell in a colour
	// that contrasts with it; nil draws none. Empty strings are skipped.
	Annotations []string
	// MaxAnnotated switches annotations off for maps of more units: 0
	// means DefaultMaxAnnotated, a negative value never annotates.
	// Annotations are also left out when cells are too small for text.
	MaxAnnotated int

	// Borders, if not nil, gives each unit a cluster: a line is drawn
	// between neighbouring units of different clusters.
	Borders []int

	// CellSize is the distance between neighbouring cell centres in
	// pixels; 0 chooses a size that makes the map about 360 pixels wide
	// (at least 4 pixels per cell).
	CellSize float64

	// block is the side, in units, of the square of units one drawn cell
	// stands for (0 or 1: one unit); see drawable.
	block int
}

// MaxDrawnSide is the largest number of rows or columns of cells a map
// chart draws. A larger map is drawn in square blocks of units, as a
// rectangular grid of at most MaxDrawnSide × MaxDrawnSide cells (each the
// mean value or colour, or the most frequent category, of its units;
// without annotations): drawing a million cells took minutes and made
// images thousands of pixels wide that show no more.
const MaxDrawnSide = 128

// drawable returns mc, or for a map with more than MaxDrawnSide rows or
// columns a copy that draws blocks of units as single cells; the title
// then says so and the axes number units, not blocks.
func (mc *MapChart) drawable() *MapChart {
	g := mc.Grid
	if max(g.Rows, g.Cols) <= MaxDrawnSide {
		return mc
	}
	b := (max(g.Rows, g.Cols) + MaxDrawnSide - 1) / MaxDrawnSide
	bg := graph.Grid{Rows: (g.Rows + b - 1) / b, Cols: (g.Cols + b - 1) / b, Topology: graph.Rectangular}
	out := &MapChart{Grid: bg, Min: mc.Min, Max: mc.Max, Label: mc.Label, LogScale: mc.LogScale,
		CategoryNames: mc.CategoryNames, Ordered: mc.Ordered, block: b,
		Title: fmt.Sprintf("%s (%d×%d units, in blocks of %d×%d)", mc.Title, g.Rows, g.Cols, b, b)}
	if mc.Title == "" {
		out.Title = fmt.Sprintf("%d×%d units, in blocks of %d×%d", g.Rows, g.Cols, b, b)
	}
	k := bg.Units()
	switch {
	case mc.Values != nil:
		out.Values = make([]float64, k)
	case mc.Colors != nil:
		out.Colors = make([]color.Color, k)
	default:
		out.Categories = make([]int, k)
	}
	var votes map[int]int
	for cell := range k {
		br, bc := bg.RowCol(cell)
		sum, n := 0.0, 0
		var rgb [3]float64
		clear(votes)
		for r := br * b; r < min((br+1)*b, g.Rows); r++ {
			for c := bc * b; c < min((bc+1)*b, g.Cols); c++ {
				u := g.Unit(r, c)
				switch {
				case mc.Values != nil:
					if v := mc.Values[u]; !math.IsNaN(v) {
						sum += v
						n++
					}
				case mc.Colors != nil:
					if col := mc.Colors[u]; col != nil {
						cr, cg, cb, _ := col.RGBA()
						rgb[0], rgb[1], rgb[2] = rgb[0]+float64(cr), rgb[1]+float64(cg), rgb[2]+float64(cb)
						n++
					}
				default:
					if cat := mc.Categories[u]; cat >= 0 {
						if votes == nil {
							votes = map[int]int{}
						}
						votes[cat]++
						n++
					}
				}
			}
		}
		switch {
		case mc.Values != nil:
			out.Values[cell] = math.NaN()
			if n > 0 {
				out.Values[cell] = sum / float64(n)
			}
		case mc.Colors != nil:
			if n > 0 {
				f := float64(n) * 257
				out.Colors[cell] = color.RGBA{uint8(rgb[0]/f + 0.5), uint8(rgb[1]/f + 0.5), uint8(rgb[2]/f + 0.5), 255}
			}
		default:
			best, bv := -1, 0
			for cat, v := range votes {
				if v > bv || v == bv && cat < best {
					best, bv = cat, v
				}
			}
			out.Categories[cell] = best
		}
	}
	return out
}

// unitLabel returns the axis label of cell row or column i: the number of
// its first unit.
func (mc *MapChart) unitLabel(i int) string { return strconv.Itoa(i * max(mc.block, 1)) }

// Check returns an error if the chart cannot be drawn: an invalid grid,
// not exactly one colour source, or a slice whose length is not the
// number of units.
func (mc *MapChart) Check() error {
	if mc == nil {
		return errors.New("viz: nil MapChart")
	}
	if err := mc.Grid.Validate(); err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	k := mc.Grid.Units()
	n := 0
	for _, set := range []bool{mc.Values != nil, mc.Colors != nil, mc.Categories != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("viz: map chart %q sets %d of Values, Colors and Categories: set exactly one", mc.Title, n)
	}
	check := func(name string, got int) error {
		if got != k {
			return fmt.Errorf("viz: map chart %q: %s has %d entries for a %v map of %d units", mc.Title, name, got, mc.Grid, k)
		}
		return nil
	}
	switch {
	case mc.Values != nil:
		if err := check("Values", len(mc.Values)); err != nil {
			return err
		}
		for u, v := range mc.Values {
			if math.IsInf(v, 0) {
				return fmt.Errorf("viz: map chart %q: value of unit %d is %v: use NaN for an empty unit", mc.Title, u, v)
			}
			if mc.LogScale && v <= 0 {
				return fmt.Errorf("viz: map chart %q: value of unit %d is %v: a log scale needs values greater than 0 (NaN for an empty unit)", mc.Title, u, v)
			}
		}
	case mc.Colors != nil:
		if err := check("Colors", len(mc.Colors)); err != nil {
			return err
		}
	default:
		if err := check("Categories", len(mc.Categories)); err != nil {
			return err
		}
		for u, c := range mc.Categories {
			if c < -1 || (mc.CategoryNames != nil && c >= len(mc.CategoryNames)) {
				return fmt.Errorf("viz: map chart %q: unit %d has category %d, want -1 (empty) or 0..%d", mc.Title, u, c, len(mc.CategoryNames)-1)
			}
		}
	}
	if mc.Annotations != nil {
		if err := check("Annotations", len(mc.Annotations)); err != nil {
			return err
		}
	}
	if mc.Borders != nil {
		if err := check("Borders", len(mc.Borders)); err != nil {
			return err
		}
	}
	return nil
}

// Render draws the chart to w in format f.
func (mc *MapChart) Render(w io.Writer, f Format) error {
	return RenderMaps(w, f, "", mc)
}

// RenderMaps draws several map charts as panels of one image, in rows of
// up to ⌈√n⌉ panels, under an overall title (which may be empty).
func RenderMaps(w io.Writer, f Format, title string, charts ...*MapChart) error {
	if len(charts) == 0 {
		return errors.New("viz: no map charts to render")
	}
	if _, err := f.provider(); err != nil {
		return err
	}
	lays := make([]mapLayout, len(charts))
	charts = slices.Clone(charts)
	for i, mc := range charts {
		if err := mc.Check(); err != nil {
			return err
		}
		charts[i] = mc.drawable()
		lays[i] = charts[i].layout()
	}
	cols := int(math.Ceil(math.Sqrt(float64(len(charts)))))
	rows := (len(charts) + cols - 1) / cols
	colW := make([]float64, cols)
	rowH := make([]float64, rows)
	for i, l := range lays {
		colW[i%cols] = math.Max(colW[i%cols], l.w)
		rowH[i/cols] = math.Max(rowH[i/cols], l.h)
	}
	const outer = 6.0
	top := outer
	if title != "" {
		top += 26
	}
	width := 2 * outer
	for _, v := range colW {
		width += v
	}
	height := top + outer
	for _, v := range rowH {
		height += v
	}
	c, err := newCanvas(f, int(math.Ceil(width)), int(math.Ceil(height)))
	if err != nil {
		return err
	}
	if title != "" {
		c.text(title, width/2, outer+12, fontTitle+1, colorText, alignCenter)
	}
	y := top
	for r := 0; r < rows; r++ {
		x := outer
		for col := 0; col < cols; col++ {
			i := r*cols + col
			if i >= len(charts) {
				break
			}
			charts[i].draw(c, x, y, lays[i])
			x += colW[col]
		}
		y += rowH[r]
	}
	return c.save(w)
}

// mapLayout is the geometry of one panel, in pixels relative to its
// top-left corner.
type mapLayout struct {
	w, h        float64 // panel size
	mapX, mapY  float64 // top-left of the map area
	mapW, mapH  float64
	scale       float64 // pixels per unit of grid distance
	sideX       float64 // left of the colour bar or legend
	barH        float64 // height of the colour bar
	rowStep     int     // label every rowStep rows
	colStep     int
	showAnnot   bool
	annotSize   float64
	legendLines int     // legend entries per column
	legendColW  float64 // width of a legend column
}

const (
	panelPad   = 10.0
	hexRadius  = 0.5773502691896258 // 1/√3: circumradius of a hexagon 1 wide
	hexPitch   = 0.8660254037844386 // √3/2
	barWidth   = 14.0
	legendLine = 16.0
)

// extent returns the size of the map in grid units, edges included.
func (mc *MapChart) extent() (ex, ey float64) { return MapExtent(mc.Grid) }

// MapExtent returns the width and height of grid g's drawing in grid units
// (the distance between neighbouring cell centres is 1), cell edges
// included: the area CellShape's polygons cover.
func MapExtent(g graph.Grid) (w, h float64) {
	if g.Topology == graph.Hexagonal {
		w = float64(g.Cols)
		if g.Rows > 1 {
			w += 0.5
		}
		return w, float64(g.Rows-1)*hexPitch + 2*hexRadius
	}
	return float64(g.Cols), float64(g.Rows)
}

// CellShape returns the centre and the polygon of unit k of grid g in grid
// units, with the map's top-left corner at (0, 0) and y growing downwards,
// as map charts draw them: a unit square on a rectangular grid, a hexagon
// one unit wide (pointy top) on a hexagonal one. Scaling by a cell size in
// pixels gives a chart's cell.
func CellShape(g graph.Grid, k int) (cx, cy float64, xs, ys []float64) {
	gx, gy := g.Coords(k)
	if g.Topology == graph.Hexagonal {
		cx, cy = gx+0.5, gy+hexRadius
		xs, ys = make([]float64, 6), make([]float64, 6)
		for i := range 6 {
			a := math.Pi/6 + float64(i)*math.Pi/3
			xs[i], ys[i] = cx+hexRadius*math.Cos(a), cy+hexRadius*math.Sin(a)
		}
		return cx, cy, xs, ys
	}
	cx, cy = gx+0.5, gy+0.5
	return cx, cy, []float64{cx - 0.5, cx + 0.5, cx + 0.5, cx - 0.5}, []float64{cy - 0.5, cy - 0.5, cy + 0.5, cy + 0.5}
}

// centre returns the pixel centre of unit k relative to the map area.
func (mc *MapChart) centre(k int, scale float64) (x, y float64) {
	cx, cy, _, _ := CellShape(mc.Grid, k)
	return cx * scale, cy * scale
}

func niceStep(minStep float64) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		if float64(s) >= minStep {
			return s
		}
	}
	return int(math.Ceil(minStep/1000)) * 1000
}

func (mc *MapChart) layout() mapLayout {
	var l mapLayout
	ex, ey := mc.extent()
	l.scale = mc.CellSize
	if l.scale <= 0 {
		l.scale = math.Max(4, math.Min(56, math.Min(360/ex, 360/ey)))
	}
	l.mapW, l.mapH = ex*l.scale, ey*l.scale

	// left: row numbers and the "row" caption
	rowLabelW := textWidth(mc.unitLabel(mc.Grid.Rows-1), fontTick)
	rowCapW := textWidth("row", fontLabel)
	l.mapX = panelPad + rowCapW + 6 + rowLabelW + 5
	l.mapY = panelPad
	if mc.Title != "" {
		l.mapY += 22
	}
	side := 0.0
	sideH := 0.0
	if mc.Values != nil || mc.Categories != nil {
		l.mapY += 22 // room for the colour bar caption; keeps panels aligned
	}
	if mc.Values != nil {
		lo, hi := mc.valueRange()
		tw := 0.0
		for _, t := range mc.barTicks(lo, hi) {
			tw = math.Max(tw, textWidth(t.label, fontTick))
		}
		side = 14 + barWidth + 5 + tw
		if c := mc.caption(); c != "" {
			side = math.Max(side, 14+textWidth(c, fontTick))
		}
		l.barH = math.Max(120, math.Min(l.mapH, 360))
		sideH = l.barH
	}
	if mc.Categories != nil {
		names := mc.names()
		tw := 0.0
		for _, n := range names {
			tw = math.Max(tw, textWidth(n, fontLegend))
		}
		// as many lines per column as fit beside the map (at least 12)
		l.legendLines = max(12, int(l.mapH/legendLine))
		l.legendColW = 12 + 6 + tw + 12
		ncol := (len(names) + l.legendLines - 1) / l.legendLines
		side = 10 + float64(ncol)*l.legendColW
		sideH = float64(min(len(names), l.legendLines)) * legendLine
	}
	l.sideX = l.mapX + l.mapW + 6
	l.w = l.sideX + side + panelPad
	if mc.Title != "" {
		l.w = math.Max(l.w, textWidth(mc.Title, fontTitle)+2*panelPad)
	}
	bottom := 6 + 11 + 4 + 12 // col numbers and the "col" caption
	l.h = l.mapY + math.Max(l.mapH+float64(bottom), sideH) + panelPad

	// tick spacing
	colLabelW := textWidth(mc.unitLabel(mc.Grid.Cols-1), fontTick) + 6
	l.colStep = niceStep(colLabelW / l.scale)
	pitch := l.scale
	if mc.Grid.Topology == graph.Hexagonal {
		pitch *= hexPitch
	}
	l.rowStep = niceStep(14 / pitch)

	// annotations
	maxA := mc.MaxAnnotated
	if maxA == 0 {
		maxA = DefaultMaxAnnotated
	}
	if mc.Annotations != nil && maxA > 0 && mc.Grid.Units() <= maxA && l.scale >= 14 {
		l.showAnnot = true
		l.annotSize = math.Min(10, l.scale*0.3)
	}
	return l
}

func (mc *MapChart) names() []string {
	if mc.CategoryNames != nil {
		return mc.CategoryNames
	}
	n := 0
	for _, c := range mc.Categories {
		n = max(n, c+1)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// valueRange returns the scale of Values.
func (mc *MapChart) valueRange() (lo, hi float64) {
	if mc.Min < mc.Max {
		return mc.Min, mc.Max
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range mc.Values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi { // all empty
		return 0, 0
	}
	return lo, hi
}

// integerValues reports whether every finite value is a whole number (as
// hit counts are), so the colour bar shows whole ticks.
func (mc *MapChart) integerValues() bool {
	for _, v := range mc.Values {
		if !math.IsNaN(v) && v != math.Trunc(v) {
			return false
		}
	}
	return true
}

// cellColor returns the colour of unit k and whether it is empty.
func (mc *MapChart) cellColor(k int, lo, hi float64, cats []drawing.Color) (drawing.Color, bool) {
	switch {
	case mc.Values != nil:
		v := mc.Values[k]
		if math.IsNaN(v) {
			return colorEmpty, true
		}
		if hi <= lo {
			return viridis(0.5), false
		}
		return viridis(mc.scaled(v, lo, hi)), false
	case mc.Colors != nil:
		if mc.Colors[k] == nil {
			return colorEmpty, true
		}
		d := toDrawing(mc.Colors[k])
		d.A = 255
		return d, false
	default:
		c := mc.Categories[k]
		if c < 0 {
			return colorEmpty, true
		}
		return cats[c], false
	}
}

func (mc *MapChart) categoryPalette() []drawing.Color {
	if mc.Categories == nil {
		return nil
	}
	n := len(mc.names())
	if mc.Ordered {
		return sequentialColors(n)
	}
	out := make([]drawing.Color, n)
	for i := range out {
		out[i] = categoryColor(i)
	}
	return out
}

// cellShape returns the polygon of unit k in canvas coordinates.
func (mc *MapChart) cellShape(k int, ox, oy, scale float64) (xs, ys []float64) {
	_, _, xs, ys = CellShape(mc.Grid, k)
	for i := range xs {
		xs[i], ys[i] = ox+xs[i]*scale, oy+ys[i]*scale
	}
	return xs, ys
}

func (mc *MapChart) draw(c *canvas, ox, oy float64, l mapLayout) {
	mx, my := ox+l.mapX, oy+l.mapY
	if mc.Title != "" {
		c.text(mc.Title, ox+l.w/2, oy+panelPad+8, fontTitle, colorText, alignCenter)
	}
	lo, hi := 0.0, 0.0
	if mc.Values != nil {
		lo, hi = mc.valueRange()
	}
	cats := mc.categoryPalette()
	edgeW := 0.0
	if l.scale >= 10 {
		edgeW = 1
	}
	k := mc.Grid.Units()
	for u := range k {
		col, empty := mc.cellColor(u, lo, hi, cats)
		xs, ys := mc.cellShape(u, mx, my, l.scale)
		edge := colorWhite
		if empty {
			edge = colorEmptyEdge
		}
		if edgeW == 0 && !empty {
			edge = col // a thin same-colour edge closes seams between cells
		}
		c.poly(xs, ys, col, edge, 1)
		if l.showAnnot && mc.Annotations[u] != "" {
			s := mc.Annotations[u]
			size := l.annotSize
			for size >= 5.5 && textWidth(s, size) > 0.88*l.scale {
				size -= 0.5
			}
			if size >= 5.5 {
				cx, cy := mc.centre(u, l.scale)
				c.text(s, mx+cx, my+cy, size, textOn(col), alignCenter)
			}
		}
	}

	if mc.Borders != nil {
		mc.drawBorders(c, mx, my, l)
	}

	// axes: column numbers below, row numbers to the left
	g := mc.Grid
	bottom := my + l.mapH + 6 + 5
	for col := 0; col < g.Cols; col += l.colStep {
		cx, _ := mc.centre(col, l.scale)
		c.text(mc.unitLabel(col), mx+cx, bottom, fontTick, colorMuted, alignCenter)
	}
	c.text("col", mx+l.mapW/2, bottom+15, fontLabel, colorText, alignCenter)
	for r := 0; r < g.Rows; r += l.rowStep {
		_, cy := mc.centre(g.Unit(r, 0), l.scale)
		c.text(mc.unitLabel(r), mx-5, my+cy, fontTick, colorMuted, alignRight)
	}
	c.text("row", ox+panelPad, my+l.mapH/2, fontLabel, colorText, alignLeft)

	switch {
	case mc.Values != nil && slices.ContainsFunc(mc.Values, func(v float64) bool { return !math.IsNaN(v) }):
		mc.drawColorBar(c, ox+l.sideX, my, l, lo, hi) // no bar for an all-empty map
	case mc.Categories != nil:
		mc.drawLegend(c, ox+l.sideX+10, my, cats, l)
	}
}

func (mc *MapChart) drawColorBar(c *canvas, x, y float64, l mapLayout, lo, hi float64) {
	x += 8
	h := l.barH
	if cap := mc.caption(); cap != "" {
		c.text(cap, x, y-15, fontTick, colorText, alignLeft)
	}
	const steps = 64
	for i := range steps {
		t := 1 - (float64(i)+0.5)/steps
		if hi <= lo {
			t = 0.5
		}
		y0 := y + h*float64(i)/steps
		y1 := y + h*float64(i+1)/steps
		c.rect(x, y0, x+barWidth, y1+0.6, viridis(t))
	}
	for _, t := range mc.barTicks(lo, hi) {
		ty := y + h/2
		if hi > lo {
			ty = y + h*(1-mc.scaled(t.v, lo, hi))
		}
		c.line(x+barWidth, ty, x+barWidth+3, ty, colorMuted, 1)
		c.text(t.label, x+barWidth+5, ty, fontTick, colorText, alignLeft)
	}
}

func (mc *MapChart) drawLegend(c *canvas, x, y float64, cats []drawing.Color, l mapLayout) {
	for i, n := range mc.names() {
		cx := x + float64(i/l.legendLines)*l.legendColW
		cy := y + legendLine*(float64(i%l.legendLines)+0.5)
		c.rect(cx, cy-6, cx+12, cy+6, cats[i])
		c.text(n, cx+18, cy, fontLegend, colorText, alignLeft)
	}
}

type tick struct {
	v     float64
	label string
}

// caption returns the colour bar's caption: Label, and the scale if it is
// logarithmic.
func (mc *MapChart) caption() string {
	if !mc.LogScale {
		return mc.Label
	}
	if mc.Label == "" {
		return "log scale"
	}
	return mc.Label + " (log scale)"
}

// scaled returns where v lies on the colour scale from lo to hi, 0 to 1.
func (mc *MapChart) scaled(v, lo, hi float64) float64 {
	if mc.LogScale && lo > 0 {
		return math.Log(v/lo) / math.Log(hi/lo)
	}
	return (v - lo) / (hi - lo)
}

// barTicks returns the colour bar's ticks for the range [lo, hi].
func (mc *MapChart) barTicks(lo, hi float64) []tick {
	if mc.LogScale && lo > 0 && hi > lo {
		return logTicks(lo, hi)
	}
	return barTicks(lo, hi, mc.integerValues())
}

// logTicks returns ticks at 1, 2 and 5 times the powers of ten within
// [lo, hi] (only the powers of ten when that is too many), and the ends of
// the range when fewer than two round values fall in it.
func logTicks(lo, hi float64) []tick {
	for _, ms := range [][]float64{{1, 2, 5}, {1, 3}, {1}} {
		var out []tick
		for p := math.Pow(10, math.Floor(math.Log10(lo))); p <= hi; p *= 10 {
			for _, m := range ms {
				if v := m * p; v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
					out = append(out, tick{v, formatValue(v, 0)})
				}
			}
		}
		if len(out) <= 7 && len(out) >= 2 {
			return out
		}
		if len(out) < 2 {
			break
		}
	}
	return []tick{{lo, formatValue(lo, 0)}, {hi, formatValue(hi, 0)}}
}

// barTicks returns about five round values within [lo, hi] with labels
// precise enough to tell them apart; a flat range gets one tick.
func barTicks(lo, hi float64, integer bool) []tick {
	if !(hi > lo) {
		return []tick{{lo, formatValue(lo, 0)}}
	}
	if !resolvable(lo, hi) { // no round steps fit: label the ends
		return []tick{{lo, formatValue(lo, 0)}, {hi, formatValue(hi, 0)}}
	}
	step := barStep(lo, hi, 7, integer)
	var out []tick
	k0 := math.Ceil(lo/step - 1e-9)
	for i := 0.0; i <= 7; i++ {
		v := (k0 + i) * step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, tick{v, formatValue(v, step)})
	}
	if len(out) < 2 { // a narrow range between two round values
		out = []tick{{lo, formatValue(lo, (hi-lo)/2)}, {hi, formatValue(hi, (hi-lo)/2)}}
	}
	return out
}

// resolvable reports whether [lo, hi] is a finite range wide enough for
// round tick steps in float64: not a few ulps of its values, not
// subnormal, not beyond the largest float.
func resolvable(lo, hi float64) bool {
	d := hi - lo
	return d > 1e-300 && !math.IsInf(d, 0) && d > 1e-12*math.Max(math.Abs(lo), math.Abs(hi))
}

// barStep returns the smallest round step (1, 2, 2.5 or 5 times a power of
// ten, a whole number if integer) that puts at most maxTicks ticks in
// [lo, hi].
func barStep(lo, hi float64, maxTicks int, integer bool) float64 {
	p := math.Pow(10, math.Floor(math.Log10((hi-lo)/float64(maxTicks))))
	if integer {
		p = math.Max(p, 1)
	}
	for range 40 { // a step of at most 10⁴⁰ times the first always fits
		for _, m := range []float64{1, 2, 2.5, 5} {
			step := m * p
			if integer && step != math.Trunc(step) {
				continue
			}
			if n := math.Floor(hi/step+1e-9) - math.Ceil(lo/step-1e-9) + 1; n <= float64(maxTicks) {
				return step
			}
		}
		p *= 10
	}
	return hi - lo
}

func niceFloatStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// formatValue formats v with enough decimals to show steps of step.
func formatValue(v, step float64) string {
	a := math.Abs(v)
	if a != 0 && (a >= 1e6 || a < 1e-4) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	if step == 0 {
		if a < 100 && a != math.Trunc(a) {
			return strconv.FormatFloat(v, 'g', 4, 64)
		}
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	// the fewest decimals that write the step exactly
	dec := 0
	for dec < 6 {
		x := step * math.Pow(10, float64(dec))
		if math.Abs(x-math.Round(x)) < 1e-6*x {
			break
		}
		dec++
	}
	return strconv.FormatFloat(v, 'f', min(dec, 6), 64)
}
