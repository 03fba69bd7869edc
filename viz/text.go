package viz

import (
	"html"
	"sync"

	"github.com/golang/freetype/truetype"
	chart "github.com/wcharczuk/go-chart/v2"
	"golang.org/x/image/font"
)

var (
	faceMu sync.Mutex
	faces  = map[float64]font.Face{}
)

// pngTextScale is how much larger go-chart's PNG renderer draws text than
// its size says: it scales glyphs by size·DPI/64 pixels instead of
// size·DPI/72. SVG text is scaled up by the same factor so that both
// formats share one layout.
const pngTextScale = 72.0 / 64

// textSize returns the size to give f's renderer for text of size points
// (see pngTextScale).
func (f Format) textSize(size float64) float64 {
	if f == SVG {
		return size * pngTextScale
	}
	return size
}

// escape returns s as f's renderer must be given it: go-chart writes SVG
// text without escaping it.
func (f Format) escape(s string) string {
	if f == SVG {
		return html.EscapeString(s)
	}
	return s
}

// textWidth returns the width in pixels of s in the default font at size
// points, as the PNG renderer draws it (and the SVG text is scaled to).
func textWidth(s string, size float64) float64 {
	faceMu.Lock()
	defer faceMu.Unlock()
	face, ok := faces[size]
	if !ok {
		f, err := chart.GetDefaultFont()
		if err != nil {
			return float64(len(s)) * size * 0.6
		}
		face = truetype.NewFace(f, &truetype.Options{DPI: dpi * pngTextScale, Size: size})
		faces[size] = face
	}
	return float64(font.MeasureString(face, s).Ceil())
}
