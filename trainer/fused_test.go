package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/internal/fused"
	"github.com/somgraph/somgraph/internal/gemm"
	"github.com/somgraph/somgraph/loaders"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// clustered returns n records of d features around 6 centres.
func clustered(n, d int, seed uint64) *loaders.Dataset {
	rng := rand.New(rand.NewPCG(seed, 9))
	centres := make([]float64, 6*d)
	for i := range centres {
		centres[i] = 4 * rng.NormFloat64()
	}
	ds := &loaders.Dataset{N: n, D: d, Data: make([]float64, n*d)}
	for i := range n {
		c := rng.IntN(6)
		for f := range d {
			ds.Data[i*d+f] = centres[c*d+f] + rng.NormFloat64()
		}
	}
	return ds
}

// TestFusedSearchKeepsQuality pins that the fused BMU search
// (graph.NearestUnits, chosen automatically for float32 Euclidean maps)
// changes nothing the trainer computes: on the same seed, a small map
// trained with it (mode Always) and with the unfused graph (distance node
// + argmin, through the same internal/gemm products; mode Off) has the
// same codebook bit for bit and the same per-epoch QE, TE, dead units and
// distortion, in Batch and MiniBatch mode, for 3 and 40 features; and the
// same seed gives the same map twice.
func TestFusedSearchKeepsQuality(t *testing.T) {
	prev := gorgonia.WhichBLAS()
	impl := gemm.Implementation{}
	gorgonia.Use(impl) // the unfused graph's GEMM is gemm's in every build
	blas32.Use(impl)
	blas64.Use(impl)
	t.Cleanup(func() {
		gorgonia.Use(prev)
		blas32.Use(prev.(blas.Float32))
		blas64.Use(prev.(blas.Float64))
	})
	for _, d := range []int{3, 40} {
		ds := clustered(1501, d, uint64(d))
		for _, mode := range []Mode{Batch, MiniBatch} {
			t.Run(fmt.Sprintf("D=%d/%v", d, mode), func(t *testing.T) {
				fit := func(search fused.Mode) (*Learner, []float64) {
					was := fused.Set(search)
					defer fused.Set(was)
					opts := Options{Grid: graph.Grid{Rows: 6, Cols: 5}, Dtype: tensor.Float32, Mode: mode, Seed: 11,
						BatchSize: 97, Schedule: hooks.LinearDecay()}
					l, err := New(ds, nil, &opts)
					if err != nil {
						t.Fatal(err)
					}
					if err := l.Fit(4); err != nil {
						t.Fatal(err)
					}
					return l, l.Map().Weights()
				}
				lf, wf := fit(fused.Always)
				lu, wu := fit(fused.Off)
				_, again := fit(fused.Always)
				if !slices.Equal(wf, again) {
					t.Fatal("same seed, fused search: the two maps differ")
				}
				hf, hu := lf.History(), lu.History()
				for e := range hf {
					f, u := hf[e].Train, hu[e].Train
					t.Logf("epoch %d: fused QE %.6f TE %.4f, unfused QE %.6f TE %.4f", e, f.QE, f.TE, u.QE, u.TE)
					if f.QE != u.QE || f.TE != u.TE || f.DeadUnits != u.DeadUnits || f.Distortion != u.Distortion {
						t.Errorf("epoch %d: fused %+v, unfused %+v", e, f, u)
					}
				}
				if !slices.Equal(wf, wu) {
					t.Errorf("codebooks differ: fused %v…, unfused %v…", wf[:3], wu[:3])
				}
				if math.IsNaN(hf[len(hf)-1].Train.QE) || hf[len(hf)-1].Train.QE == 0 {
					t.Errorf("final QE %v", hf[len(hf)-1].Train.QE)
				}
				t.Logf("%s: gemm.ArgminFused(%d) = %t (false: the fused op ran gemm's Sgemm-and-scan path)", graph.BLAS(), d, gemm.ArgminFused(d))
			})
		}
	}
}
