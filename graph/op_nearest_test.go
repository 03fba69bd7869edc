package graph

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/internal/fused"
	"github.com/somgraph/somgraph/internal/gemm"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// withGemmBLAS makes every product of the test run through internal/gemm
// (in the default build it does already; with -tags openblas the unfused
// graph would otherwise use OpenBLAS, whose sums may differ by an ulp from
// the fused kernel's), and restores the build's BLAS afterwards.
func withGemmBLAS(t *testing.T) {
	prev := G.WhichBLAS()
	impl := gemm.Implementation{}
	G.Use(impl)
	blas32.Use(impl)
	blas64.Use(impl)
	t.Cleanup(func() {
		G.Use(prev)
		if p, ok := prev.(blas.Float32); ok {
			blas32.Use(p)
		}
		if p, ok := prev.(blas.Float64); ok {
			blas64.Use(p)
		}
	})
}

// withFused sets the fused-search mode for the test and restores it.
func withFused(t *testing.T, m fused.Mode) {
	was := fused.Set(m)
	t.Cleanup(func() { fused.Set(was) })
}

// unfusedRef computes the unfused search of x (b×d) against w (k×d)
// outside any graph, the way ReducedDistances and Argmin do it in the
// default build: each row of C filled with the float32-rounded float64
// unit norms, one gemm.Sgemm C += −2·x·wᵀ, then the Argmin op's row scan.
func unfusedRef(t *testing.T, x, w []float32, b, k, d int) (best []int, min []float64, second []int, secondVal []float64, dist []float32) {
	t.Helper()
	wn := make([]float64, k)
	rowNorms(wn, w, d)
	c := make([]float32, b*k)
	for i := range b {
		for j, v := range wn {
			c[i*k+j] = float32(v)
		}
	}
	gemm.Sgemm(blas.NoTrans, blas.Trans, b, k, d, -2, x, d, w, d, 1, c, k)
	op := &argminOp{}
	v, err := op.Do(tensor.New(tensor.WithShape(b, k), tensor.WithBacking(c)))
	if err != nil {
		t.Fatal(err)
	}
	return v.(*tensor.Dense).Data().([]int), op.min, op.second, op.secondVal, c
}

// runNearest runs the NearestUnits op on x and w.
func runNearest(t *testing.T, x, w []float32, b, k, d int) (best []int, min []float64, second []int, secondVal []float64) {
	t.Helper()
	op := &nearestOp{}
	v, err := op.Do(tensor.New(tensor.WithShape(b, d), tensor.WithBacking(x)), tensor.New(tensor.WithShape(k, d), tensor.WithBacking(w)))
	if err != nil {
		t.Fatal(err)
	}
	return v.(*tensor.Dense).Data().([]int), op.min, op.second, op.secondVal
}

