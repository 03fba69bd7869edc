package graph

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// refLayerDist is the reference distance of one layer, written out from
// the definitions in Layer's documentation (mixed layers use refMixed,
// which is written for testLayout's columns).
func refLayerDist(metric Distance, x, w []float64) float64 {
	switch metric {
	case Tanimoto:
		n := 0
		for i := range x {
			if (x[i] > 0.5) != (w[i] > 0.5) {
				n++
			}
		}
		return float64(n) / float64(len(x))
	case Mixed:
		return refMixed(x, w)
	}
	return refDist(metric, x, w) // Euclidean there is the sum of squares
}

// refLayered is the reference layered distance: kohonen's weighting, the
// user weights normalised to sum 1, times the distance weights (scales),
// normalised to sum 1 again.
func refLayered(layers []Layer, x, w []float64) float64 {
	var uw float64
	for _, l := range layers {
		uw += l.Weight
	}
	e := make([]float64, len(layers))
	var total float64
	for i, l := range layers {
		s := l.Scale
		if s == 0 {
			s = 1
		}
		e[i] = l.Weight / uw * s
		total += e[i]
	}
	var d float64
	for i, l := range layers {
		d += e[i] / total * refLayerDist(l.Distance, x[l.Start:l.Start+l.Width], w[l.Start:l.Start+l.Width])
	}
	return d
}

// layeredCase is a map of four layers over 12 columns: a mixed layer
// (testLayout's six columns), a Euclidean, a Manhattan and a cosine
// block, and a one-hot class layer of three columns (Tanimoto).
var layeredCase = Layers{
	{Name: "mixed", Start: 0, Width: 6, Weight: 1, Distance: Mixed},
	{Name: "euc", Start: 6, Width: 2, Weight: 2, Distance: Euclidean, Scale: 0.5},
	{Name: "man", Start: 8, Width: 1, Weight: 0.5, Distance: Manhattan, Scale: 3},
	{Name: "cos", Start: 9, Width: 2, Weight: 1.5, Distance: Cosine},
	{Name: "class", Start: 11, Width: 3, Weight: 1, Distance: Tanimoto, Scale: 2},
}

const layeredDim = 14

func layeredRecord(rng *rand.Rand, soft bool) []float64 {
	v := make([]float64, layeredDim)
	v[0], v[1] = rng.NormFloat64(), rng.NormFloat64()
	v[2+rng.IntN(3)] = 1
	v[5] = float64(rng.IntN(4))
	for i := 6; i < 11; i++ {
		v[i] = rng.NormFloat64()
	}
	v[11+rng.IntN(3)] = 1
	if soft { // a codebook's soft one-hot columns
		for i := 2; i < 5; i++ {
			v[i] = rng.Float64()
		}
		for i := 11; i < 14; i++ {
			v[i] = rng.Float64()
		}
	}
	return v
}

func TestLayeredMatchesReference(t *testing.T) {
	const b = 40
	for _, dt := range allDtypes {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(16, 1))
			g := Grid{Rows: 3, Cols: 4}
			m, err := New(Config{Grid: g, Dim: layeredDim, Layers: &layeredCase, Mixed: testLayout, Dtype: dt})
			if err != nil {
				t.Fatal(err)
			}
			var w, x []float64
			for u := 0; u < g.Units(); u++ {
				w = append(w, layeredRecord(rng, true)...)
			}
			for i := 0; i < b; i++ {
				x = append(x, layeredRecord(rng, false)...)
			}
			w, x = roundTo(dt, w), roundTo(dt, x)
			if err := m.SetWeights(w); err != nil {
				t.Fatal(err)
			}
			f, err := m.NewForward(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Run(denseOf(dt, b, layeredDim, x), 1.5); err != nil {
				t.Fatal(err)
			}
			tol := 1e-5
			if dt == tensor.Float64 {
				tol = 1e-12
			}
			k, d := g.Units(), layeredDim
			dist := toF64(f.Distances())
			for i := 0; i < b; i++ {
				best, bv := -1, math.Inf(1)
				for u := 0; u < k; u++ {
					want := refLayered(layeredCase, x[i*d:(i+1)*d], w[u*d:(u+1)*d])
					if got := dist[i*k+u]; math.Abs(got-want) > tol {
						t.Fatalf("record %d, unit %d: %g, reference %g", i, u, got, want)
					}
					if want < bv-tol {
						best, bv = u, want
					}
				}
				if got := f.BMU()[i]; got != best && math.Abs(dist[i*k+got]-bv) > tol {
					t.Errorf("record %d: BMU %d, reference %d", i, got, best)
				}
				if math.Abs(f.MinDist()[i]-bv) > tol {
					t.Errorf("record %d: MinDist %g, reference %g", i, f.MinDist()[i], bv)
				}
			}
			// The update is the map's feature-wise rule whatever the layers.
			want := refUpdate(false, Gaussian, g, w, x, f.BMU(), d, 0.3, 1.5)
			if _, err := f.UpdateMiniBatch(0.3); err != nil {
				t.Fatal(err)
			}
			for i, v := range m.Weights() {
				if math.Abs(v-want[i]) > 1e3*tol {
					t.Fatalf("weight %d: %g, reference %g", i, v, want[i])
				}
			}
		})
	}
}

