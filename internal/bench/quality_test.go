package bench

import (
	"math"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/internal/fused"
	"github.com/somgraph/somgraph/trainer"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestQualityUnchanged pins that the build's BLAS (the assembly GEMM by
// default, OpenBLAS with -tags openblas) and its fused BMU search
// (graph.NearestUnits) train the same map as gonum's reference GEMM with
// the unfused search on the same seed: a small map's QE within 0.1% and its
// TE within 1 percentage point (float32 rounding may flip a near tie).
func TestQualityUnchanged(t *testing.T) {
	ds, err := Clustered(DataSpec{N: 3000, Dim: 12, Clusters: 6, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	fit := func() graph.Metrics {
		opts := trainer.Options{Grid: graph.Grid{Rows: 10, Cols: 8}, Dtype: tensor.Float32, Mode: trainer.Batch, Seed: 5, Schedule: hooks.Constant()}
		l, err := trainer.New(ds, nil, &opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Fit(6); err != nil {
			t.Fatal(err)
		}
		h := l.History()
		return h[len(h)-1].Train
	}
	got := fit()
	prev := gorgonia.WhichBLAS()
	ref := gonum.Implementation{}
	gorgonia.Use(ref)
	blas32.Use(ref)
	blas64.Use(ref)
	was := fused.Set(fused.Off) // the reference's search is gonum's GEMM too, not the fused kernel
	want := fit()
	fused.Set(was)
	gorgonia.Use(prev)
	blas32.Use(prev)
	blas64.Use(prev)
	t.Logf("%s: QE %.6f TE %.4f; gonum: QE %.6f TE %.4f", graph.BLAS(), got.QE, got.TE, want.QE, want.TE)
	if math.Abs(got.QE-want.QE) > 1e-3*want.QE || math.Abs(got.TE-want.TE) > 0.01 {
		t.Errorf("%s: QE %v TE %v, gonum's GEMM: QE %v TE %v", graph.BLAS(), got.QE, got.TE, want.QE, want.TE)
	}
}