func rand32(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// sameBits reports whether a and b hold the same float64 values bit for
// bit (NaN equal to NaN of the same bits).
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// TestNearestUnitsMatchesUnfused pins the fused search's contract: its
// best unit, minimum, second-best unit and second-best value of every
// record are exactly those of the unfused reduced distances (gemm's Sgemm)
// and the Argmin op, on random shapes (odd B and K, K below a vector's 16,
// D = 1, 3, 64, 200 and others, D past the kernel's depth of 256), on
// codebooks with duplicated rows (ties go to the lowest unit) and on
// records holding NaN. That holds whether ArgminNT runs the fused assembly
// kernel (gemm.ArgminFused) or its Sgemm-and-scan path.
func TestNearestUnitsMatchesUnfused(t *testing.T) {
	withGemmBLAS(t)
	rng := rand.New(rand.NewPCG(12, 2))
	type shape struct{ b, k, d int }
	shapes := []shape{{1, 1, 1}, {7, 3, 1}, {33, 15, 3}, {65, 16, 3}, {101, 17, 64}, {129, 9, 200}, {257, 100, 64},
		{3, 1600, 64}, {1024, 37, 5}, {19, 2, 31}, {517, 63, 200}, {31, 20, 257}, {40, 33, 300}}
	for range 12 {
		shapes = append(shapes, shape{1 + 2*rng.IntN(300), 1 + rng.IntN(120), 1 + rng.IntN(260)})
	}
	fusedShapes := 0
	for _, s := range shapes {
		for _, kind := range []string{"random", "duplicate units", "NaN records"} {
			t.Run(fmt.Sprintf("%dx%dx%d/%s", s.b, s.k, s.d, kind), func(t *testing.T) {
				x, w := rand32(rng, s.b*s.d), rand32(rng, s.k*s.d)
				switch kind {
				case "duplicate units": // every unit is the one before it, or a copy of unit 0
					for j := 1; j < s.k; j++ {
						src := j - 1
						if j%3 == 0 {
							src = 0
						}
						copy(w[j*s.d:(j+1)*s.d], w[src*s.d:(src+1)*s.d])
					}
				case "NaN records":
					for i := 0; i < s.b; i += 3 {
						x[i*s.d+rng.IntN(s.d)] = float32(math.NaN())
					}
				}
				best, min, second, secondVal := runNearest(t, x, w, s.b, s.k, s.d)
				rBest, rMin, rSecond, rSecondVal, dist := unfusedRef(t, x, w, s.b, s.k, s.d)
				// Ties go to the lowest unit. (Identical units tie in the
				// assembly GEMM; gonum's may sum them in different orders.)
				ties := 0
				for i, u := range best {
					for j := range u {
						if dist[i*s.k+j] == dist[i*s.k+u] {
							t.Fatalf("record %d: unit %d wins over unit %d at the same distance %v", i, u, j, dist[i*s.k+u])
						}
					}
					for j := u + 1; j < s.k; j++ {
						if dist[i*s.k+j] == dist[i*s.k+u] {
							ties++
						}
					}
				}
				if kind == "duplicate units" && s.k > 1 && gemm.Asm() && ties == 0 {
					t.Error("no tie with duplicated units")
				}
				if gemm.ArgminFused(s.d) {
					fusedShapes++
				}
				if !slices.Equal(best, rBest) || !slices.Equal(second, rSecond) {
					t.Fatalf("best %v second %v, unfused %v %v", head(best), head(second), head(rBest), head(rSecond))
				}
				if !sameBits(min, rMin) || !sameBits(secondVal, rSecondVal) {
					t.Fatalf("min %v second %v, unfused %v %v", head(min), head(secondVal), head(rMin), head(rSecondVal))
				}
			})
		}
	}
	t.Logf("%s: %d of %d cases ran the fused kernel (gemm.ArgminFused), the others its Sgemm-and-scan path", BLAS(), fusedShapes, 3*len(shapes))
}

func head[T any](s []T) []T { return s[:min(len(s), 8)] }

// opNames returns the String of every op node of g.
func opNames(g *G.ExprGraph) []string {
	var names []string
	for _, n := range g.AllNodes() {
		if n.Op() != nil {
			names = append(names, n.Op().String())
		}
	}
	return names
}

func hasOp(g *G.ExprGraph, prefix string) bool {
	return slices.ContainsFunc(opNames(g), func(s string) bool { return strings.HasPrefix(s, prefix+"{") || s == prefix })
}

// TestFusedSearchChosen pins where NewForward and NewSearch build the
// fused search: in mode Auto a float32 Euclidean map without layers or
// missing values whose dimension the fused kernel covers
// (gemm.ArgminFused), in mode Always every such map, in mode Off none.
// Everywhere else the graph keeps the distance node and the argmin node.
func TestFusedSearchChosen(t *testing.T) {
	g := Grid{Rows: 3, Cols: 4}
	cases := []struct {
		name     string
		cfg      Config
		eligible bool // float32 Euclidean, no layers, no missing values
	}{
		{"float32 euclidean", Config{Grid: g, Dim: 5, Dtype: tensor.Float32}, true},
		{"float32 euclidean D=200", Config{Grid: g, Dim: 200, Dtype: tensor.Float32}, true},
		{"float32 euclidean D=300", Config{Grid: g, Dim: 300, Dtype: tensor.Float32}, true},
		{"float64", Config{Grid: g, Dim: 5, Dtype: tensor.Float64}, false},
		{"manhattan", Config{Grid: g, Dim: 5, Dtype: tensor.Float32, Distance: Manhattan}, false},
		{"cosine", Config{Grid: g, Dim: 5, Dtype: tensor.Float32, Distance: Cosine}, false},
		{"missing", Config{Grid: g, Dim: 5, Dtype: tensor.Float32, Missing: true}, false},
		{"layers", Config{Grid: g, Dim: 5, Dtype: tensor.Float32, Layers: &Layers{{Name: "a", Width: 2, Weight: 1}, {Name: "b", Start: 2, Width: 3, Weight: 1}}}, false},
	}
	for _, c := range cases {
		for _, mode := range []fused.Mode{fused.Auto, fused.Off, fused.Always} {
			t.Run(fmt.Sprintf("%s/mode %d", c.name, mode), func(t *testing.T) {
				withFused(t, mode)
				m, err := New(c.cfg)
				if err != nil {
					t.Fatal(err)
				}
				want := c.eligible && (mode == fused.Always || mode == fused.Auto && gemm.ArgminFused(c.cfg.Dim))
				for _, build := range []func(int) (*Forward, error){m.NewForward, m.NewSearch} {
					f, err := build(9)
					if err != nil {
						t.Fatal(err)
					}
					if got := hasOp(f.Graph(), "SOMDistanceArgmin"); got != want {
						t.Errorf("fused node %t, want %t: %v", got, want, opNames(f.Graph()))
					}
					if got := hasOp(f.Graph(), "SOMDistance") && hasOp(f.Graph(), "SOMArgmin"); got == want {
						t.Errorf("distance and argmin nodes %t, want %t: %v", got, !want, opNames(f.Graph()))
					}
					if f.fused != want {
						t.Errorf("Forward.fused %t, want %t", f.fused, want)
					}
				}
			})
		}
	}
	t.Logf("%s: gemm.ArgminFused(5) = %t", BLAS(), gemm.ArgminFused(5))
}

// twinMaps returns two float32 Euclidean maps of dimension d with the same
// codebook (units 0 and 1 identical), and records for them (record 0 on
// unit 0).
func twinMaps(t *testing.T, seed uint64, g Grid, d, n int) (fusedMap, plainMap *Map, data []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(d)))
	cfg := Config{Grid: g, Dim: d, Dtype: tensor.Float32}
	w := randVals(rng, g.Units()*d)
	maps := [2]*Map{}
	for i := range maps {
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		m.SetWeights(w)
		maps[i] = m
	}
	data = randVals(rng, n*d)
	for i := range d { // a duplicate unit and a record on a unit: exact ties
		maps[0].codebook.Data().([]float32)[d+i] = maps[0].codebook.Data().([]float32)[i]
		maps[1].codebook.Data().([]float32)[d+i] = maps[1].codebook.Data().([]float32)[i]
		data[i] = float64(maps[0].codebook.Data().([]float32)[i])
	}
	return maps[0], maps[1], data
}

