package loaders

import (
	"bytes"
	"io"
	"os"
	"slices"
	"sync/atomic"

	"github.com/somgraph/somgraph/internal/hugemem"
)

// The windowed fast reader is the fast numeric reader for input that is
// not held in memory: a file read by ReadCSV, or read twice by LoadStream.
// It reads a window of whole lines at a time into one reused buffer and
// parses each window in parallel chunks (fastBody), so the text of the
// whole file is never in memory at once. It takes the same input as
// fastTable and declines the same: the caller then reads the input again
// from the start with its general encoding/csv path, which gives the
// answer, or the located error and skip counts, it always gave.

// windowSize is the number of bytes of text the windowed reader parses at
// a time (a line longer than that grows the window); tests shrink it.
var windowSize = 4 << 20

// windows cuts a reader into windows of whole lines.
type windows struct {
	r      io.Reader
	buf    []byte
	off, n int // buf[off:n] is read and not yet returned
	eof    bool
}

// next returns the next window: whole lines, but for the input's last
// line, which may lack its newline; io.EOF after the last. The window is
// valid until the next call.
func (w *windows) next() ([]byte, error) {
	if w.buf == nil {
		size := windowSize
		if n, _ := fileRemaining(w.r); n >= 0 && n < int64(size) {
			size = int(n) + 1 // a small file: the read that sees EOF needs room
		}
		w.buf = hugemem.Bytes(size, size)
	}
	w.n = copy(w.buf, w.buf[w.off:w.n])
	w.off = 0
	for {
		for empty := 0; !w.eof && w.n < len(w.buf); {
			k, err := w.r.Read(w.buf[w.n:])
			w.n += k
			switch {
			case err == io.EOF:
				w.eof = true
			case err != nil:
				return nil, err
			case k == 0:
				if empty++; empty > 100 {
					return nil, io.ErrNoProgress
				}
			}
		}
		if w.eof {
			if w.n == 0 {
				return nil, io.EOF
			}
			w.off = w.n
			return w.buf[:w.n], nil
		}
		if i := bytes.LastIndexByte(w.buf[:w.n], '\n'); i >= 0 {
			w.off = i + 1
			return w.buf[:w.off], nil
		}
		w.buf = append(w.buf, make([]byte, len(w.buf))...) // a line longer than the window
	}
}

// windowSink receives what the windowed reader parses.
type windowSink struct {
	// start is called with the header's schema; false declines the input.
	start func(s *schema) bool
	// alloc, store: as fastBody's, for the rows of one window (r counts
	// from 0 in each window); size is the window's length in bytes.
	alloc func(rows, size int)
	store func(r int, vals []float64)
	// done is called after a window's rows are stored; false declines.
	done func(rows int) bool
	// lines, if set, tracks the rows' input lines.
	lines *rowLines
}

