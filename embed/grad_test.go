package embed

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradients compares the gradients gorgonia.Grad builds for the
// autoencoder's loss with central finite differences of the loss, for
// every parameter of a tiny float64 model (two categorical columns, two
// continuous ones, hidden values and visible ones both in the loss, and a
// padded last row).
func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	d := &Data{Levels: []int{3, 2}, NCont: 2, N: 6,
		Codes: []int{0, 1, 2, 0, 1, 1, -1, 0, 2, 2, 0, 1},
		Cont:  []float64{0.5, -1, 1.5, 0.2, -0.3, 0.9, 2, -2, 0.1, 0.4, -0.7, 1.1}}
	n, err := newNet(d.Levels, []int{2, 3}, d.NCont, 3, 4, 0.5, rng)
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	rows := []int{4, 1, 5} // one padding row
	mask := []bool{true, false, false, true, false, true, false, false, false, false, true, false}
	n.fill(d, rows, mask)
	if err := n.train.RunAll(); err != nil {
		t.Fatal(err)
	}
	loss0 := n.loss.Value().Data().(float64)
	grads := make([][]float64, len(n.params))
	for i, p := range n.params {
		g, err := p.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads[i] = append([]float64(nil), g.Data().([]float64)...)
	}
	n.train.Reset()
	lossAt := func() float64 {
		defer n.eval.Reset()
		if err := n.eval.RunAll(); err != nil {
			t.Fatal(err)
		}
		return n.loss.Value().Data().(float64)
	}
	if l := lossAt(); l != loss0 {
		t.Fatalf("the loss machine gives %v, the training machine %v", l, loss0)
	}
	const h = 1e-6
	checked, nonzero := 0, 0
	for i, p := range n.params {
		v := p.Value().Data().([]float64)
		for k := range v {
			x := v[k]
			v[k] = x + h
			up := lossAt()
			v[k] = x - h
			down := lossAt()
			v[k] = x
			num := (up - down) / (2 * h)
			if diff := math.Abs(num - grads[i][k]); diff > 1e-7+1e-5*math.Abs(num) {
				t.Errorf("%s[%d]: gradient %.10g, finite difference %.10g", p.Name(), k, grads[i][k], num)
			}
			checked++
			if math.Abs(num) > 1e-9 {
				nonzero++
			}
		}
	}
	// The unknown row of column 0 is used (row 4's code -1 and the hidden
	// values), so every parameter but unused level rows moves the loss.
	if nonzero < checked/2 {
		t.Errorf("only %d of %d parameters move the loss: the check checks little", nonzero, checked)
	}
	t.Logf("%d parameters checked, %d with a nonzero gradient", checked, nonzero)
}
