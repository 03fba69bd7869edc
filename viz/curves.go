package viz

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strings"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Series is one named curve: Y[i] at X[i]. Points with a NaN or infinite
// coordinate are left out.
type Series struct {
	Name string
	X, Y []float64
}

// CurveChart draws one or more series as lines over a shared x axis (epochs
// or steps), with a legend. A single point is drawn as a dot; a flat series
// gets a padded y range.
type CurveChart struct {
	// Title, XLabel and YLabel caption the chart and its axes.
	Title, XLabel, YLabel string
	// Series are the curves, coloured in order with CategoryColor.
	Series []Series
	// Width and Height are the image size in pixels; 0 means 640 by 320.
	Width, Height int
}

// Render draws the chart to w in format f.
func (cc *CurveChart) Render(w io.Writer, f Format) error {
	return RenderCurves(w, f, cc)
}

// RenderCurves draws several curve charts stacked from top to bottom in
// one image (for example a loss and a metric over the same epochs).
func RenderCurves(w io.Writer, f Format, charts ...*CurveChart) error {
	if len(charts) == 0 {
		return errors.New("viz: no curve charts to render")
	}
	p, err := f.provider()
	if err != nil {
		return err
	}
	parts := make([][]byte, len(charts))
	sizes := make([][2]int, len(charts))
	gcs := make([]*chart.Chart, len(charts))
	labelW := make([]float64, len(charts))
	widest := 0.0
	for i, cc := range charts {
		gc, err := cc.chart(f)
		if err != nil {
			return err
		}
		gcs[i] = gc
		for _, t := range gc.YAxis.Ticks {
			labelW[i] = math.Max(labelW[i], textWidth(t.Label, fontTick))
		}
		widest = math.Max(widest, labelW[i])
	}
	for i, cc := range charts {
		gc := gcs[i]
		// Line up the plots of stacked charts: pad the charts whose y
		// labels are narrower than the widest.
		gc.Background.Padding.Left += int(math.Round(widest - labelW[i]))
		var b bytes.Buffer
		if err := gc.Render(p, &b); err != nil {
			return fmt.Errorf("viz: curve chart %q: %w", cc.Title, err)
		}
		parts[i] = b.Bytes()
		sizes[i] = [2]int{gc.Width, gc.Height}
	}
	if len(parts) == 1 {
		_, err := w.Write(parts[0])
		if err != nil {
			return fmt.Errorf("viz: writing the image: %w", err)
		}
		return nil
	}
	return stack(w, f, parts, sizes)
}

// stack writes images of the same format one above the other.
func stack(w io.Writer, f Format, parts [][]byte, sizes [][2]int) error {
	width, height := 0, 0
	for _, s := range sizes {
		width = max(width, s[0])
		height += s[1]
	}
	var err error
	if f == SVG {
		var b strings.Builder
		fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 %d %d">`, width, height)
		fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" style="fill:white"/>`, width, height)
		y := 0
		for i, p := range parts {
			s := string(p)
			s = strings.Replace(s, "<svg ", fmt.Sprintf(`<svg x="0" y="%d" width="%d" height="%d" `, y, sizes[i][0], sizes[i][1]), 1)
			b.WriteString(s)
			y += sizes[i][1]
		}
		b.WriteString("</svg>")
		_, err = io.WriteString(w, b.String())
	} else {
		dst := image.NewRGBA(image.Rect(0, 0, width, height))
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
		y := 0
		for i, p := range parts {
			img, derr := png.Decode(bytes.NewReader(p))
			if derr != nil {
				return fmt.Errorf("viz: stacking charts: %w", derr)
			}
			draw.Draw(dst, image.Rect(0, y, sizes[i][0], y+sizes[i][1]), img, image.Point{}, draw.Src)
			y += sizes[i][1]
		}
		err = png.Encode(w, dst)
	}
	if err != nil {
		return fmt.Errorf("viz: writing the image: %w", err)
	}
	return nil
}

// finite returns the series' points with finite coordinates.
func (s Series) finite() (xs, ys []float64) {
	n := min(len(s.X), len(s.Y))
	for i := range n {
		x, y := s.X[i], s.Y[i]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		xs, ys = append(xs, x), append(ys, y)
	}
	return xs, ys
}

// paddedRange returns a range around [lo, hi] that go-chart can draw: a
// flat range is widened.
func paddedRange(lo, hi, flatPad float64) (float64, float64) {
	if hi > lo {
		return lo, hi
	}
	p := math.Abs(lo) * flatPad
	if p == 0 {
		p = 1
	}
	return lo - p, hi + p
}

// niceTicks returns about n round ticks spanning [lo, hi], widening the
// range to the outer ticks.
func niceTicks(lo, hi float64, n int, integer bool) (ticks []chart.Tick, tlo, thi float64) {
	if !resolvable(lo, hi) {
		return []chart.Tick{{Value: lo, Label: formatValue(lo, 0)}, {Value: hi, Label: formatValue(hi, 0)}}, lo, hi
	}
	step := niceFloatStep((hi - lo) / float64(n))
	if integer {
		step = math.Max(1, math.Floor(step)) // 2.5 → 2: whole epochs
	}
	k0, k1 := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
	tlo, thi = k0*step, k1*step
	for k := k0; k <= k1 && k <= k0+2*float64(n)+2; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, chart.Tick{Value: v, Label: formatValue(v, step)})
	}
	return ticks, tlo, thi
}

