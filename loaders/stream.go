package loaders

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/internal/hugemem"
)

// Opener opens a fresh reader over the same data each time it is called;
// the streaming reader calls it two or three times.
type Opener func() (io.ReadCloser, error)

// LoadStream reads a CSV table in two passes without holding its text in
// memory: the first pass infers the roles (by the same rule as ReadCSV)
// and fits the pipeline on the training rows, the second encodes every row
// into the Train and Valid datasets. (If a column that looked numeric holds
// text further down, the first pass runs again to count its levels.) Medians are exact up to
// opts.StreamSample training values per column and estimated from a seeded
// sample above; a random split draws each row on its own (see
// Options.ValidFrac). opts may be nil.
func LoadStream(open Opener, opts *Options) (*DataBunch, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.StreamSample == 0 {
		o.StreamSample = DefaultStreamSample
	}
	ro := o.readOptions()
	st := &streamer{o: &o, ro: ro}
	// Plain numeric files are read by the windowed fast reader; anything
	// it declines is read again from the start, row by row.
	fast := false
	if useFast {
		var err error
		if fast, err = st.fastPass(open, true); err != nil {
			return nil, err
		}
	}
	if !fast {
		if err := st.pass(open, st.fitRow, true); err != nil {
			return nil, err
		}
	}
	if st.redo {
		// A column inferred numeric so far held text: count its levels
		// from the start. No column can change again.
		st.redo = false
		if err := st.pass(open, st.fitRow, true); err != nil {
			return nil, err
		}
	}
	p, err := st.fit()
	if err != nil {
		return nil, err
	}
	st.p = p
	byName := make(map[string]int, len(st.s.header))
	for k, h := range st.s.header {
		byName[h] = k
	}
	st.fidx = make([]int, len(p.Columns))
	for j, c := range p.Columns {
		st.fidx[j] = byName[c.Name]
	}
	// The first pass counted the rows of each split: allocate them once.
	nv, d := st.rows-st.ntrain, p.Width()
	st.train = &Dataset{D: d, Features: p.Features(), Data: hugemem.Float64s(0, st.ntrain*d)}
	st.valid = &Dataset{D: d, Features: p.Features(), Data: hugemem.Float64s(0, nv*d)}
	if p.Target != "" {
		st.train.Labels, st.valid.Labels = make([]string, 0, st.ntrain), make([]string, 0, nv)
	}
	st.row = make([]float64, p.Width())
	if fast {
		var err error
		if fast, err = st.fastPass(open, false); err != nil {
			return nil, err
		}
	}
	if !fast {
		st.train.Data, st.train.N, st.valid.Data, st.valid.N = st.train.Data[:0], 0, st.valid.Data[:0], 0
		if err := st.pass(open, st.encodeRow, false); err != nil {
			return nil, err
		}
	}
	db := &DataBunch{Pipeline: p, Train: st.train, Skipped: st.gate.nskip, SkipErrors: st.gate.skip, Streamed: true}
	if st.valid.N > 0 {
		db.Valid = st.valid
	}
	return db, nil
}

type streamer struct {
	o  *Options
	ro *ReadOptions
	s  *schema
	// first pass
	rows, ntrain int
	numeric      []bool
	cont         []*contAcc
	cat          []*catAcc
	gate         *gate // of the fitting pass
	redo         bool  // an Auto column turned out categorical
	// second pass
	p            *Pipeline
	fidx         []int
	train, valid *Dataset
	row          []float64
}

// pass reads the input once, calling fn with each good row, its line, its
// 1-based data row number and whether it is a validation row.
func (st *streamer) pass(open Opener, fn func(fields []string, line, row int, valid bool) error, fitting bool) error {
	rc, err := open()
	if err != nil {
		return fmt.Errorf("loaders: opening %s: %w", nameOf(st.ro.Name), err)
	}
	defer rc.Close()
	cr, err := csvReader(rc, st.ro)
	if err != nil {
		return err
	}
	cr.ReuseRecord = true
	s, err := readHeader(cr, st.ro)
	if err != nil {
		return err
	}
	g, sp, err := st.begin(s, fitting)
	if err != nil {
		return err
	}
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return g.finish()
		}
		if err != nil {
			return wrapCSV(st.ro.Name, err)
		}
		line, _ := cr.FieldPos(0)
		ok, err := g.check(fields, line)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		row := g.rows
		valid, err := sp.valid(fields, line, row)
		if err != nil {
			return err
		}
		if err := fn(fields, line, row, valid); err != nil {
			return err
		}
	}
}