// searchBoth compiles build on each map, the first with the fused search
// (mode Always), the second without (Off).
func searchBoth(t *testing.T, a, b *Map, build func(m *Map) (*Forward, error)) (fa, fb *Forward) {
	t.Helper()
	var err error
	was := fused.Set(fused.Always)
	fa, err = build(a)
	fused.Set(fused.Off)
	if err == nil {
		fb, err = build(b)
	}
	fused.Set(was)
	if err != nil {
		t.Fatal(err)
	}
	if !fa.fused || fb.fused {
		t.Fatalf("fused %t and %t, want true and false", fa.fused, fb.fused)
	}
	return fa, fb
}

func codebookBits(m *Map) []uint32 {
	w := m.codebook.Data().([]float32)
	out := make([]uint32, len(w))
	for i, v := range w {
		out[i] = math.Float32bits(v)
	}
	return out
}

// TestFusedForwardMatchesUnfused runs the fused and the unfused graph on
// twin maps and pins that everything they compute is the same bit for
// bit: a search's BMUs, second-best units, exact distances, squared norms,
// per-BMU sums and (computed on demand) reduced distances; a mini-batch
// step's codebook after several Run + UpdateMiniBatch steps; a Batch
// epoch's codebook (SearchInto + Stats.Apply); Evaluate, EvaluateSearch
// and Predict. D = 1, 3, 64, 200 and 300 (past the fused kernel's depth),
// odd batch sizes, K below 16.
func TestFusedForwardMatchesUnfused(t *testing.T) {
	withGemmBLAS(t)
	for _, c := range []struct {
		g       Grid
		d, b, n int
	}{
		{Grid{Rows: 3, Cols: 3}, 1, 33, 301},
		{Grid{Rows: 3, Cols: 5}, 3, 17, 250},
		{Grid{Rows: 6, Cols: 7}, 64, 65, 1500},
		{Grid{Rows: 4, Cols: 3}, 200, 9, 99},
		{Grid{Rows: 2, Cols: 5}, 300, 31, 93},
	} {
		t.Run(fmt.Sprintf("K=%d/D=%d/B=%d", c.g.Units(), c.d, c.b), func(t *testing.T) {
			a, b, data := twinMaps(t, 3, c.g, c.d, c.n)
			// search
			fa, fb := searchBoth(t, a, b, func(m *Map) (*Forward, error) { return m.NewSearch(c.b) })
			x := denseOf(tensor.Float32, c.b, c.d, data[:c.b*c.d])
			if err := fa.Search(x); err != nil {
				t.Fatal(err)
			}
			if err := fb.Search(x); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fa.BMU(), fb.BMU()) || !slices.Equal(fa.Second(), fb.Second()) {
				t.Fatalf("BMUs %v second %v, unfused %v %v", head(fa.BMU()), head(fa.Second()), head(fb.BMU()), head(fb.Second()))
			}
			if fa.BMU()[0] != 0 {
				t.Errorf("record 0 sits on units 0 and 1 (identical): BMU %d, want the lowest", fa.BMU()[0])
			}
			if !sameBits(fa.MinDist(), fb.MinDist()) || !sameBits(fa.SqNorms(), fb.SqNorms()) {
				t.Fatalf("min distances %v, unfused %v", head(fa.MinDist()), head(fb.MinDist()))
			}
			if !sameBits(fa.sumsOp().acc, fb.sumsOp().acc) {
				t.Fatal("per-BMU sums differ")
			}
			ma, _, _ := ArgminStats(fa.bmu)
			mb, _, _ := ArgminStats(fb.bmu)
			if !sameBits(ma, mb) {
				t.Fatal("ArgminStats minima differ")
			}
			if da, db := fa.Distances().Data().([]float32), fb.Distances().Data().([]float32); !slices.Equal(da, db) {
				t.Fatal("Distances differ")
			}

			// mini-batch steps
			fa, fb = searchBoth(t, a, b, func(m *Map) (*Forward, error) { return m.NewForward(c.b) })
			for lo := 0; lo+c.b <= c.n; lo += c.b {
				x := denseOf(tensor.Float32, c.b, c.d, data[lo*c.d:(lo+c.b)*c.d])
				var ea, eb float64
				for i, f := range []*Forward{fa, fb} {
					if err := f.Run(x, 1.3); err != nil {
						t.Fatal(err)
					}
					e, err := f.UpdateMiniBatch(0.3)
					if err != nil {
						t.Fatal(err)
					}
					if i == 0 {
						ea = e
					} else {
						eb = e
					}
				}
				if !slices.Equal(fa.BMU(), fb.BMU()) || math.Float64bits(ea) != math.Float64bits(eb) {
					t.Fatalf("batch at %d: BMUs or distortion differ (%v, %v)", lo, ea, eb)
				}
			}
			if !slices.Equal(codebookBits(a), codebookBits(b)) {
				t.Fatal("codebooks differ after the mini-batch steps")
			}

			// a Batch epoch
			fa, fb = searchBoth(t, a, b, func(m *Map) (*Forward, error) { return m.NewSearch(c.b) })
			sa, sb := a.NewStats(), b.NewStats()
			for lo := 0; lo+c.b <= c.n; lo += c.b {
				x := denseOf(tensor.Float32, c.b, c.d, data[lo*c.d:(lo+c.b)*c.d])
				if err := fa.SearchInto(x, sa); err != nil {
					t.Fatal(err)
				}
				if err := fb.SearchInto(x, sb); err != nil {
					t.Fatal(err)
				}
			}
			if err := sa.Apply(BatchRule(), 1.1); err != nil {
				t.Fatal(err)
			}
			if err := sb.Apply(BatchRule(), 1.1); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(codebookBits(a), codebookBits(b)) {
				t.Fatal("codebooks differ after a Batch epoch")
			}

			// metrics and predict (the maps' own cached searches)
			was := fused.Set(fused.Always)
			qa, errA := a.Evaluate(data, 1.2)
			sqa, errSA := a.EvaluateSearch(data)
			pa, da, errPA := a.Predict(data)
			fused.Set(fused.Off)
			qb, errB := b.Evaluate(data, 1.2)
			sqb, errSB := b.EvaluateSearch(data)
			pb, db, errPB := b.Predict(data)
			fused.Set(was)
			if err := errors.Join(errA, errB, errSA, errSB, errPA, errPB); err != nil {
				t.Fatal(err)
			}
			if qa != qb || sqa != sqb {
				t.Fatalf("Evaluate %+v, unfused %+v; EvaluateSearch %+v, unfused %+v", qa, qb, sqa, sqb)
			}
			if !slices.Equal(pa, pb) || !sameBits(da, db) {
				t.Fatal("Predict differs")
			}
		})
	}
}

