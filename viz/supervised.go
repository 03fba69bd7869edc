package viz

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

var supervisedChartNames = []string{"target", "confusion"}

// SupervisedChartNames lists the charts Chart and WriteCharts draw for a
// supervised map (WithPredictor; FromLearner and FromModel set it): the
// target per unit and the confusion matrix (or predicted against true).
func SupervisedChartNames() []string { return slices.Clone(supervisedChartNames) }

// WithPredictor interprets a supervised map (trainer.Options.Supervised)
// through p: its map is p's (the features layer), and the target charts
// read the units' target layer. FromLearner and FromModel set it for
// supervised maps; pass the Interpretation p.Map() and data of its width.
func WithPredictor(p *trainer.Predictor) Option {
	return func(in *Interpretation) { in.pred = p }
}

// Supervised reports whether the Interpretation has a supervised map's
// target (WithPredictor).
func (in *Interpretation) Supervised() bool { return in.pred != nil && in.pred.Target() != nil }

var errNoTarget = errors.New("viz: the map has no target: train it with --supervised (trainer.Options.Supervised)")

// TargetMap draws what a supervised map predicts on each unit: for a class
// target one panel per class with the unit's probability of that class
// (0 to 1), for a numeric target the unit's predicted value.
func (in *Interpretation) TargetMap(w io.Writer, f Format) error {
	if !in.Supervised() {
		return errNoTarget
	}
	t, vals, g := in.pred.Target(), in.pred.UnitValues(), in.m.Grid()
	if t.Kind != trainer.TargetClasses {
		mc := &MapChart{Grid: g, Title: fmt.Sprintf("Predicted %s per unit", t.Name), Values: make([]float64, len(vals)), Label: t.Name}
		for k, v := range vals {
			mc.Values[k] = v[0]
		}
		return in.render(w, f, "", mc)
	}
	charts := make([]*MapChart, len(t.Classes))
	for c, name := range t.Classes {
		mc := &MapChart{Grid: g, Title: name, Values: make([]float64, len(vals)), Min: 0, Max: 1, Label: "P(" + name + ")"}
		for k, v := range vals {
			mc.Values[k] = v[c]
		}
		charts[c] = mc
	}
	return in.render(w, f, fmt.Sprintf("Probability of each %s per unit", t.Name), charts...)
}

// confusionData returns the data the confusion chart reads: ds, else the
// validation data, else the training data.
func (in *Interpretation) confusionData(ds *loaders.Dataset) (*loaders.Dataset, error) {
	if ds == nil {
		ds = in.valid
	}
	return in.data(ds)
}

// Confusion draws how a supervised map's predictions compare with the
// true targets of ds (nil: the validation data, else the training data),
// each record placed by its features: for a class target the confusion
// matrix (rows the true class, columns the predicted one, each cell's
// count and share of its row), for a numeric target the predicted values
// against the true ones, with the line predicted = true.
func (in *Interpretation) Confusion(w io.Writer, f Format, ds *loaders.Dataset) error {
	if !in.Supervised() {
		return errNoTarget
	}
	ds, err := in.confusionData(ds)
	if err != nil {
		return err
	}
	if ds.Labels == nil {
		return errors.New("viz: the dataset has no labels: read it with the target column to compare predictions with it")
	}
	preds, err := in.pred.Predict(ds)
	if err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	t := in.pred.Target()
	if t.Kind == trainer.TargetClasses {
		m, err := ConfusionMatrix(t.Classes, ds.Labels, preds)
		if err != nil {
			return err
		}
		return renderConfusion(w, f, t.Classes, m, fmt.Sprintf("%s, %s", t.Name, in.dataName(ds)))
	}
	var xs, ys []float64
	for i, p := range preds {
		v, err := strconv.ParseFloat(ds.Labels[i], 64)
		if ds.Labels[i] == "" || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		xs, ys = append(xs, v), append(ys, p.Value)
	}
	if len(xs) == 0 {
		return fmt.Errorf("viz: no record of %s has a numeric %s", in.dataName(ds), t.Name)
	}
	return renderPredicted(w, f, t.Name, xs, ys, in.dataName(ds))
}

// ConfusionMatrix counts records by true class (rows) and predicted class
// (columns), both in the order of classes. Records without a label are
// left out; a label that is not one of classes is an error.
func ConfusionMatrix(classes, labels []string, preds []trainer.Prediction) ([][]int, error) {
	if len(labels) != len(preds) {
		return nil, fmt.Errorf("viz: %d labels for %d predictions", len(labels), len(preds))
	}
	m := make([][]int, len(classes))
	for i := range m {
		m[i] = make([]int, len(classes))
	}
	for i, p := range preds {
		if labels[i] == "" {
			continue
		}
		r, c := slices.Index(classes, labels[i]), slices.Index(classes, p.Class)
		if r < 0 {
			return nil, fmt.Errorf("viz: record %d has the class %q, which the map was not trained on (classes %q)", i, labels[i], classes)
		}
		if c < 0 {
			return nil, fmt.Errorf("viz: record %d is predicted as %q, not one of %q", i, p.Class, classes)
		}
		m[r][c]++
	}
	return m, nil
}

