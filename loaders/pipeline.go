package loaders

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/embed"

	"github.com/somgraph/somgraph/internal/hugemem"
)

// Scaling is how the pipeline normalizes continuous features.
type Scaling uint8

// Scalings. ZScore (the default) subtracts the mean and divides by the
// population standard deviation; MinMax maps [min, max] to [0, 1];
// NoScaling leaves values in their units. A constant column is only
// centred (its scale is 1), so it never produces NaN or Inf.
const (
	ZScore Scaling = iota
	MinMax
	NoScaling
)

var scalingNames = [...]string{"zscore", "minmax", "none"}

// String returns "zscore", "minmax" or "none".
func (s Scaling) String() string {
	if int(s) < len(scalingNames) {
		return scalingNames[s]
	}
	return fmt.Sprintf("Scaling(%d)", uint8(s))
}

// ParseScaling parses "zscore" (also "z-score", "standard" or empty),
// "minmax" (also "min-max") and "none".
func ParseScaling(s string) (Scaling, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "zscore", "z-score", "standard", "":
		return ZScore, nil
	case "minmax", "min-max":
		return MinMax, nil
	case "none":
		return NoScaling, nil
	}
	return 0, fmt.Errorf("loaders: unknown normalization %q: want zscore, minmax or none", s)
}

