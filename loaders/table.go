package loaders

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Role says what a column is used for.
type Role uint8

// Column roles. Auto (the zero value) is only an input: reading infers
// Continuous for columns whose every non-missing value is a number and
// Categorical for the others.
const (
	Auto Role = iota
	Continuous
	Categorical
	Target
	Ignored
)

var roleNames = [...]string{"auto", "continuous", "categorical", "target", "ignored"}

// String returns the role's name, as accepted by ParseRole.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// ParseRole parses "auto", "continuous" (or "cont"), "categorical" (or
// "cat"), "target" or "ignored" (or "ignore").
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "auto", "":
		return Auto, nil
	case "continuous", "cont":
		return Continuous, nil
	case "categorical", "cat":
		return Categorical, nil
	case "target", "label":
		return Target, nil
	case "ignored", "ignore":
		return Ignored, nil
	}
	return 0, fmt.Errorf("loaders: unknown role %q: want auto, continuous, categorical, target or ignored", s)
}

// MarshalText encodes the role as its name.
func (r Role) MarshalText() ([]byte, error) {
	if int(r) >= len(roleNames) {
		return nil, fmt.Errorf("loaders: unknown role %d", uint8(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText decodes a role name.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// BadRows is the policy for rows with a bad value or the wrong number of
// fields.
type BadRows uint8

// Bad-row policies. Fail (the zero value) stops at the first bad row with a
// *ParseError; Skip leaves such rows out and counts them in Table.Skipped.
const (
	Fail BadRows = iota
	Skip
)

// String returns "fail" or "skip".
func (b BadRows) String() string {
	if b == Skip {
		return "skip"
	}
	if b == Fail {
		return "fail"
	}
	return fmt.Sprintf("BadRows(%d)", uint8(b))
}

// ParseBadRows parses "fail" (or "error", or empty) and "skip".
func ParseBadRows(s string) (BadRows, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fail", "error", "":
		return Fail, nil
	case "skip":
		return Skip, nil
	}
	return 0, fmt.Errorf("loaders: unknown bad-rows policy %q: want fail or skip", s)
}

// DefaultNA are the missing-value markers used when ReadOptions.NA is nil.
// Markers are matched after trimming spaces, ignoring case.
var DefaultNA = []string{"", "NA", "N/A", "NaN", "?", "null", "None"}

// MaxSkipErrors is how many skipped-row errors a Table keeps for display.
const MaxSkipErrors = 20

// ReadOptions says how to read a table. The zero value reads comma-separated
// text with a header, the DefaultNA markers, inferred roles and no target.
// The caller's struct is never modified.
type ReadOptions struct {
	// Name names the source in errors (usually the file name).
	Name string
	// Delimiter separates fields; 0 means ','. Use '\t' for TSV.
	Delimiter rune
	// Comment, if not 0, starts a comment line.
	Comment rune
	// Decimal is the decimal mark of numbers: 0 or '.' (the default), or
	// ',' to read "2,5" as 2.5 (a value holding '.' is then not a number,
	// and the Delimiter must be another character, such as ';').
	Decimal rune
	// LazyQuotes accepts quotes inside unquoted fields.
	LazyQuotes bool
	// NA lists the missing-value markers; nil means DefaultNA. A value that
	// parses as NaN is always missing.
	NA []string
	// Cont and Cat declare continuous and categorical columns by name.
	Cont, Cat []string
	// Target names the label column (optional). Its text becomes the
	// dataset's labels.
	Target string
	// TargetOptional allows the Target column to be absent or to have
	// missing values (predicting on new rows): such rows get an empty
	// label.
	TargetOptional bool
	// Ignore names columns to leave out.
	Ignore []string
	// IgnoreOthers ignores every column not named in Cont, Cat or Target
	// instead of inferring its role.
	IgnoreOthers bool
	// BadRows is the policy for bad rows: Fail (default) or Skip.
	BadRows BadRows

	split  string   // Options.ValidColumn: must exist, is ignored
	inputs []string // a Pipeline's inputs: missing ones are a *ColumnError
}

// Column is one typed column of a Table.
type Column struct {
	// Name is the header name.
	Name string
	// Role is Continuous, Categorical, Target or Ignored (never Auto in a
	// Table).
	Role Role
	// Num holds a Continuous column's values, NaN where missing.
	Num []float64
	// Str holds the text of the other columns, "" where missing.
	Str []string
	// Missing marks missing values of a Str column; nil means none.
	Missing []bool
}

// Len returns the number of values in the column.
func (c *Column) Len() int {
	if c.Role == Continuous {
		return len(c.Num)
	}
	return len(c.Str)
}

// IsMissing reports whether value i is missing.
func (c *Column) IsMissing(i int) bool {
	if c.Role == Continuous {
		return math.IsNaN(c.Num[i])
	}
	return c.Missing != nil && c.Missing[i]
}

// MissingCount returns the number of missing values.
func (c *Column) MissingCount() int {
	n := 0
	for i := 0; i < c.Len(); i++ {
		if c.IsMissing(i) {
			n++
		}
	}
	return n
}

// Table is a raw table of typed columns, as read from a file or built in
// memory, before preprocessing.
type Table struct {
	// Name is the source name (for errors); may be empty.
	Name string
	// Columns are in file order.
	Columns []Column
	// Rows is the number of rows.
	Rows int
	// Skipped counts the rows left out under the Skip policy, and
	// SkipErrors holds the first MaxSkipErrors of their errors.
	Skipped    int
	SkipErrors []*ParseError
	// NA are the missing-value markers the table was read with.
	NA []string
	// CommaDecimals names the columns inferred categorical whose every
	// value is a number written with a decimal comma ("2,5"): read with
	// ReadOptions.Decimal ',' they would be continuous.
	CommaDecimals []string

	// lines[i] is the input line of row i, or (lines nil) lineBase+i
	// with lineBase > 0; both unset when not known (built in memory).
	lines    []int
	lineBase int
}

// line returns the input line of row i, or 0 if it is not known.
func (t *Table) line(i int) int {
	switch {
	case t.lines != nil:
		return t.lines[i]
	case t.lineBase > 0:
		return t.lineBase + i
	}
	return 0
}

// Column returns the column called name, or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Names returns the column names in order.
func (t *Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// Target returns the target column, or nil if there is none.
func (t *Table) Target() *Column {
	for i := range t.Columns {
		if t.Columns[i].Role == Target {
			return &t.Columns[i]
		}
	}
	return nil
}

// Subset returns a new table with the rows idx, in that order.
func (t *Table) Subset(idx []int) *Table {
	out := &Table{Name: t.Name, Rows: len(idx), NA: t.NA, Columns: make([]Column, len(t.Columns))}
	if t.line(0) > 0 {
		out.lines = make([]int, len(idx))
		for k, i := range idx {
			out.lines[k] = t.line(i)
		}
	}
	for j, c := range t.Columns {
		nc := Column{Name: c.Name, Role: c.Role}
		if c.Role == Continuous {
			nc.Num = make([]float64, len(idx))
			for k, i := range idx {
				nc.Num[k] = c.Num[i]
			}
		} else {
			nc.Str = make([]string, len(idx))
			if c.Missing != nil {
				nc.Missing = make([]bool, len(idx))
			}
			for k, i := range idx {
				nc.Str[k] = c.Str[i]
				if c.Missing != nil {
					nc.Missing[k] = c.Missing[i]
				}
			}
		}
		out.Columns[j] = nc
	}
	return out
}

// schema is a resolved header: names, declared roles and markers.
type schema struct {
	name   string
	header []string
	roles  []Role // Auto for columns to infer
	target int    // -1 if none
	optTgt bool   // the target may be absent or missing
	na     []string
	naMax  int // length of the longest trimmed marker
	policy BadRows
	comma  bool // the decimal mark is ','
}

func newSchema(header []string, opts *ReadOptions) (*schema, error) {
	s := naSchema(opts.NA)
	s.name, s.header, s.roles = opts.Name, make([]string, len(header)), make([]Role, len(header))
	s.target, s.optTgt, s.policy = -1, opts.TargetOptional, opts.BadRows
	switch opts.Decimal {
	case 0, '.':
	case ',':
		s.comma = true
	default:
		return nil, fmt.Errorf("loaders: decimal mark %q: want '.' or ','", opts.Decimal)
	}
	if opts.BadRows > Skip {
		return nil, fmt.Errorf("loaders: unknown bad-rows policy %d", opts.BadRows)
	}
	index := map[string]int{}
	for j, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			h = fmt.Sprintf("column_%d", j+1)
		}
		if !utf8.ValidString(h) {
			return nil, (&ParseError{Name: s.name, Line: 1, Column: j + 1, Value: h, Err: ErrNotUTF8}).hinted()
		}
		if k, dup := index[h]; dup {
			return nil, (&ParseError{Name: s.name, Line: 1, Column: j + 1, ColumnName: h, Err: ErrDuplicateColumn,
				cause: fmt.Errorf("also column %d; rename one of them", k+1)}).hinted()
		}
		index[h] = j
		s.header[j] = h
	}
	if opts.inputs != nil {
		if _, err := columnsByName(s.name, s.header, opts.inputs); err != nil {
			return nil, err
		}
	}
	unknown := func(list []string, flag string) error {
		var missing []string
		for _, name := range list {
			if _, ok := index[strings.TrimSpace(name)]; !ok && strings.TrimSpace(name) != "" {
				missing = append(missing, strings.TrimSpace(name))
			}
		}
		return &ColumnError{Name: s.name, Option: flag, Missing: missing, Have: slices.Clone(s.header)}
	}
	set := func(list []string, role Role, flag string) error {
		for _, name := range list {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			j, ok := index[name]
			if !ok {
				return unknown(list, flag)
			}
			if s.roles[j] != Auto && s.roles[j] != role {
				return fmt.Errorf("%w: column %q is both %v and %v: name it once", ErrRoleConflict, name, s.roles[j], role)
			}
			s.roles[j] = role
		}
		return nil
	}
	if opts.Target != "" {
		if j, ok := index[strings.TrimSpace(opts.Target)]; ok {
			s.roles[j] = Target
			s.target = j
		} else if !opts.TargetOptional {
			return nil, unknown([]string{opts.Target}, "Target")
		}
	}
	if err := set(opts.Cont, Continuous, "Cont"); err != nil {
		return nil, err
	}
	if err := set(opts.Cat, Categorical, "Cat"); err != nil {
		return nil, err
	}
	if err := set(opts.Ignore, Ignored, "Ignore"); err != nil {
		return nil, err
	}
	if opts.split != "" {
		if err := set([]string{opts.split}, Ignored, "ValidColumn"); err != nil {
			return nil, err
		}
	}
	if opts.IgnoreOthers {
		for j, r := range s.roles {
			if r == Auto {
				s.roles[j] = Ignored
			}
		}
	}
	return s, nil
}

// naSchema returns a schema that knows only the missing-value markers na
// (DefaultNA if nil): enough for isNA and parseNum.
func naSchema(na []string) *schema {
	if na == nil {
		na = DefaultNA
	}
	s := &schema{na: na}
	for _, m := range na {
		s.naMax = max(s.naMax, len(strings.TrimSpace(m)))
	}
	return s
}

// isNA reports whether the trimmed value v is a missing-value marker.
func (s *schema) isNA(v string) bool {
	if len(v) > s.naMax {
		return false
	}
	for _, m := range s.na {
		if strings.EqualFold(v, strings.TrimSpace(m)) {
			return true
		}
	}
	return false
}

// parseNum parses a numeric cell: missing reports a missing marker or NaN;
// err is ErrNotNumber or ErrInfinite.
func (s *schema) parseNum(v string) (x float64, missing bool, err error) {
	v = strings.TrimSpace(v)
	if s.isNA(v) {
		return math.NaN(), true, nil
	}
	if s.comma {
		if strings.Contains(v, ".") {
			return 0, false, ErrNotNumber
		}
		v = strings.Replace(v, ",", ".", 1)
	}
	x, perr := strconv.ParseFloat(v, 64)
	if math.IsInf(x, 0) && (perr == nil || errors.Is(perr, strconv.ErrRange)) {
		return x, false, ErrInfinite
	}
	if perr != nil {
		return 0, false, ErrNotNumber
	}
	if math.IsNaN(x) {
		return x, true, nil
	}
	return x, false, nil
}

// checkRow returns the first problem of a data row, or nil.
func (s *schema) checkRow(fields []string, line, row int) *ParseError {
	if len(fields) != len(s.header) {
		return (&ParseError{Name: s.name, Line: line, Row: row, Err: ErrFieldCount,
			cause: fmt.Errorf("%d fields, the header has %d", len(fields), len(s.header))}).hinted()
	}
	for j, v := range fields {
		switch s.roles[j] {
		case Continuous, Auto:
			_, _, err := s.parseNum(v)
			if err == ErrNotNumber && s.roles[j] == Auto {
				err = nil
			}
			if err != nil {
				return (&ParseError{Name: s.name, Line: line, Row: row, Column: j + 1, ColumnName: s.header[j], Value: v, Err: err}).hinted()
			}
		case Target:
			if !s.optTgt && s.isNA(strings.TrimSpace(v)) {
				return (&ParseError{Name: s.name, Line: line, Row: row, Column: j + 1, ColumnName: s.header[j], Err: ErrMissingTarget}).hinted()
			}
		}
		if s.roles[j] != Ignored && !utf8.ValidString(v) {
			return (&ParseError{Name: s.name, Line: line, Row: row, Column: j + 1, ColumnName: s.header[j], Value: v, Err: ErrNotUTF8}).hinted()
		}
	}
	return nil
}

// csvReader opens r as CSV with the options, skipping a UTF-8 BOM.
func csvReader(r io.Reader, opts *ReadOptions) (*csv.Reader, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	if opts.Delimiter != 0 {
		if !validDelim(opts.Delimiter) {
			return nil, fmt.Errorf("loaders: delimiter %q cannot be used: pick a character other than a quote, newline or the replacement character", opts.Delimiter)
		}
		cr.Comma = opts.Delimiter
	}
	if opts.Decimal == ',' && cr.Comma == ',' {
		return nil, fmt.Errorf("loaders: decimal mark ',' with delimiter ',': separate the fields with another character, such as ';'")
	}
	if opts.Comment != 0 {
		if !validDelim(opts.Comment) || opts.Comment == cr.Comma {
			return nil, fmt.Errorf("loaders: comment character %q cannot be used: pick one that differs from the delimiter", opts.Comment)
		}
		cr.Comment = opts.Comment
	}
	cr.LazyQuotes = opts.LazyQuotes
	cr.FieldsPerRecord = -1
	return cr, nil
}

func validDelim(r rune) bool {
	return !(r == 0 || r == '"' || r == '\r' || r == '\n' || !utf8.ValidRune(r) || r == utf8.RuneError)
}

// readHeader reads the header record and resolves the schema.
func readHeader(cr *csv.Reader, opts *ReadOptions) (*schema, error) {
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errAt(nameOf(opts.Name), ErrNoHeader, ": write a header line of column names")
	}
	if err != nil {
		return nil, wrapCSV(opts.Name, err)
	}
	if err := checkDelimiter(opts.Name, header, cr.Comma); err != nil {
		return nil, err
	}
	return newSchema(header, opts)
}

func nameOf(name string) string {
	if name == "" {
		return "input"
	}
	return name
}

// wrapCSV turns an error of encoding/csv into a *ParseError.
func wrapCSV(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return (&ParseError{Name: name, Line: pe.Line, Err: ErrSyntax, cause: pe.Err}).hinted()
	}
	return fmt.Errorf("loaders: reading %s: %w", nameOf(name), err)
}

