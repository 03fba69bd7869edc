package viz

import (
	"io"
	"testing"
	"time"

	"github.com/somgraph/somgraph/graph"
)

// within fails the test if fn does not return within d (a hang in a tick
// loop shows up as a timeout, not a stuck test binary).
func within(t *testing.T, d time.Duration, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("did not return within %v", d)
		return nil
	}
}

func TestExtremeValuesRenderWithoutHanging(t *testing.T) {
	cases := []struct {
		name string
		a, b float64
	}{
		{"full float range", -1e308, 1e308},
		{"one ulp apart", 1, 1 + 2.220446049250313e-16},
		{"subnormals", 5e-324, 1e-323},
		{"large with a step under the ulp", 1e16, 1e16 + 4},
		{"tiny", 1e-300, 3e-300},
		{"huge", 1e300, 3e300},
	}
	g := graph.Grid{Rows: 1, Cols: 2}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mc := &MapChart{Grid: g, Values: []float64{c.a, c.b}, Annotations: []string{"a", "b"}}
			if err := within(t, 5*time.Second, func() error { return mc.Render(io.Discard, PNG) }); err != nil {
				t.Errorf("map chart: %v", err)
			}
			cc := &CurveChart{Series: []Series{{"s", []float64{c.a, c.b}, []float64{c.b, c.a}}}}
			// go-chart may refuse a range it cannot draw; it must not hang
			// or panic.
			_ = within(t, 5*time.Second, func() error { return cc.Render(io.Discard, SVG) })
		})
	}
}
