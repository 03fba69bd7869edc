package loaders

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/internal/hugemem"
)

// encodeCont writes continuous feature j of value x (NaN if missing,
// which stays NaN under SkipMissing).
func (p *Pipeline) encodeCont(j int, x float64, dst []float64) (float64, bool) {
	e := p.contEnc(j)
	if math.IsNaN(x) && p.Options.Missing == SkipMissing {
		dst[e.start] = x
		return x, true
	}
	ok := e.encode(x, dst)
	return dst[e.start], ok
}

// encodeCat writes categorical feature j of value s (NaN in every column
// of the feature if missing under SkipMissing).
func (p *Pipeline) encodeCat(j int, s string, missing bool, dst []float64) {
	g := &p.layout.Groups[p.vgroup[j]]
	if missing && p.Options.Missing == SkipMissing {
		for k := g.Start; k < g.Start+g.Width; k++ {
			dst[k] = math.NaN()
		}
		return
	}
	code, ok := p.index[j][s]
	if missing {
		code, ok = p.index[j][MissingLevel]
	}
	if !ok {
		code = -1
	}
	switch g.Encoding {
	case Ordinal:
		dst[g.Start] = float64(code + 1)
		return
	case Embedding:
		if code < 0 {
			code = len(g.Levels)
		}
		copy(dst[g.Start:g.Start+g.Width], g.Vectors[code])
		return
	}
	clear(dst[g.Start : g.Start+g.Width])
	if code >= 0 {
		dst[g.Start+code] = 1
	}
}

