package trainer

import (
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/internal/bench"
)

// TestBatchDefaultSchedule checks the default schedule of Batch mode on
// the short run of issue 17: 20,000 clustered 3-D records, a 20×20
// rectangular map, 5 batch epochs. The default is linear-to-one (σ down
// to 1 at the last epoch) and keeps the map's topology; three-phase,
// the default before, held σ₀ and then dropped it to 1 within one epoch,
// folding the map (TE 0.25 against 0.07 in the measurement).
func TestBatchDefaultSchedule(t *testing.T) {
	ds, err := bench.Clustered(bench.DataSpec{N: 20000, Dim: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Mean metrics over three seeds; TE with the 4 edge neighbours (the
	// default on a rectangular grid) and with the 8 MiniSom counts.
	fit := func(s hooks.Hook) (qe, te4, te8 float64, name string) {
		for seed := uint64(1); seed <= 3; seed++ {
			l, err := New(ds, nil, &Options{Grid: graph.Grid{Rows: 20, Cols: 20}, Mode: Batch, Seed: seed, Schedule: s})
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Fit(5); err != nil {
				t.Fatal(err)
			}
			m, err := l.Map().Evaluate(ds.Data, 1)
			if err != nil {
				t.Fatal(err)
			}
			cfg := l.Map().Config()
			cfg.TENeighbors = 8
			m8, err := graph.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := m8.SetWeights(l.Map().Weights()); err != nil {
				t.Fatal(err)
			}
			e8, err := m8.Evaluate(ds.Data, 1)
			if err != nil {
				t.Fatal(err)
			}
			qe, te4, te8, name = qe+m.QE/3, te4+m.TE/3, te8+e8.TE/3, l.Options().Schedule.Name()
		}
		return
	}
	qe, te4, te8, name := fit(nil)
	oqe, ote4, ote8, _ := fit(hooks.ThreePhase())
	t.Logf("default %s: QE %.4f TE(4) %.4f TE(8) %.4f; three-phase: QE %.4f TE(4) %.4f TE(8) %.4f", name, qe, te4, te8, oqe, ote4, ote8)
	if name != "linear-to-one" {
		t.Errorf("Batch mode's default schedule is %q, want linear-to-one", name)
	}
	if !(te4 < 0.85*ote4 && te8 < 0.75*ote8 && te8 < 0.035) {
		t.Errorf("default TE(4) %.4f, TE(8) %.4f; want below 0.85 and 0.75 times three-phase's %.4f, %.4f, and TE(8) below 0.035", te4, te8, ote4, ote8)
	}
	if qe > 1.15*oqe {
		t.Errorf("default QE %.4f, more than 15%% above three-phase's %.4f", qe, oqe)
	}
}
