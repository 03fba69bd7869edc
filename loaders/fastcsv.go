package loaders

import (
	"bytes"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/somgraph/somgraph/internal/hugemem"
)

// The fast numeric reader parses the body of a delimited file of numbers
// (the lines after the header) in parallel chunks, with no allocation per
// field. It takes only input whose meaning is plain: no quote character
// anywhere, a one-byte delimiter, every non-empty line with exactly width
// fields that field accepts. On anything else it reports false and the
// caller reads the same bytes with its general encoding/csv path, which
// gives the answer (or the error, with its line and column) it always gave.

// fastMinChunk is the least number of bytes a goroutine parses.
const fastMinChunk = 1 << 18

// fastBody is one body to parse.
type fastBody struct {
	body  []byte
	delim byte
	width int
	// field parses one field's bytes; false gives up the fast path.
	field func(b []byte) (float64, bool)
	// decimal says that field returns parseDecimal's value wherever
	// parseDecimal takes the field: a line of such fields is then
	// scanned in one pass (decimalLine), without finding each field's
	// end first.
	decimal bool
	// alloc is called once with the number of rows, before any store.
	alloc func(rows int)
	// store receives row r's width values (the slice is reused).
	store func(r int, vals []float64)
}

// fastDelim reports whether delim (0 for ',') is a one-byte delimiter the
// fast reader handles, and that byte.
func fastDelim(delim rune) (byte, bool) {
	if delim == 0 {
		return ',', true
	}
	if delim >= utf8.RuneSelf || delim == '"' || delim == '\r' || delim == '\n' {
		return 0, false
	}
	return byte(delim), true
}

// parse parses the body over GOMAXPROCS goroutines; false means the body
// is not plain numeric text and nothing it stored may be used.
func (fb *fastBody) parse() bool {
	body := fb.body
	if bytes.IndexByte(body, '"') >= 0 {
		return false
	}
	// Cut the body into chunks at line ends and count each chunk's
	// non-empty lines (encoding/csv skips empty ones) to place its rows.
	parts := max(1, min(runtime.GOMAXPROCS(0)*4, len(body)/fastMinChunk))
	chunks := make([][]byte, 0, parts)
	for len(body) > 0 {
		cut := min(len(body), max(1, len(fb.body)/parts))
		if i := bytes.IndexByte(body[cut-1:], '\n'); i >= 0 {
			cut += i
		} else {
			cut = len(body)
		}
		chunks = append(chunks, body[:cut])
		body = body[cut:]
	}
	starts := make([]int, len(chunks)+1)
	forEach(len(chunks), func(c int) {
		starts[c+1] = countLines(chunks[c])
	})
	for c := range chunks {
		starts[c+1] += starts[c]
	}
	fb.alloc(starts[len(chunks)])
	var failed atomic.Bool
	forEach(len(chunks), func(c int) {
		if !fb.chunk(chunks[c], starts[c], &failed) {
			failed.Store(true)
		}
	})
	return !failed.Load()
}

// forEach calls fn(i) for i in [0, n) on up to GOMAXPROCS goroutines.
func forEach(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// nextLine splits the first line off b, without its "\n" or "\r\n" (a
// lone "\r" at the very end goes too, as encoding/csv drops it).
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		line, rest = b, nil
	} else {
		line, rest = b[:i], b[i+1:]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// countLines counts the non-empty lines of b.
func countLines(b []byte) int {
	n := 0
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		if len(line) > 0 {
			n++
		}
	}
	return n
}

// chunk parses the lines of b into rows first, first+1, ...
func (fb *fastBody) chunk(b []byte, first int, failed *atomic.Bool) bool {
	vals := make([]float64, fb.width)
	r := first
	decimal := fb.decimal && !isNumberByte(fb.delim)
	for len(b) > 0 {
		if failed.Load() {
			return false
		}
		if decimal {
			if n := fb.decimalLine(b, vals); n > 0 {
				fb.store(r, vals)
				r++
				b = b[n:]
				continue
			}
		}
		var line []byte
		line, b = nextLine(b)
		if len(line) == 0 {
			continue
		}
		for f := range vals {
			var field []byte
			if f < len(vals)-1 {
				i := bytes.IndexByte(line, fb.delim)
				if i < 0 {
					return false // too few fields
				}
				field, line = line[:i], line[i+1:]
			} else {
				if bytes.IndexByte(line, fb.delim) >= 0 {
					return false // too many fields
				}
				field = line
			}
			v, ok := fb.field(field)
			if !ok {
				return false
			}
			vals[f] = v
		}
		fb.store(r, vals)
		r++
	}
	return true
}

