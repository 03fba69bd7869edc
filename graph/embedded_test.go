package graph

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// embLayout: columns 0–1 continuous, 2–4 a one-hot feature of three
// levels, 5–7 and 8–9 two embedded features (widths 3 and 2). Weights as
// the trainer sets them for 10 columns: continuous 2/10 over a diameter
// of 3, embedded 5/10 shared by two groups, the one-hot mismatch 3/10.
var embLayout = &MixedLayout{
	Continuous: []int{0, 1},
	Groups: []CategoryGroup{{Start: 2, Width: 3, Levels: 3}, {Start: 5, Width: 3, Levels: 4, Embedded: true},
		{Start: 8, Width: 2, Levels: 6, Embedded: true}},
	ContinuousWeight: 0.2, CategoryWeight: 0.3, EmbeddingWeight: 0.25, ContinuousScale: 3,
}

// refEmbedded is the reference distance for embLayout, written out.
func refEmbedded(x, w []float64) float64 {
	cont := math.Hypot(x[0]-w[0], x[1]-w[1]) / 3
	argmax := func(v []float64) int {
		best, bv := -1, 0.0
		for i, x := range v {
			if x > bv {
				best, bv = i, x
			}
		}
		return best
	}
	miss := 0.0
	if argmax(x[2:5]) != argmax(w[2:5]) {
		miss = 1
	}
	cosd := func(a, b []float64) float64 {
		var ab, aa, bb float64
		for i := range a {
			ab += a[i] * b[i]
			aa += a[i] * a[i]
			bb += b[i] * b[i]
		}
		if aa == 0 || bb == 0 {
			return 0.5 // cosine 0
		}
		return (1 - ab/math.Sqrt(aa)/math.Sqrt(bb)) / 2
	}
	return 0.2*cont + 0.3*miss + 0.25*(cosd(x[5:8], w[5:8])+cosd(x[8:10], w[8:10]))
}

// embRecord returns a record of embLayout: a one-hot level and embedding
// vectors of either sign; every fifth record has a zero first embedding.
func embRecord(rng *rand.Rand, i int) []float64 {
	v := make([]float64, 10)
	v[0], v[1] = rng.NormFloat64(), rng.NormFloat64()
	v[2+rng.IntN(3)] = 1
	for c := 5; c < 10; c++ {
		v[c] = rng.NormFloat64()
	}
	if i%5 == 0 {
		v[5], v[6], v[7] = 0, 0, 0
	}
	return v
}

