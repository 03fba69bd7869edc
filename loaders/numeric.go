package loaders

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
)

// NumericOptions says what ReadNumeric reads. The caller's struct is never
// modified.
type NumericOptions struct {
	// Name names the source in errors (usually the file name).
	Name string
	// Delimiter separates fields; 0 means ','. Use '\t' for TSV.
	Delimiter rune
	// Features names the columns to take, in order, when the input has a
	// header line; other columns are left out. It may be nil.
	Features []string
	// D is the number of values per record; 0 means len(Features).
	D int
}

// numericHint is the remedy for a value ReadNumeric cannot use.
const numericHint = "replace it with a finite number: this reader fills no missing values"

// widthHint is the remedy for a row of the wrong width.
const widthHint = "give every row one field per feature"

// ReadNumeric reads delimited text of numbers, one record per row, into a
// Dataset of opts.D features. The first row is a header when any of its
// fields is text other than a number (an empty field or one too large
// for float64 does not make a header). With a header and opts.Features of length D, the
// columns are taken by name (the others are left out) and the Dataset's
// Features are those names; otherwise every row must have exactly D fields.
// Values are trimmed of spaces; a UTF-8 BOM is skipped.
//
// Every value must be a finite number: there is no missing-value marker.
// Errors are a *ParseError naming the line and column (wrapping
// ErrNotNumber, ErrInfinite, ErrFieldCount or ErrSyntax), a *ColumnError
// when the header lacks a named feature (wrapping ErrMissingColumn), or
// wrap ErrEmpty (no rows at all) or ErrNoRows (a header only).
func ReadNumeric(r io.Reader, opts *NumericOptions) (*Dataset, error) {
	o := *opts
	if o.D == 0 {
		o.D = len(o.Features)
	}
	if o.D <= 0 {
		return nil, errAt(nameOf(o.Name), ErrEmpty, ": want at least one feature, got D = %d", o.D)
	}
	data, err := readAll(r)
	if err != nil {
		return nil, wrapCSV(o.Name, err)
	}
	cr, err := csvReader(bytes.NewReader(data), &ReadOptions{Delimiter: o.Delimiter})
	if err != nil {
		return nil, err
	}
	first, err := cr.Read()
	if err == io.EOF {
		return nil, errAt(nameOf(o.Name), ErrEmpty, ": want one row per record, with or without a header line")
	}
	if err != nil {
		return nil, wrapCSV(o.Name, err)
	}
	if err := checkDelimiter(o.Name, first, cr.Comma); err != nil && o.D > 1 {
		return nil, err
	}
	header := false
	for _, v := range first {
		v = strings.TrimSpace(v)
		if _, err := strconv.ParseFloat(v, 64); v != "" && err != nil && !errors.Is(err, strconv.ErrRange) {
			header = true
		}
	}
	cols := make([]int, o.D)
	for j := range cols {
		cols[j] = j
	}
	var names []string // header names, for errors
	ds := &Dataset{D: o.D}
	if header {
		names = make([]string, len(first))
		for j, h := range first {
			names[j] = strings.TrimSpace(h)
		}
	}
	if header && len(o.Features) == o.D {
		if cols, err = columnsByName(o.Name, names, o.Features); err != nil {
			return nil, err
		}
		ds.Features = append([]string(nil), o.Features...)
	} else if len(first) != o.D {
		return nil, &ParseError{Name: o.Name, Line: 1, Err: ErrFieldCount, Hint: widthHint,
			cause: fieldCountf("%d fields, want %d", len(first), o.D)}
	}
	width := len(first)
	add := func(fields []string, line, row int) error {
		if len(fields) != width {
			return &ParseError{Name: o.Name, Line: line, Row: row, Err: ErrFieldCount, Hint: widthHint,
				cause: fieldCountf("%d fields, the first row has %d", len(fields), width)}
		}
		for _, c := range cols {
			s := strings.TrimSpace(fields[c])
			v, perr := strconv.ParseFloat(s, 64)
			if perr == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
				ds.Data = append(ds.Data, v)
				continue
			}
			pe := &ParseError{Name: o.Name, Line: line, Row: row, Column: c + 1, Value: s, Err: ErrNotNumber, Hint: numericHint}
			if math.IsInf(v, 0) {
				pe.Err = ErrInfinite
			}
			if names != nil {
				pe.ColumnName = names[c]
			}
			return pe
		}
		ds.N++
		return nil
	}
	if !header {
		if err := add(first, 1, 1); err != nil {
			return nil, err
		}
	}
	// The rest in parallel when it is plain numeric text; else (or on any
	// bad value, for its error) row by row from where the header left off.
	if useFast && fastNumeric(data[bomLen(data)+int(cr.InputOffset()):], o.Delimiter, width, cols, ds) {
		return ds, nil
	}
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrapCSV(o.Name, err)
		}
		line, _ := cr.FieldPos(0)
		row := ds.N + 1
		if err := add(fields, line, row); err != nil {
			return nil, err
		}
	}
	if ds.N == 0 {
		return nil, errAt(nameOf(o.Name), ErrNoRows, ": add rows below the header")
	}
	return ds, nil
}

// columnsByName returns the index in header of each name in want, or a
// *ColumnError naming the ones header lacks.
func columnsByName(source string, header, want []string) ([]int, error) {
	idx := make(map[string]int, len(header))
	for j, h := range header {
		if _, dup := idx[h]; !dup {
			idx[h] = j
		}
	}
	cols := make([]int, len(want))
	var missing []string
	for j, name := range want {
		c, ok := idx[name]
		if !ok {
			missing = append(missing, name)
		}
		cols[j] = c
	}
	if missing != nil {
		return nil, newColumnError(source, header, want, missing)
	}
	return cols, nil
}