// gate applies the bad-row policy to each data row, counts the skipped
// rows and recognizes a target column that is missing in every row.
type gate struct {
	s          *schema
	rows       int // data rows seen
	kept       int
	nskip      int
	skip       []*ParseError
	targetSeen bool
	deferred   *ParseError // first missing target under Fail, pending
}

// check reports whether the data row is good; err stops reading.
func (g *gate) check(fields []string, line int) (ok bool, err error) {
	g.rows++
	s := g.s
	if s.target >= 0 && s.target < len(fields) && !s.isNA(strings.TrimSpace(fields[s.target])) {
		g.targetSeen = true
	}
	pe := s.checkRow(fields, line, g.rows)
	if pe == nil {
		if g.deferred != nil {
			return false, g.deferred
		}
		g.kept++
		return true, nil
	}
	if s.policy == Skip {
		g.nskip++
		if len(g.skip) < MaxSkipErrors {
			g.skip = append(g.skip, pe)
		}
		return false, nil
	}
	if pe.Err == ErrMissingTarget && !g.targetSeen {
		// Wait: if no row has a target, that is the better message.
		if g.deferred == nil {
			g.deferred = pe
		}
		return false, nil
	}
	if g.deferred != nil {
		return false, g.deferred
	}
	return false, pe
}

