package loaders_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/somgraph/somgraph/loaders"
)

func ExampleReadCSV() {
	in := "\uFEFFid,height,colour,kind\r\n" +
		"1,1.5,red,a\r\n" +
		"2,NA,\"dark blue\",b\r\n" +
		"3,2.5,?,a\r\n"
	t, err := loaders.ReadCSV(strings.NewReader(in), &loaders.ReadOptions{Ignore: []string{"id"}, Target: "kind"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range t.Columns {
		fmt.Printf("%-7s %-11v missing %d\n", c.Name, c.Role, c.MissingCount())
	}
	// Output:
	// id      ignored     missing 0
	// height  continuous  missing 1
	// colour  categorical missing 1
	// kind    target      missing 0
}

func ExampleParseError() {
	in := "a,b\n1,2\n3,x\n"
	_, err := loaders.ReadCSV(strings.NewReader(in), &loaders.ReadOptions{Name: "data.csv", Cont: []string{"b"}})
	var pe *loaders.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Line, pe.Column, pe.ColumnName, errors.Is(err, loaders.ErrNotNumber))
	}
	fmt.Println(err)
	// Output:
	// 3 2 b true
	// loaders: data.csv:3: column 2 "b": value "x": value is not a number: fix the value, add it to the NA markers, declare the column categorical, or set BadRows to Skip
}

func ExampleFit() {
	t, _ := loaders.ReadCSV(strings.NewReader("size,colour\n1,red\n3,blue\nNA,red\n"), nil)
	p, err := loaders.Fit(t, nil, &loaders.PipelineOptions{Normalize: loaders.MinMax, NAIndicators: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	ds, _ := p.Transform(t)
	fmt.Println(ds.Features)
	for i := 0; i < ds.N; i++ {
		dec, _ := p.Decode(ds.Row(i))
		fmt.Println(ds.Row(i), dec)
	}
	// Output:
	// [size size_na colour=blue colour=red]
	// [0 0 0 1] [1 red]
	// [1 0 1 0] [3 blue]
	// [0.5 1 0 1] [2 red]
}

func ExampleBuiltin() {
	db, err := loaders.Builtin("penguins", &loaders.Options{ValidFrac: 0.2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(db.Train.N, db.Valid.N, db.Train.D)
	for _, g := range db.Layout().Groups {
		fmt.Println(g.Name, g.Kind, g.Start, g.Width)
	}
	// Output:
	// 275 69 11
	// island categorical 0 3
	// bill_length_mm continuous 3 1
	// bill_depth_mm continuous 4 1
	// flipper_length_mm continuous 5 1
	// body_mass_g continuous 6 1
	// sex categorical 7 3
	// year continuous 10 1
}

func ExamplePipeline_WriteCodebook() {
	t, _ := loaders.ReadCSV(strings.NewReader("temp,sky\n10,sun\n20,rain\n"), nil)
	p, _ := loaders.Fit(t, nil, nil)
	// A 1×2 map: unit 0 near the first record, unit 1 near the second.
	codebook := []float64{
		-0.9, 0.1, 0.8, // temp, sky=rain, sky=sun
		1.1, 0.7, 0.2,
	}
	if err := p.WriteCodebook(os.Stdout, codebook, 1, 2); err != nil {
		fmt.Println(err)
	}
	// Output:
	// som_row,som_col,temp,sky
	// 0,0,10.5,sun
	// 0,1,20.5,rain
}
