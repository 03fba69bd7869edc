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

// refNearest sorts the level rows by cosine distance to v's part (stable,
// so ties keep the lower row) and returns the first two; a part in the
// unknown row's direction is the unknown level (−1), the nearest level
// second.
func refNearest(g Group, v []float64) (int, int, float64) {
	x := v[g.Start : g.Start+g.Width]
	cos := func(row []float64) float64 {
		var xy, xx, yy float64
		for i := range row {
			xy += x[i] * row[i]
			xx += x[i] * x[i]
			yy += row[i] * row[i]
		}
		return 1 - xy/math.Sqrt(xx*yy)
	}
	type cand struct {
		k int
		d float64
	}
	var cs []cand
	for k := range g.Levels {
		cs = append(cs, cand{k, cos(g.Vectors[k])})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	if u := cos(g.Vectors[len(g.Levels)]); u < 1e-12 {
		return -1, cs[0].k, cs[0].d - u
	}
	return cs[0].k, cs[1].k, cs[1].d - cs[0].d
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
		{"the unknown row's direction", []float64{0, 0, -3, 0}, -1, 0, 1},
		{"nearer the unknown row than any level: still a level", []float64{0, 0.1, -1, 0}, 0, 2, 0.2 / math.Sqrt(1.01)},
		{"near blue, green second (the unknown row is no candidate)", []float64{0, -1, -0.2, 0}, 2, 1, 1.2 / math.Sqrt(1.04)},
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
		3, -1, -1, // red, then blue and green tied (to the lower), √2 apart; the unknown row is no candidate
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
		"\n0,1,2,green,blue,1\n1,0,3,red,blue," + strconv.FormatFloat(math.Sqrt2, 'g', 6, 64) + "\n1,1,4,unknown,unknown,0\n"
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

// TestEmbeddingRecordsDecode: with a fitted embedding pipeline every
// record decodes to its own level (its vector is the level's row), and a
// value the pipeline did not see decodes to the unknown level, in
// Recategorize, Decode and the second-nearest columns.
func TestEmbeddingRecordsDecode(t *testing.T) {
	var rows [][]string
	for i := range 60 {
		rows = append(rows, []string{fmt.Sprint(i % 7), []string{"ant", "bee", "cat", "dog"}[i%4], fmt.Sprint(i % 3)})
	}
	tab, err := FromStrings([]string{"x", "pet", "y"}, rows, &ReadOptions{Cat: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Fit(tab, nil, &PipelineOptions{Encode: Embedding, Embed: &EmbedOptions{Seed: 1, Epochs: 5}})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds.N {
		got, err := p.Decode(ds.Row(i))
		if err != nil {
			t.Fatal(err)
		}
		if got[1] != rows[i][1] || got[2] != rows[i][2] {
			t.Fatalf("record %d %v decodes to %v", i, rows[i], got)
		}
	}
	unseen, err := FromStrings([]string{"x", "pet", "y"}, [][]string{{"3", "emu", "7"}}, &ReadOptions{Cat: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	us, err := p.Transform(unseen)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Recategorize(us.Row(0))
	if err != nil || len(got) != 2 || got[0] != UnknownLevel || got[1] != UnknownLevel {
		t.Fatalf("unseen values decode to %v, %v; want unknown, unknown", got, err)
	}
	for _, g := range p.Layout().CategoricalGroups() {
		if g.Encoding != Embedding {
			t.Fatalf("group %s is %v", g.Name, g.Encoding)
		}
		if b, s, m := g.Nearest(us.Row(0)); b != -1 || s < 0 || !(m >= 0) {
			t.Errorf("%s: Nearest of the unknown row = %d, %d, %g; want -1, a level, margin ≥ 0", g.Name, b, s, m)
		}
	}
}
