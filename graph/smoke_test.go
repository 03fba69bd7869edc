package graph

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestSmokeForward(t *testing.T) {
	m, err := New(Config{Grid: Grid{Rows: 3, Cols: 4}, Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, 24)
	for i := range w {
		w[i] = float64(i)
	}
	m.SetWeights(w)
	f, err := m.NewForward(2)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{4, 5, 20, 21}))
	for i := 0; i < 3; i++ {
		if err := f.Run(x, 0.5, 1); err != nil {
			t.Fatal(err)
		}
		t.Log(f.BMU(), f.MinDist(), f.Step(), f.H().Shape())
		if err := f.Search(x, 0.5, 1); err != nil {
			t.Fatal(err)
		}
		t.Log(f.BMU(), f.MinDist(), f.Step(), f.H())
	}
	allocs := testing.AllocsPerRun(10, func() { f.Search(x, 0.5, 1) })
	allocsF := testing.AllocsPerRun(10, func() { f.Run(x, 0.5, 1) })
	t.Log("allocs", allocs, allocsF)
}