// TestEmbeddedMixedMatchesReference checks the Mixed distance with
// embedded groups against refEmbedded in float32 and float64, through the
// mini-batch path (Forward.Run: distances and BMUs), the batch path
// (Search into Stats, in two halves) and the layered path.
func TestEmbeddedMixedMatchesReference(t *testing.T) {
	const b, d = 40, 10
	g := Grid{Rows: 4, Cols: 5}
	for _, dt := range allDtypes {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(19, 19))
			var w, x []float64
			for u := 0; u < g.Units(); u++ {
				v := embRecord(rng, u+1)
				v[2], v[3], v[4] = rng.Float64(), rng.Float64(), rng.Float64()
				if u == 7 {
					v[8], v[9] = 0, 0 // a unit with no direction in the second group
				}
				w = append(w, v...)
			}
			for i := 0; i < b; i++ {
				x = append(x, embRecord(rng, i)...)
			}
			w, x = roundTo(dt, w), roundTo(dt, x)
			tol := 1e-6
			if dt == tensor.Float64 {
				tol = 1e-13
			}
			want := make([]float64, b*g.Units())
			wantBMU := make([]int, b)
			for i := 0; i < b; i++ {
				best := math.Inf(1)
				for u := 0; u < g.Units(); u++ {
					want[i*g.Units()+u] = refEmbedded(x[i*d:(i+1)*d], w[u*d:(u+1)*d])
					if want[i*g.Units()+u] < best {
						best, wantBMU[i] = want[i*g.Units()+u], u
					}
				}
			}
			check := func(path string, dist []float64, bmu []int) {
				t.Helper()
				for i := range want {
					if math.Abs(dist[i]-want[i]) > tol {
						t.Fatalf("%s: record %d, unit %d: %g, reference %g", path, i/g.Units(), i%g.Units(), dist[i], want[i])
					}
				}
				for i, u := range bmu {
					if u != wantBMU[i] && math.Abs(want[i*g.Units()+u]-want[i*g.Units()+wantBMU[i]]) > tol {
						t.Fatalf("%s: record %d: BMU %d, reference %d", path, i, u, wantBMU[i])
					}
				}
			}

			m, err := New(Config{Grid: g, Dim: d, Distance: Mixed, Mixed: embLayout, Dtype: dt})
			if err != nil {
				t.Fatal(err)
			}
			m.SetWeights(w)
			f, _ := m.NewForward(b)
			if err := f.Run(denseOf(dt, b, d, x), 1); err != nil {
				t.Fatal(err)
			}
			check("mini-batch", toF64(f.Distances()), f.BMU())

			half, _ := m.NewSearch(b / 2)
			s := m.NewStats()
			var dist []float64
			var bmu []int
			for _, lo := range []int{0, b / 2} {
				if err := half.SearchInto(denseOf(dt, b/2, d, x[lo*d:(lo+b/2)*d]), s); err != nil {
					t.Fatal(err)
				}
				dist = append(dist, toF64(half.Distances())...)
				bmu = append(bmu, half.BMU()...)
			}
			check("batch", dist, bmu)

			lm, err := New(Config{Grid: g, Dim: d, Mixed: embLayout, Dtype: dt,
				Layers: &Layers{{Name: "all", Width: d, Weight: 1, Distance: Mixed}}})
			if err != nil {
				t.Fatal(err)
			}
			lm.SetWeights(w)
			lf, _ := lm.NewForward(b)
			if err := lf.Run(denseOf(dt, b, d, x), 1); err != nil {
				t.Fatal(err)
			}
			check("layered", toF64(lf.Distances()), lf.BMU())
		})
	}
}