func (cc *CurveChart) chart(f Format) (*chart.Chart, error) {
	if cc == nil {
		return nil, errors.New("viz: nil CurveChart")
	}
	esc, fs := f.escape, f.textSize
	width, height := cc.Width, cc.Height
	if width <= 0 {
		width = 640
	}
	if height <= 0 {
		height = 320
	}
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	type pts struct {
		name   string
		xs, ys []float64
		color  drawing.Color
	}
	var all []pts
	integerX := true
	for i, s := range cc.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("viz: curve %q has %d x and %d y values: give one x per y", s.Name, len(s.X), len(s.Y))
		}
		xs, ys := s.finite()
		if len(xs) == 0 {
			continue
		}
		for j := range xs {
			xlo, xhi = math.Min(xlo, xs[j]), math.Max(xhi, xs[j])
			integerX = integerX && xs[j] == math.Trunc(xs[j])
			ylo, yhi = math.Min(ylo, ys[j]), math.Max(yhi, ys[j])
		}
		all = append(all, pts{s.Name, xs, ys, categoryColor(i)})
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("viz: curve chart %q has no finite points to draw", cc.Title)
	}
	if xhi == xlo { // one epoch: one step either side
		xlo, xhi = xlo-1, xhi+1
	}
	nonNegative := ylo >= 0
	ylo, yhi = paddedRange(ylo, yhi, 0.1)
	yp := (yhi - ylo) * 0.05
	ylo, yhi = ylo-yp, yhi+yp
	if nonNegative && ylo < 0 { // errors and rates: keep the axis at 0
		ylo = 0
	}
	yticks, ylo, yhi := niceTicks(ylo, yhi, 5, false)
	xticks, xlo, xhi := niceTicks(xlo, xhi, 8, integerX)

	legendW := 0.0
	for _, p := range all {
		legendW = math.Max(legendW, textWidth(p.name, fontLegend))
	}
	right := 20
	if len(all) > 1 {
		right = int(legendW) + 44
	}
	gc := &chart.Chart{
		Title:      esc(cc.Title),
		TitleStyle: chart.Style{FontSize: fs(fontTitle), FontColor: colorText},
		Width:      width,
		Height:     height,
		DPI:        dpi,
		Background: chart.Style{Padding: chart.Box{Top: 44, Left: 12, Right: right, Bottom: 12}, FillColor: colorBackground},
		XAxis: chart.XAxis{
			Name:      esc(cc.XLabel),
			NameStyle: chart.Style{FontSize: fs(fontLabel), FontColor: colorText},
			Style:     chart.Style{FontSize: fs(fontTick), FontColor: colorMuted},
			Range:     &chart.ContinuousRange{Min: xlo, Max: xhi},
			Ticks:     xticks,
		},
		// The real secondary axis has no series; left visible, it writes
		// stray ticks at an undefined position (seen in SVG).
		YAxisSecondary: chart.YAxis{Style: chart.Style{Hidden: true}},
		YAxis: chart.YAxis{
			AxisType:       chart.YAxisSecondary, // draw it on the left
			Style:          chart.Style{FontSize: fs(fontTick), FontColor: colorMuted},
			Range:          &chart.ContinuousRange{Min: ylo, Max: yhi},
			Ticks:          yticks,
			GridMajorStyle: chart.Style{StrokeColor: drawing.Color{R: 225, G: 225, B: 225, A: 255}, StrokeWidth: 1},
			GridLines:      gridLines(yticks),
		},
	}
	if cc.Title == "" {
		gc.Background.Padding.Top = 16
	}
	for _, p := range all {
		st := chart.Style{StrokeColor: p.color, StrokeWidth: 2}
		if len(p.xs) <= 30 {
			st.DotColor, st.DotWidth = p.color, 3
		}
		if len(p.xs) == 1 {
			st.StrokeWidth = chart.Disabled
			st.DotWidth = 4
		}
		gc.Series = append(gc.Series, chart.ContinuousSeries{Name: esc(p.name), XValues: p.xs, YValues: p.ys, Style: st})
	}
	entries := make([]legendEntry, len(all))
	for i, p := range all {
		entries[i] = legendEntry{esc(p.name), p.color}
	}
	gc.Elements = []chart.Renderable{yLabel(esc(cc.YLabel), fs(fontLabel))}
	if len(all) > 1 {
		gc.Elements = append(gc.Elements, sideLegend(entries, fs(fontLegend)))
	}
	return gc, nil
}

func gridLines(ticks []chart.Tick) []chart.GridLine {
	out := make([]chart.GridLine, len(ticks))
	for i, t := range ticks {
		out[i] = chart.GridLine{Value: t.Value}
	}
	return out
}

type legendEntry struct {
	name  string
	color drawing.Color
}

// sideLegend draws the entries in the chart's right margin, next to the
// top of the plot.
func sideLegend(entries []legendEntry, size float64) chart.Renderable {
	return func(r chart.Renderer, cb chart.Box, defaults chart.Style) {
		font, err := chart.GetDefaultFont()
		if err != nil {
			return
		}
		x := cb.Right + 14
		for i, e := range entries {
			y := cb.Top + 8 + i*int(legendLine)
			r.ResetStyle()
			r.SetStrokeColor(e.color)
			r.SetStrokeWidth(2.5)
			r.MoveTo(x, y)
			r.LineTo(x+16, y)
			r.Stroke()
			r.ResetStyle()
			r.SetFont(font)
			r.SetFontSize(size)
			r.SetFontColor(colorText)
			r.Text(e.name, x+21, y+int(capHeight(fontLegend)/2))
		}
	}
}

// yLabel draws the y axis caption above the top of the axis, where it
// reads horizontally.
func yLabel(label string, size float64) chart.Renderable {
	return func(r chart.Renderer, cb chart.Box, defaults chart.Style) {
		font, err := chart.GetDefaultFont()
		if label == "" || err != nil {
			return
		}
		r.ResetStyle()
		r.SetFont(font)
		r.SetFontSize(size)
		r.SetFontColor(colorText)
		r.Text(label, 12, cb.Top-12)
	}
}
