package embed

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Errors of Fit's input, wrapped with the column and counts.
var (
	// ErrInput: the data are empty, ragged, or hold an out-of-range code
	// or a non-finite value.
	ErrInput = errors.New("embed: bad input")
	// ErrLevels: a categorical column has fewer than two levels, or more
	// levels than half the rows (too few rows per level to learn from).
	ErrLevels = errors.New("embed: unusable level count")
	// ErrSize: an embedding size below 1.
	ErrSize = errors.New("embed: bad embedding size")
	// ErrDiverged: the loss became NaN or infinite.
	ErrDiverged = errors.New("embed: training diverged")
)

// Data is an encoded table to learn embeddings from: N rows, each with
// one level code per categorical column and NCont continuous values.
type Data struct {
	// Names are the categorical columns' names, for errors; may be nil.
	Names []string
	// Levels[c] is the number of levels of categorical column c: its
	// codes are 0..Levels[c]-1, and -1 or Levels[c] is the unknown level.
	Levels []int
	// Codes holds N rows of len(Levels) codes, row-major.
	Codes []int
	// Cont holds N rows of NCont continuous values (normalized: the
	// autoencoder reconstructs them with a squared error), row-major.
	Cont  []float64
	NCont int
	// N is the number of rows.
	N int
}

// Options configures Fit. The zero value (or nil) means the defaults.
type Options struct {
	// Sizes are the embedding sizes, one per categorical column; nil
	// means Size(levels) for each. Every entry must be at least 1.
	Sizes []int
	// Hidden is the width of the hidden layer; 0 means DefaultHidden.
	Hidden int
	// Epochs is the most epochs to train; 0 means DefaultEpochs.
	Epochs int
	// Patience is how many epochs without a better validation loss end
	// the training early; 0 means DefaultPatience.
	Patience int
	// Batch is the mini-batch size; 0 means DefaultBatch.
	Batch int
	// LearnRate is Adam's learning rate; 0 means DefaultLearnRate.
	LearnRate float64
	// ValidFrac is the fraction of rows held out for early stopping; 0
	// means DefaultValidFrac, negative means none (the training loss is
	// watched instead).
	ValidFrac float64
	// Noise is the probability that an input value is hidden from the
	// encoder (a level replaced by the unknown level, a continuous value
	// by 0), drawn afresh each epoch; the loss is the decoder's error on
	// the hidden values (see Visible). This trains the unknown level's
	// row too. 0 means DefaultNoise, negative means none (then Visible
	// must be positive, and the unknown row keeps its random start).
	Noise float64
	// Visible is the weight in the loss of a value the encoder saw,
	// relative to 1 for a hidden one. 0 means none: only hidden values
	// are reconstructed, as in masked-language-model training, so a
	// level's vector learns what the level says about the other columns
	// and nothing else; a positive weight also makes it tell the levels
	// apart. Negative is an error.
	Visible float64
	// Seed seeds the initial weights, the validation split, the batch
	// order and the noise: the same seed and data give the same tables.
	Seed uint64
	// Progress, if not nil, is called after every epoch.
	Progress func(Epoch)
}

// Defaults of Options.
const (
	DefaultHidden    = 16
	DefaultEpochs    = 40
	DefaultPatience  = 4
	DefaultBatch     = 256
	DefaultLearnRate = 0.01
	DefaultValidFrac = 0.1
	DefaultNoise     = 0.3
)

// Epoch is the record of one training epoch.
type Epoch struct {
	// N counts epochs from 1; Of is Options.Epochs.
	N, Of int
	// Train and Valid are the mean losses per row of the epoch (Valid is
	// NaN without validation rows): the mean over columns of the
	// cross-entropy of each categorical column and the squared error of
	// each continuous one.
	Train, Valid float64
	// Best marks the epoch whose weights Fit keeps so far.
	Best bool
}

// String formats the epoch as a progress line.
func (e Epoch) String() string {
	s := fmt.Sprintf("embed: epoch %d/%d train loss %.5f", e.N, e.Of, e.Train)
	if !math.IsNaN(e.Valid) {
		s += fmt.Sprintf(" valid loss %.5f", e.Valid)
	}
	if e.Best {
		s += " *"
	}
	return s
}

