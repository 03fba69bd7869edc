package loaders

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// embGroup is an Embedding group of three levels in columns 1–2 of a
// 4-column vector, with the unknown level's row last.
func embGroup() Group {
	return Group{Name: "colour", Kind: Categorical, Start: 1, Width: 2, Encoding: Embedding,
		Levels:  []string{"red", "green", "blue"},
		Vectors: [][]float64{{1, 0}, {0, 1}, {-1, 0}, {0, -0.1}}}
}

// refNearest sorts the table's rows by cosine distance to v's part (stable,
// so ties keep the lower row) and returns the first two as codes.
func refNearest(g Group, v []float64) (int, int, float64) {
	x := v[g.Start : g.Start+g.Width]
	type cand struct {
		k int
		d float64
	}
	var cs []cand
	for k, row := range g.Vectors {
		var xy, xx, yy float64
		for i := range row {
			xy += x[i] * row[i]
			xx += x[i] * x[i]
			yy += row[i] * row[i]
		}
		cs = append(cs, cand{k, 1 - xy/math.Sqrt(xx*yy)})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	code := func(k int) int {
		if k == len(g.Levels) {
			return -1
		}
		return k
	}
	return code(cs[0].k), code(cs[1].k), cs[1].d - cs[0].d
}

func TestNearestMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 1))
	g := Group{Name: "zip", Kind: Categorical, Start: 2, Width: 5, Encoding: Embedding}
	for k := range 12 {
		g.Levels = append(g.Levels, fmt.Sprint("z", k))
	}
	for range 13 {
		row := make([]float64, 5)
		for i := range row {
			row[i] = rng.NormFloat64()
		}
		g.Vectors = append(g.Vectors, row)
	}
	if err := g.CheckVectors(); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		v := make([]float64, 9)
		for j := range v {
			v[j] = rng.NormFloat64()
		}
		if i%7 == 0 { // exactly a table row, scaled: that level at margin > 0
			k := rng.IntN(13)
			for j, y := range g.Vectors[k] {
				v[2+j] = 3 * y
			}
		}
		b, s, m := g.Nearest(v)
		rb, rs, rm := refNearest(g, v)
		if b != rb || s != rs || math.Abs(m-rm) > 1e-12 {
			t.Fatalf("vector %d: Nearest = %d, %d, %g; reference %d, %d, %g", i, b, s, m, rb, rs, rm)
		}
		if c := g.Code(v); c != rb {
			t.Fatalf("vector %d: Code = %d, reference %d", i, c, rb)
		}
		if m < 0 || m > 2 {
			t.Fatalf("margin %g outside [0, 2]", m)
		}
	}
}

func TestNearestCases(t *testing.T) {
	g := embGroup()
	cases := []struct {
		name         string
		v            []float64
		best, second int
		margin       float64
	}{
		{"a level's vector", []float64{9, 2, 0, 9}, 0, 1, 1},
		{"scaled, other columns ignored", []float64{-5, 0, 7, 5}, 1, 0, 1},
		{"between red and green: a tie to the lower", []float64{0, 1, 1, 0}, 0, 1, 0},
		{"nearest the unknown row", []float64{0, 0, -3, 0}, -1, 0, 1},
		{"near blue, unknown second", []float64{0, -1, -0.2, 0}, 2, -1, 0.8 / math.Sqrt(1.04)},
		{"zero: no direction", []float64{1, 0, 0, 1}, -1, -1, 0},
		{"NaN", []float64{0, math.NaN(), 1, 0}, -1, -1, 0},
		{"Inf", []float64{0, math.Inf(1), 1, 0}, -1, -1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, s, m := g.Nearest(c.v)
			if b != c.best || s != c.second || math.Abs(m-c.margin) > 1e-12 {
				t.Errorf("Nearest(%v) = %d, %d, %g; want %d, %d, %g", c.v, b, s, m, c.best, c.second, c.margin)
			}
			if got := g.Code(c.v); got != c.best {
				t.Errorf("Code(%v) = %d, want %d", c.v, got, c.best)
			}
		})
	}
}