// finish returns the error of an input without usable rows.
func (g *gate) finish() error {
	s := g.s
	if s.target >= 0 && !s.optTgt && g.rows > 0 && !g.targetSeen {
		pe := (&ParseError{Name: s.name, Column: s.target + 1, ColumnName: s.header[s.target], Err: ErrTargetEmpty}).hinted()
		if g.deferred != nil {
			pe.Line, pe.Row = g.deferred.Line, g.deferred.Row
		}
		return pe
	}
	if g.kept == 0 {
		if g.nskip > 0 {
			first := *g.skip[0]
			first.Hint = "" // its remedy, skipping, is what left no rows
			return errAt(nameOf(s.name), ErrNoRows, ": all %d rows were skipped as bad, the first: %v", g.nskip, &first)
		}
		return errAt(nameOf(s.name), ErrNoRows, ": add rows below the header")
	}
	return nil
}

// rawRows holds the rows of a table as text, before typing.
type rawRows struct {
	gate
	rows  [][]string
	lines []int
}

func (rr *rawRows) add(fields []string, line int) error {
	ok, err := rr.check(fields, line)
	if ok {
		rr.rows = append(rr.rows, fields)
		rr.lines = append(rr.lines, line)
	}
	return err
}

// ReadCSV reads a delimited text table with a header from r. Roles not
// declared in opts are inferred: a column whose every non-missing value is a
// number is Continuous, otherwise Categorical. Values and names are trimmed
// of surrounding spaces, and must be UTF-8. opts may be nil.
//
// Errors are *ParseError values naming the line and column (test them with
// errors.Is against ErrFieldCount, ErrNotNumber, ErrInfinite, ...), or
// wrap ErrNoHeader, ErrNoRows, ErrDuplicateColumn, ErrUnknownColumn,
// ErrRoleConflict or ErrTargetEmpty.
func ReadCSV(r io.Reader, opts *ReadOptions) (*Table, error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	// A regular file of plain numbers is parsed a window at a time in
	// parallel (windowTable), its text never whole in memory. Otherwise
	// the table is held in memory anyway: read the bytes once, parse a
	// plain numeric body in parallel (fastTable), and read anything else,
	// or what fastTable declines, with encoding/csv from the same bytes.
	if useFast {
		if t, err := windowTable(r, opts); t != nil || err != nil {
			return t, err
		}
	}
	data, err := readAll(r)
	if err != nil {
		return nil, wrapCSV(opts.Name, err)
	}
	if useFast {
		if t := fastTable(data, opts); t != nil {
			return t, nil
		}
	}
	cr, err := csvReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil, err
	}
	s, err := readHeader(cr, opts)
	if err != nil {
		return nil, err
	}
	rr := &rawRows{gate: gate{s: s}}
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrapCSV(opts.Name, err)
		}
		line, _ := cr.FieldPos(0)
		if err := rr.add(fields, line); err != nil {
			return nil, err
		}
	}
	return rr.table()
}

