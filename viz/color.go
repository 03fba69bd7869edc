package viz

import (
	"image/color"
	"math"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Colours of the chart furniture.
var (
	colorBackground = drawing.Color{R: 255, G: 255, B: 255, A: 255}
	colorEmpty      = drawing.Color{R: 245, G: 245, B: 245, A: 255}
	colorEmptyEdge  = drawing.Color{R: 200, G: 200, B: 200, A: 255}
	colorText       = drawing.Color{R: 40, G: 40, B: 40, A: 255}
	colorMuted      = drawing.Color{R: 110, G: 110, B: 110, A: 255}
	colorWhite      = drawing.Color{R: 255, G: 255, B: 255, A: 255}
	colorBorder     = drawing.Color{R: 20, G: 20, B: 20, A: 255} // cluster borders
)

// Viridis returns the colour of t on the Viridis scale: t = 0 is dark
// purple, t = 1 bright yellow. t is clamped to [0, 1]; NaN gives the
// middle of the scale.
func Viridis(t float64) color.RGBA {
	c := viridis(t)
	return color.RGBA{R: c.R, G: c.G, B: c.B, A: 255}
}

func viridis(t float64) drawing.Color {
	if math.IsNaN(t) {
		t = 0.5
	}
	t = math.Max(0, math.Min(1, t))
	return chart.Viridis(t, 0, 1)
}

// categoryColors are the ten "tab10" colours followed by their light
// "tab20" partners: distinct hues that read on white and in print.
var categoryColors = []drawing.Color{
	{R: 31, G: 119, B: 180, A: 255}, {R: 255, G: 127, B: 14, A: 255},
	{R: 44, G: 160, B: 44, A: 255}, {R: 214, G: 39, B: 40, A: 255},
	{R: 148, G: 103, B: 189, A: 255}, {R: 140, G: 86, B: 75, A: 255},
	{R: 227, G: 119, B: 194, A: 255}, {R: 127, G: 127, B: 127, A: 255},
	{R: 188, G: 189, B: 34, A: 255}, {R: 23, G: 190, B: 207, A: 255},
	{R: 174, G: 199, B: 232, A: 255}, {R: 255, G: 187, B: 120, A: 255},
	{R: 152, G: 223, B: 138, A: 255}, {R: 255, G: 152, B: 150, A: 255},
	{R: 197, G: 176, B: 213, A: 255}, {R: 196, G: 156, B: 148, A: 255},
	{R: 247, G: 182, B: 210, A: 255}, {R: 199, G: 199, B: 199, A: 255},
	{R: 219, G: 219, B: 141, A: 255}, {R: 158, G: 218, B: 229, A: 255},
}

// CategoryColor returns the colour of category i (i ≥ 0): the tab10 and
// tab20 colours for the first twenty, then hues spaced by the golden angle.
func CategoryColor(i int) color.RGBA {
	c := categoryColor(i)
	return color.RGBA{R: c.R, G: c.G, B: c.B, A: 255}
}

func categoryColor(i int) drawing.Color {
	if i < 0 {
		return colorEmpty
	}
	if i < len(categoryColors) {
		return categoryColors[i]
	}
	h := math.Mod(float64(i)*137.50776, 360)
	return hsv(h, 0.65, 0.85)
}

// sequentialColors returns n colours for ordered categories (quantile
// bins): evenly spaced on the Viridis scale.
func sequentialColors(n int) []drawing.Color {
	out := make([]drawing.Color, n)
	for i := range out {
		if n == 1 {
			out[i] = viridis(0.5)
			continue
		}
		out[i] = viridis(float64(i) / float64(n-1))
	}
	return out
}

func hsv(h, s, v float64) drawing.Color {
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := v - c
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	return drawing.Color{R: uint8(255 * (r + m)), G: uint8(255 * (g + m)), B: uint8(255 * (b + m)), A: 255}
}

// luminance is the relative luminance of c in [0, 1] (sRGB approximation).
func luminance(c drawing.Color) float64 {
	return (0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)) / 255
}

// textOn returns a text colour that reads on a cell of colour c: white on
// dark cells, near-black on light ones.
func textOn(c drawing.Color) drawing.Color {
	if luminance(c) < 0.45 {
		return colorWhite
	}
	return colorText
}

func toDrawing(c color.Color) drawing.Color {
	r, g, b, a := c.RGBA()
	if a == 0 {
		return drawing.Color{}
	}
	// un-premultiply
	return drawing.Color{R: uint8(r * 0xffff / a >> 8), G: uint8(g * 0xffff / a >> 8), B: uint8(b * 0xffff / a >> 8), A: uint8(a >> 8)}
}