func TestCheckVectorsBadTables(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(g *Group)
		row   int // the spoiled row (3 is the unknown level's), -1 for none
	}{
		{"one row short", func(g *Group) { g.Vectors = g.Vectors[:3] }, -1},
		{"nil table", func(g *Group) { g.Vectors = nil }, -1},
		{"width mismatch", func(g *Group) { g.Vectors[1] = []float64{0, 1, 3} }, 1},
		{"NaN", func(g *Group) { g.Vectors[2][0] = math.NaN() }, 2},
		{"Inf", func(g *Group) { g.Vectors[3][1] = math.Inf(-1) }, 3},
		{"zero level vector", func(g *Group) { g.Vectors[0] = []float64{0, 0} }, 0},
		{"zero unknown vector", func(g *Group) { g.Vectors[3] = []float64{0, 0} }, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := embGroup()
			if err := g.CheckVectors(); err != nil {
				t.Fatalf("good table: %v", err)
			}
			c.spoil(&g)
			if err := g.CheckVectors(); !errors.Is(err, ErrVectors) {
				t.Fatalf("CheckVectors = %v, want ErrVectors", err)
			}
			// Decoding never panics and never picks the spoiled row, even
			// for a vector pointing right at what it held.
			code := c.row
			if code == 3 {
				code = -1
			}
			for _, v := range [][]float64{{0, 1, 0, 0}, {0, 0, 1, 0}, {0, -1, 0, 0}, {0, 0, -1, 0}, {0, 1, 1, 0}} {
				b, s, _ := g.Nearest(v)
				if c.row >= 0 && (b == code || s == code) {
					t.Errorf("Nearest(%v) = %d, %d: picked the spoiled row %d", v, b, s, c.row)
				}
			}
		})
	}
	if err := (Group{Encoding: OneHot}).CheckVectors(); err != nil {
		t.Errorf("a one-hot group has no table to check: %v", err)
	}
}

func ExampleGroup_Nearest() {
	g := Group{Name: "colour", Kind: Categorical, Start: 0, Width: 2, Encoding: Embedding,
		Levels:  []string{"red", "orange", "blue"},
		Vectors: [][]float64{{1, 0}, {0.8, 0.6}, {-1, 0}, {0, -1}}}
	best, second, margin := g.Nearest([]float64{0.95, 0.3}) // a codebook vector
	fmt.Printf("%s, then %s by %.3f\n", g.Levels[best], g.Levels[second], margin)
	// Output: red, then orange by 0.010
}

// embeddedPipeline returns a pipeline of a continuous "size" and a
// categorical "colour" whose one-hot layout is swapped by hand for an
// Embedding group of embGroup's table (2 columns), as an embedding
// pipeline lays it out.
func embeddedPipeline(t *testing.T) *Pipeline {
	t.Helper()
	tab, err := ReadCSV(strings.NewReader("size,colour\n1,red\n3,green\n2,blue\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Fit(tab, nil, &PipelineOptions{Normalize: NoScaling})
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range p.layout.Groups {
		if g.Kind == Categorical {
			e := embGroup()
			g.Encoding, g.Width, g.Levels, g.Vectors = Embedding, 2, p.Columns[g.Column].Levels, e.Vectors
			p.layout.Groups[i] = g
		}
	}
	p.layout.Width = 3
	return p
}

func TestWriteCodebookNearest(t *testing.T) {
	p := embeddedPipeline(t)
	// Levels sort as blue, green, red: rows (1,0)=blue, (0,1)=green,
	// (-1,0)=red, (0,-0.1) unknown.
	codebook := []float64{
		1, 1, 0.2, // blue, then green by 1 − 0.2/√1.04 − (1 − 1/√1.04)
		2, 0, 1, // green, then blue by 1
		3, -1, -1, // red, then the unknown level: a tie, broken to the lower row
		4, 0, 0, // no direction: unknown, unknown, 0
	}
	var plain, near strings.Builder
	if err := p.WriteCodebook(&plain, codebook, 2, 2); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteCodebookNearest(&near, codebook, 2, 2); err != nil {
		t.Fatal(err)
	}
	want := "som_row,som_col,size,colour\n0,0,1,blue\n0,1,2,green\n1,0,3,red\n1,1,4,unknown\n"
	if plain.String() != want {
		t.Errorf("WriteCodebook:\n%s\nwant\n%s", plain.String(), want)
	}
	m0 := strconv.FormatFloat(0.8/math.Sqrt(1.04), 'g', 6, 64)
	want = "som_row,som_col,size,colour,colour_second,colour_margin\n0,0,1,blue,green," + m0 +
		"\n0,1,2,green,blue,1\n1,0,3,red,unknown,0\n1,1,4,unknown,unknown,0\n"
	if near.String() != want {
		t.Errorf("WriteCodebookNearest:\n%s\nwant\n%s", near.String(), want)
	}
	got, err := p.Recategorize(codebook[3:6])
	if err != nil || len(got) != 1 || got[0] != "green" {
		t.Errorf("Recategorize = %v, %v; want [green]", got, err)
	}

	p.layout.Groups[1].Vectors[2] = []float64{math.NaN(), 0}
	if err := p.WriteCodebookNearest(&near, codebook, 2, 2); !errors.Is(err, ErrVectors) {
		t.Errorf("a NaN in the table: %v, want ErrVectors", err)
	}
	p.layout.Groups[1].Vectors = p.layout.Groups[1].Vectors[:2]
	if err := p.WriteCodebookNearest(&near, codebook, 2, 2); !errors.Is(err, ErrVectors) {
		t.Errorf("a short table: %v, want ErrVectors", err)
	}
	if err := p.WriteCodebookNearest(&near, codebook[:9], 2, 2); err == nil {
		t.Error("a short codebook: want an error")
	}
}