// Model is what Fit learned.
type Model struct {
	// Tables are the embeddings: Tables[c] has Levels[c]+1 rows of
	// Sizes[c] values, row k for level k and the last for the unknown
	// level.
	Tables [][][]float64
	// Sizes are the embedding sizes.
	Sizes []int
	// Epochs are the epochs trained; Best indexes the one kept.
	Epochs []Epoch
	Best   int
}

// Size returns fastai's default embedding size for a categorical column
// of n categories (count the unknown level): min(600, round(1.6·n^0.56)).
func Size(n int) int {
	if n < 1 {
		return 0
	}
	return min(600, int(math.Round(1.6*math.Pow(float64(n), 0.56))))
}

// name returns the name of categorical column c for errors.
func (d *Data) name(c int) string {
	if c < len(d.Names) && d.Names[c] != "" {
		return strconv.Quote(d.Names[c])
	}
	return strconv.Itoa(c + 1)
}

// check validates the data and options and returns the options with
// defaults filled.
func (d *Data) check(opts *Options) (Options, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if d == nil || d.N < 2 {
		return o, fmt.Errorf("%w: fewer than 2 rows", ErrInput)
	}
	nc := len(d.Levels)
	if nc == 0 {
		return o, fmt.Errorf("%w: no categorical columns to embed", ErrInput)
	}
	if d.NCont < 0 || len(d.Codes) != d.N*nc || len(d.Cont) != d.N*d.NCont {
		return o, fmt.Errorf("%w: %d codes and %d continuous values for %d rows of %d categorical and %d continuous columns", ErrInput, len(d.Codes), len(d.Cont), d.N, nc, d.NCont)
	}
	for c, l := range d.Levels {
		switch {
		case l < 2:
			return o, fmt.Errorf("%w: column %s has %d level(s): an embedding needs at least 2 (encode it one-hot)", ErrLevels, d.name(c), l)
		case 2*l > d.N:
			return o, fmt.Errorf("%w: column %s has %d levels for %d rows: fewer than 2 rows per level on average to learn a level from (ignore the column or encode it ordinal)", ErrLevels, d.name(c), l, d.N)
		}
	}
	for i, k := range d.Codes {
		if c := i % nc; k < -1 || k > d.Levels[c] {
			return o, fmt.Errorf("%w: row %d, column %s: code %d outside [-1, %d]", ErrInput, i/nc+1, d.name(c), k, d.Levels[c])
		}
	}
	for i, x := range d.Cont {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return o, fmt.Errorf("%w: row %d, continuous column %d: %v", ErrInput, i/d.NCont+1, i%d.NCont+1, x)
		}
	}
	if o.Sizes == nil {
		o.Sizes = make([]int, nc)
		for c, l := range d.Levels {
			o.Sizes[c] = Size(l + 1)
		}
	} else {
		if len(o.Sizes) != nc {
			return o, fmt.Errorf("%w: %d sizes for %d categorical columns", ErrSize, len(o.Sizes), nc)
		}
		for c, s := range o.Sizes {
			if s < 1 {
				return o, fmt.Errorf("%w: column %s: size %d, want at least 1", ErrSize, d.name(c), s)
			}
		}
		o.Sizes = slices.Clone(o.Sizes)
	}
	def := func(v *int, dv int, what string) error {
		if *v == 0 {
			*v = dv
		}
		if *v < 0 {
			return fmt.Errorf("%w: %s %d: want a positive value (0 for the default %d)", ErrInput, what, *v, dv)
		}
		return nil
	}
	for _, e := range []error{def(&o.Hidden, DefaultHidden, "hidden width"), def(&o.Epochs, DefaultEpochs, "epochs"),
		def(&o.Patience, DefaultPatience, "patience"), def(&o.Batch, DefaultBatch, "batch size")} {
		if e != nil {
			return o, e
		}
	}
	if o.LearnRate == 0 {
		o.LearnRate = DefaultLearnRate
	}
	if !(o.LearnRate > 0) || math.IsInf(o.LearnRate, 0) {
		return o, fmt.Errorf("%w: learning rate %v: want a positive value", ErrInput, o.LearnRate)
	}
	if o.ValidFrac == 0 {
		o.ValidFrac = DefaultValidFrac
	}
	if o.Noise == 0 {
		o.Noise = DefaultNoise
	}
	if !(o.ValidFrac < 1) || !(o.Noise < 1) || !(o.Visible >= 0) || math.IsInf(o.Visible, 0) {
		return o, fmt.Errorf("%w: valid fraction %v, noise %v, visible weight %v: want fractions below 1 and a finite weight of at least 0", ErrInput, o.ValidFrac, o.Noise, o.Visible)
	}
	if o.Noise < 0 && o.Visible == 0 {
		return o, fmt.Errorf("%w: no noise and visible weight 0 leave nothing to learn from: set Visible", ErrInput)
	}
	return o, nil
}