// MarshalText encodes the scaling as its name.
func (s Scaling) MarshalText() ([]byte, error) {
	if int(s) >= len(scalingNames) {
		return nil, fmt.Errorf("loaders: unknown scaling %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a scaling name.
func (s *Scaling) UnmarshalText(b []byte) error {
	v, err := ParseScaling(string(b))
	*s = v
	return err
}

// Encoding is how the pipeline encodes categorical features.
type Encoding uint8

// Encodings. OneHot (the default) gives a level one column of 0/1 values;
// Ordinal gives a feature one column holding the level's code 1..L (0 for
// an unknown value); Embedding gives a feature a learned vector per level
// (Group.Vectors), one column per dimension.
const (
	OneHot Encoding = iota
	Ordinal
	Embedding
)

// String returns "onehot", "ordinal" or "embedding".
func (e Encoding) String() string {
	switch e {
	case OneHot:
		return "onehot"
	case Ordinal:
		return "ordinal"
	case Embedding:
		return "embedding"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// ParseEncoding parses "onehot" (also "one-hot" or empty), "ordinal" and
// "embedding" (also "embeddings").
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "onehot", "one-hot", "":
		return OneHot, nil
	case "ordinal":
		return Ordinal, nil
	case "embedding", "embeddings":
		return Embedding, nil
	}
	return 0, fmt.Errorf("loaders: unknown encoding %q: want onehot, ordinal or embedding", s)
}

// MarshalText encodes the encoding as its name.
func (e Encoding) MarshalText() ([]byte, error) {
	if e > Embedding {
		return nil, fmt.Errorf("loaders: unknown encoding %d", uint8(e))
	}
	return []byte(e.String()), nil
}

// UnmarshalText decodes an encoding name.
func (e *Encoding) UnmarshalText(b []byte) error {
	v, err := ParseEncoding(string(b))
	*e = v
	return err
}

// Missing is what a pipeline does with missing values.
type Missing uint8

// Missing-value policies. FillMissing (the default) fills a missing
// continuous value with the training median and gives a missing category
// its own level. SkipMissing keeps them missing, as R's kohonen does: a
// missing continuous value stays NaN through the pipeline (the scaling
// statistics are those of the present values) and a missing category makes
// every encoded column of its feature NaN, for a map that skips missing
// features (graph.Config.Missing). A record with no feature present is
// then an error (ErrNoFeaturePresent) naming its row.
const (
	FillMissing Missing = iota
	SkipMissing
)

var missingNames = [...]string{"fill", "skip"}

// String returns "fill" or "skip".
func (m Missing) String() string {
	if int(m) < len(missingNames) {
		return missingNames[m]
	}
	return fmt.Sprintf("Missing(%d)", uint8(m))
}

// ParseMissing parses "fill" (or empty) and "skip".
func ParseMissing(s string) (Missing, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fill", "":
		return FillMissing, nil
	case "skip":
		return SkipMissing, nil
	}
	return 0, fmt.Errorf("loaders: unknown missing-value policy %q: want fill or skip", s)
}

// MarshalText encodes the policy as its name.
func (m Missing) MarshalText() ([]byte, error) {
	if int(m) >= len(missingNames) {
		return nil, fmt.Errorf("loaders: unknown missing-value policy %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes a policy name.
func (m *Missing) UnmarshalText(b []byte) error {
	v, err := ParseMissing(string(b))
	*m = v
	return err
}

// PipelineOptions configures the preprocessing. The zero value means
// z-score normalization, one-hot encoding, missing values filled and no
// missing indicators.
type PipelineOptions struct {
	// Normalize is the scaling of continuous features.
	Normalize Scaling `json:"normalize"`
	// Encode is the encoding of categorical features.
	Encode Encoding `json:"encode"`
	// NAIndicators adds a 0/1 column "<name>_na" after each continuous
	// feature that had missing values in the training rows. It needs
	// FillMissing: with SkipMissing the NaN itself marks the value missing.
	NAIndicators bool `json:"na_indicators,omitempty"`
	// Missing is FillMissing (the default) or SkipMissing.
	Missing Missing `json:"missing,omitempty"`
	// MaxLevels caps the levels of a one-hot encoded feature (an ID
	// column read as categorical would otherwise add a column per row):
	// more is an error. 0 means DefaultMaxLevels, negative means no cap.
	// Ordinal and Embedding encodings have no cap.
	MaxLevels int `json:"max_levels,omitempty"`
	// Embed configures Embedding encoding; nil means the defaults.
	Embed *EmbedOptions `json:"embed,omitempty"`
}

// EmbedOptions.Method values.
const (
	EmbedAutoencoder  = "autoencoder"
	EmbedCoOccurrence = "cooccurrence"
)

// EmbedOptions configures the autoencoder that learns the vectors of
// Embedding encoding (package embed).
type EmbedOptions struct {
	// Sizes maps a categorical column's name to its embedding size; a
	// column not named gets fastai's size for its levels plus the unknown
	// level (embed.Size). A size below 1 is an error.
	Sizes map[string]int `json:"sizes,omitempty"`
	// Method is how the vectors are learned: EmbedAutoencoder (the
	// default, also "") trains package embed's autoencoder (embed.Fit);
	// EmbedCoOccurrence computes them from the levels' co-occurrences
	// (embed.CoOccurrence: PPMI and a truncated SVD, no training, no seed).
	Method string `json:"method,omitempty"`
	// Epochs caps the autoencoder's epochs; 0 means embed.DefaultEpochs.
	Epochs int `json:"epochs,omitempty"`
	// Seed seeds the autoencoder. NewDataBunch, Load and Builtin use
	// Options.Seed when it is 0.
	Seed uint64 `json:"seed,omitempty"`
	// Progress, if not nil, sees every epoch of the autoencoder.
	Progress func(embed.Epoch) `json:"-"`
}

// DefaultMaxLevels is the default of PipelineOptions.MaxLevels.
const DefaultMaxLevels = 1024

// levelCap returns the cap on distinct levels, 0 for none.
func (o PipelineOptions) levelCap() int {
	switch {
	case o.Encode != OneHot || o.MaxLevels < 0:
		return 0
	case o.MaxLevels == 0:
		return DefaultMaxLevels
	}
	return o.MaxLevels
}

// Level names the pipeline gives categorical values it did not see as such.
const (
	// MissingLevel is the level of missing categorical values, present
	// when the training rows had missing values in the column. A value
	// "missing" in the data is the same level.
	MissingLevel = "missing"
	// UnknownLevel is what Recategorize returns for a value the pipeline
	// was not fitted on: it is encoded as all zeros (one-hot), code 0
	// (ordinal) or the unknown level's learned vector (embedding).
	UnknownLevel = "unknown"
)

// PipelineVersion is the version of the pipeline's JSON form.
const PipelineVersion = 1

// FittedColumn is the fitted state of one input feature.
type FittedColumn struct {
	// Name is the column's name in the raw table.
	Name string `json:"name"`
	// Kind is Continuous or Categorical.
	Kind Role `json:"kind"`
	// Missing counts the missing values in the training rows (for a
	// continuous column, the values filled with Fill under FillMissing).
	Missing int `json:"missing"`
	// Fill is the median of the training values, used for missing ones
	// under FillMissing.
	Fill float64 `json:"fill,omitempty"`
	// Indicator is true if a "<name>_na" column follows the value.
	Indicator bool `json:"indicator,omitempty"`
	// Center and Scale normalize: encoded = (value − Center) / Scale.
	Center float64 `json:"center,omitempty"`
	Scale  float64 `json:"scale,omitempty"`
	// Range is [min, max] of a continuous column's training values, for
	// telling new data outside it (drift); nil in pipelines fitted before
	// it was kept.
	Range []float64 `json:"range,omitempty"`
	// Levels are the categorical levels in code order: the training
	// values sorted, then MissingLevel if values were missing (under
	// FillMissing).
	Levels []string `json:"levels,omitempty"`
	// Embedding is the learned vector of each level of an Embedding
	// encoded column, then that of the unknown level (len(Levels)+1 rows
	// of the embedding size); nil for a column encoded one-hot because
	// it has a single level.
	Embedding [][]float64 `json:"embedding,omitempty"`
}

// Pipeline is the fitted preprocessing that turns raw table rows into
// encoded records (fill missing → normalize → encode) and back. Fit it on
// the training rows only. It round-trips through encoding/json; decoding
// validates it, so a corrupted model file is an error, not a panic.
type Pipeline struct {
	// Version is PipelineVersion.
	Version int `json:"version"`
	// Options are the options it was fitted with.
	Options PipelineOptions `json:"options"`
	// NA are the missing-value markers of the raw data.
	NA []string `json:"na"`
	// Target is the label column's name, or empty.
	Target string `json:"target,omitempty"`
	// Columns are the input features, in table order.
	Columns []FittedColumn `json:"columns"`

	layout   Layout
	features []string
	index    []map[string]int // per column: level → code
	vgroup   []int            // per column: index of its value group in layout
}

// Fit fits a pipeline on the rows of t (all rows if rows is nil): every
// Continuous and Categorical column becomes an input feature, the Target
// column gives the labels, Ignored columns are left out. opts may be nil.
func Fit(t *Table, rows []int, opts *PipelineOptions) (*Pipeline, error) {
	if t == nil || t.Rows == 0 {
		return nil, ErrNoRows
	}
	if rows == nil {
		rows = make([]int, t.Rows)
		for i := range rows {
			rows[i] = i
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no training rows to fit the pipeline on", ErrNoRows)
	}
	for _, i := range rows {
		if i < 0 || i >= t.Rows {
			return nil, fmt.Errorf("loaders: fit row %d out of range [0, %d)", i, t.Rows)
		}
	}
	f := newFitter(t.Name, opts, t.NA)
	f.table, f.rows = t, rows
	// Continuous columns are summarized in parallel, one column per
	// goroutine (each in row order, so the sums do not change).
	conts := make([]*contAcc, len(t.Columns))
	pool := newSamplePool(min(len(t.Columns), runtime.GOMAXPROCS(0)), len(rows))
	forEach(len(t.Columns), func(j int) {
		if c := &t.Columns[j]; c.Role == Continuous {
			conts[j] = summarize(c.Num, 1, rows, pool, 1)[0]
		}
	})
	for j := range t.Columns {
		c := &t.Columns[j]
		switch c.Role {
		case Target:
			f.p.Target = c.Name
		case Continuous:
			f.addCont(c.Name, conts[j])
		case Categorical:
			a := newCatAcc(f.p.Options.levelCap())
			for _, i := range rows {
				a.add(c.Str[i], c.IsMissing(i))
			}
			f.addCat(c.Name, a)
		}
	}
	return f.finish()
}

// fitter assembles a pipeline from per-column accumulators.
type fitter struct {
	p    *Pipeline
	name string
	err  error
	// table and rows are the training rows in memory, which Embedding
	// encoding learns from; nil when streaming.
	table *Table
	rows  []int
}

func newFitter(name string, opts *PipelineOptions, na []string) *fitter {
	p := &Pipeline{Version: PipelineVersion, NA: slices.Clone(na)}
	if opts != nil {
		p.Options = *opts
	}
	if p.NA == nil {
		p.NA = slices.Clone(DefaultNA)
	}
	f := &fitter{p: p, name: name}
	if p.Options.Missing == SkipMissing && p.Options.NAIndicators {
		f.err = fmt.Errorf("loaders: missing indicators need missing values filled (FillMissing): with SkipMissing the NaN marks a missing value: choose one")
	}
	if p.Options.Missing == SkipMissing && p.Options.Encode == Embedding {
		f.err = fmt.Errorf("loaders: embeddings are learned from complete records: encode with Embedding and FillMissing, or skip missing values with OneHot or Ordinal")
	}
	return f
}

func (f *fitter) addCont(name string, a *contAcc) {
	if f.err != nil {
		return
	}
	if a.n == 0 {
		f.err = errAt(fmt.Sprintf("%s: column %q", nameOf(f.name), name), ErrAllMissing, " (%d missing): ignore the column or fill it", a.missing)
		return
	}
	med := a.median()
	n, m := float64(a.n), float64(a.missing)
	// Statistics of the filled column: the observed values plus m copies
	// of the median. Missing values that stay missing do not count.
	if f.p.Options.Missing == SkipMissing {
		m = 0
	}
	mean := a.mean + m/(n+m)*(med-a.mean)
	m2 := a.m2 + n*m/(n+m)*(a.mean-med)*(a.mean-med)
	c := FittedColumn{Name: name, Kind: Continuous, Missing: a.missing, Fill: med,
		Indicator: f.p.Options.NAIndicators && a.missing > 0, Range: []float64{a.min, a.max}}
	switch f.p.Options.Normalize {
	case ZScore:
		c.Center, c.Scale = mean, math.Sqrt(m2/(n+m))
	case MinMax:
		c.Center, c.Scale = a.min, a.max-a.min
	case NoScaling:
		c.Center, c.Scale = 0, 1
	default:
		f.err = fmt.Errorf("loaders: unknown normalization %d", f.p.Options.Normalize)
		return
	}
	if c.Scale < 1e-300 { // constant column (or rounding below any real spread)
		c.Scale = 1
	}
	if !finite(c.Center) || !finite(c.Scale) || !finite(mean) {
		f.err = fmt.Errorf("loaders: %s: column %q: values up to %g are too large to normalize: rescale the column", nameOf(f.name), name, math.Max(math.Abs(a.min), math.Abs(a.max)))
		return
	}
	f.p.Columns = append(f.p.Columns, c)
}

func (f *fitter) addCat(name string, a *catAcc) {
	if f.err != nil {
		return
	}
	if a.overflow {
		f.err = errAt(fmt.Sprintf("%s: column %q", nameOf(f.name), name), ErrTooManyLevels, " (more than %d distinct values) for one-hot encoding: ignore the column, declare it continuous, encode it ordinal, or raise MaxLevels", a.cap)
		return
	}
	levels := make([]string, 0, len(a.counts)+1)
	for v := range a.counts {
		levels = append(levels, v)
	}
	slices.Sort(levels)
	if a.missing > 0 && a.counts[MissingLevel] == 0 && f.p.Options.Missing == FillMissing {
		levels = append(levels, MissingLevel)
	}
	f.p.Columns = append(f.p.Columns, FittedColumn{Name: name, Kind: Categorical, Missing: a.missing, Levels: levels})
}

func (f *fitter) finish() (*Pipeline, error) {
	if f.err != nil {
		return nil, f.err
	}
	if len(f.p.Columns) == 0 {
		return nil, errAt(nameOf(f.name), ErrNoFeatures, ": every column is the target or ignored: keep at least one")
	}
	if f.p.Options.Encode == Embedding {
		if f.table == nil {
			return nil, fmt.Errorf("loaders: %s: %w", nameOf(f.name), ErrEmbedStream)
		}
		if err := f.p.fitEmbeddings(f.table, f.rows); err != nil {
			return nil, err
		}
	}
	if err := f.p.init(); err != nil {
		return nil, err
	}
	return f.p, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// contAcc accumulates a continuous column in one pass: count, Welford mean
// and M2, min, max and the values for the median (all of them, or a
// seeded reservoir sample of cap values).
type contAcc struct {
	n, missing int
	mean, m2   float64
	min, max   float64
	sample     []float64
	cap        int // 0: keep every value (exact median)
	rng        *rand.Rand
	med        float64 // the median, once computed
	medOK      bool
}

// samplePool hands out the buffers that hold a column's values for its
// exact median: one per column being summarized at a time, reused by the
// next.
type samplePool chan []float64

// newSamplePool returns a pool of n buffers for rows values each, cut
// from one allocation (a column's values are written once each: one
// large buffer can take huge pages).
func newSamplePool(n, rows int) samplePool {
	p := make(samplePool, n)
	slab := hugemem.Float64s(n*rows, n*rows)
	for i := range n {
		p <- slab[i*rows : i*rows : (i+1)*rows]
	}
	return p
}

// summaryGroup is the number of columns of a row-major block summarize
// reads together: a cache line of float64s.
const summaryGroup = 8

// summarize returns the accumulators of columns [0, k) of the rows of a
// row-major block (data[i*stride+j] is row i's value of column j; a
// table's column has stride 1 and k 1), each with its values added in the
// order of rows and its exact median computed. The values of all k columns
// of a row are read together (one pass over a row-major block). Each
// takes its median's buffer from pool, and gives it back after.
func summarize(data []float64, stride int, rows []int, pool samplePool, k int) []*contAcc {
	accs := make([]*contAcc, k)
	for j := range accs {
		var sample []float64
		select {
		case sample = <-pool:
		default:
			sample = make([]float64, 0, len(rows))
		}
		accs[j] = &contAcc{sample: sample}
	}
	for _, i := range rows {
		for j, x := range data[i*stride : i*stride+k] {
			accs[j].add(x)
		}
	}
	for _, a := range accs {
		if a.n > 0 {
			a.median()
		}
		select {
		case pool <- a.sample[:0]:
		default:
		}
		a.sample = nil
	}
	return accs
}

func (a *contAcc) add(x float64) {
	if math.IsNaN(x) {
		a.missing++
		return
	}
	a.n++
	a.medOK = false
	if a.n == 1 {
		a.min, a.max = x, x
	}
	a.min, a.max = min(a.min, x), max(a.max, x) // x is not NaN: math.Min and Max's results
	d := x - a.mean
	a.mean += d / float64(a.n)
	a.m2 += d * (x - a.mean)
	if a.cap == 0 || len(a.sample) < a.cap {
		a.sample = append(a.sample, x)
	} else if k := a.rng.IntN(a.n); k < a.cap {
		a.sample[k] = x
	}
}

// median returns the median of the sample (the mean of the two middle
// values for an even count), exact when every value was kept, and
// remembers it. It may reorder the sample.
func (a *contAcc) median() float64 {
	if a.medOK {
		return a.med
	}
	s := a.sample
	h := len(s) / 2
	even := len(s)%2 == 0
	mid, lower, ok := bandSelect(s, h, even)
	if !ok {
		mid = selectNth(s, h)
		if even {
			lower = s[0] // the largest of s[:h], the values not above s[h]
			for _, v := range s[1:h] {
				lower = max(lower, v)
			}
		}
	}
	a.med, a.medOK = mid, true
	if even {
		a.med = lower + (mid-lower)/2
	}
	return a.med
}

// Band selection: the sizes of its sample of s and of the band around k
// in it, and the least length of s it is tried on.
const (
	bandSample = 1024
	bandHalf   = 48 // three standard deviations of k's rank in the sample
	bandMinLen = 4096
)

// bandSelect returns what selectNth(s, k) returns and, if lower is asked,
// the largest value of s[:k] after it (the k-th smallest value of s and
// the one before it), without reordering s, in about one pass: it sorts a
// sample of s spread evenly over it, takes the values between the
// sample's values a few ranks either side of k's, counts the values below
// them, and selects from the band alone. ok is false, leaving the work to
// selectNth, when s is short, when the band misses either rank, and when
// either value is zero: which of -0 and +0 selectNth leaves there depends
// on the order of s. Any other value of s equal to another is the same
// float64 bit for bit, so the results are selectNth's. s holds no NaN.
func bandSelect(s []float64, k int, lower bool) (kth, prev float64, ok bool) {
	n := len(s)
	if n < bandMinLen || lower && k == 0 {
		return 0, 0, false
	}
	var sample [bandSample]float64
	for i := range sample {
		sample[i] = s[i*n/bandSample]
	}
	slices.Sort(sample[:])
	r := k * bandSample / n
	lo, hi := sample[max(r-bandHalf, 0)], sample[min(r+bandHalf, bandSample-1)]
	below := 0
	band := make([]float64, 0, n*(2*bandHalf+8)/bandSample)
	for _, v := range s {
		if v < lo {
			below++
		} else if v <= hi {
			band = append(band, v)
		}
	}
	j := k - below // k's rank in the band
	if j < 0 || j >= len(band) || lower && j == 0 {
		return 0, 0, false
	}
	kth = selectNth(band, j)
	if lower {
		prev = band[0]
		for _, v := range band[1:j] {
			prev = max(prev, v)
		}
	}
	if kth == 0 || lower && prev == 0 {
		return 0, 0, false
	}
	return kth, prev, true
}

// selectNth reorders s (no NaN) so that s[:k] ≤ s[k] ≤ s[k+1:] and returns
// the k-th smallest value, the one slices.Sort would put at k, in linear
// expected time: quickselect with a median-of-three pivot and a three-way
// partition (many equal values stay linear), sorting what is left after
// too many rounds or once it is small.
func selectNth(s []float64, k int) float64 {
	lo, hi := 0, len(s)
	for round := 0; hi-lo > 16 && round < 64; round++ {
		a, b, c := s[lo], s[lo+(hi-lo)/2], s[hi-1]
		p := max(min(a, b), min(max(a, b), c))
		lt, i, gt := lo, lo, hi // [lo,lt) < p, [lt,i) == p, [gt,hi) > p
		for i < gt {
			switch v := s[i]; {
			case v < p:
				s[lt], s[i] = v, s[lt]
				lt++
				i++
			case v > p:
				gt--
				s[gt], s[i] = v, s[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return s[k]
		}
	}
	slices.Sort(s[lo:hi])
	return s[k]
}

// catAcc counts the levels of a categorical column.
type catAcc struct {
	counts   map[string]int
	missing  int
	cap      int // 0: unlimited
	overflow bool
}

func newCatAcc(cap int) *catAcc { return &catAcc{counts: map[string]int{}, cap: cap} }

func (a *catAcc) add(v string, missing bool) {
	if missing {
		a.missing++
		return
	}
	if n, ok := a.counts[v]; ok {
		a.counts[v] = n + 1
		return
	}
	if a.cap > 0 && len(a.counts) >= a.cap {
		a.overflow = true
		return
	}
	a.counts[strings.Clone(v)] = 1 // do not keep the reader's record alive
}

// init validates the fitted state and builds the layout, the encoded
// feature names and the level indices.
func (p *Pipeline) init() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrPipeline}, args...)...)
	}
	if p.Version != PipelineVersion {
		return bad("version %d, this build reads version %d", p.Version, PipelineVersion)
	}
	if p.Options.Normalize > NoScaling || p.Options.Encode > Embedding || p.Options.Missing > SkipMissing {
		return bad("unknown options %+v", p.Options)
	}
	if p.Options.Missing == SkipMissing && p.Options.Encode == Embedding {
		return bad("embedding encoding with missing values skipped")
	}
	if len(p.Columns) == 0 {
		return bad("no columns")
	}
	// Fresh slices: a copy of a pipeline shares the old ones.
	p.layout = Layout{}
	p.features = nil
	p.index = make([]map[string]int, len(p.Columns))
	p.vgroup = make([]int, len(p.Columns))
	names := map[string]bool{}
	for j := range p.Columns {
		c := &p.Columns[j]
		if c.Name == "" || names[c.Name] || c.Name == p.Target {
			return bad("column %d: empty or duplicate name %q", j+1, c.Name)
		}
		names[c.Name] = true
		if c.Missing < 0 {
			return bad("column %q: negative missing count", c.Name)
		}
		start := p.layout.Width
		p.vgroup[j] = len(p.layout.Groups)
		switch c.Kind {
		case Continuous:
			if !finite(c.Fill) || !finite(c.Center) || !finite(c.Scale) || c.Scale <= 0 || len(c.Levels) > 0 {
				return bad("column %q: fill %v, center %v, scale %v: want finite values and a positive scale", c.Name, c.Fill, c.Center, c.Scale)
			}
			if c.Indicator && p.Options.Missing == SkipMissing {
				return bad("column %q: a missing indicator with missing values skipped", c.Name)
			}
			if r := c.Range; r != nil && (len(r) != 2 || !finite(r[0]) || !finite(r[1]) || r[0] > r[1]) {
				return bad("column %q: range %v: want [min, max], finite", c.Name, r)
			}
			p.layout.Groups = append(p.layout.Groups, Group{Name: c.Name, Kind: Continuous, Column: j, Start: start, Width: 1})
			p.features = append(p.features, c.Name)
			p.layout.Width++
			if c.Indicator {
				p.layout.Groups = append(p.layout.Groups, Group{Name: c.Name + "_na", Kind: Continuous, Column: j, Start: start + 1, Width: 1, Indicator: true})
				p.features = append(p.features, c.Name+"_na")
				p.layout.Width++
			}
		case Categorical:
			if len(c.Levels) == 0 {
				return bad("column %q: no levels", c.Name)
			}
			idx := make(map[string]int, len(c.Levels))
			for k, l := range c.Levels {
				if _, dup := idx[l]; dup {
					return bad("column %q: duplicate level %q", c.Name, l)
				}
				idx[l] = k
			}
			p.index[j] = idx
			enc, err := c.encoding(p.Options.Encode)
			if err != nil {
				return bad("%v", err)
			}
			g := Group{Name: c.Name, Kind: Categorical, Column: j, Start: start, Encoding: enc, Levels: c.Levels}
			switch enc {
			case OneHot:
				g.Width = len(c.Levels)
				for _, l := range c.Levels {
					p.features = append(p.features, c.Name+"="+l)
				}
			case Ordinal:
				g.Width = 1
				p.features = append(p.features, c.Name)
			case Embedding:
				g.Width, g.Vectors = len(c.Embedding[0]), c.Embedding
				if err := g.CheckVectors(); err != nil {
					return fmt.Errorf("%w: %w", ErrPipeline, err)
				}
				for k := range g.Width {
					p.features = append(p.features, fmt.Sprintf("%s#%d", c.Name, k))
				}
			}
			p.layout.Groups = append(p.layout.Groups, g)
			p.layout.Width += g.Width
		default:
			return bad("column %q: kind %v, want continuous or categorical", c.Name, c.Kind)
		}
	}
	return nil
}

// Validate checks the pipeline's fitted state and rebuilds its layout. Fit
// and UnmarshalJSON call it; call it after changing Columns or Options by
// hand.
func (p *Pipeline) Validate() error { return p.init() }

// UnmarshalJSON decodes a pipeline and validates it.
func (p *Pipeline) UnmarshalJSON(b []byte) error {
	type plain Pipeline
	var q plain
	if err := json.Unmarshal(b, (*plain)(&q)); err != nil {
		return fmt.Errorf("%w: %w", ErrPipeline, err)
	}
	np := Pipeline(q)
	if err := np.init(); err != nil {
		return err
	}
	*p = np
	return nil
}

// Width returns the number of encoded columns.
func (p *Pipeline) Width() int { return p.layout.Width }

// Features returns the names of the encoded columns: a continuous
// feature's name, "<name>_na" for a missing indicator, "<name>=<level>" for
// a one-hot column, the feature's name for an ordinal one.
func (p *Pipeline) Features() []string { return slices.Clone(p.features) }

// Inputs returns the names of the raw input features, in order.
func (p *Pipeline) Inputs() []string {
	out := make([]string, len(p.Columns))
	for j, c := range p.Columns {
		out[j] = c.Name
	}
	return out
}

// Layout returns which encoded columns belong to which input feature.
func (p *Pipeline) Layout() Layout {
	l := p.layout
	l.Groups = slices.Clone(l.Groups)
	return l
}

// ReadOptions returns options that read new raw data (to predict on) with
// the pipeline's roles and markers: its inputs declared continuous or
// categorical, its target optional, every other column ignored. A table
// lacking inputs is a *ColumnError (ErrMissingColumn) naming all of them.
func (p *Pipeline) ReadOptions() ReadOptions {
	o := ReadOptions{NA: slices.Clone(p.NA), Target: p.Target, TargetOptional: true, IgnoreOthers: true, inputs: p.Inputs()}
	for _, c := range p.Columns {
		if c.Kind == Continuous {
			o.Cont = append(o.Cont, c.Name)
		} else {
			o.Cat = append(o.Cat, c.Name)
		}
	}
	return o
}