// TestNearestUnitsBadInput pins the op's errors: anything but two float32
// matrices of the same width when the node is built, and wrong values,
// counts and preallocated outputs when it runs.
func TestNearestUnitsBadInput(t *testing.T) {
	g := G.NewGraph()
	x32 := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("x32"))
	w32 := G.NewMatrix(g, tensor.Float32, G.WithShape(5, 3), G.WithName("w32"))
	x64 := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("x64"))
	w64 := G.NewMatrix(g, tensor.Float64, G.WithShape(5, 3), G.WithName("w64"))
	w4 := G.NewMatrix(g, tensor.Float32, G.WithShape(5, 4), G.WithName("w4"))
	v32 := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("v32"))
	build := []struct {
		name string
		x, w *G.Node
		want error
	}{
		{"float64", x64, w64, ErrDtype},
		{"mixed dtypes", x32, w64, ErrDtype},
		{"widths differ", x32, w4, ErrShape},
		{"vector", v32, w32, ErrShape},
	}
	for _, c := range build {
		t.Run("build "+c.name, func(t *testing.T) {
			if _, err := NearestUnits(c.x, c.w); !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
	if _, err := NearestUnits(x32, w32); err != nil {
		t.Fatalf("good inputs: %v", err)
	}

	good32 := func(r, c int) *tensor.Dense { return denseOf(tensor.Float32, r, c, make([]float64, r*c)) }
	view, err := good32(8, 3).Slice(tensor.S(0, 8, 2))
	if err != nil {
		t.Fatal(err)
	}
	run := []struct {
		name     string
		vals     []G.Value
		prealloc G.Value
		want     error
	}{
		{"one input", []G.Value{good32(4, 3)}, nil, ErrShape},
		{"three inputs", []G.Value{good32(4, 3), good32(5, 3), good32(5, 3)}, nil, ErrShape},
		{"float64 values", []G.Value{denseOf(tensor.Float64, 4, 3, make([]float64, 12)), denseOf(tensor.Float64, 5, 3, make([]float64, 15))}, nil, ErrDtype},
		{"widths differ", []G.Value{good32(4, 3), good32(5, 2)}, nil, ErrShape},
		{"scalar", []G.Value{G.NewF32(1), good32(5, 3)}, nil, ErrShape},
		{"strided view", []G.Value{view.(*tensor.Dense), good32(5, 3)}, nil, ErrShape},
		{"prealloc float", []G.Value{good32(4, 3), good32(5, 3)}, good32(4, 1), ErrDtype},
		{"prealloc short", []G.Value{good32(4, 3), good32(5, 3)}, tensor.New(tensor.WithShape(3), tensor.Of(tensor.Int)), ErrShape},
	}
	for _, c := range run {
		t.Run("run "+c.name, func(t *testing.T) {
			op := &nearestOp{}
			var err error
			if c.prealloc != nil {
				_, err = op.UsePreallocDo(c.prealloc, c.vals...)
			} else {
				_, err = op.Do(c.vals...)
			}
			if !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
	if _, err := (&nearestOp{}).InferShape(tensor.Shape{4, 3}); !errors.Is(err, ErrShape) {
		t.Errorf("InferShape of one input: %v, want ErrShape", err)
	}
	if s, err := (&nearestOp{}).InferShape(tensor.Shape{4, 3}, tensor.Shape{5, 3}); err != nil || !s.Eq(tensor.Shape{4}) {
		t.Errorf("InferShape: %v, %v; want (4)", s, err)
	}
}

// TestNearestUnitsOpParameters pins the op's name (what somgraph graph
// shows: the distance and the argmin it fuses), its stable hash, and that
// ArgminStats reads it like an Argmin node.
func TestNearestUnitsOpParameters(t *testing.T) {
	op := &nearestOp{}
	if s := op.String(); !strings.Contains(s, "Distance") || !strings.Contains(s, "Argmin") || !strings.Contains(s, "euclidean") || !strings.Contains(s, "float32") {
		t.Errorf("String %q does not name the distance, the argmin, the metric and the dtype", s)
	}
	if op.Hashcode() != (&nearestOp{}).Hashcode() || op.Hashcode() == (&argminOp{}).Hashcode() {
		t.Error("Hashcode not stable, or equal to Argmin's")
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 1), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{0, 3}))))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 1), G.WithName("w"), G.WithValue(tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{4, 0, 1}))))
	n, err := NearestUnits(x, w)
	if err != nil {
		t.Fatal(err)
	}
	if mins, _, _ := ArgminStats(n); mins != nil {
		t.Errorf("ArgminStats before a run: %v, want nil", mins)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	// reduced distances ‖w‖² − 2xw: record 0: 16, 0, 1; record 3: −8, 0, −5
	mins, second, secondVal := ArgminStats(n)
	if got := n.Value().Data().([]int); !slices.Equal(got, []int{1, 0}) || !slices.Equal(second, []int{2, 2}) ||
		!slices.Equal(mins, []float64{0, -8}) || !slices.Equal(secondVal, []float64{1, -5}) {
		t.Errorf("best %v min %v second %v %v, want [1 0] [0 -8] [2 2] [1 -5]", got, mins, second, secondVal)
	}
}