// FromStrings builds a table from a header and rows of text, with the same
// rules as ReadCSV (row i is reported as line i+2, as if read from a file
// with the header on line 1). opts may be nil.
func FromStrings(header []string, rows [][]string, opts *ReadOptions) (*Table, error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	if len(header) == 0 {
		return nil, errAt(nameOf(opts.Name), ErrNoHeader, ": give the column names")
	}
	s, err := newSchema(header, opts)
	if err != nil {
		return nil, err
	}
	rr := &rawRows{gate: gate{s: s}}
	for i, f := range rows {
		if err := rr.add(f, i+2); err != nil {
			return nil, err
		}
	}
	return rr.table()
}

// table infers the Auto roles and types the columns.
func (rr *rawRows) table() (*Table, error) {
	s := rr.s
	if err := rr.finish(); err != nil {
		return nil, err
	}
	t := &Table{Name: s.name, Rows: len(rr.rows), Skipped: rr.nskip, SkipErrors: rr.skip, NA: s.na,
		Columns: make([]Column, len(s.header)), lines: rr.lines}
	for j, name := range s.header {
		role := s.roles[j]
		c := Column{Name: name, Role: role}
		if role == Auto || role == Continuous {
			// Parse once; an Auto column with a non-number is categorical.
			c.Role, c.Num = Continuous, make([]float64, len(rr.rows))
			for i, f := range rr.rows {
				var err error
				if c.Num[i], _, err = s.parseNum(f[j]); err != nil {
					c.Role, c.Num = Categorical, nil
					break
				}
			}
			if c.Role == Categorical && role == Auto && !s.comma && rr.commaDecimal(j) {
				t.CommaDecimals = append(t.CommaDecimals, name)
			}
		}
		if c.Role != Continuous {
			c.Str = make([]string, len(rr.rows))
			for i, f := range rr.rows {
				v := strings.TrimSpace(f[j])
				if s.isNA(v) {
					if c.Missing == nil {
						c.Missing = make([]bool, len(rr.rows))
					}
					c.Missing[i] = true
					v = ""
				}
				c.Str[i] = v
			}
		}
		t.Columns[j] = c
	}
	return t, nil
}

