package trainer

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/hooks"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// nodeOf returns the node of g whose op's name starts with prefix, or nil.
func nodeOf(g *gorgonia.ExprGraph, prefix string) *gorgonia.Node {
	for _, n := range g.AllNodes() {
		if n.Op() != nil && strings.HasPrefix(n.Op().String(), prefix) {
			return n
		}
	}
	return nil
}

// reads reports whether node n of g takes node in as an input.
func reads(g *gorgonia.ExprGraph, n, in *gorgonia.Node) bool {
	it := g.From(n.ID())
	for it.Next() {
		if it.Node() == in {
			return true
		}
	}
	return false
}

func floats(t *tensor.Dense) []float64 {
	switch v := t.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return slices.Clone(v)
	}
	return nil
}

// TestNeighborhoodInsideGraph fails if training takes the neighbourhood
// from anywhere but the graph. In both modes, the graph the Learner trains
// with (Learner.Graphs) holds the distance, argmin and neighbourhood nodes,
// and the weighted-sums node reads the neighbourhood node's output. In
// MiniBatch mode the neighbourhood node's output changes on every batch,
// and every update moves the codebook exactly as the rule
// w += α/B·(num − den·w) does with num taken from the weighted-sums node of
// that batch's run; in Batch mode the same holds for the Stats' update
// graph once per epoch with w = num/den.
func TestNeighborhoodInsideGraph(t *testing.T) {
	for _, mode := range []Mode{MiniBatch, Batch} {
		t.Run(mode.String(), func(t *testing.T) {
			var l *Learner
			var w0, prevHood []float64
			batches, changed, checked := 0, 0, 0
			check := func(e hooks.Event, st *hooks.State) error {
				switch {
				case e == hooks.BeforeBatch && mode == MiniBatch, e == hooks.BeforeEpoch && mode == Batch:
					w0 = st.Map.Weights()
					return nil
				case e == hooks.AfterBatch && mode == MiniBatch, e == hooks.AfterEpoch && mode == Batch:
				default:
					return nil
				}
				gs, err := l.Graphs()
				if err != nil {
					return err
				}
				g := gs[len(gs)-1]
				if mode == MiniBatch {
					f, err := l.forward(len(st.BMU))
					if err != nil {
						return err
					}
					g = f.Graph()
				}
				hood, num := nodeOf(g, "SOMNeighborhood"), nodeOf(g, "SOMWeightedSums")
				if hood == nil || num == nil || !reads(g, num, hood) {
					t.Fatalf("the training graph lacks the neighbourhood feeding the weighted sums:\n%v", g.AllNodes())
				}
				h := floats(hood.Value().(*tensor.Dense))
				batches++
				if !slices.Equal(h, prevHood) {
					changed++
				}
				prevHood = h
				sums := floats(num.Value().(*tensor.Dense))
				d, w := st.Map.Dim(), st.Map.Weights()
				for k := range st.Map.Units() {
					row := sums[k*(d+2) : (k+1)*(d+2)]
					den := row[d]
					for c := range d {
						want := w0[k*d+c] + st.Alpha/float64(len(st.BMU))*(row[c]-den*w0[k*d+c])
						if mode == Batch {
							want = row[c] / den
						}
						if math.Abs(w[k*d+c]-want) > 1e-5*math.Max(1, math.Abs(want)) {
							t.Fatalf("unit %d, feature %d: weight %v, the rule on the graph's sums gives %v", k, c, w[k*d+c], want)
						}
					}
				}
				checked++
				return nil
			}
			l = small(t, 300, Options{Mode: mode, BatchSize: 40, Seed: 5,
				Hooks: []hooks.Hook{hooks.Func("check", hooks.OrderOutput, check)}})
			gs, err := l.Graphs()
			if err != nil {
				t.Fatal(err)
			}
			var dot strings.Builder
			for _, g := range gs {
				dot.WriteString(g.ToDot())
			}
			// "Argmin": SOMArgmin after the distance node, or the fused
			// SOMDistanceArgmin (float32 Euclidean, see graph.NearestUnits)
			for _, op := range []string{"SOMDistance", "Argmin", "SOMNeighborhood", "SOMWeightedSums"} {
				if !strings.Contains(dot.String(), op) {
					t.Errorf("the graphs in DOT lack %s", op)
				}
			}
			if err := l.Fit(3); err != nil {
				t.Fatal(err)
			}
			want := 3
			if mode == MiniBatch {
				want = 3 * 8 // 300 records in batches of 40
			}
			if checked != want || changed != batches {
				t.Errorf("checked %d updates (want %d); the neighbourhood changed on %d of %d", checked, want, changed, batches)
			}
		})
	}
}

// TestForwardCacheBounded changes the batch size on every epoch: the
// Learner must keep at most maxForwards compiled graphs, the most recent.
func TestForwardCacheBounded(t *testing.T) {
	sizes := []int{5, 6, 7, 8, 9, 10, 11}
	resize := hooks.Func("resize", hooks.OrderSchedule+1, func(e hooks.Event, st *hooks.State) error {
		if e == hooks.BeforeEpoch {
			st.BatchSize = sizes[st.Epoch]
		}
		return nil
	}, hooks.BeforeEpoch)
	for _, mode := range []Mode{MiniBatch, Batch} {
		l := small(t, 60, Options{Mode: mode, Hooks: []hooks.Hook{resize}})
		if err := l.Fit(len(sizes)); err != nil {
			t.Fatal(err)
		}
		if len(l.forwards) > maxForwards {
			t.Fatalf("%v: %d compiled graphs kept, at most %d wanted", mode, len(l.forwards), maxForwards)
		}
		last := l.forwards[len(l.forwards)-1]
		if last.Batch() != sizes[len(sizes)-1] && last.Batch() != 60%sizes[len(sizes)-1] {
			t.Errorf("%v: the most recent graph is for batches of %d, want the last epoch's", mode, last.Batch())
		}
		for _, f := range l.forwards {
			isSearch := nodeOf(f.Graph(), "SOMNeighborhood") == nil
			if (mode == Batch) != isSearch {
				t.Errorf("%v: graph for %d records: search only %v", mode, f.Batch(), isSearch)
			}
		}
	}
}
