package loaders

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Reading a dataset split into CSV shards (files with the same header),
// for a distributed runner such as Beam: FitShard summarizes one shard,
// ShardSummary.Merge combines summaries in any order, Pipeline fits the
// same pipeline LoadStream would fit on the shards' rows concatenated, and
// EncodeShard encodes a shard with it. A shard may be empty (no bytes, or
// a header only).
//
// A validation split marks rows as LoadStream does: Options.ValidColumn
// marks them (the same rows as in the shards concatenated), or with
// Options.ValidFrac each row is drawn on its own with probability ValidFrac
// from Options.Seed, the shard's file name (without its directory) and the
// row's number in the shard — so the split does not depend on the runner
// or on the other shards, but it is not the rows LoadStream draws on the
// concatenated file. The pipeline is fitted on the training rows only;
// EncodeShard says of each record which split it is in.

// ErrRefit means the shards disagree on an inferred role: a column read as
// numbers in some shards holds text in others, so it is categorical and
// the shards that read it as numbers must count its levels. Fit again with
// the columns of ShardSummary.Refit declared categorical.
var ErrRefit = errors.New("loaders: a column inferred numeric in some shards holds text in others: fit again with it declared categorical")

// ShardSummary is the mergeable result of the fitting pass over CSV
// shards: the header and inferred roles, and per column the count, mean
// and variance (merged by Chan's formulas), minimum, maximum, a sample of
// values for the median, or the counts of the levels.
type ShardSummary struct {
	s shardState
}

// shardState holds the summary in exported fields for encoding/gob.
type shardState struct {
	Header     []string
	Numeric    []bool             // per column: continuous (declared, or inferred so far)
	Cont       map[int]*ContState // by column, for continuous columns
	Cat        map[int]*CatState  // by column, for categorical columns
	Rows       int                // good rows
	Skipped    int
	SkipErrs   []string
	TargetSeen bool
	Deferred   string // a missing target pending TargetSeen
	HasHeader  bool   // some shard added had a header
	ValidRows  int    // good rows of the validation split (Rows counts the training rows)
	PerShard   map[string]ShardCount
	Cap        int
	Seed       uint64
}

// ShardCount is the number of good rows of one shard in each split.
type ShardCount struct{ Train, Valid int }

// ContState is a continuous column's accumulator in exported form.
type ContState struct {
	N, Missing     int
	Mean, M2       float64
	Min, Max       float64
	Sample         []float64
	SampleOfShards int // how many shards' samples were merged
}

// CatState is a categorical column's accumulator in exported form.
type CatState struct {
	Counts   map[string]int
	Missing  int
	Cap      int
	Overflow bool
}

// shardOptions checks opts for shards and returns them with defaults.
func shardOptions(opts *Options) (Options, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return o, err
	}
	if o.StreamSample == 0 {
		o.StreamSample = DefaultStreamSample
	}
	return o, nil
}

// FitShard reads one shard (name names it in errors, as the file name
// does for Load) and summarizes its rows for the pipeline. open is called
// once, or twice if a column inferred numeric turns out to hold text. Bad
// rows are an error naming the shard and line, or skipped and counted
// under opts.Read.BadRows Skip, as LoadStream does.
func FitShard(name string, open Opener, opts *Options) (*ShardSummary, error) {
	o, err := shardOptions(opts)
	if err != nil {
		return nil, err
	}
	o.Read.Name = name
	sum, redo, err := fitShardPass(open, &o)
	if err != nil || len(redo) == 0 {
		return sum, err
	}
	// A column looked numeric, then held text: count its levels from the
	// start, as LoadStream does.
	o.Read.Cat = append(slices.Clone(o.Read.Cat), redo...)
	sum, _, err = fitShardPass(open, &o)
	return sum, err
}

