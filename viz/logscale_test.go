package viz

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

// TestHitmapLogScale checks the log colour scale for skewed hit counts:
// chosen automatically when the busiest unit has more than AutoLogRatio
// times the median, stated in the colour bar, spreading the common counts
// over the colours where a linear scale leaves them all dark.
func TestHitmapLogScale(t *testing.T) {
	g := graph.Grid{Rows: 4, Cols: 5, Topology: graph.Rectangular}
	even := []float64{10, 12, 9, 11, 10, 8, 13, 10, 10, 9, 11, 12, 10, 0, 10, 9, 11, 10, 12, 10}
	skew := []float64{10, 12, 9, 11, 10, 8, 13, 10, 10, 9, 11, 12, 10, 0, 10, 9, 11, 10, 12, 550}
	if HitmapChart(g, even, "even").LogScale {
		t.Error("even counts got a log scale")
	}
	mc := HitmapChart(g, skew, "skewed")
	if !mc.LogScale {
		t.Fatal("counts with max 55 times the median kept a linear scale")
	}
	lo, hi := mc.valueRange()
	// Where the common counts (8..13) fall on the colour scale, 0 to 1.
	spread := func(log bool) float64 {
		c := *mc
		c.LogScale = log
		return c.scaled(13, lo, hi) - c.scaled(8, lo, hi)
	}
	if lin, lg := spread(false), spread(true); !(lin < 0.01 && lg > 0.1) {
		t.Errorf("counts 8..13 span %.3f of the linear scale and %.3f of the log scale; want < 0.01 and > 0.1", lin, lg)
	}
	var b bytes.Buffer
	if err := mc.Render(&b, SVG); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for _, want := range []string{">hits (log scale)<", ">10<", ">100<", ">500<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("log-scale hit map SVG lacks %q", want)
		}
	}
	b.Reset()
	if err := HitmapChart(g, even, "even").Render(&b, SVG); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "log scale") {
		t.Error("a linear hit map says log scale")
	}

	bad := &MapChart{Grid: g, Values: make([]float64, 20), LogScale: true}
	if err := bad.Check(); err == nil || !strings.Contains(err.Error(), "greater than 0") {
		t.Errorf("log scale over zeros: err %v, want one asking for values > 0", err)
	}
	bad.Values[0] = math.NaN()
	for i := 1; i < 20; i++ {
		bad.Values[i] = float64(i)
	}
	if err := bad.Check(); err != nil {
		t.Errorf("log scale of positive values and NaN: %v", err)
	}
}

func TestLogTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   []float64
	}{
		{1, 550, []float64{1, 3, 10, 30, 100, 300}},
		{1, 40, []float64{1, 2, 5, 10, 20}},
		{3, 7, []float64{3, 7}}, // only 5 inside: the ends
		{1, 1e6, []float64{1, 10, 100, 1000, 10000, 100000, 1e6}},
	}
	for _, c := range cases {
		var got []float64
		for _, tk := range logTicks(c.lo, c.hi) {
			got = append(got, tk.v)
		}
		if len(got) != len(c.want) {
			t.Errorf("logTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-9*c.want[i] {
				t.Errorf("logTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
				break
			}
		}
	}
}