// TestOneLayerIsThePlainMap: one Euclidean layer over all columns finds
// the same BMUs as the plain map (its distances are the full squared
// distances), and the metrics that need the plain distance say so.
func TestOneLayerIsThePlainMap(t *testing.T) {
	const b, d = 50, 5
	rng := rand.New(rand.NewPCG(3, 16))
	g := Grid{Rows: 4, Cols: 5}
	plain, _ := New(Config{Grid: g, Dim: d, Dtype: tensor.Float64})
	one, err := New(Config{Grid: g, Dim: d, Dtype: tensor.Float64, Layers: &Layers{{Name: "x", Width: d, Weight: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	w, x := randVals(rng, g.Units()*d), randVals(rng, b*d)
	for _, m := range []*Map{plain, one} {
		if err := m.SetWeights(w); err != nil {
			t.Fatal(err)
		}
	}
	fp, _ := plain.NewSearch(b)
	fo, _ := one.NewSearch(b)
	for _, f := range []*Forward{fp, fo} {
		if err := f.Search(denseOf(tensor.Float64, b, d, x)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range b {
		if fp.BMU()[i] != fo.BMU()[i] {
			t.Fatalf("record %d: BMU %d with one layer, %d without", i, fo.BMU()[i], fp.BMU()[i])
		}
		// The plain map reports the Euclidean distance, the layer its square.
		if got, want := fo.MinDist()[i], fp.MinDist()[i]*fp.MinDist()[i]; math.Abs(got-want) > 1e-9 {
			t.Fatalf("record %d: layered distance %g, squared plain %g", i, got, want)
		}
	}
	// Evaluate and Predict run the same graph: QE is the mean layered
	// distance, the distortion sums h·d² over the layered distances.
	bmu, dist, err := one.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	met, err := one.Evaluate(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	var qe, distortion float64
	for i := range b {
		if bmu[i] != fo.BMU()[i] || dist[i] != fo.MinDist()[i] {
			t.Fatalf("record %d: Predict %d %g, search %d %g", i, bmu[i], dist[i], fo.BMU()[i], fo.MinDist()[i])
		}
		qe += dist[i] / b
		for u := range g.Units() {
			dd := refDist(Euclidean, x[i*d:(i+1)*d], w[u*d:(u+1)*d])
			distortion += refHood(Gaussian, g, bmu[i], u, 1) * dd * dd / b
		}
	}
	if math.Abs(met.QE-qe) > 1e-9 || math.Abs(met.Distortion-distortion) > 1e-9*distortion {
		t.Errorf("Evaluate: QE %g distortion %g, reference %g %g", met.QE, met.Distortion, qe, distortion)
	}
	if _, err := one.NewStats().Distortion(1); !errors.Is(err, ErrDistance) {
		t.Errorf("Distortion of a layered map: %v, want ErrDistance", err)
	}
}

func TestNormalizeLayers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const n = 9
	var rows []float64
	for range n {
		rows = append(rows, layeredRecord(rng, true)...)
	}
	got, err := NormalizeLayers(layeredCase, testLayout, rows, layeredDim)
	if err != nil {
		t.Fatal(err)
	}
	for li, l := range layeredCase {
		var s float64
		pairs := 0
		for a := range n {
			for b := a + 1; b < n; b++ {
				x, w := rows[a*layeredDim:(a+1)*layeredDim], rows[b*layeredDim:(b+1)*layeredDim]
				s += refLayerDist(l.Distance, x[l.Start:l.Start+l.Width], w[l.Start:l.Start+l.Width])
				pairs++
			}
		}
		if want := float64(pairs) / s; math.Abs(got[li].Scale-want) > 1e-12*want {
			t.Errorf("layer %s: scale %g, want 1/mean distance %g", l.Name, got[li].Scale, want)
		}
		if got[li].Weight != l.Weight || got[li].Distance != l.Distance {
			t.Errorf("layer %s changed: %+v", l.Name, got[li])
		}
	}
	if layeredCase[1].Scale != 0.5 {
		t.Error("NormalizeLayers changed its argument")
	}
	// A layer constant over the rows is non-informative.
	constant := append([]float64(nil), rows...)
	for r := range n {
		constant[r*layeredDim+6], constant[r*layeredDim+7] = 1, 2
	}
	if _, err := NormalizeLayers(layeredCase, testLayout, constant, layeredDim); !errors.Is(err, ErrLayers) || !strings.Contains(err.Error(), "euc") {
		t.Errorf("constant layer: %v, want ErrLayers naming the layer", err)
	}
	if _, err := NormalizeLayers(layeredCase, testLayout, rows[:layeredDim], layeredDim); !errors.Is(err, ErrShape) {
		t.Errorf("one row: %v, want ErrShape", err)
	}
}

func TestLayersErrors(t *testing.T) {
	g := Grid{Rows: 2, Cols: 2}
	two := func(w1, w2 float64) []Layer {
		return []Layer{{Name: "x", Width: 3, Weight: w1}, {Name: "y", Start: 3, Width: 2, Weight: w2, Distance: Tanimoto}}
	}
	cases := map[string]struct {
		layers Layers
		mixed  *MixedLayout
		dist   Distance
		want   error
	}{
		"zero weight":      {layers: two(1, 0), want: ErrLayers},
		"negative weight":  {layers: two(-1, 1), want: ErrLayers},
		"NaN weight":       {layers: two(math.NaN(), 1), want: ErrLayers},
		"infinite weight":  {layers: two(1, math.Inf(1)), want: ErrLayers},
		"negative scale":   {layers: []Layer{{Width: 5, Weight: 1, Scale: -1}}, want: ErrLayers},
		"gap":              {layers: []Layer{{Name: "a", Width: 2, Weight: 1}, {Name: "b", Start: 3, Width: 2, Weight: 1}}, want: ErrLayers},
		"overlap":          {layers: []Layer{{Name: "a", Width: 3, Weight: 1}, {Name: "b", Start: 2, Width: 3, Weight: 1}}, want: ErrLayers},
		"short":            {layers: []Layer{{Name: "a", Width: 4, Weight: 1}}, want: ErrLayers},
		"too wide":         {layers: []Layer{{Name: "a", Width: 6, Weight: 1}}, want: ErrLayers},
		"empty layer":      {layers: []Layer{{Name: "a", Width: 0, Weight: 1}, {Name: "b", Width: 5, Weight: 1}}, want: ErrLayers},
		"same name":        {layers: []Layer{{Name: "a", Width: 2, Weight: 1}, {Name: "a", Start: 2, Width: 3, Weight: 1}}, want: ErrLayers},
		"unknown distance": {layers: []Layer{{Width: 5, Weight: 1, Distance: 42}}, want: ErrLayers},
		"mixed no layout":  {layers: []Layer{{Width: 5, Weight: 1, Distance: Mixed}}, want: ErrLayers},
		"mixed outside": {layers: []Layer{{Name: "a", Width: 2, Weight: 1, Distance: Mixed}, {Name: "b", Start: 2, Width: 3, Weight: 1}},
			mixed: &MixedLayout{Continuous: []int{0, 3}, ContinuousWeight: 1}, want: ErrLayers},
		"tanimoto map": {dist: Tanimoto, want: ErrDistance},
	}
	for name, c := range cases {
		_, err := New(Config{Grid: g, Dim: 5, Layers: &c.layers, Mixed: c.mixed, Distance: c.dist})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := New(Config{Grid: g, Dim: 5, Layers: &Layers{two(1, 2)[0], two(1, 2)[1]}}); err != nil {
		t.Errorf("valid layers: %v", err)
	}
}

// TestLayeredOpParameters: the op's parameters are fixed when it is built
// and name every layer, so ops of other layers or weights hash apart.
func TestLayeredOpParameters(t *testing.T) {
	mk := func(l []Layer) *distanceOp {
		g := G.NewGraph()
		x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 5), G.WithName("x"))
		w := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 5), G.WithName("w"))
		n, err := LayeredDistances(x, w, l, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		return n.Op().(*distanceOp)
	}
	base := []Layer{{Name: "x", Width: 3, Weight: 1}, {Name: "y", Start: 3, Width: 2, Weight: 1, Distance: Tanimoto}}
	a := mk(base)
	base[0].Weight = 2 // the op keeps its own copy
	if a.layers[0].Weight != 1 {
		t.Fatal("the op shares the caller's layers")
	}
	b := mk(base)
	c := mk([]Layer{{Name: "x", Width: 3, Weight: 1, Distance: Manhattan}, {Name: "y", Start: 3, Width: 2, Weight: 1, Distance: Tanimoto}})
	if a.Hashcode() == b.Hashcode() || a.Hashcode() == c.Hashcode() || a.String() == b.String() {
		t.Errorf("ops of other weights or distances hash alike: %v / %v / %v", a, b, c)
	}
	if a2 := mk([]Layer{{Name: "x", Width: 3, Weight: 1}, {Name: "y", Start: 3, Width: 2, Weight: 1, Distance: Tanimoto}}); a2.Hashcode() != a.Hashcode() {
		t.Error("equal ops hash apart")
	}
}