// TestNearestUnitsReusesBuffers pins that a fused search graph, like the
// unfused one (TestForwardReusesBuffers), allocates a small constant
// number of times per run (with the assembly GEMM) and never a buffer the
// size of the batch.
func TestNearestUnitsReusesBuffers(t *testing.T) {
	withFused(t, fused.Always)
	var counts []float64
	for _, b := range []int{512, 4096} {
		m, _ := New(Config{Grid: Grid{Rows: 10, Cols: 10}, Dim: 8, Dtype: tensor.Float32})
		f, _ := m.NewSearch(b)
		if !f.fused {
			t.Fatal("the search is not fused")
		}
		x := denseOf(tensor.Float32, b, 8, randVals(rand.New(rand.NewPCG(1, 1)), b*8))
		run := func() {
			if err := f.Search(x); err != nil {
				t.Fatal(err)
			}
		}
		n, bytes := allocsPerRun(run)
		counts = append(counts, n)
		if input := float64(b * 8 * 4); bytes > input/2 {
			t.Errorf("batch %d: %.0f bytes allocated per run, more than half the batch itself (%.0f)", b, bytes, input)
		}
	}
	// gonum's GEMM (no assembly, -tags purego) allocates its own list of
	// blocks per call, so only the bytes are bounded there.
	if gemm.Asm() && (counts[0] != counts[1] || counts[1] > 100) {
		t.Errorf("allocations per run: %v for batch 512 and 4096: want the same small constant", counts)
	}
}