func fitShardPass(open Opener, o *Options) (*ShardSummary, []string, error) {
	if useFast {
		if sum, redo, ok, err := fastFitShard(open, o); ok || err != nil {
			return sum, redo, err
		}
	}
	f := &shardFit{st: shardState{Cap: o.StreamSample, Seed: o.Seed}}
	s, g, err := readShard(open, o, func(s *schema) error {
		f.start(s, o)
		return nil
	}, func(s *schema, fields []string, _, _ int, valid bool) error {
		if valid {
			f.st.ValidRows++
		} else {
			f.st.Rows++
		}
		for j, v := range fields {
			switch {
			case f.flips[j]:
			case f.cont[j] != nil:
				x, _, err := s.parseNum(v)
				if err != nil { // only Auto columns get here: types come from every row
					f.flips[j] = true
					continue
				}
				if !valid { // statistics from the training rows
					f.cont[j].add(x)
				}
			case f.cat[j] != nil && !valid:
				v = strings.TrimSpace(v)
				f.cat[j].add(v, s.isNA(v))
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if s == nil {
		return &ShardSummary{s: f.st}, nil, nil
	}
	sum, redo := f.summary(s, g, o.Read.Name)
	return sum, redo, nil
}

// shardFit accumulates the fitting pass over one shard.
type shardFit struct {
	st    shardState
	cont  []*contAcc
	cat   []*catAcc
	flips []bool // Auto columns that held text
}

// start sets up the accumulators for the shard's header schema s.
func (f *shardFit) start(s *schema, o *Options) {
	f.st.HasHeader = true
	f.st.Header = slices.Clone(s.header)
	f.st.Numeric = make([]bool, len(s.header))
	f.cont, f.cat = make([]*contAcc, len(s.header)), make([]*catAcc, len(s.header))
	f.flips = make([]bool, len(s.header))
	for j, r := range s.roles {
		switch {
		case r == Auto || r == Continuous:
			f.st.Numeric[j] = true
			f.cont[j] = &contAcc{cap: o.StreamSample, rng: rand.New(rand.NewPCG(o.Seed, uint64(j)))}
		case r == Categorical:
			f.cat[j] = newCatAcc(o.Pipeline.levelCap())
		}
	}
}

// summary returns the shard's summary after a pass read by gate g, and
// the Auto columns that held text (to read again as categorical).
func (f *shardFit) summary(s *schema, g *gate, name string) (*ShardSummary, []string) {
	st := f.st
	st.PerShard = map[string]ShardCount{name: {Train: st.Rows, Valid: st.ValidRows}}
	var redo []string
	for j, fl := range f.flips {
		if fl {
			redo = append(redo, s.header[j])
		}
	}
	st.Skipped = g.nskip
	for _, pe := range g.skip {
		st.SkipErrs = append(st.SkipErrs, pe.Error())
	}
	st.TargetSeen = g.targetSeen
	if g.deferred != nil {
		st.Deferred = g.deferred.Error()
	}
	st.Cont, st.Cat = map[int]*ContState{}, map[int]*CatState{}
	for j, a := range f.cont {
		if a != nil {
			st.Cont[j] = &ContState{N: a.n, Missing: a.missing, Mean: a.mean, M2: a.m2, Min: a.min, Max: a.max, Sample: a.sample, SampleOfShards: 1}
		}
	}
	for j, a := range f.cat {
		if a != nil {
			st.Cat[j] = &CatState{Counts: a.counts, Missing: a.missing, Cap: a.cap, Overflow: a.overflow}
		}
	}
	return &ShardSummary{s: st}, redo
}

// fastFitShard is fitShardPass for a plain numeric shard (no target, no
// split column) read by the windowed fast reader: each window's values go
// to the column accumulators in row order. ok is false when the shard is
// not plain numeric text (or has no data row): fitShardPass then reads it
// row by row.
func fastFitShard(open Opener, o *Options) (sum *ShardSummary, redo []string, ok bool, err error) {
	if o.ValidColumn != "" {
		return nil, nil, false, nil
	}
	ro := o.readOptions()
	rc, err := open()
	if err != nil {
		return nil, nil, false, fmt.Errorf("loaders: opening %s: %w", nameOf(ro.Name), err)
	}
	defer rc.Close()
	f := &shardFit{st: shardState{Cap: o.StreamSample, Seed: o.Seed}}
	var (
		s     *schema
		g     *gate
		sp    *splitter
		block []float64
		valid []bool
	)
	ok, err = scanWindows(rc, ro, windowSink{
		start: func(sc *schema) bool {
			var serr error // the row-by-row pass reports it
			if sp, serr = newSplitter(o, sc, ro.Name, o.Seed^shardSeed(ro.Name)); serr != nil {
				return false
			}
			s, g = sc, &gate{s: sc}
			f.start(s, o)
			return true
		},
		alloc: func(rows, _ int) {
			block = slices.Grow(block[:0], rows*len(s.header))[:rows*len(s.header)]
			valid = slices.Grow(valid[:0], rows)[:rows]
		},
		store: func(r int, vals []float64) { copy(block[r*len(vals):], vals) },
		done: func(rows int) bool {
			for i := range valid {
				g.rows++
				g.kept++
				valid[i], _ = sp.valid(nil, 0, g.rows) // no split column: a draw
				if valid[i] {
					f.st.ValidRows++
				} else {
					f.st.Rows++
				}
			}
			addWindow(f.cont, block, valid)
			return true
		},
	})
	if err != nil {
		return nil, nil, false, wrapCSV(ro.Name, err)
	}
	if !ok {
		return nil, nil, false, nil
	}
	sum, redo = f.summary(s, g, ro.Name)
	return sum, redo, true, nil
}

// readShard reads one CSV shard (o.Read.Name names it): header calls start
// with the schema, then row with each good row and whether it is a
// validation row (bad ones are skipped under Skip by the gate). An input
// without a header returns a nil schema and no error.
func readShard(open Opener, o *Options, start func(*schema) error, row func(s *schema, fields []string, line, row int, valid bool) error) (*schema, *gate, error) {
	ro := o.readOptions()
	rc, err := open()
	if err != nil {
		return nil, nil, fmt.Errorf("loaders: opening %s: %w", nameOf(ro.Name), err)
	}
	defer rc.Close()
	cr, err := csvReader(rc, ro)
	if err != nil {
		return nil, nil, err
	}
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, nil // an empty shard
	}
	if err != nil {
		return nil, nil, wrapCSV(ro.Name, err)
	}
	s, err := newSchema(header, ro)
	if err != nil {
		return nil, nil, err
	}
	sp, err := newSplitter(o, s, ro.Name, o.Seed^shardSeed(ro.Name))
	if err != nil {
		return nil, nil, err
	}
	if err := start(s); err != nil {
		return nil, nil, err
	}
	g := &gate{s: s}
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, wrapCSV(ro.Name, err)
		}
		line, _ := cr.FieldPos(0)
		ok, err := g.check(fields, line)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			valid, err := sp.valid(fields, line, g.rows)
			if err != nil {
				return nil, nil, err
			}
			if err := row(s, fields, line, g.rows, valid); err != nil {
				return nil, nil, err
			}
		}
	}
	return s, g, nil
}

