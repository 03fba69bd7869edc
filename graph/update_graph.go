package graph

import (
	"fmt"

	"github.com/somgraph/somgraph/internal/par"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// statsBlock is the number of distinct BMUs a Stats' update graph takes
// per run: its neighbourhood node holds min(statsBlock, K) rows of K.
const statsBlock = 256

// updateGraph is a Stats' update graph:
//
//	hood = Neighborhoods(units, σ)                U×K
//	num  = WeightedSums(units, hood, sums, β)     K×(D+2)
//
// with units (U = min(256, K) of the touched units), their sums (U×(D+2))
// σ and β as inputs. It runs once per block of U touched units, β = 0 for
// the first and 1 for the others, so num sums over all of them.
type updateGraph struct {
	g           *G.ExprGraph
	units, sums *tensor.Dense
	sigma, beta G.Value
	uNode, sN   *G.Node
	hood, num   *G.Node
	vm          G.VM
}

func newUpdateGraph(m *Map) (*updateGraph, error) {
	k, d, dt := m.Units(), m.Dim(), m.cfg.Dtype
	dn := sumsWidth(d, m.cfg.Missing)
	u := min(statsBlock, k)
	ug := &updateGraph{g: G.NewGraph(), sigma: newScalar(dt, 1), beta: newScalar(dt, 0)}
	ug.units = tensor.New(tensor.WithShape(u), tensor.Of(tensor.Int))
	ug.sums = tensor.New(tensor.WithShape(u, dn), tensor.Of(dt))
	ug.uNode = G.NewVector(ug.g, tensor.Int, G.WithShape(u), G.WithName("units"), G.WithValue(ug.units))
	ug.sN = G.NewMatrix(ug.g, dt, G.WithShape(u, dn), G.WithName("sums"), G.WithValue(ug.sums))
	sigma := G.NewScalar(ug.g, dt, G.WithName("sigma"), G.WithValue(ug.sigma))
	beta := G.NewScalar(ug.g, dt, G.WithName("beta"), G.WithValue(ug.beta))
	var err error
	if ug.hood, err = Neighborhoods(ug.uNode, sigma, m); err != nil {
		return nil, err
	}
	if ug.num, err = WeightedSums(ug.uNode, ug.hood, ug.sN, beta); err != nil {
		return nil, err
	}
	ug.vm = G.NewTapeMachine(ug.g)
	return ug, nil
}

// graph returns the Stats' update graph, building it on first use.
func (s *Stats) graph() (*updateGraph, error) {
	if s.upd == nil {
		ug, err := newUpdateGraph(s.m)
		if err != nil {
			return nil, err
		}
		s.upd = ug
	}
	return s.upd, nil
}

// Graph returns the expression graph that computes the neighbourhood and
// the neighbourhood-weighted sums of the updates of s (UpdateBatch,
// UpdateMiniBatch, Distortion), for inspection (for example G.ToDot).
func (s *Stats) Graph() (*G.ExprGraph, error) {
	ug, err := s.graph()
	if err != nil {
		return nil, err
	}
	return ug.g, nil
}

// run computes the neighbourhood-weighted sums of s's touched units at
// sigma, one block of units per run of the graph, and returns them.
func (ug *updateGraph) run(s *Stats, sigma float64) (*tensor.Dense, error) {
	setScalar(ug.sigma, sigma)
	u := ug.units.Shape()[0]
	for start := 0; start < len(s.touched); start += u {
		block := s.touched[start:min(start+u, len(s.touched))]
		units := ug.units.Data().([]int)
		copy(units, block)
		for i := len(block); i < u; i++ {
			units[i] = -1
		}
		switch v := ug.sums.Data().(type) {
		case []float32:
			fillSums(s, block, v)
		case []float64:
			fillSums(s, block, v)
		}
		setScalar(ug.beta, min(float64(start), 1))
		err := ug.vm.RunAll()
		ug.vm.Reset()
		if err != nil {
			return nil, fmt.Errorf("graph: update graph: %w", err)
		}
	}
	return ug.num.Value().(*tensor.Dense), nil
}

// fillSums writes the rows [S_j, n_j, Q_j] of units into dst.
func fillSums[T float](s *Stats, units []int, dst []T) {
	d := s.m.Dim()
	dn := sumsWidth(d, s.present != nil)
	par.Split(len(units), par.Chunks(len(units), 8), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			j := units[i]
			row := dst[i*dn : (i+1)*dn]
			for f, v := range s.sums[j*d : (j+1)*d] {
				row[f] = T(v)
			}
			row[d], row[d+1] = T(s.counts[j]), T(s.sqsums[j])
			if s.present != nil {
				for f, v := range s.present[j*d : (j+1)*d] {
					row[d+2+f] = T(v)
				}
			}
		}
	})
}