// TestFusedSearchLeavesDistances pins that nothing on the training and
// prediction paths asks a fused search for the B×K distances it avoids
// (Forward.Distances computes them on demand): MetricsAcc's
// AddWithoutDistortion, EvaluateSearch and Predict run the fused graph
// and leave the matrix uncomputed, while Evaluate, whose distortion reads
// every distance, searches with the distance node.
func TestFusedSearchLeavesDistances(t *testing.T) {
	withFused(t, fused.Always)
	a, _, data := twinMaps(t, 5, Grid{Rows: 4, Cols: 4}, 6, 300)
	f, err := a.NewSearch(100)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Search(denseOf(tensor.Float32, 100, 6, data[:600])); err != nil {
		t.Fatal(err)
	}
	a.NewMetricsAcc().AddWithoutDistortion(f)
	if f.distRun != nil {
		t.Error("AddWithoutDistortion computed the distance matrix")
	}
	a.NewMetricsAcc().Add(f, 1)
	if f.distRun == nil {
		t.Error("Add (with the distortion) did not read the distances")
	}
	if _, err := a.EvaluateSearch(data); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Predict(data); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Evaluate(data, 1); err != nil {
		t.Fatal(err)
	}
	if len(a.evalForwards) != 2 {
		t.Fatalf("%d cached searches, want the fused one and Evaluate's", len(a.evalForwards))
	}
	for key, f := range a.evalForwards {
		if f.fused != (key > 0) {
			t.Errorf("cached search %d: fused %t", key, f.fused)
		}
		if f.fused && f.distRun != nil {
			t.Errorf("cached search %d: the fused search computed the distance matrix", key)
		}
	}
}