// decimalLine parses the line at the start of b when each of its fields
// is a number parseDecimal takes, into vals, and returns the line's
// length with its "\n" or "\r\n"; 0 when the line is anything else
// (empty, a field parseDecimal does not take, too few or too many
// fields, the input's last line without its newline ending in "\r"):
// chunk then reads it field by field.
func (fb *fastBody) decimalLine(b []byte, vals []float64) int {
	pos := 0
	for f := range vals {
		v, n, ok := scanDecimal(b[pos:])
		if !ok {
			return 0
		}
		vals[f] = v
		pos += n
		if f < len(vals)-1 {
			if pos == len(b) || b[pos] != fb.delim {
				return 0
			}
			pos++
			continue
		}
		switch {
		case pos == len(b):
			return pos
		case b[pos] == '\n':
			return pos + 1
		case b[pos] == '\r' && pos+1 < len(b) && b[pos+1] == '\n':
			return pos + 2
		}
	}
	return 0
}

// isNumberByte reports whether c can be part of a plain decimal number.
func isNumberByte(c byte) bool {
	return c-'0' < 10 || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

// bytesString views b as a string without copying; b must not change
// while the string is used.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// useFast switches the fast numeric reader on; tests switch it off to
// compare with the general path.
var useFast = true

// bomLen is the length of a UTF-8 byte-order mark at the start of data.
func bomLen(data []byte) int {
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		return 3
	}
	return 0
}

// fastTable returns the table ReadCSV reads from data when every column is
// numeric (declared Continuous or inferred) and the body is plain numeric
// text, parsed in parallel; nil otherwise (targets, categorical or ignored
// columns, comments, quotes, a bad value or row), for the general path.
// Values go through the general path's own parseNum unless parseDecimal,
// which agrees with strconv.ParseFloat bit for bit, takes them; missing
// markers become NaN as there.
func fastTable(data []byte, opts *ReadOptions) *Table {
	delim, ok := fastDelim(opts.Delimiter)
	if !ok || opts.Comment != 0 || opts.Decimal == ',' { // decimal commas: parseNum, not parseDecimal
		return nil
	}
	cr, err := csvReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil
	}
	s, err := readHeader(cr, opts)
	if err != nil || s.target >= 0 {
		return nil
	}
	for _, role := range s.roles {
		if role != Auto && role != Continuous {
			return nil
		}
	}
	var cols [][]float64
	headerLine, _ := cr.FieldPos(0)
	fb := fastBody{body: data[bomLen(data)+int(cr.InputOffset()):], delim: delim, width: len(s.header),
		alloc: func(rows int) {
			cols = make([][]float64, len(s.header))
			slab := hugemem.Float64s(rows*len(cols), rows*len(cols))
			for j := range cols {
				cols[j] = slab[j*rows : (j+1)*rows : (j+1)*rows]
			}
		},
		store: func(r int, vals []float64) {
			for j, v := range vals {
				cols[j][r] = v
			}
		},
	}
	fb.field, fb.decimal = fastField(s)
	if !fb.parse() || len(cols[0]) == 0 {
		return nil
	}
	t := &Table{Name: s.name, Rows: len(cols[0]), NA: s.na, Columns: make([]Column, len(s.header))}
	rl := newRowLines(headerLine)
	rl.add(fb.body)
	rl.set(t)
	for j, name := range s.header {
		t.Columns[j] = Column{Name: name, Role: Continuous, Num: cols[j]}
	}
	return t
}