// renderConfusion draws the confusion matrix m of classes.
func renderConfusion(w io.Writer, f Format, classes []string, m [][]int, what string) error {
	n := len(classes)
	total, hit := 0, 0
	for r := range m {
		for c, v := range m[r] {
			total += v
			if r == c {
				hit += v
			}
		}
	}
	labelW := 0.0
	for _, c := range classes {
		labelW = max(labelW, textWidth(c, fontTick))
	}
	acc := math.NaN()
	if total > 0 {
		acc = float64(hit) / float64(total)
	}
	title := "Confusion matrix, " + what
	sub := fmt.Sprintf("accuracy %.3f on %d records; rows: true class, columns: predicted", acc, total)
	cell := math.Max(28, math.Min(72, 420/float64(n)))
	left, top := labelW+40, 64.0
	W := int(math.Max(left+cell*float64(n)+24, math.Max(textWidth(title, fontTitle), textWidth(sub, fontTick))+24))
	H := int(top + cell*float64(n) + labelW + 44)
	c, err := newCanvas(f, W, H)
	if err != nil {
		return err
	}
	c.text(title, float64(W)/2, 18, fontTitle, colorText, alignCenter)
	c.text(sub, float64(W)/2, 40, fontTick, colorMuted, alignCenter)
	edge := drawing.Color{R: 255, G: 255, B: 255, A: 255}
	for r := range n {
		rowSum := 0
		for _, v := range m[r] {
			rowSum += v
		}
		y := top + cell*float64(r)
		c.text(classes[r], left-8, y+cell/2, fontTick, colorText, alignRight)
		for col := range n {
			x := left + cell*float64(col)
			share := 0.0
			if rowSum > 0 {
				share = float64(m[r][col]) / float64(rowSum)
			}
			fill := viridis(share)
			c.poly([]float64{x, x + cell, x + cell, x}, []float64{y, y, y + cell, y + cell}, fill, edge, 1)
			if cell >= 28 {
				c.text(strconv.Itoa(m[r][col]), x+cell/2, y+cell/2-5, fontLabel, textOn(fill), alignCenter)
				if rowSum > 0 {
					c.text(fmt.Sprintf("%.0f%%", 100*share), x+cell/2, y+cell/2+9, fontTick, textOn(fill), alignCenter)
				}
			}
		}
	}
	for col := range n {
		x := left + cell*float64(col) + cell/2
		c.textUp(classes[col], x+capHeight(fontTick)/2, top+cell*float64(n)+6+textWidth(classes[col], fontTick), fontTick, colorText)
	}
	c.text("predicted", left+cell*float64(n)/2, float64(H)-12, fontLabel, colorText, alignCenter)
	c.textUp("true", 14, top+cell*float64(n)/2+textWidth("true", fontLabel)/2, fontLabel, colorText)
	return c.save(w)
}

// renderPredicted draws predicted values ys against true values xs.
func renderPredicted(w io.Writer, f Format, name string, xs, ys []float64, what string) error {
	const W, H = 520, 480
	const left, right, top, bottom = 64.0, 20.0, 56.0, 50.0
	lo, hi := math.Inf(1), math.Inf(-1)
	var se, ae float64
	for i := range xs {
		lo, hi = min(lo, xs[i], ys[i]), max(hi, xs[i], ys[i])
		e := ys[i] - xs[i]
		se += e * e
		ae += math.Abs(e)
	}
	lo, hi = paddedRange(lo, hi, 0.1)
	pad := (hi - lo) * 0.04
	lo, hi = lo-pad, hi+pad
	bw, bh := W-left-right, H-top-bottom
	toX := func(v float64) float64 { return left + (v-lo)/(hi-lo)*bw }
	toY := func(v float64) float64 { return top + bh - (v-lo)/(hi-lo)*bh }
	c, err := newCanvas(f, W, H)
	if err != nil {
		return err
	}
	n := float64(len(xs))
	c.text(fmt.Sprintf("Predicted against true %s, %s", name, what), W/2, 18, fontTitle, colorText, alignCenter)
	c.text(fmt.Sprintf("RMSE %.4g, MAE %.4g on %d records", math.Sqrt(se/n), ae/n, len(xs)), W/2, 40, fontTick, colorMuted, alignCenter)
	grid := drawing.Color{R: 232, G: 232, B: 232, A: 255}
	ticks, _, _ := niceTicks(lo, hi, 6, false)
	for _, t := range ticks {
		if t.Value < lo || t.Value > hi {
			continue
		}
		x, y := toX(t.Value), toY(t.Value)
		c.line(x, top, x, top+bh, grid, 1)
		c.line(left, y, left+bw, y, grid, 1)
		c.text(t.Label, x, top+bh+10, fontTick, colorMuted, alignCenter)
		c.text(t.Label, left-5, y, fontTick, colorMuted, alignRight)
	}
	axis := drawing.Color{R: 150, G: 150, B: 150, A: 255}
	c.line(left, top+bh, left+bw, top+bh, axis, 1)
	c.line(left, top, left, top+bh, axis, 1)
	c.line(toX(lo), toY(lo), toX(hi), toY(hi), drawing.Color{R: 214, G: 39, B: 40, A: 200}, 1.5)
	dot := drawing.Color{R: 31, G: 119, B: 180, A: 150}
	for i := range xs {
		c.circle(toX(xs[i]), toY(ys[i]), 2.4, dot)
	}
	c.text("true "+name, left+bw/2, H-14, fontLabel, colorText, alignCenter)
	c.text("predicted", 8, top-12, fontLabel, colorText, alignLeft)
	return c.save(w)
}