// Transform encodes the rows of t into a dataset with the pipeline's
// Features and, if t has the pipeline's target column, its labels. Columns
// are matched by name; other columns are ignored. A continuous input held
// as text in t is parsed; a categorical input held as numbers is
// formatted. Values missing in t are filled (or kept as NaN under
// SkipMissing, where a row with no feature present is an error wrapping
// ErrNoFeaturePresent that names its line); categories the pipeline was
// not fitted on are encoded as the unknown level.
func (p *Pipeline) Transform(t *Table) (*Dataset, error) {
	if t == nil || t.Rows == 0 {
		return nil, ErrNoRows
	}
	if err := p.ready(); err != nil {
		return nil, err
	}
	byName := make(map[string]int, len(t.Columns))
	for k, c := range t.Columns {
		byName[c.Name] = k
	}
	cols := make([]*Column, len(p.Columns))
	colNo := make([]int, len(p.Columns)) // 1-based, for errors
	for j, pc := range p.Columns {
		if k, ok := byName[pc.Name]; ok {
			cols[j], colNo[j] = &t.Columns[k], k+1
		} else {
			var missing []string
			for _, name := range p.Inputs() {
				if _, ok := byName[name]; !ok {
					missing = append(missing, name)
				}
			}
			return nil, newColumnError(t.Name, t.Names(), p.Inputs(), missing)
		}
	}
	na := naSchema(t.NA)
	d := p.layout.Width
	ds := &Dataset{Data: hugemem.Float64s(t.Rows*d, t.Rows*d), N: t.Rows, D: d, Features: p.Features()}
	// Rows are encoded in parallel chunks; the error reported is the
	// first in row order, as a sequential pass would find it.
	nchunks := max(1, min(runtime.GOMAXPROCS(0), t.Rows/2048))
	errs := make([]error, nchunks)
	fast := p.numericPlan(cols)
	forEach(nchunks, func(ch int) {
		lo, hi := ch*t.Rows/nchunks, (ch+1)*t.Rows/nchunks
		if fast != nil {
			lo = p.transformNumeric(fast, cols, ds, lo, hi)
		}
		errs[ch] = p.transformRows(t, cols, colNo, na, ds, lo, hi)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if p.Target != "" {
		if c := t.Column(p.Target); c != nil {
			ds.Labels = make([]string, t.Rows)
			for i := range ds.Labels {
				if c.Role == Continuous {
					if !c.IsMissing(i) {
						ds.Labels[i] = strconv.FormatFloat(c.Num[i], 'g', -1, 64)
					}
				} else {
					ds.Labels[i] = c.Str[i]
				}
			}
		}
	}
	return ds, nil
}

// EncodeRecord encodes one raw record: one text value per input feature,
// in the order of Inputs, with the pipeline's NA markers for missing
// values. It appends to dst[:0] and returns it. Under SkipMissing, a record
// with no value present is an error wrapping ErrNoFeaturePresent.
func (p *Pipeline) EncodeRecord(rec []string, dst []float64) ([]float64, error) {
	if len(rec) != len(p.Columns) {
		return nil, fmt.Errorf("%w: %d values for the %d inputs %s", ErrShape, len(rec), len(p.Columns), strings.Join(p.Inputs(), ", "))
	}
	if err := p.ready(); err != nil {
		return nil, err
	}
	dst = append(dst[:0], make([]float64, p.layout.Width)...)
	if pe := p.encodeFields(rec, nil, naSchema(p.NA), dst); pe != nil {
		return nil, pe
	}
	return dst, nil
}

// encodeFields encodes the input features found at fields[fidx[j]] (at
// fields[j] if fidx is nil) into dst, which has Width values.
func (p *Pipeline) encodeFields(fields []string, fidx []int, s *schema, dst []float64) *ParseError {
	for j, c := range p.Columns {
		f := j
		if fidx != nil {
			f = fidx[j]
		}
		v := strings.TrimSpace(fields[f])
		if c.Kind == Categorical {
			missing := s.isNA(v)
			p.encodeCat(j, v, missing, dst)
			continue
		}
		x, _, err := s.parseNum(v)
		if err != nil {
			return (&ParseError{Column: f + 1, ColumnName: c.Name, Value: v, Err: err}).hinted()
		}
		if e, ok := p.encodeCont(j, x, dst); !ok {
			return (&ParseError{Column: f + 1, ColumnName: c.Name, Value: v, Err: ErrInfinite, cause: fmt.Errorf("normalizes to %v", e)}).hinted()
		}
	}
	return p.checkPresent(dst)
}

// checkPresent returns an ErrNoFeaturePresent error (without its place)
// if the encoded record has no value present under SkipMissing.
func (p *Pipeline) checkPresent(rec []float64) *ParseError {
	if p.Options.Missing != SkipMissing {
		return nil
	}
	for _, v := range rec {
		if !math.IsNaN(v) {
			return nil
		}
	}
	return (&ParseError{Err: ErrNoFeaturePresent, cause: fmt.Errorf("all %d inputs are missing", len(p.Columns))}).hinted()
}

// ready reports whether the pipeline's derived state matches its columns.
func (p *Pipeline) ready() error {
	if p.layout.Width == 0 || len(p.vgroup) != len(p.Columns) || len(p.index) != len(p.Columns) {
		return fmt.Errorf("%w: not fitted, or its columns changed: use Fit, decode a fitted one, or call Validate", ErrPipeline)
	}
	return nil
}

func (p *Pipeline) checkWidth(enc []float64) error {
	if err := p.ready(); err != nil {
		return err
	}
	if len(enc) != p.layout.Width {
		return fmt.Errorf("%w: %d values, the pipeline encodes %d columns", ErrShape, len(enc), p.layout.Width)
	}
	return nil
}

// Denormalize returns the continuous input features of an encoded vector
// (a record or a codebook unit) in their original units, in the order of
// the continuous columns of Inputs.
func (p *Pipeline) Denormalize(enc []float64) ([]float64, error) {
	if err := p.checkWidth(enc); err != nil {
		return nil, err
	}
	var out []float64
	for _, g := range p.layout.Groups {
		if g.Kind == Continuous && !g.Indicator {
			c := &p.Columns[g.Column]
			out = append(out, enc[g.Start]*c.Scale+c.Center)
		}
	}
	return out, nil
}

// Recategorize returns the categorical input features of an encoded vector
// as level names, in the order of the categorical columns of Inputs: the
// argmax of each one-hot group or the rounded ordinal code (see
// Group.Code); UnknownLevel where no level is shown.
func (p *Pipeline) Recategorize(enc []float64) ([]string, error) {
	if err := p.checkWidth(enc); err != nil {
		return nil, err
	}
	var out []string
	for _, g := range p.layout.Groups {
		if g.Kind == Categorical {
			out = append(out, levelName(g, g.Code(enc)))
		}
	}
	return out, nil
}

func levelName(g Group, code int) string {
	if code < 0 {
		return UnknownLevel
	}
	return g.Levels[code]
}

// Decode returns every input feature of an encoded vector as text, in the
// order of Inputs: continuous values denormalized (formatted with 12
// significant digits, which hides rounding noise), categorical ones
// recategorized.
func (p *Pipeline) Decode(enc []float64) ([]string, error) {
	if err := p.checkWidth(enc); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(p.Columns))
	for _, g := range p.layout.Groups {
		switch {
		case g.Indicator:
		case g.Kind == Continuous:
			c := &p.Columns[g.Column]
			out = append(out, strconv.FormatFloat(enc[g.Start]*c.Scale+c.Center, 'g', 12, 64))
		default:
			out = append(out, levelName(g, g.Code(enc)))
		}
	}
	return out, nil
}

// WriteCodebook writes a trained codebook as CSV, fastsom's codebook_to_df:
// a header "som_row,som_col,<inputs>", then one row per unit k (at row
// k / cols, column k % cols) with every input feature decoded. codebook
// holds rows·cols units of Width values, row-major.
func (p *Pipeline) WriteCodebook(w io.Writer, codebook []float64, rows, cols int) error {
	return p.writeCodebook(w, codebook, rows, cols, false)
}

// writeCodebook is WriteCodebook, with WriteCodebookNearest's columns when
// nearest is set.
func (p *Pipeline) writeCodebook(w io.Writer, codebook []float64, rows, cols int, nearest bool) error {
	if rows < 1 || cols < 1 {
		return fmt.Errorf("loaders: codebook grid %d×%d: want at least 1×1", rows, cols)
	}
	if err := p.ready(); err != nil {
		return err
	}
	d := p.layout.Width
	if len(codebook) != rows*cols*d {
		return fmt.Errorf("%w: codebook of %d values for %d×%d units of %d columns (want %d)", ErrShape, len(codebook), rows, cols, d, rows*cols*d)
	}
	cw := csv.NewWriter(w)
	rec := append([]string{"som_row", "som_col"}, p.Inputs()...)
	var emb []Group
	if nearest {
		emb = p.embeddingGroups()
		rec = append(rec, nearestHeader(emb)...)
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("loaders: writing codebook: %w", err)
	}
	for k := 0; k < rows*cols; k++ {
		vals, err := p.Decode(codebook[k*d : (k+1)*d])
		if err != nil {
			return err
		}
		rec = append(append(rec[:0], strconv.Itoa(k/cols), strconv.Itoa(k%cols)), vals...)
		rec = appendNearest(rec, emb, codebook[k*d:(k+1)*d])
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("loaders: writing codebook: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("loaders: writing codebook: %w", err)
	}
	return nil
}

// contEnc is how one continuous input held as numbers is encoded.
type contEnc struct {
	start               int // encoded column of the value; start+1 is its indicator
	fill, center, scale float64
	indicator           bool
}

// contPlan returns the encoding of every input when each is continuous,
// nil otherwise (and under SkipMissing, whose records need checkPresent).
func (p *Pipeline) contPlan() []contEnc {
	if p.Options.Missing == SkipMissing {
		return nil
	}
	plan := make([]contEnc, len(p.Columns))
	for j := range p.Columns {
		pc := &p.Columns[j]
		if pc.Kind != Continuous {
			return nil
		}
		plan[j] = p.contEnc(j)
	}
	return plan
}

// contEnc returns the encoding of continuous input j.
func (p *Pipeline) contEnc(j int) contEnc {
	c := &p.Columns[j]
	return contEnc{start: p.layout.Groups[p.vgroup[j]].Start, fill: c.Fill, center: c.Center, scale: c.Scale, indicator: c.Indicator}
}

// numericPlan returns contPlan when every input is held as numbers in t
// (cols are t's columns of p.Columns), nil otherwise.
func (p *Pipeline) numericPlan(cols []*Column) []contEnc {
	for _, c := range cols {
		if c.Role != Continuous {
			return nil
		}
	}
	return p.contPlan()
}

// encode writes x (NaN if missing) into the encoded record row as
// encodeCont does; false when it encodes to ±Inf or NaN.
func (c *contEnc) encode(x float64, row []float64) bool {
	missing := x != x
	if missing {
		x = c.fill
	}
	v := (x - c.center) / c.scale
	row[c.start] = v
	if c.indicator {
		row[c.start+1] = 0
		if missing {
			row[c.start+1] = 1
		}
	}
	return v-v == 0 // 0 for a finite v, NaN for ±Inf and NaN
}

// numericBlock is the number of rows transformNumeric encodes column by
// column at a time (their encoded rows stay in cache).
const numericBlock = 256

// transformNumeric encodes rows [lo, hi) of all-numeric inputs (plan from
// numericPlan) into ds as encodeCont does, a block of rows at a time, one
// column after the other. It returns hi, or the first row of a block
// holding a value that does not encode to a finite number: transformRows
// goes on from there and reports the first bad value in row order.
func (p *Pipeline) transformNumeric(plan []contEnc, cols []*Column, ds *Dataset, lo, hi int) int {
	d := ds.D
	for b := lo; b < hi; b += numericBlock {
		e := min(hi, b+numericBlock)
		ok := true
		for j := range plan {
			c := &plan[j]
			for i, x := range cols[j].Num[b:e] {
				ok = c.encode(x, ds.Data[(b+i)*d:]) && ok
			}
		}
		if !ok {
			return b
		}
	}
	return hi
}

// transformRows encodes rows [lo, hi) of t into ds, stopping at the first
// bad value.
func (p *Pipeline) transformRows(t *Table, cols []*Column, colNo []int, na *schema, ds *Dataset, lo, hi int) error {
	d := ds.D
	for i := lo; i < hi; i++ {
		row := ds.Data[i*d : (i+1)*d]
		for j := range p.Columns {
			pc, c := &p.Columns[j], cols[j]
			if pc.Kind == Continuous {
				var x float64
				if c.Role == Continuous {
					x = c.Num[i]
				} else if c.IsMissing(i) {
					x = math.NaN()
				} else {
					var err error
					if x, _, err = na.parseNum(c.Str[i]); err != nil {
						return (&ParseError{Name: t.Name, Row: i + 1, Column: colNo[j], ColumnName: c.Name, Value: c.Str[i], Err: err}).hinted()
					}
				}
				if math.IsInf(x, 0) {
					return (&ParseError{Name: t.Name, Row: i + 1, Column: colNo[j], ColumnName: c.Name, Value: fmt.Sprint(x), Err: ErrInfinite}).hinted()
				}
				if v, ok := p.encodeCont(j, x, row); !ok {
					return (&ParseError{Name: t.Name, Row: i + 1, Column: colNo[j], ColumnName: c.Name, Value: fmt.Sprint(x), Err: ErrInfinite,
						cause: fmt.Errorf("normalizes to %v", v)}).hinted()
				}
				continue
			}
			if c.Role == Continuous {
				x := c.Num[i]
				p.encodeCat(j, strconv.FormatFloat(x, 'g', -1, 64), math.IsNaN(x), row)
			} else {
				p.encodeCat(j, c.Str[i], c.IsMissing(i), row)
			}
		}
		if pe := p.checkPresent(row); pe != nil {
			pe.Name, pe.Line, pe.Row = t.Name, t.line(i), i+1
			return pe
		}
	}
	return nil
}