// fastField returns the field parser of the fast readers of tables with
// schema s: the general path's own parseNum, unless parseDecimal, which
// agrees with strconv.ParseFloat bit for bit, takes the value; missing
// markers become NaN as there. false means the general path must read it.
// decimal reports that parseDecimal's values are taken as they are (no
// missing marker looks like a number): fastBody.decimal.
func fastField(s *schema) (field func(b []byte) (float64, bool), decimal bool) {
	strict := true // no missing marker looks like a number
	for _, m := range s.na {
		if _, ok := parseDecimal([]byte(strings.TrimSpace(m))); ok {
			strict = false
		}
	}
	return func(b []byte) (float64, bool) {
		if strict {
			if v, ok := parseDecimal(b); ok {
				return v, true
			}
		}
		if !utf8.Valid(b) {
			return 0, false
		}
		v, _, err := s.parseNum(bytesString(b))
		return v, err == nil
	}, strict
}

// fastNumeric parses body, the rows after ReadNumeric's first, into ds
// (which holds the first row unless it was a header), taking columns cols
// of width fields. It reports false, leaving ds as it was, when the body
// is not plain numeric text or a value is not a finite number: ReadNumeric
// then reads it row by row for the error. ds.N must be 0 or 1.
func fastNumeric(body []byte, delim rune, width int, cols []int, ds *Dataset) bool {
	d, ok := fastDelim(delim)
	if !ok || len(body) == 0 {
		return false
	}
	base, d0 := ds.N, len(ds.Data)
	fb := fastBody{body: body, delim: d, width: width, decimal: true,
		field: func(b []byte) (float64, bool) {
			if v, ok := parseDecimal(b); ok {
				return v, true
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(bytesString(b)), 64)
			return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
		},
		alloc: func(rows int) {
			data := hugemem.Float64s((base+rows)*ds.D, (base+rows)*ds.D)
			copy(data, ds.Data)
			ds.Data = data
		},
		store: func(r int, vals []float64) {
			row := ds.Data[(base+r)*ds.D : (base+r+1)*ds.D]
			for k, c := range cols {
				row[k] = vals[c]
			}
		},
	}
	if !fb.parse() {
		ds.Data = ds.Data[:d0]
		return false
	}
	ds.N = len(ds.Data) / ds.D
	return ds.N > 0
}

// readAll reads r to the end like io.ReadAll, but sizes the buffer once
// when r says how much it holds (a file's size, a reader's Len), instead
// of growing it by copies, and does not clear it first (a large fresh
// buffer costs a page fault per page: once is enough).
func readAll(r io.Reader) ([]byte, error) {
	hint := 0
	switch v := r.(type) {
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			hint = int(fi.Size())
		}
	case interface{ Len() int }:
		hint = v.Len()
	}
	if hint <= 0 {
		return io.ReadAll(r)
	}
	b := hugemem.Bytes(0, hint+1) // +1: the read that sees EOF needs room
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) { // r grew since its size was taken
			b = append(b, 0)[:len(b)]
		}
	}
}

// rowLines tracks the input line of each row of the fast readers' bodies
// (encoding/csv skips empty lines): row i is on line first+i until a body
// holds an empty line, and is then listed.
type rowLines struct {
	first int   // the line of the first data row
	next  int   // the line of the next body's first line
	rows  int   // rows seen
	lines []int // nil until a body holds an empty line
}

func newRowLines(headerLine int) *rowLines {
	return &rowLines{first: headerLine + 1, next: headerLine + 1}
}

// add records the rows of body, the next run of whole lines (the last
// line of the input may lack its newline).
func (rl *rowLines) add(body []byte) {
	if rl.lines == nil && (bytes.HasPrefix(body, []byte("\n")) || bytes.HasPrefix(body, []byte("\r\n")) ||
		bytes.Contains(body, []byte("\n\n")) || bytes.Contains(body, []byte("\n\r\n"))) {
		rl.lines = make([]int, rl.rows)
		for i := range rl.lines {
			rl.lines[i] = rl.first + i
		}
	}
	if rl.lines == nil {
		rl.rows += countLines(body)
		rl.next += bytes.Count(body, []byte("\n"))
		return
	}
	for len(body) > 0 {
		var line []byte
		if line, body = nextLine(body); len(line) > 0 {
			rl.lines = append(rl.lines, rl.next)
			rl.rows++
		}
		rl.next++
	}
}

// set gives t the rows' lines.
func (rl *rowLines) set(t *Table) { t.lineBase, t.lines = rl.first, rl.lines }
