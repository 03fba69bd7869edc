package graph

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// refLayerMissing is the reference distance of one layer over the present
// (non-NaN) features of x, scaled to the layer's width as kohonen does,
// and whether any feature is present.
func refLayerMissing(metric Distance, x, w []float64) (float64, bool) {
	var xp, wp []float64
	for i := range x {
		if !math.IsNaN(x[i]) {
			xp, wp = append(xp, x[i]), append(wp, w[i])
		}
	}
	if len(xp) == 0 {
		return 0, false
	}
	d := refLayerDist(metric, xp, wp)
	if metric == Euclidean || metric == Manhattan {
		d *= float64(len(x)) / float64(len(xp))
	}
	return d, true
}

// refLayeredMissing is the reference layered distance with missing
// features: absent layers drop out and the others' weights are
// renormalised to sum 1.
func refLayeredMissing(layers []Layer, x, w []float64) float64 {
	var num, den float64
	for _, l := range layers {
		s := l.Scale
		if s == 0 {
			s = 1
		}
		if v, ok := refLayerMissing(l.Distance, x[l.Start:l.Start+l.Width], w[l.Start:l.Start+l.Width]); ok {
			num += l.Weight * s * v
			den += l.Weight * s
		}
	}
	return num / den
}

func TestMissingMatchesReference(t *testing.T) {
	layers := Layers{ // layeredCase without its mixed layer
		{Name: "euc", Start: 0, Width: 2, Weight: 2, Distance: Euclidean, Scale: 0.5},
		{Name: "man", Start: 2, Width: 1, Weight: 0.5, Distance: Manhattan, Scale: 3},
		{Name: "cos", Start: 3, Width: 2, Weight: 1.5, Distance: Cosine},
		{Name: "class", Start: 5, Width: 3, Weight: 1, Distance: Tanimoto, Scale: 2},
	}
	const b, d = 60, 8
	for _, dt := range allDtypes {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(16, 2))
			g := Grid{Rows: 3, Cols: 4}
			m, err := New(Config{Grid: g, Dim: d, Layers: &layers, Missing: true, Dtype: dt})
			if err != nil {
				t.Fatal(err)
			}
			k := g.Units()
			record := func(soft bool) []float64 {
				v := randVals(rng, d)
				for i := 5; i < 8; i++ {
					v[i] = 0
					if soft {
						v[i] = rng.Float64()
					}
				}
				if !soft {
					v[5+rng.IntN(3)] = 1
				}
				return v
			}
			var w, x []float64
			for range k {
				w = append(w, record(true)...)
			}
			for i := range b {
				r := record(false)
				for f := range r {
					if rng.Float64() < 0.3 {
						r[f] = math.NaN()
					}
				}
				switch i {
				case 0: // a whole layer absent
					r[5], r[6], r[7] = math.NaN(), math.NaN(), math.NaN()
				case 1: // all but one feature absent
					for f := 1; f < d; f++ {
						r[f] = math.NaN()
					}
					r[0] = 0.25
				case 2: // complete
					r = record(false)
				}
				x = append(x, r...)
			}
			w, x = roundTo(dt, w), roundTo(dt, x)
			if err := m.SetWeights(w); err != nil {
				t.Fatal(err)
			}
			f, err := m.NewSearch(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Search(denseOf(dt, b, d, x)); err != nil {
				t.Fatal(err)
			}
			tol := 1e-5
			if dt == tensor.Float64 {
				tol = 1e-12
			}
			dist := toF64(f.Distances())
			for i := range b {
				bv := math.Inf(1)
				for u := range k {
					want := refLayeredMissing(layers, x[i*d:(i+1)*d], w[u*d:(u+1)*d])
					if got := dist[i*k+u]; math.Abs(got-want) > tol {
						t.Fatalf("record %d, unit %d: %g, reference %g", i, u, got, want)
					}
					bv = math.Min(bv, want)
				}
				if math.Abs(f.MinDist()[i]-bv) > tol {
					t.Errorf("record %d: MinDist %g, reference %g", i, f.MinDist()[i], bv)
				}
			}
			// Predict reads the same records and agrees with the search.
			bmu, md, err := m.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			for i := range b {
				if bmu[i] != f.BMU()[i] || math.Abs(md[i]-f.MinDist()[i]) > tol {
					t.Fatalf("record %d: Predict %d %g, search %d %g", i, bmu[i], md[i], f.BMU()[i], f.MinDist()[i])
				}
			}
		})
	}
}

