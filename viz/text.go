package viz

import (
	"sync"

	"github.com/golang/freetype/truetype"
	chart "github.com/wcharczuk/go-chart/v2"
	"golang.org/x/image/font"
)

var (
	faceMu sync.Mutex
	faces  = map[float64]font.Face{}
)

// textWidth returns the width in pixels of s in the default font at size
// points, the same measure the renderers use.
func textWidth(s string, size float64) float64 {
	faceMu.Lock()
	defer faceMu.Unlock()
	face, ok := faces[size]
	if !ok {
		f, err := chart.GetDefaultFont()
		if err != nil {
			return float64(len(s)) * size * 0.6
		}
		face = truetype.NewFace(f, &truetype.Options{DPI: dpi, Size: size})
		faces[size] = face
	}
	return float64(font.MeasureString(face, s).Ceil())
}
