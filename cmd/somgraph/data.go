package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/embed"
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
	o.Read.Decimal, _ = decimalMark(f.decimal, o.Read.Delimiter)
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
	if o.Pipeline.Encode == loaders.Embedding {
		eo := &loaders.EmbedOptions{Epochs: f.embedEpochs, Method: f.embedMethod}
		if eo.Sizes, err = parseSizes(f.embedSize); err != nil {
			return nil, usagef("--embed-size: %s", err)
		}
		if w := f.embedLog; w != nil {
			eo.Progress = func(e embed.Epoch) { fmt.Fprintln(w, e) }
		}
		o.Pipeline.Embed = eo
	}
	if o.Pipeline.Missing, err = loaders.ParseMissing(f.missing); err != nil {
		return nil, usagef("--missing: %s", bare(err))
	}
	return o, nil
}

// parseSizes parses "name=size,..." into a map (nil for an empty list).
func parseSizes(s string) (map[string]int, error) {
	var m map[string]int
	for _, kv := range splitList(s) {
		name, v, ok := strings.Cut(kv, "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if name = strings.TrimSpace(name); !ok || name == "" || err != nil {
			return nil, fmt.Errorf("%q: want name=size, for example island=2", kv)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("column %q given twice", name)
		}
		if m == nil {
			m = map[string]int{}
		}
		m[name] = n
	}
	return m, nil
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
	// train keeps only the encoded records: no raw table (a plain
	// numeric file is then read in one pass, straight into them).
	o.NoTable = true
	var db *loaders.DataBunch
	name := f.data
	if f.data != "" {
		db, err = loaders.Load(f.data, o)
	} else {
		name = "the built-in " + f.dataset + " table"
		db, err = loaders.Builtin(f.dataset, o)
	}
	if err != nil {
		return nil, dataError(err, trainHints)
	}
	d := &trainData{name: name, train: db.Train, valid: db.Valid, pipeline: db.Pipeline}
	var notes []string
	for _, g := range db.Pipeline.Layout().Groups {
		if n := looksNumeric(g); n != "" {
			notes = append(notes, n)
		}
	}
	if len(db.CommaDecimals) > 0 {
		notes = append(notes, commaNote(db.CommaDecimals))
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

// trainHints are the remedies for loaders' parse errors in the words of
// train's flags, by sentinel; sentinels not listed keep loaders' hint.
var trainHints = map[error]string{
	loaders.ErrFieldCount:       "make every row have one field per header column, or pass --bad-rows skip",
	loaders.ErrSyntax:           "fix the quoting (a quote inside a field must be doubled), or pass --lazy-quotes",
	loaders.ErrNotNumber:        "fix the value, add it to --na, declare the column with --cat, or pass --bad-rows skip",
	loaders.ErrInfinite:         "replace it with a finite value or an --na marker, or pass --bad-rows skip",
	loaders.ErrMissingTarget:    "fill the target, or pass --bad-rows skip",
	loaders.ErrTargetEmpty:      "choose another --target, or none",
	loaders.ErrNoFeaturePresent: "give the row a value or drop it, or pass --missing fill",
}

// modelHints are the remedies for parse errors in the rows that predict and
// plot --data read through a model's pipeline: no flag changes how they
// are read, but the pipeline fills (or the map skips) missing values.
var modelHints = map[error]string{
	loaders.ErrFieldCount:       "make every row have one field per header column",
	loaders.ErrSyntax:           "fix the quoting (a quote inside a field must be doubled)",
	loaders.ErrNotNumber:        "fix the value, or leave it empty: the model fills or skips missing values",
	loaders.ErrInfinite:         "replace it with a finite value, or leave it empty: the model fills or skips missing values",
	loaders.ErrNoFeaturePresent: "give the row at least one value, or drop it: the model skips missing values, but a row needs one to be placed",
}

// numericHints are the remedies for bad values in the rows read for a model
// without a pipeline.
var numericHints = map[error]string{
	loaders.ErrNotNumber: "this model has no preprocessing to fill missing values: give a finite number",
	loaders.ErrInfinite:  "this model has no preprocessing to fill missing values: give a finite number",
}

// optionFlags are the flags behind loaders.ReadOptions fields that name
// columns.
var optionFlags = map[string]string{
	"Cont": "--cont", "Cat": "--cat", "Ignore": "--ignore", "Target": "--target", "ValidColumn": "--valid-column",
}

// dataError turns an error of loaders into the command line's: a
// *loaders.ParseError gets the Hint of hints for its sentinel (or,
// for a wrong delimiter, the --delimiter to pass); a *loaders.ColumnError
// is told in terms of flags or of the model's columns. A flag naming a
// column the data lack, conflicting roles and a wrong delimiter are bad
// usage; every other data error is a failure.
func dataError(err error, hints map[error]string) error {
	var ce *loaders.ColumnError
	if errors.As(err, &ce) {
		return columnError(ce)
	}
	if errors.Is(err, loaders.ErrRoleConflict) {
		return &usageError{msg: bare(err), err: err}
	}
	var pe *loaders.ParseError
	if errors.As(err, &pe) {
		c := *pe
		if h, ok := hints[pe.Err]; ok {
			c.Hint = h
		}
		if pe.Err == loaders.ErrNotNumber && commaNumber(pe.Value) {
			c.Hint = "it has a decimal comma: pass --decimal , (and a --delimiter other than ,)"
		}
		if pe.Err == loaders.ErrDelimiter {
			if d, ok := loaders.GuessDelimiter(pe.Value, 0); ok {
				c.Hint = "pass --delimiter " + strconv.QuoteRune(d)
			}
			return &usageError{msg: bare(&c), err: err}
		}
		return &cliError{msg: bare(&c), err: err}
	}
	return &cliError{msg: bare(err), err: err}
}

// columnError tells a *loaders.ColumnError on the command line: a flag
// naming columns the data lack (bad usage), or data lacking columns the
// model needs (a failure, whichever command reads them).
func columnError(ce *loaders.ColumnError) error {
	what := "column"
	if len(ce.Missing) != 1 {
		what = "columns"
	}
	missing := make([]string, len(ce.Missing))
	for i, m := range ce.Missing {
		missing[i] = strconv.Quote(m)
	}
	name := ce.Name
	if name == "" {
		name = "the data"
	}
	if flag, ok := optionFlags[ce.Option]; ok {
		return &usageError{msg: fmt.Sprintf("unknown %s %s in %s: the columns of %s are %s",
			what, strings.Join(missing, ", "), flag, name, strings.Join(ce.Have, ", ")), err: ce}
	}
	msg := fmt.Sprintf("%s lacks %s %s that the model needs: the model takes %s", name, what, strings.Join(missing, ", "), strings.Join(ce.Want, ", "))
	if extra := ce.Extra(); len(extra) > 0 {
		msg += fmt.Sprintf("; %s also has %s, which the model does not use", name, strings.Join(extra, ", "))
	}
	return &cliError{msg: msg, err: ce}
}

// cliError is an error of a library told in the command line's words.
type cliError struct {
	msg string
	err error
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// decimalUsage is the help of the --decimal flag.
const decimalUsage = "`mark` of the decimals in --data's numbers: . or , (with , the fields must be separated by another --delimiter, such as ';')"

// decimalMark parses a --decimal value given with the field separator
// delim.
func decimalMark(s string, delim rune) (rune, error) {
	switch strings.TrimSpace(s) {
	case ".", "":
		return '.', nil
	case ",":
		if delim == ',' {
			return 0, usagef("--decimal ,: the fields must then be separated by another character: add --delimiter ';'")
		}
		return ',', nil
	}
	return 0, usagef("--decimal %q: want . or ,", s)
}

// commaNumber reports whether v is a number written with a decimal comma.
func commaNumber(v string) bool {
	v = strings.TrimSpace(v)
	if strings.Count(v, ",") != 1 || strings.Contains(v, ".") {
		return false
	}
	_, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	return err == nil
}

// commaNote says that columns read as categorical hold numbers written with
// a decimal comma, and how to read them as numbers.
func commaNote(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = strconv.Quote(c)
	}
	what := "column " + q[0] + " holds"
	if len(q) > 1 {
		what = "columns " + strings.Join(q, ", ") + " hold"
	}
	return fmt.Sprintf("warning: %s numbers with a decimal comma (such as 2,5), read as categories: pass --decimal , to read them as numbers", what)
}

// readWithPipeline reads raw rows (in the original columns) and applies a
// model's pipeline.
func readWithPipeline(r io.Reader, name string, p *loaders.Pipeline, in input) (*loaders.Dataset, error) {
	ro := p.ReadOptions()
	ro.Name, ro.Delimiter, ro.Decimal = name, in.delim, in.decimal
	ds, err := p.ReadTransform(r, &ro)
	if err != nil {
		return nil, dataError(err, modelHints)
	}
	return ds, nil
}

// writeDecodedCodebook writes the codebook decoded by the model's pipeline,
// with the second-nearest levels of embedded columns when second is set.
func writeDecodedCodebook(w io.Writer, m *trainer.Model, second bool) error {
	g := m.Config.Grid
	if m.Target != nil {
		return writeSupervisedCodebook(w, m, second)
	}
	if second {
		return m.Pipeline.WriteCodebookNearest(w, m.Weights, g.Rows, g.Cols)
	}
	return m.Pipeline.WriteCodebook(w, m.Weights, g.Rows, g.Cols)
}

// writeSupervisedCodebook writes a supervised model's decoded codebook:
// the features layer decoded by the pipeline, then the target layer as
// p_<class> columns (the unit's class probabilities) or predicted_<name>.
func writeSupervisedCodebook(w io.Writer, m *trainer.Model, second bool) error {
	p, err := m.Predictor()
	if err != nil {
		return err
	}
	g := m.Config.Grid
	var buf bytes.Buffer
	write := m.Pipeline.WriteCodebook
	if second {
		write = m.Pipeline.WriteCodebookNearest
	}
	if err := write(&buf, p.Map().Weights(), g.Rows, g.Cols); err != nil {
		return err
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		return err
	}
	if len(rows) != g.Units()+1 {
		return fmt.Errorf("codebook: %d rows for %d units", len(rows)-1, g.Units())
	}
	t := m.Target
	if t.Kind == trainer.TargetClasses {
		for _, c := range t.Classes {
			rows[0] = append(rows[0], "p_"+c)
		}
	} else {
		rows[0] = append(rows[0], "predicted_"+t.Name)
	}
	for k, v := range p.UnitValues() {
		for _, x := range v {
			rows[k+1] = append(rows[k+1], strconv.FormatFloat(x, 'g', 7, 64))
		}
	}
	cw := csv.NewWriter(w)
	cw.WriteAll(rows)
	return cw.Error()
}