// fastsomDistances is fastsom's MixedEmbeddingDistance on embLayout's
// columns 5–9 (embeddings) and 0–1 (continuous): each part min-max
// normalised over the whole B×K matrix, weighted by its share of the 7
// columns. The one-hot group is left out.
func fastsomDistances(x, w []float64, b, k, d int) []float64 {
	emb, cont := make([]float64, b*k), make([]float64, b*k)
	for i := range b {
		for u := range k {
			xr, wr := x[i*d:(i+1)*d], w[u*d:(u+1)*d]
			cosSim := func(lo, hi int) float64 {
				var ab, aa, bb float64
				for c := lo; c < hi; c++ {
					ab, aa, bb = ab+xr[c]*wr[c], aa+xr[c]*xr[c], bb+wr[c]*wr[c]
				}
				return ab / math.Max(math.Sqrt(aa*bb), 1e-8)
			}
			emb[i*k+u] = -cosSim(5, 8) - cosSim(8, 10)
			cont[i*k+u] = math.Hypot(xr[0]-wr[0], xr[1]-wr[1])
		}
	}
	norm := func(v []float64) {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range v {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		for i := range v {
			v[i] = (v[i] - lo) / (hi - lo)
		}
	}
	norm(emb)
	norm(cont)
	out := make([]float64, b*k)
	for i := range out {
		out[i] = emb[i]*5/7 + cont[i]*2/7
	}
	return out
}

// TestEmbeddedBMUIndependentOfBatch: with fixed ranges a record's BMU is
// the same searched alone or within any batch, where fastsom's per-batch
// min-max normalisation (fastsomDistances) moves the BMU of some records
// when the batch changes. The one-hot group is constant so both distances
// see the same parts.
func TestEmbeddedBMUIndependentOfBatch(t *testing.T) {
	const b, d = 64, 10
	g := Grid{Rows: 5, Cols: 5}
	rng := rand.New(rand.NewPCG(7, 19))
	var w, x []float64
	for u := 0; u < g.Units(); u++ {
		v := embRecord(rng, 1)
		v[2], v[3], v[4] = 1, 0, 0
		w = append(w, v...)
	}
	for i := range b {
		v := embRecord(rng, 1)
		v[2], v[3], v[4] = 1, 0, 0
		if i >= b/2 { // the second half far out in the continuous part
			v[0], v[1] = 10*v[0], 10*v[1]
		}
		x = append(x, v...)
	}
	m, err := New(Config{Grid: g, Dim: d, Distance: Mixed, Mixed: embLayout, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	m.SetWeights(w)
	all, _ := m.NewSearch(b)
	one, _ := m.NewSearch(b / 2)
	if err := all.Search(denseOf(tensor.Float64, b, d, x)); err != nil {
		t.Fatal(err)
	}
	if err := one.Search(denseOf(tensor.Float64, b/2, d, x[:b/2*d])); err != nil {
		t.Fatal(err)
	}
	for i := range b / 2 {
		if all.BMU()[i] != one.BMU()[i] {
			t.Fatalf("record %d: BMU %d in the full batch, %d in its half", i, all.BMU()[i], one.BMU()[i])
		}
	}
	argmin := func(v []float64) int {
		best := 0
		for j, x := range v {
			if x < v[best] {
				best = j
			}
		}
		return best
	}
	k := g.Units()
	full, half := fastsomDistances(x, w, b, k, d), fastsomDistances(x[:b/2*d], w, b/2, k, d)
	moved := 0
	for i := range b / 2 {
		if argmin(full[i*k:(i+1)*k]) != argmin(half[i*k:(i+1)*k]) {
			moved++
		}
	}
	if moved == 0 {
		t.Error("per-batch normalisation moved no BMU: the test does not show the difference")
	}
	t.Logf("fastsom's per-batch normalisation moves %d of %d BMUs when the batch changes; fixed ranges move none", moved, b/2)
}

func TestEmbeddedLayoutErrors(t *testing.T) {
	cases := map[string]*MixedLayout{
		"ordinal and embedded": {Groups: []CategoryGroup{{Start: 0, Width: 1, Ordinal: true, Embedded: true}}},
		"negative embedding weight": {Groups: []CategoryGroup{{Start: 0, Width: 2, Embedded: true}},
			EmbeddingWeight: -0.5},
		"NaN embedding weight": {Groups: []CategoryGroup{{Start: 0, Width: 2, Embedded: true}},
			EmbeddingWeight: math.NaN()},
		"negative scale": {Continuous: []int{0}, ContinuousScale: -1},
		"Inf scale":      {Continuous: []int{0}, ContinuousScale: math.Inf(1)},
		"embedded group beyond the columns": {Groups: []CategoryGroup{{Start: 1, Width: 3, Embedded: true}},
			EmbeddingWeight: 1},
	}
	for name, l := range cases {
		if _, err := New(Config{Grid: Grid{Rows: 2, Cols: 2}, Dim: 3, Distance: Mixed, Mixed: l}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// TestEmbeddedOpParameters: the embedded flag, the embedding weight and
// the continuous scale are op parameters: ops differing in any of them
// hash apart, equal ones alike, and the op keeps its own copy.
func TestEmbeddedOpParameters(t *testing.T) {
	mk := func(l *MixedLayout) *distanceOp {
		g := G.NewGraph()
		x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 10), G.WithName("x"))
		w := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 10), G.WithName("w"))
		n, err := MixedDistances(x, w, l)
		if err != nil {
			t.Fatal(err)
		}
		return n.Op().(*distanceOp)
	}
	base := embLayout.clone()
	a := mk(base)
	base.Groups[1].Embedded = false
	if !a.mixed.Groups[1].Embedded {
		t.Fatal("the op shares the caller's groups")
	}
	variants := map[string]func(l *MixedLayout){
		"not embedded":     func(l *MixedLayout) { l.Groups[2].Embedded = false },
		"embedding weight": func(l *MixedLayout) { l.EmbeddingWeight = 0.3 },
		"continuous scale": func(l *MixedLayout) { l.ContinuousScale = 2 },
		"scale 0":          func(l *MixedLayout) { l.ContinuousScale = 0 },
	}
	for name, change := range variants {
		l := embLayout.clone()
		change(l)
		if o := mk(l); o.Hashcode() == a.Hashcode() || o.String() == a.String() {
			t.Errorf("%s: hashes like the base op: %v", name, o)
		}
	}
	if a2 := mk(embLayout.clone()); a2.Hashcode() != a.Hashcode() {
		t.Error("equal ops hash apart")
	}
	if s := a.String(); !strings.Contains(s, "embedded ×0.25, continuous scale 3") || !strings.Contains(s, "true") {
		t.Errorf("String %q does not name the embedding parameters", s)
	}
}

// BenchmarkSearchEmbedded searches one batch of 256 records on a 40×40
// map with the Mixed distance on a 64-column layout (8 continuous
// columns, embedded groups of 6, 10 and 40), beside the Cosine distance on
// the same columns (one GEMM) for scale.
func BenchmarkSearchEmbedded(b *testing.B) {
	const d = 64
	l := &MixedLayout{Continuous: []int{0, 1, 2, 3, 4, 5, 6, 7},
		Groups: []CategoryGroup{{Start: 8, Width: 6, Levels: 9, Embedded: true}, {Start: 14, Width: 10, Levels: 40, Embedded: true},
			{Start: 24, Width: 40, Levels: 1000, Embedded: true}},
		ContinuousWeight: 8.0 / d, EmbeddingWeight: 56.0 / (3 * d), ContinuousScale: 10}
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"mixed-embedded", Config{Distance: Mixed, Mixed: l}},
		{"cosine", Config{Distance: Cosine}},
	} {
		for _, dt := range allDtypes {
			b.Run(c.name+"/"+dt.String(), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				cfg := c.cfg
				cfg.Grid, cfg.Dim, cfg.Dtype = Grid{Rows: 40, Cols: 40}, d, dt
				m, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				data := randVals(rng, 8*benchBatch*d)
				if err := m.Initialize(InitSample, data, rng); err != nil {
					b.Fatal(err)
				}
				x := denseOf(dt, benchBatch, d, data[:benchBatch*d])
				f, _ := m.NewSearch(benchBatch)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := f.Search(x); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestEmbeddedBadData: NaN or Inf in an embedded column is refused like
// in any other column (ErrNotFinite); records and units with a zero
// embedding (no direction) have the documented cosine 0.
func TestEmbeddedBadData(t *testing.T) {
	m, err := New(Config{Grid: Grid{Rows: 1, Cols: 2}, Dim: 10, Distance: Mixed, Mixed: embLayout, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	good := []float64{0, 0, 1, 0, 0, 1, 0, 0, 1, 0}
	if err := m.SetWeights(append(slices.Clone(good), good...)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		x := slices.Clone(good)
		x[6] = bad
		if _, err := m.Evaluate(x, 1); !errors.Is(err, ErrNotFinite) {
			t.Errorf("%v in an embedded column: %v, want ErrNotFinite", bad, err)
		}
		w := append(slices.Clone(good), good...)
		w[16] = bad
		if err := m.SetWeights(w); !errors.Is(err, ErrNotFinite) {
			t.Errorf("%v in a unit's embedded column: %v, want ErrNotFinite", bad, err)
		}
	}
	// A zero record embedding: each embedded group with a zero side adds
	// EmbeddingWeight·½.
	x := []float64{0, 0, 1, 0, 0, 0, 0, 0, 1, 0}
	met, err := m.Evaluate(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.25 * 0.5; math.Abs(met.QE-want) > 1e-12 {
		t.Errorf("QE of a zero embedding %v, want %v", met.QE, want)
	}
}
