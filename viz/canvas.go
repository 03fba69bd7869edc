package viz

import (
	"fmt"
	"io"
	"math"

	"github.com/golang/freetype/truetype"
	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// dpi is the resolution of every chart; font sizes are in points at this
// resolution.
const dpi = 96.0

// Font sizes in points.
const (
	fontTitle  = 13.0
	fontLabel  = 10.0
	fontTick   = 8.5
	fontLegend = 9.0
)

// canvas wraps a go-chart renderer with the few drawing operations the map
// charts need, in float coordinates (pixels, y down).
type canvas struct {
	r    chart.Renderer
	f    Format
	font *truetype.Font
}

func newCanvas(f Format, w, h int) (*canvas, error) {
	p, err := f.provider()
	if err != nil {
		return nil, err
	}
	if w < 1 || h < 1 {
		return nil, fmt.Errorf("viz: image size %dx%d: both sides must be at least 1 pixel", w, h)
	}
	r, err := p(w, h)
	if err != nil {
		return nil, fmt.Errorf("viz: %s renderer: %w", f, err)
	}
	font, err := chart.GetDefaultFont()
	if err != nil {
		return nil, fmt.Errorf("viz: loading the default font: %w", err)
	}
	r.SetDPI(dpi)
	c := &canvas{r: r, f: f, font: font}
	c.rect(0, 0, float64(w), float64(h), colorBackground)
	return c, nil
}

func ipt(v float64) int { return int(math.Round(v)) }

// poly fills the closed polygon xs, ys with fill and, if edge is not zero,
// outlines it with a line of width lw.
func (c *canvas) poly(xs, ys []float64, fill, edge drawing.Color, lw float64) {
	c.r.ResetStyle()
	c.r.SetFillColor(fill)
	if !edge.IsZero() && lw > 0 {
		c.r.SetStrokeColor(edge)
		c.r.SetStrokeWidth(lw)
	}
	c.r.MoveTo(ipt(xs[0]), ipt(ys[0]))
	for i := 1; i < len(xs); i++ {
		c.r.LineTo(ipt(xs[i]), ipt(ys[i]))
	}
	c.r.Close()
	if !edge.IsZero() && lw > 0 {
		c.r.FillStroke()
	} else {
		c.r.Fill()
	}
}

// rect fills the axis-aligned rectangle from (x0, y0) to (x1, y1).
func (c *canvas) rect(x0, y0, x1, y1 float64, fill drawing.Color) {
	c.poly([]float64{x0, x1, x1, x0}, []float64{y0, y0, y1, y1}, fill, drawing.Color{}, 0)
}

// line strokes a straight line.
func (c *canvas) line(x0, y0, x1, y1 float64, col drawing.Color, lw float64) {
	c.r.ResetStyle()
	c.r.SetStrokeColor(col)
	c.r.SetStrokeWidth(lw)
	c.r.MoveTo(ipt(x0), ipt(y0))
	c.r.LineTo(ipt(x1), ipt(y1))
	c.r.Stroke()
}

// circle fills a dot of radius rad at (x, y).
func (c *canvas) circle(x, y, rad float64, fill drawing.Color) {
	const n = 12
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		a := 2 * math.Pi * float64(i) / n
		xs[i], ys[i] = x+rad*math.Cos(a), y+rad*math.Sin(a)
	}
	c.poly(xs, ys, fill, drawing.Color{}, 0)
}

// capHeight returns the height in pixels of capital letters at size points.
func capHeight(size float64) float64 { return drawing.PointsToPixels(dpi, size) * pngTextScale * 0.72 }

// Text alignment.
type align uint8

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// text draws s with its horizontal anchor at x (left, centre or right) and
// its vertical middle at y.
func (c *canvas) text(s string, x, y, size float64, col drawing.Color, a align) {
	if s == "" {
		return
	}
	w, h := textWidth(s, size), capHeight(size)
	switch a {
	case alignCenter:
		x -= w / 2
	case alignRight:
		x -= w
	}
	c.r.ResetStyle()
	c.r.SetFont(c.font)
	c.r.SetFontSize(c.f.textSize(size))
	c.r.SetFontColor(col)
	c.r.Text(c.f.escape(s), ipt(x), ipt(y+h/2))
}

// textUp draws s rotated to read upwards, starting at (x, y): its
// baseline runs up from there.
func (c *canvas) textUp(s string, x, y, size float64, col drawing.Color) {
	if s == "" {
		return
	}
	c.r.ResetStyle()
	c.r.SetFont(c.font)
	c.r.SetFontSize(c.f.textSize(size))
	c.r.SetFontColor(col)
	c.r.SetTextRotation(-math.Pi / 2)
	c.r.Text(c.f.escape(s), ipt(x), ipt(y))
	c.r.ClearTextRotation()
}

// save writes the image.
func (c *canvas) save(w io.Writer) error {
	if err := c.r.Save(w); err != nil {
		return fmt.Errorf("viz: writing the image: %w", err)
	}
	return nil
}
