package embed

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// net is the autoencoder's graph for one batch size: its inputs (written
// in place before each run), its parameters and two machines, one that
// also computes the gradients (training) and one for the loss only.
type net struct {
	g             *G.ExprGraph
	levels, sizes []int
	nCont, batch  int
	// Inputs: per categorical column the one-hot input (batch ×
	// levels+1, the last column the unknown level), target (batch ×
	// levels) and the rows' weights in the loss; the continuous input,
	// target and weights (batch × nCont). A weight is 1/rows of the batch
	// for a value hidden from the encoder, visible/rows for a visible one,
	// 0 for padding rows.
	xCat, tCat, wCat    [][]float64
	xCont, tCont, wCont []float64
	visible             float64
	params              G.Nodes // the embeddings first, one per categorical column
	loss                *G.Node
	train, eval         G.VM
}

// newNet builds the graph; rng draws the initial weights.
func newNet(levels, sizes []int, nCont, hidden, batch int, visible float64, rng *rand.Rand) (n *net, err error) {
	n = &net{g: G.NewGraph(), levels: levels, sizes: sizes, nCont: nCont, batch: batch, visible: visible}
	// The G builders return errors only for mismatched shapes, which
	// would be a bug here: one check at the end covers them all.
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("embed: building the autoencoder: %v", r)
		}
	}()
	must := func(x *G.Node, err error) *G.Node {
		if err != nil {
			panic(err)
		}
		return x
	}
	input := func(data *[]float64, name string, shape ...int) *G.Node {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
		*data = t.Data().([]float64)
		if len(shape) == 1 {
			return G.NewVector(n.g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
		}
		return G.NewMatrix(n.g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
	}
	// param makes a weight matrix (or a vector if rows is 0) drawn
	// uniformly from [-limit, limit].
	param := func(name string, limit float64, rows, cols int) *G.Node {
		shape := []int{rows, cols}
		if rows == 0 {
			shape = shape[1:]
		}
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
		for i := range t.Data().([]float64) {
			t.Data().([]float64)[i] = limit * (2*rng.Float64() - 1)
		}
		var p *G.Node
		if rows == 0 {
			p = G.NewVector(n.g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
		} else {
			p = G.NewMatrix(n.g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
		}
		n.params = append(n.params, p)
		return p
	}
	glorot := func(in, out int) float64 { return math.Sqrt(6 / float64(in+out)) }
	dense := func(x *G.Node, name string, in, out int) *G.Node {
		w := param(name+".w", glorot(in, out), in, out)
		b := param(name+".b", 0, 0, out)
		return must(G.BroadcastAdd(must(G.Mul(x, w)), b, nil, []byte{0}))
	}

	nc := len(levels)
	n.xCat, n.tCat, n.wCat = make([][]float64, nc), make([][]float64, nc), make([][]float64, nc)
	parts := make(G.Nodes, 0, nc+1)
	width := 0
	for c, l := range levels {
		x := input(&n.xCat[c], fmt.Sprintf("x%d", c), batch, l+1)
		// Small start (fastai draws embeddings with std 0.01): what the
		// training puts in, not the random start, sets their directions.
		e := param(fmt.Sprintf("emb%d", c), 0.05, l+1, sizes[c])
		parts = append(parts, must(G.Mul(x, e)))
		width += sizes[c]
	}
	var tCont, wCont *G.Node
	if nCont > 0 {
		parts = append(parts, input(&n.xCont, "xcont", batch, nCont))
		tCont = input(&n.tCont, "tcont", batch, nCont)
		wCont = input(&n.wCont, "wcont", batch, nCont)
		width += nCont
	}
	in := parts[0]
	if len(parts) > 1 {
		in = must(G.Concat(1, parts...))
	}
	h := must(G.Tanh(dense(in, "hidden", width, hidden)))
	// The weighted sum of every value's loss, divided by the number of
	// columns.
	addLoss := func(l *G.Node) {
		if n.loss == nil {
			n.loss = l
		} else {
			n.loss = must(G.Add(n.loss, l))
		}
	}
	for c, l := range levels {
		t := input(&n.tCat[c], fmt.Sprintf("t%d", c), batch, l)
		w := input(&n.wCat[c], fmt.Sprintf("w%d", c), batch)
		z := dense(h, fmt.Sprintf("out%d", c), hidden, l)
		ls := must(G.LogSoftMax(z, 1))
		ce := must(G.Neg(must(G.Sum(must(G.HadamardProd(t, ls)), 1))))
		addLoss(must(G.Sum(must(G.HadamardProd(ce, w)))))
	}
	if nCont > 0 {
		y := dense(h, "outcont", hidden, nCont)
		addLoss(must(G.Sum(must(G.HadamardProd(must(G.Square(must(G.Sub(y, tCont)))), wCont)))))
	}
	n.loss = must(G.Div(n.loss, G.NewConstant(float64(nc+nCont))))
	if _, err := G.Grad(n.loss, n.params...); err != nil {
		return nil, fmt.Errorf("embed: differentiating the autoencoder: %w", err)
	}
	n.train = G.NewTapeMachine(n.g, G.BindDualValues(n.params...))
	n.eval = G.NewTapeMachine(n.g.SubgraphRoots(n.loss))
	return n, nil
}

func (n *net) close() {
	n.train.Close()
	n.eval.Close()
}

func newSolver(lr float64) G.Solver { return G.NewAdamSolver(G.WithLearnRate(lr)) }

// drawNoise draws which input values of rows rows the encoder does not
// see (probability p each): rows × (categorical + continuous) flags.
func (n *net) drawNoise(rows int, p float64, rng *rand.Rand) []bool {
	if p <= 0 {
		return nil
	}
	m := make([]bool, rows*(len(n.levels)+n.nCont))
	for i := range m {
		m[i] = rng.Float64() < p
	}
	return m
}

// fill writes rows (at most batch) of d into the inputs; mask (nil for no
// noise) holds the rows' noise flags.
func (n *net) fill(d *Data, rows []int, mask []bool) {
	nc, stride := len(n.levels), len(n.levels)+n.nCont
	hidden, visible := 1/float64(len(rows)), n.visible/float64(len(rows))
	if mask == nil {
		hidden = visible
	}
	for c, l := range n.levels {
		clear(n.xCat[c])
		clear(n.tCat[c])
		clear(n.wCat[c])
		for b, i := range rows {
			k := d.Codes[i*nc+c]
			if k < 0 || k >= l {
				k = l
			}
			if k < l {
				n.tCat[c][b*l+k] = 1
			}
			n.wCat[c][b] = visible
			if mask != nil && mask[b*stride+c] {
				k = l
				n.wCat[c][b] = hidden
			}
			n.xCat[c][b*(l+1)+k] = 1
		}
	}
	if n.nCont > 0 {
		clear(n.xCont)
		clear(n.tCont)
		clear(n.wCont)
		for b, i := range rows {
			src := d.Cont[i*n.nCont : (i+1)*n.nCont]
			copy(n.tCont[b*n.nCont:], src)
			for j, x := range src {
				at := b*n.nCont + j
				if mask == nil || !mask[b*stride+nc+j] {
					n.xCont[at], n.wCont[at] = x, visible
				} else {
					n.wCont[at] = hidden
				}
			}
		}
	}
}

// epoch runs rows of d through the net in batches, stepping solver after
// each (no training if solver is nil), and returns the mean loss per row.
// mask holds the noise flags of rows, in the same order.
func (n *net) epoch(d *Data, rows []int, mask []bool, solver G.Solver) (float64, error) {
	stride := len(n.levels) + n.nCont
	total := 0.0
	for lo := 0; lo < len(rows); lo += n.batch {
		hi := min(lo+n.batch, len(rows))
		var m []bool
		if mask != nil {
			m = mask[lo*stride : hi*stride]
		}
		n.fill(d, rows[lo:hi], m)
		vm := n.eval
		if solver != nil {
			vm = n.train
		}
		err := vm.RunAll()
		if err == nil && solver != nil {
			err = solver.Step(G.NodesToValueGrads(n.params))
		}
		if err != nil {
			vm.Reset()
			return 0, fmt.Errorf("embed: running the autoencoder: %w", err)
		}
		total += n.loss.Value().Data().(float64) * float64(hi-lo)
		vm.Reset()
	}
	return total / float64(len(rows)), nil
}

// snapshot copies the parameters' values into dst (reused if it has the
// right shape) and returns it.
func (n *net) snapshot(dst [][]float64) [][]float64 {
	if len(dst) != len(n.params) {
		dst = make([][]float64, len(n.params))
	}
	for i, p := range n.params {
		v := p.Value().Data().([]float64)
		dst[i] = append(dst[i][:0], v...)
	}
	return dst
}

// tables cuts the embedding tables out of a snapshot.
func (n *net) tables(snap [][]float64) [][][]float64 {
	out := make([][][]float64, len(n.levels))
	for c, l := range n.levels {
		flat, s := snap[c], n.sizes[c]
		out[c] = make([][]float64, l+1)
		for k := range out[c] {
			out[c][k] = append([]float64(nil), flat[k*s:(k+1)*s]...)
		}
	}
	return out
}
