package loaders

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors. A *ParseError wraps one of them, so test with errors.Is.
var (
	// ErrNoHeader means the input has no header line: it is empty.
	ErrNoHeader = errors.New("loaders: no header: the file is empty")
	// ErrNoRows means the input has a header but no data rows (or every
	// row was skipped).
	ErrNoRows = errors.New("loaders: no data rows after the header")
	// ErrFieldCount means a row has more or fewer fields than the header.
	ErrFieldCount = errors.New("loaders: wrong number of fields")
	// ErrSyntax means the CSV text itself is malformed (for example a bare
	// quote).
	ErrSyntax = errors.New("loaders: malformed CSV")
	// ErrNotNumber means a value in a continuous column is not a number.
	ErrNotNumber = errors.New("loaders: value is not a number")
	// ErrInfinite means a value is +Inf or -Inf (or overflows float64).
	ErrInfinite = errors.New("loaders: value is infinite")
	// ErrNotUTF8 means a header name or a text value is not valid UTF-8.
	ErrNotUTF8 = errors.New("loaders: text is not valid UTF-8")
	// ErrDuplicateColumn means two header fields have the same name.
	ErrDuplicateColumn = errors.New("loaders: duplicate column name")
	// ErrUnknownColumn means an option names a column the data does not have.
	ErrUnknownColumn = errors.New("loaders: unknown column")
	// ErrRoleConflict means a column is given two roles, or two targets.
	ErrRoleConflict = errors.New("loaders: conflicting column roles")
	// ErrMissingTarget means a row has no value in the target column.
	ErrMissingTarget = errors.New("loaders: missing target value")
	// ErrTargetEmpty means the target column has no value in any row.
	ErrTargetEmpty = errors.New("loaders: target column is entirely missing")
	// ErrAllMissing means a continuous feature has no value in the rows the
	// pipeline is fitted on.
	ErrAllMissing = errors.New("loaders: column has no values to fit on")
	// ErrNoFeaturePresent means a record has no input feature present
	// (every one is missing) under SkipMissing: a map cannot place it.
	ErrNoFeaturePresent = errors.New("loaders: record has no feature present")
	// ErrNoFeatures means no column is left to train on.
	ErrNoFeatures = errors.New("loaders: no feature columns")
	// ErrTooManyLevels means a categorical column has more distinct values
	// than the streaming reader is allowed to count.
	ErrTooManyLevels = errors.New("loaders: too many categories")
	// ErrSplitValue means a value of the valid column is not a split marker.
	ErrSplitValue = errors.New("loaders: value does not mark a split")
	// ErrShape means an encoded vector or codebook has the wrong length.
	ErrShape = errors.New("loaders: wrong vector length")
	// ErrPipeline means a stored pipeline is invalid (a corrupted model).
	ErrPipeline = errors.New("loaders: invalid pipeline")
	// ErrDelimiter means the header line reads as one field that holds
	// another likely separator (a tab, ';', '|' or ','): the file is not
	// separated by the Delimiter in use. GuessDelimiter names the likely one.
	ErrDelimiter = errors.New("loaders: the header is one field holding another separator")
	// ErrMissingColumn means the data lack a column that a fitted Pipeline
	// (or ReadNumeric's Features) needs. A *ColumnError wraps it.
	ErrMissingColumn = errors.New("loaders: missing column")
	// ErrEmbedStream means Embedding encoding was asked of a streaming
	// or sharded load: the autoencoder learns from the table in memory.
	ErrEmbedStream = errors.New("embedding encoding needs the table in memory: load it without streaming (raise StreamAbove) or encode one-hot")
)

// hints say what to do about each kind of parse error: the Hint a
// *ParseError gets unless its maker gives another.
var hints = map[error]string{
	ErrFieldCount:       "make every row have one field per header column, or set BadRows to Skip",
	ErrSyntax:           "fix the quoting (a quote inside a field must be doubled), or set LazyQuotes",
	ErrNotNumber:        "fix the value, add it to the NA markers, declare the column categorical, or set BadRows to Skip",
	ErrInfinite:         "replace it with a finite value or an NA marker, or set BadRows to Skip",
	ErrMissingTarget:    "fill the target, or set BadRows to Skip",
	ErrNotUTF8:          "convert the file to UTF-8 (for example with iconv)",
	ErrTargetEmpty:      "choose another target column, or none",
	ErrNoFeaturePresent: "give the record a value, drop it, or fill missing values (Missing fill)",
	ErrSplitValue:       "write 1/true/valid for validation rows and 0/false/train (or nothing) for training rows",
}