// begin starts a pass over input with the header schema s: it checks the
// header against the previous pass's and, for a fitting pass, resets the
// accumulators. It returns the pass's gate and splitter.
func (st *streamer) begin(s *schema, fitting bool) (*gate, *splitter, error) {
	if st.s != nil && !slices.Equal(st.s.header, s.header) {
		return nil, nil, fmt.Errorf("loaders: %s: the header changed between passes: do not modify the file while it is read", nameOf(st.ro.Name))
	}
	st.s = s
	sp, err := newSplitter(st.o, s, st.ro.Name, st.o.Seed)
	if err != nil {
		return nil, nil, err
	}
	g := &gate{s: s}
	if fitting {
		st.gate = g
		st.rows, st.ntrain = 0, 0
		if st.numeric == nil {
			st.numeric = make([]bool, len(s.header))
			for j, r := range s.roles {
				st.numeric[j] = r == Auto || r == Continuous
			}
		}
		st.cont = make([]*contAcc, len(s.header))
		st.cat = make([]*catAcc, len(s.header))
		for j, r := range s.roles {
			switch {
			case (r == Auto || r == Continuous) && st.numeric[j]:
				st.cont[j] = &contAcc{cap: st.o.StreamSample, rng: rand.New(rand.NewPCG(st.o.Seed, uint64(j)))}
			case r == Auto || r == Categorical:
				st.cat[j] = newCatAcc(st.o.Pipeline.levelCap())
			}
		}
	}
	return g, sp, nil
}

// fastPass is pass for a plain numeric file (no target, no split column):
// the windowed fast reader parses it, the fitting pass feeds each window
// to the accumulators column by column, the encoding pass encodes its
// rows in order. It reports false when the input is not plain numeric
// text, a value does not encode to a finite number or a row has no
// feature present (SkipMissing): what it did must
// then be done again by pass, which reports the error.
func (st *streamer) fastPass(open Opener, fitting bool) (bool, error) {
	if st.o.ValidColumn != "" {
		return false, nil
	}
	rc, err := open()
	if err != nil {
		return false, fmt.Errorf("loaders: opening %s: %w", nameOf(st.ro.Name), err)
	}
	defer rc.Close()
	var (
		g     *gate
		sp    *splitter
		block []float64
		valid []bool
		width int
	)
	ok, err := scanWindows(rc, st.ro, windowSink{
		start: func(s *schema) bool {
			if st.s != nil && !slices.Equal(st.s.header, s.header) {
				return false // pass reports it
			}
			if !fitting {
				for _, c := range st.p.Columns {
					if c.Kind != Continuous {
						return false
					}
				}
			}
			var berr error // pass reports it
			g, sp, berr = st.begin(s, fitting)
			width = len(s.header)
			return berr == nil
		},
		alloc: func(rows, _ int) {
			block = slices.Grow(block[:0], rows*width)[:rows*width]
			valid = slices.Grow(valid[:0], rows)[:rows]
		},
		store: func(r int, vals []float64) { copy(block[r*width:(r+1)*width], vals) },
		done: func(rows int) bool {
			for i := range valid {
				g.rows++
				g.kept++
				valid[i], _ = sp.valid(nil, 0, g.rows) // no split column: a draw
			}
			if fitting {
				for _, v := range valid {
					st.rows++
					if !v {
						st.ntrain++
					}
				}
				addWindow(st.cont, block, valid)
				return true
			}
			for i, v := range valid {
				for j := range st.p.Columns {
					if _, ok := st.p.encodeCont(j, block[i*width+st.fidx[j]], st.row); !ok {
						return false
					}
				}
				if st.p.checkPresent(st.row) != nil {
					return false // no feature present: pass names the line
				}
				ds := st.train
				if v {
					ds = st.valid
				}
				ds.Data = append(ds.Data, st.row...)
				ds.N++
			}
			return true
		},
	})
	if err != nil {
		return false, wrapCSV(st.ro.Name, err)
	}
	return ok, nil
}