// FromColumns builds a table from columns of equal length (the values are
// not copied). A column with Role Auto becomes Continuous if it has Num
// values and Categorical otherwise. It returns an error for ragged columns,
// duplicate or empty names, more than one target, and infinite values.
func FromColumns(name string, cols []Column) (*Table, error) {
	if len(cols) == 0 {
		return nil, errAt(nameOf(name), ErrNoHeader, ": give at least one column")
	}
	t := &Table{Name: name, Columns: make([]Column, len(cols)), NA: DefaultNA}
	seen := map[string]bool{}
	targets := 0
	for j, c := range cols {
		if c.Name == "" {
			return nil, fmt.Errorf("loaders: %s: column %d has no name: name every column", nameOf(name), j+1)
		}
		if seen[c.Name] {
			return nil, (&ParseError{Name: name, Column: j + 1, ColumnName: c.Name, Err: ErrDuplicateColumn}).hinted()
		}
		seen[c.Name] = true
		if c.Role == Auto {
			c.Role = Categorical
			if c.Num != nil {
				c.Role = Continuous
			}
		}
		if c.Role > Ignored {
			return nil, fmt.Errorf("loaders: %s: column %q has unknown role %d", nameOf(name), c.Name, c.Role)
		}
		if c.Role == Target {
			targets++
		}
		if (c.Role == Continuous) != (c.Num != nil) || (c.Role != Continuous && c.Str == nil) {
			return nil, fmt.Errorf("loaders: %s: column %q is %v: give its values in %s", nameOf(name), c.Name, c.Role,
				map[bool]string{true: "Num", false: "Str"}[c.Role == Continuous])
		}
		if c.Missing != nil && len(c.Missing) != len(c.Str) {
			return nil, fmt.Errorf("loaders: %s: column %q has %d values and %d missing flags", nameOf(name), c.Name, len(c.Str), len(c.Missing))
		}
		if j == 0 {
			t.Rows = c.Len()
		} else if c.Len() != t.Rows {
			return nil, fmt.Errorf("loaders: %s: column %q has %d values, column %q has %d: give every column the same length",
				nameOf(name), c.Name, c.Len(), cols[0].Name, t.Rows)
		}
		if !utf8.ValidString(c.Name) {
			return nil, (&ParseError{Name: name, Column: j + 1, Value: c.Name, Err: ErrNotUTF8}).hinted()
		}
		if c.Role == Categorical || c.Role == Target {
			for i, v := range c.Str {
				if !utf8.ValidString(v) {
					return nil, (&ParseError{Name: name, Row: i + 1, Column: j + 1, ColumnName: c.Name, Value: v, Err: ErrNotUTF8}).hinted()
				}
			}
		}
		for i, v := range c.Num {
			if math.IsInf(v, 0) {
				return nil, (&ParseError{Name: name, Row: i + 1, Column: j + 1, ColumnName: c.Name, Value: strconv.FormatFloat(v, 'g', -1, 64), Err: ErrInfinite}).hinted()
			}
		}
		t.Columns[j] = c
	}
	if targets > 1 {
		return nil, fmt.Errorf("%w: %d target columns: keep one", ErrRoleConflict, targets)
	}
	if t.Rows == 0 {
		return nil, errAt(nameOf(name), ErrNoRows, ": give the columns values")
	}
	if tc := t.Target(); tc != nil && tc.MissingCount() == t.Rows {
		return nil, errAt(fmt.Sprintf("%s: column %q", nameOf(name), tc.Name), ErrTargetEmpty, ": choose another target or none")
	}
	t.Columns = slices.Clip(t.Columns)
	return t, nil
}