// ParseError names the place of a bad value in a table, as *csv.ParseError
// does: the source Name (file name, or empty), the 1-based Line of the
// input, the 1-based Column number and its Name. Err is one of the
// package's sentinel errors (or a *csv.ParseError wrapped in ErrSyntax).
// Hint says what to do about it in terms of this package's options ("set
// BadRows to Skip"); a program with other names for them (command-line
// flags) replaces Hint, keyed on Err, and prints the error again.
type ParseError struct {
	Name       string // source name, e.g. the file name; may be empty
	Line       int    // 1-based line in the input; 0 if not known
	Row        int    // 1-based data row (the header is not a row); 0 if not known
	Column     int    // 1-based column (field) number; 0 if the whole row
	ColumnName string // header name of the column; may be empty
	Value      string // the offending value, if any
	Err        error  // a sentinel such as ErrNotNumber
	Hint       string // what to do about it; may be empty
	cause      error  // an underlying error, e.g. *csv.ParseError
}

// hinted sets the default Hint for e.Err when e has none, and returns e.
func (e *ParseError) hinted() *ParseError {
	if e.Hint == "" {
		e.Hint = hints[e.Err]
	}
	return e
}

// Error returns "loaders: NAME:LINE: column N "name": value "v": what: Hint".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("loaders: ")
	name := e.Name
	if name == "" {
		name = "input"
	}
	b.WriteString(name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	} else if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, ": column %d", e.Column)
		if e.ColumnName != "" {
			fmt.Fprintf(&b, " %q", e.ColumnName)
		}
	}
	if e.Value != "" {
		fmt.Fprintf(&b, ": value %q", trim(e.Value, 40))
	}
	b.WriteString(": ")
	if e.Err == nil {
		b.WriteString("bad value")
	} else {
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "loaders: "))
	}
	if e.cause != nil {
		fmt.Fprintf(&b, " (%v)", e.cause)
	}
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the sentinel error and the underlying cause, if any.
func (e *ParseError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Err, e.cause}
	}
	return []error{e.Err}
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// sentinelError is a sentinel with the place and advice around it.
type sentinelError struct {
	msg string
	err error
}

// Error returns the full message.
func (e *sentinelError) Error() string { return e.msg }

// Unwrap returns the sentinel.
func (e *sentinelError) Unwrap() error { return e.err }

// errAt returns an error wrapping sentinel, reading
// "loaders: WHERE: <sentinel's text><detail>".
func errAt(where string, sentinel error, format string, args ...any) error {
	msg := strings.TrimPrefix(sentinel.Error(), "loaders: ")
	if where != "" {
		msg = where + ": " + msg
	}
	return &sentinelError{msg: "loaders: " + msg + fmt.Sprintf(format, args...), err: sentinel}
}

// fieldCountf describes a row of the wrong width (the cause of an
// ErrFieldCount).
func fieldCountf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// ColumnError says which columns a table lacks: columns that a read option
// names (Option is "Cont", "Cat", "Ignore", "Target" or "ValidColumn"; the
// error wraps ErrUnknownColumn), or columns that a fitted Pipeline or
// ReadNumeric's Features need (Option is empty; it wraps ErrMissingColumn).
// Test it with errors.As to show the columns in your own words.
type ColumnError struct {
	Name    string   // source name, e.g. the file name; may be empty
	Option  string   // the option naming the columns; empty when they are needed inputs
	Missing []string // the columns named or needed that the table lacks
	Want    []string // every needed column, in order (Option empty); nil otherwise
	Have    []string // the table's columns, in order
}

// newColumnError returns the error for inputs want that header lacks.
func newColumnError(source string, header, want, missing []string) *ColumnError {
	return &ColumnError{Name: source, Missing: missing, Want: slices.Clone(want), Have: slices.Clone(header)}
}

// Extra returns the table's columns that are not among the needed ones
// (Want), in order: often a needed column under another name.
func (e *ColumnError) Extra() []string {
	var out []string
	for _, h := range e.Have {
		if !slices.Contains(e.Want, h) {
			out = append(out, h)
		}
	}
	return out
}

// Error returns `loaders: unknown column "x" in Cont: the columns are a, b`
// or `loaders: NAME lacks column "x": it needs a, x (has a, y; y is not used)`.
func (e *ColumnError) Error() string {
	if e.Option != "" {
		return fmt.Sprintf("loaders: unknown %s %s in %s: the columns are %s",
			plural(len(e.Missing), "column"), quoteList(e.Missing), e.Option, strings.Join(e.Have, ", "))
	}
	msg := fmt.Sprintf("loaders: %s lacks %s %s: it needs %s", nameOf(e.Name),
		plural(len(e.Missing), "column"), quoteList(e.Missing), strings.Join(e.Want, ", "))
	if extra := e.Extra(); len(extra) > 0 {
		msg += fmt.Sprintf(" (its other columns, not used: %s)", strings.Join(extra, ", "))
	}
	return msg
}

// Unwrap returns ErrUnknownColumn or ErrMissingColumn.
func (e *ColumnError) Unwrap() error {
	if e.Option != "" {
		return ErrUnknownColumn
	}
	return ErrMissingColumn
}

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// quoteList returns the names quoted and separated by commas.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