// scanWindows reads a plain numeric table from r a window at a time into
// sink. It reports false, with a nil error, when the input is not plain
// numeric text (see fastTable) or sink declines it, or when it has no data
// row; whatever sink received must then be dropped. err is a read error.
func scanWindows(r io.Reader, opts *ReadOptions, sink windowSink) (ok bool, err error) {
	delim, ok := fastDelim(opts.Delimiter)
	if !ok || opts.Comment != 0 || opts.Decimal == ',' {
		return false, nil
	}
	w := &windows{r: r}
	win, err := w.next()
	if err == io.EOF {
		return false, nil // no header: the general path says so
	}
	if err != nil {
		return false, err
	}
	// The header is the first record of the first window: encoding/csv
	// reads it (a quoted name may hold the delimiter); the body starts
	// after it. A quoted header that runs to the end of the window may go
	// on after it: that is left to the general path.
	cr, err := csvReader(bytes.NewReader(win), opts)
	if err != nil {
		return false, nil
	}
	s, err := readHeader(cr, opts)
	if err != nil || s.target >= 0 {
		return false, nil
	}
	off := bomLen(win) + int(cr.InputOffset())
	switch {
	case off > len(win), off < len(win) && win[off-1] != '\n':
		return false, nil
	case off == len(win) && !w.eof && bytes.IndexByte(win, '"') >= 0:
		return false, nil
	}
	for _, role := range s.roles {
		if role != Auto && role != Continuous {
			return false, nil
		}
	}
	if !sink.start(s) {
		return false, nil
	}
	if sink.lines != nil {
		headerLine, _ := cr.FieldPos(0)
		*sink.lines = *newRowLines(headerLine)
	}
	body, rows, n := win[off:], 0, 0
	fb := fastBody{delim: delim, width: len(s.header), store: sink.store,
		alloc: func(r int) { n = r; sink.alloc(r, len(body)) }}
	fb.field, fb.decimal = fastField(s)
	for {
		if len(body) > 0 {
			fb.body = body
			if !fb.parse() || !sink.done(n) {
				return false, nil
			}
			if sink.lines != nil {
				sink.lines.add(body)
			}
			rows += n
		}
		body, err = w.next()
		if err == io.EOF {
			return rows > 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// fileRemaining returns the bytes left to read in r when r is a regular
// file, else -1.
func fileRemaining(r io.Reader) (size int64, at int64) {
	f, ok := r.(interface {
		Stat() (os.FileInfo, error)
		io.Seeker
	})
	if !ok {
		return -1, 0
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return -1, 0
	}
	at, err = f.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1, 0
	}
	return fi.Size() - at, at
}

// addWindow adds a window's rows (block, row-major, one value per
// accumulator) that are not validation rows to the column accumulators
// cont: each column in row order, as a row-by-row pass adds them (the same
// sums and samples), the columns in parallel.
func addWindow(cont []*contAcc, block []float64, valid []bool) {
	w := len(cont)
	forEach(w, func(j int) {
		a := cont[j]
		for i, v := range valid {
			if !v {
				a.add(block[i*w+j])
			}
		}
	})
}

// estimateRows estimates the rows of a file of size bytes whose first
// window of n bytes held rows rows, with room to spare (capacity never
// written costs nothing: its pages are never touched).
func estimateRows(rows, n int, size int64) int {
	return int(float64(rows)*float64(size)/float64(max(n, 1))*1.1) + rows + 16
}

// windowTable is fastTable for a regular file read a window at a time:
// the table, or nil when ReadCSV must read the input from where it was
// (windowTable seeks back there) with its general path; err is a read or
// seek error.
func windowTable(r io.Reader, opts *ReadOptions) (*Table, error) {
	size, at := fileRemaining(r)
	if size < 0 {
		return nil, nil
	}
	var (
		s    *schema
		cols [][]float64
		base int // rows stored before this window
		rl   rowLines
	)
	ok, err := scanWindows(r, opts, windowSink{
		start: func(sc *schema) bool {
			s = sc
			cols = make([][]float64, len(s.header))
			return true
		},
		alloc: func(rows, n int) {
			if base == 0 {
				est := estimateRows(rows, n, size)
				slab := hugemem.Float64s(0, est*len(cols))
				for j := range cols {
					cols[j] = slab[j*est : j*est : (j+1)*est]
				}
			}
			for j := range cols {
				cols[j] = slices.Grow(cols[j], rows)[:base+rows]
			}
		},
		store: func(r int, vals []float64) {
			for j, v := range vals {
				cols[j][base+r] = v
			}
		},
		done:  func(rows int) bool { base += rows; return true },
		lines: &rl,
	})
	if err != nil {
		return nil, wrapCSV(opts.Name, err)
	}
	if !ok {
		if _, err := r.(io.Seeker).Seek(at, io.SeekStart); err != nil {
			return nil, wrapCSV(opts.Name, err)
		}
		return nil, nil
	}
	t := &Table{Name: s.name, Rows: base, NA: s.na, Columns: make([]Column, len(s.header))}
	rl.set(t)
	for j, name := range s.header {
		t.Columns[j] = Column{Name: name, Role: Continuous, Num: cols[j]}
	}
	return t, nil
}

// ReadTransform reads a table from r with read options ro (normally the
// pipeline's ReadOptions, with the caller's name, delimiter and decimal
// mark) and encodes it: the result and the errors of ReadCSV followed by
// Transform. A regular file of plain numbers for a pipeline of continuous
// inputs only is parsed a window at a time straight into the encoded
// records, without the table in between. ro may be nil.
func (p *Pipeline) ReadTransform(r io.Reader, ro *ReadOptions) (*Dataset, error) {
	if ro == nil {
		ro = &ReadOptions{}
	}
	if useFast {
		if ds, err := p.windowDataset(r, ro); ds != nil || err != nil {
			return ds, err
		}
	}
	t, err := ReadCSV(r, ro)
	if err != nil {
		return nil, err
	}
	return p.Transform(t)
}

// windowDataset is ReadTransform's windowed path: the dataset, or nil
// when the input must be read from where it was (windowDataset seeks
// back there) by ReadCSV and Transform; err is a read or seek error.
func (p *Pipeline) windowDataset(r io.Reader, ro *ReadOptions) (*Dataset, error) {
	size, at := fileRemaining(r)
	if size < 0 || p.ready() != nil || p.Target != "" {
		return nil, nil
	}
	plan := p.contPlan()
	if plan == nil {
		return nil, nil
	}
	d := p.layout.Width
	ds := &Dataset{D: d, Features: p.Features()}
	var (
		fidx []int // header index of each input
		base int   // rows stored before this window
		bad  atomic.Bool
	)
	ok, err := scanWindows(r, ro, windowSink{
		start: func(s *schema) bool {
			fidx = make([]int, len(p.Columns))
			for j, c := range p.Columns {
				if fidx[j] = slices.Index(s.header, c.Name); fidx[j] < 0 {
					return false
				}
			}
			return true
		},
		alloc: func(rows, n int) {
			if base == 0 {
				ds.Data = hugemem.Float64s(0, estimateRows(rows, n, size)*d)
			}
			ds.Data = slices.Grow(ds.Data, rows*d)[:(base+rows)*d]
		},
		store: func(r int, vals []float64) {
			row := ds.Data[(base+r)*d : (base+r+1)*d]
			for j := range plan {
				if !plan[j].encode(vals[fidx[j]], row) {
					bad.Store(true) // Transform reports it
				}
			}
		},
		done: func(rows int) bool { base += rows; return !bad.Load() },
	})
	if err != nil {
		return nil, wrapCSV(ro.Name, err)
	}
	if !ok {
		if _, err := r.(io.Seeker).Seek(at, io.SeekStart); err != nil {
			return nil, wrapCSV(ro.Name, err)
		}
		return nil, nil
	}
	ds.N = base
	return ds, nil
}