// delimiters are the field separators GuessDelimiter knows.
const delimiters = "\t;|,"

// GuessDelimiter returns the likely field separator of a header line that
// was read as the one field line, splitting on delim: the one of tab, ';',
// '|' and ',' (other than delim) that occurs most often in it. ok is false
// when line holds none of them.
func GuessDelimiter(line string, delim rune) (guess rune, ok bool) {
	best := 0
	for _, d := range delimiters {
		if n := strings.Count(line, string(d)); d != delim && n > best {
			guess, best = d, n
		}
	}
	return guess, best > 0
}

// checkDelimiter returns an error wrapping ErrDelimiter when header is one
// field holding another likely separator than delim: the file is separated
// by something else, and reading it would make one column of everything.
func checkDelimiter(name string, header []string, delim rune) error {
	if len(header) != 1 {
		return nil
	}
	d, ok := GuessDelimiter(header[0], delim)
	if !ok {
		return nil
	}
	return &ParseError{Name: name, Line: 1, Column: 1, Value: header[0], Err: ErrDelimiter,
		Hint: "set Delimiter to " + strconv.QuoteRune(d)}
}

// commaDecimal reports whether every value of column j is missing or a
// number written with a decimal comma, and at least one has the comma.
func (rr *rawRows) commaDecimal(j int) bool {
	comma := naSchema(rr.s.na)
	comma.comma = true
	seen := false
	for _, f := range rr.rows {
		v := strings.TrimSpace(f[j])
		if comma.isNA(v) {
			continue
		}
		if _, _, err := comma.parseNum(v); err != nil {
			return false
		}
		seen = seen || strings.Contains(v, ",")
	}
	return seen
}