// Fit trains a masked (denoising) autoencoder on d and returns its embedding
// tables: per categorical column an embedding matrix (one row per level
// and one for the unknown level), the continuous columns passed through,
// one tanh hidden layer, and a decoder that reconstructs each categorical
// column (softmax and cross-entropy) and each continuous one (squared
// error). It is a Gorgonia graph differentiated by gorgonia.Grad and
// trained by Adam in mini-batches, stopping when the validation loss has
// not improved for Patience epochs; the tables returned are those of the
// best epoch. opts may be nil.
//
// By default the loss counts only the values hidden from the encoder
// (Options.Noise, Options.Visible), so a level's vector is what predicts
// the other columns: levels whose rows look alike get vectors that point
// the same way.
func Fit(d *Data, opts *Options) (*Model, error) {
	o, err := d.check(opts)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x656d626564)) // "embed"
	perm := rng.Perm(d.N)
	nValid := 0
	if o.ValidFrac > 0 {
		nValid = int(float64(d.N) * o.ValidFrac)
		if d.N-nValid < 1 {
			nValid = d.N - 1
		}
	}
	valid, train := perm[:nValid], perm[nValid:]
	slices.Sort(valid)
	batch := min(o.Batch, len(train))
	net, err := newNet(d.Levels, o.Sizes, d.NCont, o.Hidden, batch, o.Visible, rng)
	if err != nil {
		return nil, err
	}
	defer net.close()
	solver := newSolver(o.LearnRate)
	// The validation rows' noise is drawn once, so the epochs' losses
	// compare.
	vmask := net.drawNoise(len(valid), o.Noise, rng)
	m := &Model{Sizes: o.Sizes, Best: -1}
	best := math.Inf(1)
	bestParams := net.snapshot(nil)
	stale := 0
	for ep := 1; ep <= o.Epochs; ep++ {
		rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
		mask := net.drawNoise(len(train), o.Noise, rng)
		tl, err := net.epoch(d, train, mask, solver)
		if err != nil {
			return nil, err
		}
		e := Epoch{N: ep, Of: o.Epochs, Train: tl, Valid: math.NaN()}
		watch := tl
		if len(valid) > 0 {
			if e.Valid, err = net.epoch(d, valid, vmask, nil); err != nil {
				return nil, err
			}
			watch = e.Valid
		}
		if math.IsNaN(watch) || math.IsInf(watch, 0) || math.IsNaN(tl) || math.IsInf(tl, 0) {
			return nil, fmt.Errorf("%w at epoch %d (train loss %v, valid loss %v): lower the learning rate", ErrDiverged, ep, tl, e.Valid)
		}
		if watch < best*(1-1e-4) {
			best, stale, e.Best, m.Best = watch, 0, true, ep-1
			bestParams = net.snapshot(bestParams)
		} else {
			stale++
		}
		m.Epochs = append(m.Epochs, e)
		if o.Progress != nil {
			o.Progress(e)
		}
		if stale >= o.Patience {
			break
		}
	}
	m.Tables = net.tables(bestParams)
	return m, nil
}