// TestMissingOneLayer: on a map without layers, Missing compares the
// present features only, scaled to the full dimension; on complete
// records it is the plain map.
func TestMissingOneLayer(t *testing.T) {
	const n, d = 40, 4
	rng := rand.New(rand.NewPCG(4, 16))
	g := Grid{Rows: 3, Cols: 3}
	for _, metric := range allDistances {
		plain, _ := New(Config{Grid: g, Dim: d, Distance: metric, Dtype: tensor.Float64})
		skip, err := New(Config{Grid: g, Dim: d, Distance: metric, Dtype: tensor.Float64, Missing: true})
		if err != nil {
			t.Fatal(err)
		}
		w := randVals(rng, g.Units()*d)
		plain.SetWeights(w)
		skip.SetWeights(w)
		complete := randVals(rng, n*d)
		pb, pd, err1 := plain.Predict(complete)
		sb, sd, err2 := skip.Predict(complete)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		for i := range n {
			if pb[i] != sb[i] || math.Abs(pd[i]-sd[i]) > 1e-9 {
				t.Fatalf("%v, complete record %d: skip %d %g, plain %d %g", metric, i, sb[i], sd[i], pb[i], pd[i])
			}
		}
		holes := append([]float64(nil), complete...)
		for i := range n {
			holes[i*d+rng.IntN(d)] = math.NaN()
		}
		_, hd, err := skip.Predict(holes)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			best := math.Inf(1)
			for u := range g.Units() {
				v, _ := refLayerMissing(metric, holes[i*d:(i+1)*d], w[u*d:(u+1)*d])
				best = math.Min(best, v)
			}
			if metric == Euclidean {
				best = math.Sqrt(best) // reported as the distance, not its square
			}
			if math.Abs(hd[i]-best) > 1e-9 {
				t.Fatalf("%v, record %d with a hole: %g, reference %g", metric, i, hd[i], best)
			}
		}
		if _, err := skip.Evaluate(holes, 1); err != nil {
			t.Errorf("%v: Evaluate with holes: %v", metric, err)
		}
	}
}

func TestMissingErrors(t *testing.T) {
	const d = 3
	g := Grid{Rows: 2, Cols: 2}
	m, err := New(Config{Grid: g, Dim: d, Missing: true})
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	data := []float64{1, nan, 2, 0, 0, 0, nan, nan, nan, 1, 1, 1}
	if _, _, err := m.Predict(data); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("a record with no feature: %v, want ErrMissing naming record 2", err)
	}
	f, err := m.NewSearch(4)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Search(denseOf(tensor.Float32, 4, d, data)); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("the search op on a record with no feature: %v, want ErrMissing naming record 2", err)
	}
	if _, _, err := m.Predict([]float64{1, math.Inf(1), 2}); !errors.Is(err, ErrNotFinite) {
		t.Errorf("Inf with Missing: %v, want ErrNotFinite", err)
	}
	plain, _ := New(Config{Grid: g, Dim: d})
	if _, _, err := plain.Predict([]float64{1, nan, 2}); !errors.Is(err, ErrNotFinite) {
		t.Errorf("NaN without Missing: %v, want ErrNotFinite", err)
	}
	if _, err := New(Config{Grid: g, Dim: 6, Distance: Mixed, Mixed: testLayout, Missing: true}); !errors.Is(err, ErrDistance) {
		t.Errorf("Mixed with Missing: %v, want ErrDistance", err)
	}
}