// shardSeed mixes a shard's file name (without its directory) into the
// seed of its random validation split.
func shardSeed(name string) uint64 {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Rows returns the number of good training rows summarized (every good
// row without a validation split).
func (s *ShardSummary) Rows() int { return s.s.Rows }

// ValidRows returns the number of good validation rows summarized.
func (s *ShardSummary) ValidRows() int { return s.s.ValidRows }

// Shards returns the good rows of each split per shard, by the name given
// to FitShard; empty shards are left out.
func (s *ShardSummary) Shards() map[string]ShardCount { return maps.Clone(s.s.PerShard) }

// Skipped returns the number of bad rows skipped under BadRows Skip, and
// SkipErrors the messages of the first MaxSkipErrors of them.
func (s *ShardSummary) Skipped() int { return s.s.Skipped }

// SkipErrors returns the messages of the first skipped rows.
func (s *ShardSummary) SkipErrors() []string { return slices.Clone(s.s.SkipErrs) }

// Header returns the shards' header, nil if every shard was empty.
func (s *ShardSummary) Header() []string { return slices.Clone(s.s.Header) }

// Refit returns the columns that some shards read as numbers and others
// as text: Pipeline returns ErrRefit until they are declared categorical.
func (s *ShardSummary) Refit() []string {
	var out []string
	for j, c := range s.s.Header {
		if !s.s.Numeric[j] && s.s.Cont[j] != nil {
			out = append(out, c)
		}
	}
	return out
}

// Merge adds the shards summarized by o to s. Both must come from the
// same options; their headers must be equal unless one is empty.
func (s *ShardSummary) Merge(o *ShardSummary) error {
	a, b := &s.s, &o.s
	if !b.HasHeader {
		return nil
	}
	if !a.HasHeader {
		*a = cloneState(b)
		return nil
	}
	if !slices.Equal(a.Header, b.Header) {
		return fmt.Errorf("loaders: shards with different headers: %s and %s: every shard needs the same columns in the same order", strings.Join(a.Header, ","), strings.Join(b.Header, ","))
	}
	for j := range a.Header {
		switch {
		case a.Numeric[j] && b.Numeric[j]:
			mergeCont(a.Cont[j], b.Cont[j], a.Cap, a.Seed, j)
		case !a.Numeric[j] && !b.Numeric[j]:
			if a.Cat[j] != nil && b.Cat[j] != nil {
				mergeCat(a.Cat[j], b.Cat[j])
			}
		case a.Numeric[j] && a.Cont[j].N == 0 && b.Cat[j] != nil:
			// Only missing values on the numeric side: they are the
			// categorical column's missing values, as in one file.
			c := cloneCat(b.Cat[j])
			c.Missing += a.Cont[j].Missing
			a.Numeric[j], a.Cat[j] = false, c
			delete(a.Cont, j)
		case b.Numeric[j] && b.Cont[j].N == 0 && a.Cat[j] != nil:
			a.Cat[j].Missing += b.Cont[j].Missing
		default:
			// Text in one shard, numbers in the other: categorical, but
			// the numeric side counted no levels (see Refit).
			a.Numeric[j] = false
			if a.Cont[j] == nil {
				a.Cont[j] = &ContState{}
			}
		}
	}
	for name, c := range b.PerShard {
		if _, dup := a.PerShard[name]; dup {
			return fmt.Errorf("loaders: shard %s summarized twice", name)
		}
		if a.PerShard == nil {
			a.PerShard = map[string]ShardCount{}
		}
		a.PerShard[name] = c
	}
	a.Rows += b.Rows
	a.ValidRows += b.ValidRows
	a.Skipped += b.Skipped
	for _, e := range b.SkipErrs {
		if len(a.SkipErrs) < MaxSkipErrors {
			a.SkipErrs = append(a.SkipErrs, e)
		}
	}
	a.TargetSeen = a.TargetSeen || b.TargetSeen
	if a.Deferred == "" {
		a.Deferred = b.Deferred
	}
	return nil
}

func cloneState(b *shardState) shardState {
	a := *b
	a.Header, a.Numeric, a.SkipErrs = slices.Clone(b.Header), slices.Clone(b.Numeric), slices.Clone(b.SkipErrs)
	a.PerShard = maps.Clone(b.PerShard)
	a.Cont, a.Cat = map[int]*ContState{}, map[int]*CatState{}
	for j, c := range b.Cont {
		if c != nil {
			cc := *c
			cc.Sample = slices.Clone(c.Sample)
			a.Cont[j] = &cc
		}
	}
	for j, c := range b.Cat {
		if c != nil {
			a.Cat[j] = cloneCat(c)
		}
	}
	return a
}

func cloneCat(c *CatState) *CatState {
	cc := *c
	cc.Counts = make(map[string]int, len(c.Counts))
	for k, v := range c.Counts {
		cc.Counts[k] = v
	}
	return &cc
}

// mergeCont merges b into a: counts, Chan's update of mean and M2, min,
// max, and the median samples (all values while they fit in cap, then a
// sample drawn from both in proportion to the values they stand for).
func mergeCont(a, b *ContState, cap int, seed uint64, j int) {
	if b.N > 0 {
		if a.N == 0 {
			a.Min, a.Max = b.Min, b.Max
		}
		a.Min, a.Max = math.Min(a.Min, b.Min), math.Max(a.Max, b.Max)
		n := float64(a.N + b.N)
		d := b.Mean - a.Mean
		a.Mean += d * float64(b.N) / n
		a.M2 += b.M2 + d*d*float64(a.N)*float64(b.N)/n
	}
	if len(a.Sample)+len(b.Sample) <= cap {
		a.Sample = append(a.Sample, b.Sample...)
	} else {
		rng := rand.New(rand.NewPCG(seed, uint64(j)<<32|uint64(a.SampleOfShards)))
		sa, sb := slices.Clone(a.Sample), slices.Clone(b.Sample)
		rng.Shuffle(len(sa), func(x, y int) { sa[x], sa[y] = sa[y], sa[x] })
		rng.Shuffle(len(sb), func(x, y int) { sb[x], sb[y] = sb[y], sb[x] })
		na, nb := float64(a.N), float64(b.N)
		out := make([]float64, 0, cap)
		for len(out) < cap && (len(sa) > 0 || len(sb) > 0) {
			if len(sb) == 0 || len(sa) > 0 && rng.Float64()*(na+nb) < na {
				out, sa, na = append(out, sa[0]), sa[1:], max(na-1, 0)
			} else {
				out, sb, nb = append(out, sb[0]), sb[1:], max(nb-1, 0)
			}
		}
		a.Sample = out
	}
	a.N += b.N
	a.Missing += b.Missing
	a.SampleOfShards += b.SampleOfShards
}

func mergeCat(a, b *CatState) {
	a.Missing += b.Missing
	a.Overflow = a.Overflow || b.Overflow
	for v, n := range b.Counts {
		if _, ok := a.Counts[v]; !ok && a.Cap > 0 && len(a.Counts) >= a.Cap {
			a.Overflow = true
			continue
		}
		a.Counts[v] += n
	}
}

// Pipeline fits the pipeline on the summarized rows, with the options
// the shards were read with (opts, as given to FitShard). Medians are
// exact while a column has at most opts.StreamSample values, and estimated
// from a merged sample above. It returns ErrRefit (see Refit) if the
// shards disagree on a column's inferred role, and the errors of
// LoadStream for data it cannot fit (no rows, a column all missing, too
// many levels, a target missing everywhere).
func (s *ShardSummary) Pipeline(opts *Options) (*Pipeline, error) {
	o, err := shardOptions(opts)
	if err != nil {
		return nil, err
	}
	st := &s.s
	name := nameOf(o.Read.Name)
	if !st.HasHeader {
		return nil, errAt(name, ErrNoHeader, ": every shard is empty: write a header line of column names")
	}
	if r := s.Refit(); len(r) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrRefit, strings.Join(r, ", "))
	}
	ro := o.readOptions()
	sch, err := newSchema(st.Header, ro)
	if err != nil {
		return nil, err
	}
	if sch.target >= 0 && !sch.optTgt && (st.Rows > 0 || st.Deferred != "") && !st.TargetSeen {
		return nil, (&ParseError{Name: o.Read.Name, Column: sch.target + 1, ColumnName: sch.header[sch.target], Err: ErrTargetEmpty}).hinted()
	}
	if st.Deferred != "" {
		return nil, &sentinelError{msg: st.Deferred, err: ErrMissingTarget}
	}
	if st.Rows == 0 && st.ValidRows > 0 {
		return nil, fmt.Errorf("loaders: %s: the split leaves no training rows: mark some rows as training", name)
	}
	if st.Rows == 0 {
		if st.Skipped > 0 {
			return nil, errAt(name, ErrNoRows, ": all %d rows were skipped as bad, the first: %v", st.Skipped, st.SkipErrs[0])
		}
		return nil, errAt(name, ErrNoRows, ": add rows below the header")
	}
	f := newFitter(o.Read.Name, &o.Pipeline, sch.na)
	for j, h := range st.Header {
		switch role := sch.roles[j]; {
		case role == Target:
			f.p.Target = h
		case role == Ignored:
		case st.Numeric[j]:
			c := st.Cont[j]
			f.addCont(h, &contAcc{n: c.N, missing: c.Missing, mean: c.Mean, m2: c.M2, min: c.Min, max: c.Max, sample: slices.Clone(c.Sample)})
		default:
			c := st.Cat[j]
			if c == nil {
				return nil, fmt.Errorf("loaders: %s: column %q: no level counts in the shard summary", name, h)
			}
			f.addCat(h, &catAcc{counts: c.Counts, missing: c.Missing, cap: c.Cap, overflow: c.Overflow})
		}
	}
	return f.finish()
}

