package loaders

import (
	"io"
	"runtime"
	"slices"

	"github.com/somgraph/somgraph/internal/hugemem"
)

// loadPlain is LoadReader's one-pass path under Options.NoTable: a regular
// file of plain numbers (what windowTable reads) is parsed a window at a
// time straight into one row-major block, the pipeline is fitted on the
// block's training rows, and the block is encoded in place into the
// dataset: no column table, and no second copy of the data. The values,
// the order in which each column's statistics see them and the encoding
// are those of ReadCSV, NewDataBunch's Fit and Transform, so the bunch is
// the same. It returns nil, having sought r back to where it was, for
// input the general path must read (anything windowTable declines, a
// validation column, embeddings), and for an encoding failure, whose
// located error the general path gives; err is a read, seek or fit error.
func loadPlain(r io.Reader, o *Options) (*DataBunch, error) {
	if o.ValidColumn != "" || o.Pipeline.Encode == Embedding {
		return nil, nil
	}
	size, at := fileRemaining(r)
	if size < 0 {
		return nil, nil
	}
	ro := o.readOptions()
	var (
		s    *schema
		w    int       // fields per row
		raw  []float64 // the rows, row-major
		base int       // rows stored before this window
		rl   rowLines
	)
	ok, err := scanWindows(r, ro, windowSink{
		start: func(sc *schema) bool { s, w = sc, len(sc.header); return true },
		alloc: func(rows, n int) {
			if base == 0 {
				raw = hugemem.Float64s(0, estimateRows(rows, n, size)*w)
			}
			raw = slices.Grow(raw, rows*w)[:(base+rows)*w]
		},
		store: func(r int, vals []float64) { copy(raw[(base+r)*w:], vals) },
		done:  func(rows int) bool { base += rows; return true },
		lines: &rl,
	})
	back := func() (*DataBunch, error) {
		if _, err := r.(io.Seeker).Seek(at, io.SeekStart); err != nil {
			return nil, wrapCSV(ro.Name, err)
		}
		return nil, nil
	}
	if err != nil {
		return nil, wrapCSV(ro.Name, err)
	}
	if !ok {
		return back()
	}
	train, valid, err := splitRows(base, o)
	if err != nil {
		return nil, err
	}
	// Fit, as Fit does on the table windowTable reads: every column
	// continuous, each summarized over the training rows in order.
	f := newFitter(s.name, &o.Pipeline, s.na)
	conts := make([]*contAcc, w)
	pool := newSamplePool(min(w, runtime.GOMAXPROCS(0)*summaryGroup), len(train))
	forEach((w+summaryGroup-1)/summaryGroup, func(g int) {
		j := g * summaryGroup
		k := min(summaryGroup, w-j)
		copy(conts[j:j+k], summarize(raw[j:], w, train, pool, k))
	})
	for j, name := range s.header {
		f.addCont(name, conts[j])
	}
	p, err := f.finish()
	if err != nil {
		return nil, err
	}
	all := &Dataset{N: base, D: p.layout.Width, Features: p.Features()}
	if plan := p.contPlan(); inPlace(plan) {
		all.Data = raw
		if !encodeInPlace(plan, raw, base) {
			return back()
		}
	} else {
		// Missing values with indicators, or kept missing: Transform
		// of the table, as NewDataBunch does.
		t := &Table{Name: s.name, Rows: base, NA: s.na, Columns: make([]Column, w)}
		rl.set(t)
		for j, name := range s.header {
			c := make([]float64, base)
			for i := range c {
				c[i] = raw[i*w+j]
			}
			t.Columns[j] = Column{Name: name, Role: Continuous, Num: c}
		}
		if all, err = p.Transform(t); err != nil {
			return nil, err
		}
	}
	db := &DataBunch{Pipeline: p, TrainRows: train, ValidRows: valid, Train: all}
	if len(valid) > 0 {
		db.Train, db.Valid = all.Subset(train), all.Subset(valid)
	}
	return db, nil
}

// inPlace reports whether plan encodes each input j into encoded column j
// alone (no indicator columns), so that a row can be encoded over itself.
func inPlace(plan []contEnc) bool {
	if plan == nil {
		return false
	}
	for j, c := range plan {
		if c.start != j || c.indicator {
			return false
		}
	}
	return true
}

// encodeInPlace encodes the n rows of the row-major block data over
// themselves with plan (see inPlace), in parallel chunks; false when a
// value does not encode to a finite number (data is then partly encoded).
func encodeInPlace(plan []contEnc, data []float64, n int) bool {
	w := len(plan)
	nchunks := max(1, min(runtime.GOMAXPROCS(0), n/2048))
	bad := make([]bool, nchunks)
	forEach(nchunks, func(ch int) {
		lo, hi := ch*n/nchunks, (ch+1)*n/nchunks
		for i := lo; i < hi; i++ {
			row := data[i*w : (i+1)*w]
			for j := range plan {
				if !plan[j].encode(row[j], row) {
					bad[ch] = true
				}
			}
			if bad[ch] {
				return
			}
		}
	})
	return !slices.Contains(bad, true)
}