// refUpdateMissing is the reference update with missing features: each
// feature of a unit moves by the records that hold it only.
func refUpdateMissing(batch bool, n Neighborhood, g Grid, w, x []float64, bmu []int, d int, alpha, sigma float64) []float64 {
	out := append([]float64(nil), w...)
	for u := 0; u < len(w)/d; u++ {
		for f := 0; f < d; f++ {
			var num, den float64
			for b, j := range bmu {
				if math.IsNaN(x[b*d+f]) {
					continue
				}
				h := refHood(n, g, j, u, sigma)
				den += h
				if batch {
					num += h * x[b*d+f]
				} else {
					num += h * (x[b*d+f] - w[u*d+f])
				}
			}
			if !batch {
				out[u*d+f] += alpha / float64(len(bmu)) * num
			} else if den > 1e-12 {
				out[u*d+f] = num / den
			}
		}
	}
	return out
}

// TestMissingUpdateMatchesReference: the mini-batch update of the forward
// graph and the batch update of Stats (filled by SearchInto and by Add)
// leave a unit's feature untouched by the records that lack it.
func TestMissingUpdateMatchesReference(t *testing.T) {
	const b, d = 50, 5
	g := Grid{Rows: 3, Cols: 4}
	for _, dt := range allDtypes {
		for _, layers := range []*Layers{nil, {{Name: "a", Width: 2, Weight: 1}, {Name: "b", Start: 2, Width: 3, Weight: 2, Distance: Manhattan}}} {
			rng := rand.New(rand.NewPCG(16, 3))
			w, x := randVals(rng, g.Units()*d), randVals(rng, b*d)
			for i := range x {
				if i%d == 4 || rng.Float64() < 0.25 { // feature 4 is never present
					x[i] = math.NaN()
				}
			}
			for i := 0; i < b; i++ { // every record keeps a feature
				x[i*d+i%4] = rng.NormFloat64()
			}
			w, x = roundTo(dt, w), roundTo(dt, x)
			tol := 1e-4
			if dt == tensor.Float64 {
				tol = 1e-10
			}
			check := func(name string, m *Map, want []float64) {
				t.Helper()
				got := m.Weights()
				for i := range got {
					if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol {
						t.Fatalf("%v, layers %v, %s: weight %d (unit %d, feature %d) %g, reference %g", dt, layers != nil, name, i, i/d, i%d, got[i], want[i])
					}
					if i%d == 4 && got[i] != w[i] {
						t.Fatalf("%s: feature 4 is never present but unit %d moved", name, i/d)
					}
				}
			}
			newMap := func() *Map {
				m, err := New(Config{Grid: g, Dim: d, Dtype: dt, Missing: true, Layers: layers})
				if err != nil {
					t.Fatal(err)
				}
				if err := m.SetWeights(w); err != nil {
					t.Fatal(err)
				}
				return m
			}
			// Mini-batch: the whole forward graph.
			m := newMap()
			f, err := m.NewForward(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Run(denseOf(dt, b, d, x), 1.2); err != nil {
				t.Fatal(err)
			}
			bmu := append([]int(nil), f.BMU()...)
			if _, err := f.UpdateMiniBatch(0.5); err != nil {
				t.Fatal(err)
			}
			check("mini-batch", m, refUpdateMissing(false, Gaussian, g, w, x, bmu, d, 0.5, 1.2))
			// Batch: the search's sums into Stats, then Stats.Add directly.
			want := refUpdateMissing(true, Gaussian, g, w, x, bmu, d, 0, 1.2)
			m = newMap()
			s, _ := m.NewSearch(b)
			st := m.NewStats()
			if err := s.SearchInto(denseOf(dt, b, d, x), st); err != nil {
				t.Fatal(err)
			}
			if err := m.UpdateBatch(st, 1.2); err != nil {
				t.Fatal(err)
			}
			check("batch (SearchInto)", m, want)
			m = newMap()
			st = m.NewStats()
			if err := st.Add(denseOf(dt, b, d, x), bmu); err != nil {
				t.Fatal(err)
			}
			if err := m.UpdateBatch(st, 1.2); err != nil {
				t.Fatal(err)
			}
			check("batch (Stats.Add)", m, want)
		}
	}
}
