package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/somgraph/somgraph/trainer"
)

var codebookHelp = help{
	cmd:  "codebook",
	args: "--model FILE [--out FILE.csv] [--second | --encoded]",
	about: `Write a model's codebook as CSV: one row per unit, som_row and som_col, then
every feature. When the model carries a preprocessing pipeline the weights
are decoded back to the original columns (continuous values in their
original units, categorical columns as the winning category's name), as
fastsom's codebook_to_df does; --encoded writes the raw encoded weights
instead. A column encoded as learned embeddings decodes to the level whose
vector is nearest by cosine; --second adds <name>_second (the second-nearest
level) and <name>_margin (its cosine distance less the nearest's: a small
margin marks a unit between two levels) for each such column.`,
	groups: []group{
		{"Input", []string{"model"}},
		{"Output", []string{"out", "encoded", "second"}},
	},
	examples: []string{
		"somgraph codebook --model somgraph-out/model.somg --out codebook.csv",
		"somgraph codebook --model houses.somg --encoded",
		"somgraph codebook --model houses.somg --second",
	},
}

func runCodebook(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config, modelPath, outPath string
	var encoded, second bool
	fs := newFlagSet("codebook", &config)
	fs.StringVar(&modelPath, "model", "", "model `file` written by somgraph train (required)")
	fs.StringVar(&outPath, "out", "-", "CSV `file` to write, - for standard output")
	fs.BoolVar(&encoded, "encoded", false, "write the encoded weights the map trains on, not decoded values")
	fs.BoolVar(&second, "second", false, "for each column encoded as embeddings, add the second-nearest level and its margin")
	_, code := parse(fs, codebookHelp, &config, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if modelPath == "" {
		return report(stderr, "codebook", usagef("--model: name the model file, for example --model somgraph-out/model.somg"))
	}
	if second && encoded {
		return report(stderr, "codebook", usagef("--second decodes levels, --encoded writes raw weights: use one"))
	}
	if err := checkOutFile("out", outPath, "codebook.csv"); err != nil {
		return report(stderr, "codebook", err)
	}
	m, err := trainer.LoadFile(modelPath)
	if err != nil {
		return report(stderr, "codebook", fmt.Errorf("--model: %w", err))
	}
	err = writeOutput(outPath, stdout, func(w io.Writer) error {
		if m.Pipeline != nil && !encoded {
			return writeDecodedCodebook(w, m, second)
		}
		return writeRawCodebook(w, m)
	})
	if err != nil {
		return report(stderr, "codebook", err)
	}
	return exitOK
}

// writeRawCodebook writes som_row, som_col and the D weights of each unit.
func writeRawCodebook(w io.Writer, m *trainer.Model) error {
	g, d := m.Config.Grid, m.Config.Dim
	head := []string{"som_row", "som_col"}
	for j := 0; j < d; j++ {
		name := fmt.Sprintf("w%d", j)
		if len(m.Features) == d {
			name = m.Features[j]
		}
		head = append(head, name)
	}
	cw := csv.NewWriter(w)
	cw.Write(head)
	rec := make([]string, d+2)
	for k := 0; k < g.Units(); k++ {
		r, c := g.RowCol(k)
		rec[0], rec[1] = strconv.Itoa(r), strconv.Itoa(c)
		for j := 0; j < d; j++ {
			rec[j+2] = strconv.FormatFloat(m.Weights[k*d+j], 'g', 7, 64)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