// MarshalBinary encodes the summary (encoding/gob).
func (s *ShardSummary) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&s.s); err != nil {
		return nil, fmt.Errorf("loaders: encoding a shard summary: %w", err)
	}
	return b.Bytes(), nil
}

// UnmarshalBinary decodes a summary encoded by MarshalBinary.
func (s *ShardSummary) UnmarshalBinary(b []byte) error {
	var st shardState
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&st); err != nil {
		return fmt.Errorf("loaders: decoding a shard summary: %w", err)
	}
	if st.Cont == nil {
		st.Cont = map[int]*ContState{}
	}
	if st.Cat == nil {
		st.Cat = map[int]*CatState{}
	}
	n := len(st.Header)
	if st.HasHeader && len(st.Numeric) != n {
		return fmt.Errorf("loaders: decoding a shard summary: %d columns with %d roles", n, len(st.Numeric))
	}
	for j := range n {
		if st.Numeric[j] && st.Cont[j] == nil {
			return fmt.Errorf("loaders: decoding a shard summary: column %d has no statistics", j+1)
		}
		if c := st.Cat[j]; c != nil && c.Counts == nil {
			c.Counts = map[string]int{}
		}
	}
	s.s = st
	return nil
}

// EncodeShard reads one shard with the fitted pipeline p and the options
// it was fitted with (opts; for new data to predict on, p.ReadOptions()
// with your BadRows), calling fn with each good row's encoded values
// (valid until fn returns), its 1-based line, its label ("" without a
// target) and whether it is a validation row. It returns the numbers of
// rows encoded (of both splits) and skipped. An empty shard has none.
func EncodeShard(name string, open Opener, p *Pipeline, opts *Options, fn func(rec []float64, line int, label string, valid bool) error) (rows, skipped int, err error) {
	if err := p.ready(); err != nil {
		return 0, 0, err
	}
	o, err := shardOptions(opts)
	if err != nil {
		return 0, 0, err
	}
	o.Read.Name = name
	var fidx []int
	enc := make([]float64, p.Width())
	s, g, err := readShard(open, &o, func(s *schema) error {
		byName := make(map[string]int, len(s.header))
		for k, h := range s.header {
			byName[h] = k
		}
		fidx = make([]int, len(p.Columns))
		var missing []string
		for j, c := range p.Columns {
			k, ok := byName[c.Name]
			if !ok {
				missing = append(missing, c.Name)
			}
			fidx[j] = k
		}
		if missing != nil {
			return newColumnError(name, s.header, p.Inputs(), missing)
		}
		return nil
	}, func(s *schema, fields []string, line, row int, valid bool) error {
		if pe := p.encodeFields(fields, fidx, s, enc); pe != nil {
			pe.Name, pe.Line, pe.Row = name, line, row
			return pe
		}
		label := ""
		if s.target >= 0 {
			if label = strings.TrimSpace(fields[s.target]); s.isNA(label) {
				label = ""
			}
		}
		rows++
		return fn(enc, line, label, valid)
	})
	if err != nil || s == nil {
		return rows, 0, err
	}
	return rows, g.nskip, nil
}
