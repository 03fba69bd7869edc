package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// looksNumeric returns a note when a categorical group's levels are
// mostly numbers: a numeric column with a missing-value marker the reader
// did not know, which one-hot encoding would blow up into one column per
// value.
func looksNumeric(g loaders.Group) string {
	if g.Kind != loaders.Categorical || len(g.Levels) < 10 {
		return ""
	}
	numeric, other := 0, ""
	for _, l := range g.Levels {
		if _, err := strconv.ParseFloat(strings.TrimSpace(l), 64); err == nil {
			numeric++
		} else if other == "" && l != loaders.MissingLevel {
			other = l
		}
	}
	if numeric*10 < len(g.Levels)*8 || other == "" {
		return ""
	}
	return fmt.Sprintf("note: column %q looks numeric but was read as categorical (%d levels) because of values such as %q: add them to --na, or declare the column with --cont", g.Name, len(g.Levels), other)
}

// trainData is what train learns from.
type trainData struct {
	name         string // shown in the header line
	train, valid *loaders.Dataset
	pipeline     *loaders.Pipeline
	note         string // e.g. how many bad rows were skipped
}

// loaderOptions turns the data flags into loaders options.
func (f *trainFlags) loaderOptions() (*loaders.Options, error) {
	o := &loaders.Options{ValidFrac: f.valid, ValidColumn: f.validColumn, Seed: f.seed, StreamAbove: f.streamAbove}
	o.Read.Delimiter = []rune(unescape(f.delimiter))[0]
	if f.comment != "" {
		o.Read.Comment = []rune(f.comment)[0]
	}
	o.Read.LazyQuotes = f.lazyQuotes
	if f.na != "" {
		// The markers replace the defaults, but an empty field stays
		// missing: --na 'NA,?' must not turn a numeric column with empty
		// fields into a categorical one.
		o.Read.NA = []string{""}
		for _, m := range strings.Split(f.na, ",") {
			if m = strings.TrimSpace(m); m != "" {
				o.Read.NA = append(o.Read.NA, m)
			}
		}
	}
	o.Read.Cont, o.Read.Cat, o.Read.Ignore = splitList(f.cont), splitList(f.cat), splitList(f.ignore)
	o.Read.Target = strings.TrimSpace(f.target)
	var err error
	if o.Read.BadRows, err = loaders.ParseBadRows(f.badRows); err != nil {
		return nil, usagef("--bad-rows: %s", bare(err))
	}
	if o.Pipeline.Normalize, err = loaders.ParseScaling(f.normalize); err != nil {
		return nil, usagef("--normalize: %s", bare(err))
	}
	if o.Pipeline.Encode, err = loaders.ParseEncoding(f.encode); err != nil {
		return nil, usagef("--encode: %s", bare(err))
	}
	o.Pipeline.NAIndicators = f.naIndicators
	return o, nil
}

// loadTrainData reads the dataset the flags name: a CSV file, a built-in
// table, or (the default) random RGB colours.
func loadTrainData(f *trainFlags) (*trainData, error) {
	if f.colours() {
		// Raw colours in [0, 1], no preprocessing: the codebook is the
		// colour map itself.
		ds := loaders.Colors(f.n, f.seed)
		train, valid, err := ds.Split(f.valid, f.seed)
		if err != nil {
			return nil, usagef("--valid: %s", bare(err))
		}
		return &trainData{name: fmt.Sprintf("%d random RGB colours", f.n), train: train, valid: valid}, nil
	}
	o, err := f.loaderOptions()
	if err != nil {
		return nil, err
	}
	var db *loaders.DataBunch
	name := f.data
	if f.data != "" {
		db, err = loaders.Load(f.data, o)
	} else {
		name = "the built-in " + f.dataset + " table"
		db, err = loaders.Builtin(f.dataset, o)
	}
	if err != nil {
		return nil, dataError(err)
	}
	d := &trainData{name: name, train: db.Train, valid: db.Valid, pipeline: db.Pipeline}
	var notes []string
	for _, g := range db.Pipeline.Layout().Groups {
		if n := looksNumeric(g); n != "" {
			notes = append(notes, n)
		}
	}
	if db.Skipped > 0 {
		first := ""
		if len(db.SkipErrors) > 0 {
			pe := db.SkipErrors[0]
			first = fmt.Sprintf("; the first, %s line %d: %s", pe.Name, pe.Line, bare(pe.Err))
			if pe.ColumnName != "" {
				first = fmt.Sprintf("; the first, %s line %d, column %q: %s", pe.Name, pe.Line, pe.ColumnName, bare(pe.Err))
			}
		}
		notes = append(notes, fmt.Sprintf("skipped %d bad rows (--bad-rows skip)%s", db.Skipped, first))
	}
	if db.Streamed {
		notes = append(notes, fmt.Sprintf("read %s in two streaming passes (larger than --stream-above)", f.data))
	}
	d.note = strings.Join(notes, "\n")
	return d, nil
}

// dataError rewrites a loaders error for the command line: advice that
// names a Go option names the flag instead, and a flag that names a column
// the data lack is bad usage.
func dataError(err error) error {
	msg := bare(err)
	msg = strings.ReplaceAll(msg, "set BadRows to Skip", "pass --bad-rows skip")
	msg = strings.ReplaceAll(msg, "set LazyQuotes", "pass --lazy-quotes")
	for _, opt := range []string{"Cont", "Cat", "Ignore", "Target"} {
		msg = strings.ReplaceAll(msg, " in "+opt+":", " in --"+strings.ToLower(opt)+":")
	}
	if errors.Is(err, loaders.ErrUnknownColumn) || errors.Is(err, loaders.ErrRoleConflict) {
		return usagef("%s", msg)
	}
	return &cliError{msg: msg, err: err}
}

// cliError is an error whose message the CLI rewrote.
type cliError struct {
	msg string
	err error
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// readWithPipeline reads raw rows (in the original columns) and applies a
// model's pipeline.
func readWithPipeline(r io.Reader, name string, p *loaders.Pipeline, comma rune) (*loaders.Dataset, error) {
	ro := p.ReadOptions()
	ro.Name, ro.Delimiter = name, comma
	t, err := loaders.ReadCSV(r, &ro)
	if err != nil {
		return nil, dataError(err)
	}
	ds, err := p.Transform(t)
	if err != nil {
		return nil, dataError(err)
	}
	return ds, nil
}

// writeDecodedCodebook writes the codebook decoded by the model's pipeline.
func writeDecodedCodebook(w io.Writer, m *trainer.Model) error {
	g := m.Config.Grid
	return m.Pipeline.WriteCodebook(w, m.Weights, g.Rows, g.Cols)
}