// splitter says which rows of a CSV input read row by row are validation
// rows: those its ValidColumn marks, or with ValidFrac each row drawn on
// its own (rowDraw of the seed and the data row number).
type splitter struct {
	col  int // the valid column, or -1
	frac float64
	seed uint64
	name string
	s    *schema
}

func newSplitter(o *Options, s *schema, name string, seed uint64) (*splitter, error) {
	sp := &splitter{col: -1, frac: o.ValidFrac, seed: seed, name: name, s: s}
	if o.ValidColumn != "" {
		if sp.col = slices.Index(s.header, o.ValidColumn); sp.col < 0 {
			return nil, fmt.Errorf("%w %q in ValidColumn: the columns are %s", ErrUnknownColumn, o.ValidColumn, strings.Join(s.header, ", "))
		}
	}
	return sp, nil
}

// valid reports whether the row (its fields, line and 1-based data row
// number) is a validation row.
func (sp *splitter) valid(fields []string, line, row int) (bool, error) {
	if sp.col < 0 {
		return sp.frac > 0 && rowDraw(sp.seed, row) < sp.frac, nil
	}
	// A missing marker is an empty value, as in the table read in
	// memory: a training row.
	v := strings.TrimSpace(fields[sp.col])
	if sp.s.isNA(v) {
		v = ""
	}
	valid, ok := parseValid(v)
	if !ok {
		return false, (&ParseError{Name: sp.name, Line: line, Row: row, Column: sp.col + 1, ColumnName: sp.s.header[sp.col], Value: fields[sp.col], Err: ErrSplitValue}).hinted()
	}
	return valid, nil
}

// rowDraw is a uniform draw in [0, 1) for data row i under seed
// (splitmix64 of the pair).
func rowDraw(seed uint64, i int) float64 {
	z := seed + uint64(i)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// fitRow is the fitting pass: infer types on every row, accumulate the
// statistics of training rows.
func (st *streamer) fitRow(fields []string, _, _ int, valid bool) error {
	st.rows++
	if !valid {
		st.ntrain++
	}
	for j, v := range fields {
		switch {
		case st.cont[j] != nil:
			x, _, err := st.s.parseNum(v)
			if err != nil { // only Auto columns get here: checkRow vetted the others
				st.numeric[j], st.cont[j], st.redo = false, nil, true
			} else if !valid {
				st.cont[j].add(x)
			}
		case st.cat[j] != nil && !valid:
			v = strings.TrimSpace(v)
			st.cat[j].add(v, st.s.isNA(v))
		}
	}
	return nil
}

// fit turns the first pass's accumulators into a pipeline.
func (st *streamer) fit() (*Pipeline, error) {
	name := st.ro.Name
	if st.ntrain == 0 {
		return nil, fmt.Errorf("loaders: %s: the split leaves no training rows: mark some rows as training", nameOf(name))
	}
	f := newFitter(name, &st.o.Pipeline, st.s.na)
	for j, h := range st.s.header {
		switch role := st.s.roles[j]; {
		case role == Target:
			f.p.Target = h
		case role == Continuous || role == Auto && st.numeric[j]:
			f.addCont(h, st.cont[j])
		case role == Categorical || role == Auto:
			f.addCat(h, st.cat[j])
		}
	}
	return f.finish()
}

// encodeRow is the second pass: encode a row into its split.
func (st *streamer) encodeRow(fields []string, line, row int, valid bool) error {
	if pe := st.p.encodeFields(fields, st.fidx, st.s, st.row); pe != nil {
		pe.Name, pe.Line, pe.Row = st.ro.Name, line, row
		return pe
	}
	ds := st.train
	if valid {
		ds = st.valid
	}
	ds.Data = append(ds.Data, st.row...)
	ds.N++
	if ds.Labels != nil {
		label := strings.TrimSpace(fields[st.s.target])
		if st.s.isNA(label) {
			label = ""
		}
		ds.Labels = append(ds.Labels, strings.Clone(label)) // not the whole record
	}
	return nil
}
