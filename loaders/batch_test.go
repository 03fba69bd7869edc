package loaders

import (
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestLoaderWideBatches checks batches large enough to be gathered on
// several cores: every row must be the dataset's record at its index.
func TestLoaderWideBatches(t *testing.T) {
	const n, d = 300, 700 // 300·700 values: split over the cores
	ds := &Dataset{Data: make([]float64, n*d), N: n, D: d}
	for i := range ds.Data {
		ds.Data[i] = float64(i%9973) / 7
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		l, err := NewLoader(ds, 257, true, dt, 5)
		if err != nil {
			t.Fatal(err)
		}
		l.Start()
		var b Batch
		seen := 0
		for l.Next(&b) {
			for r, i := range b.Index {
				for j, want := range ds.Row(i) {
					var got float64
					switch v := b.X.Data().(type) {
					case []float32:
						got, want = float64(v[r*d+j]), float64(float32(want))
					case []float64:
						got = v[r*d+j]
					}
					if got != want {
						t.Fatalf("%v: batch row %d (record %d) feature %d = %v, want %v", dt, r, i, j, got, want)
					}
				}
			}
			seen += b.Size()
		}
		if seen != n {
			t.Fatalf("%v: %d records served, want %d", dt, seen, n)
		}
	}
}

func TestLoaderRNGState(t *testing.T) {
	ds := Colors(50, 3)
	a, err := NewLoader(ds, 7, true, tensor.Float64, 9)
	if err != nil {
		t.Fatal(err)
	}
	var ba, bb Batch
	a.Start() // one epoch drawn
	st, err := a.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewLoader(ds, 7, true, tensor.Float64, 1234) // another seed
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetRNGState(st); err != nil {
		t.Fatal(err)
	}
	for epoch := range 3 {
		a.Start()
		b.Start()
		for a.Next(&ba) {
			if !b.Next(&bb) || !slices.Equal(ba.Index, bb.Index) {
				t.Fatalf("epoch %d: restored loader's batch %v, want %v", epoch, bb.Index, ba.Index)
			}
		}
	}
	if err := b.SetRNGState([]byte("garbage")); err == nil || !strings.Contains(err.Error(), "shuffling state") {
		t.Errorf("bad state: %v", err)
	}
}
