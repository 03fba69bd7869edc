package embed

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// planted returns n rows of a column of 8 levels in two groups (0–3 and
// 4–7) whose rows look alike in three continuous columns, plus a second,
// unrelated categorical column of 3 levels.
func planted(n int, seed uint64) *Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &Data{Names: []string{"planted", "noise"}, Levels: []int{8, 3}, NCont: 3, N: n}
	for i := 0; i < n; i++ {
		k := rng.IntN(8)
		sign := 1.0
		if k >= 4 {
			sign = -1
		}
		d.Codes = append(d.Codes, k, rng.IntN(3))
		d.Cont = append(d.Cont, sign+0.5*rng.NormFloat64(), -sign+0.5*rng.NormFloat64(), 0.7*sign+0.5*rng.NormFloat64())
	}
	return d
}

func cosDist(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return 1 - ab/math.Sqrt(aa*bb)
}

func TestPlantedGroups(t *testing.T) {
	m, err := Fit(planted(3000, 7), &Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	within, between := groupDistances(m.Tables[0])
	t.Logf("within %.3f between %.3f, %d epochs, sizes %v", within, between, len(m.Epochs), m.Sizes)
	for _, e := range m.Epochs {
		t.Log(e)
	}
	if !(within < 0.5*between) {
		t.Errorf("mean cosine distance within groups %.3f, between %.3f: want within < half of between", within, between)
	}
}

func TestDeterministic(t *testing.T) {
	d := planted(600, 2)
	var lines []string
	a, err := Fit(d, &Options{Seed: 9, Epochs: 5, Progress: func(e Epoch) { lines = append(lines, e.String()) }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fit(d, &Options{Seed: 9, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Fit(d, &Options{Seed: 10, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different models")
	}
	if reflect.DeepEqual(a.Tables, c.Tables) {
		t.Error("seeds 9 and 10 gave the same tables")
	}
	if len(lines) != len(a.Epochs) || len(lines) == 0 || !strings.HasPrefix(lines[0], "embed: epoch 1/5 train loss ") || !strings.Contains(lines[0], "valid loss") {
		t.Errorf("progress lines %q for %d epochs", lines, len(a.Epochs))
	}
	for c, tab := range a.Tables {
		if len(tab) != d.Levels[c]+1 || len(tab[0]) != a.Sizes[c] {
			t.Errorf("column %d: table %d×%d, want %d×%d", c, len(tab), len(tab[0]), d.Levels[c]+1, a.Sizes[c])
		}
	}
}

// TestEarlyStopping: with a patience of 1 and many epochs, training stops
// at the first epoch that does not improve, and the kept epoch is the best.
func TestEarlyStopping(t *testing.T) {
	m, err := Fit(planted(600, 4), &Options{Seed: 1, Epochs: 200, Patience: 1, LearnRate: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Epochs) == 200 {
		t.Fatal("ran every epoch")
	}
	last := m.Epochs[len(m.Epochs)-1]
	if last.Best {
		t.Errorf("stopped after a best epoch: %v", last)
	}
	for _, e := range m.Epochs {
		if e.Valid < m.Epochs[m.Best].Valid {
			t.Errorf("epoch %d has valid loss %v below the kept epoch %d's %v", e.N, e.Valid, m.Best+1, m.Epochs[m.Best].Valid)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 2, 2: 2, 4: 3, 6: 4, 10: 6, 100: 21, 1e6: 600} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	good := func() *Data { return planted(40, 1) }
	cases := map[string]struct {
		d    func() *Data
		o    Options
		want error
	}{
		"nil":           {func() *Data { return nil }, Options{}, ErrInput},
		"one row":       {func() *Data { d := good(); d.N, d.Codes, d.Cont = 1, d.Codes[:2], d.Cont[:3]; return d }, Options{}, ErrInput},
		"no columns":    {func() *Data { d := good(); d.Levels, d.Codes = nil, nil; return d }, Options{}, ErrInput},
		"ragged":        {func() *Data { d := good(); d.Cont = d.Cont[1:]; return d }, Options{}, ErrInput},
		"one level":     {func() *Data { d := good(); d.Levels[1] = 1; return d }, Options{}, ErrLevels},
		"levels>rows":   {func() *Data { d := good(); d.Levels[1] = 41; return d }, Options{}, ErrLevels},
		"levels>rows/2": {func() *Data { d := good(); d.Levels[1] = 21; return d }, Options{}, ErrLevels},
		"bad code":      {func() *Data { d := good(); d.Codes[3] = 4; return d }, Options{}, ErrInput},
		"NaN":           {func() *Data { d := good(); d.Cont[5] = math.NaN(); return d }, Options{}, ErrInput},
		"Inf":           {func() *Data { d := good(); d.Cont[5] = math.Inf(-1); return d }, Options{}, ErrInput},
		"size 0":        {good, Options{Sizes: []int{3, 0}}, ErrSize},
		"sizes count":   {good, Options{Sizes: []int{3}}, ErrSize},
		"epochs":        {good, Options{Epochs: -1}, ErrInput},
		"learn rate":    {good, Options{LearnRate: math.NaN()}, ErrInput},
		"valid frac":    {good, Options{ValidFrac: 1}, ErrInput},
		"visible":       {good, Options{Visible: -1}, ErrInput},
		"no signal":     {good, Options{Noise: -1}, ErrInput},
		"diverges":      {good, Options{LearnRate: 1e300, Epochs: 3}, ErrDiverged},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := Fit(tc.d(), &tc.o)
			if !errors.Is(err, tc.want) || m != nil {
				t.Fatalf("got %v, %v; want %v", m, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "embed: ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
}

func BenchmarkFit(b *testing.B) {
	d := planted(20000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(d, &Options{Seed: 1, Epochs: 5, Patience: 5}); err != nil {
			b.Fatal(err)
		}
	}
}
