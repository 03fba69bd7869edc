package loaders

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/somgraph/somgraph/internal/hugemem"
	"github.com/somgraph/somgraph/internal/par"
)

// ErrEmpty is returned when a dataset would have no records or no features.
var ErrEmpty = errors.New("loaders: dataset is empty")

// Dataset is an encoded, numeric table held once in memory: N records of D
// features, row-major, with optional labels carried along.
type Dataset struct {
	// Data holds the N×D values, row-major; record i is Data[i*D:(i+1)*D].
	Data []float64
	// N is the number of records and D the number of features.
	N, D int
	// Features names the D columns; it may be nil.
	Features []string
	// Labels holds one label per record (a class name, or a number written
	// as text for a continuous target); it may be nil.
	Labels []string
}

// FromRows builds a dataset from rows of equal length. It copies the values
// and returns an error naming the row and column of a ragged row or a NaN or
// infinite value. features may be nil; if given it must have one name per
// column.
func FromRows(rows [][]float64, features []string) (*Dataset, error) {
	if len(rows) == 0 || len(rows[0]) == 0 {
		return nil, ErrEmpty
	}
	d := len(rows[0])
	ds := &Dataset{Data: make([]float64, 0, len(rows)*d), N: len(rows), D: d}
	for i, r := range rows {
		if len(r) != d {
			return nil, fmt.Errorf("loaders: row %d has %d values, row 0 has %d: every row needs the same number of values", i, len(r), d)
		}
		ds.Data = append(ds.Data, r...)
	}
	if err := ds.setFeatures(features); err != nil {
		return nil, err
	}
	return ds, ds.Check()
}

// FromDense builds a dataset from an N×D float32 or float64 tensor, copying
// its values.
func FromDense(t *tensor.Dense, features []string) (*Dataset, error) {
	if t == nil || t.Dims() != 2 {
		return nil, fmt.Errorf("loaders: want a 2-D tensor, got %v", shapeOf(t))
	}
	n, d := t.Shape()[0], t.Shape()[1]
	if n == 0 || d == 0 {
		return nil, ErrEmpty
	}
	ds := &Dataset{Data: make([]float64, n*d), N: n, D: d}
	c := t.Materialize().(*tensor.Dense)
	switch v := c.Data().(type) {
	case []float64:
		copy(ds.Data, v)
	case []float32:
		for i, x := range v {
			ds.Data[i] = float64(x)
		}
	default:
		return nil, fmt.Errorf("loaders: want a float32 or float64 tensor, got %v", t.Dtype())
	}
	if err := ds.setFeatures(features); err != nil {
		return nil, err
	}
	return ds, ds.Check()
}

func shapeOf(t *tensor.Dense) any {
	if t == nil {
		return "nil"
	}
	return t.Shape()
}

func (ds *Dataset) setFeatures(features []string) error {
	if features == nil {
		return nil
	}
	if len(features) != ds.D {
		return fmt.Errorf("loaders: %d feature names for %d columns", len(features), ds.D)
	}
	ds.Features = append([]string(nil), features...)
	return nil
}

// Check returns an error if the dataset's shape is inconsistent or a value
// is NaN or infinite, naming the first bad row and column.
func (ds *Dataset) Check() error { return ds.check(false) }

// CheckMissing is Check for records that may hold missing values (NaN, as
// SkipMissing encodes them, for a map with graph.Config.Missing): NaN is
// allowed, but an infinite value and a record whose values are all NaN
// (wrapping ErrNoFeaturePresent) are errors naming the first bad row.
func (ds *Dataset) CheckMissing() error { return ds.check(true) }

func (ds *Dataset) check(missingOK bool) error {
	if ds.N == 0 || ds.D == 0 {
		return ErrEmpty
	}
	if len(ds.Data) != ds.N*ds.D {
		return fmt.Errorf("loaders: %d values for %d×%d records", len(ds.Data), ds.N, ds.D)
	}
	if ds.Labels != nil && len(ds.Labels) != ds.N {
		return fmt.Errorf("loaders: %d labels for %d records", len(ds.Labels), ds.N)
	}
	// Rows in parallel chunks; the first chunk's error is the first row's.
	chunks := par.Chunks(ds.N, 4096)
	errs := make([]error, chunks)
	par.Split(ds.N, chunks, func(c, lo, hi int) { errs[c] = ds.checkRows(lo, hi, missingOK) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkRows is check's test of the values of rows lo to hi.
func (ds *Dataset) checkRows(lo, hi int, missingOK bool) error {
	for r := lo; r < hi; r++ { // row by row: no division per value
		present := 0 // values present in the row
		for c, v := range ds.Data[r*ds.D : (r+1)*ds.D] {
			switch {
			case math.IsNaN(v) && missingOK:
			case math.IsNaN(v) || math.IsInf(v, 0):
				return fmt.Errorf("loaders: row %d, column %d is %v: fill or drop missing and infinite values first", r, c, v)
			default:
				present++
			}
		}
		if missingOK && present == 0 {
			return fmt.Errorf("%w: row %d: every one of its %d values is missing (NaN): drop it", ErrNoFeaturePresent, r, ds.D)
		}
	}
	return nil
}

// Row returns record i (not a copy).
func (ds *Dataset) Row(i int) []float64 { return ds.Data[i*ds.D : (i+1)*ds.D] }

// Subset returns a new dataset with the records idx, in that order.
func (ds *Dataset) Subset(idx []int) *Dataset {
	out := &Dataset{Data: hugemem.Float64s(0, len(idx)*ds.D), N: len(idx), D: ds.D, Features: ds.Features}
	if ds.Labels != nil {
		out.Labels = make([]string, 0, len(idx))
	}
	for _, i := range idx {
		out.Data = append(out.Data, ds.Row(i)...)
		if ds.Labels != nil {
			out.Labels = append(out.Labels, ds.Labels[i])
		}
	}
	return out
}

// Split shuffles the record indices with seed and returns the first
// (1−validFrac) share as train and the rest as valid. validFrac must be in
// [0, 1); with 0, valid is nil. Both parts keep at least one record.
func (ds *Dataset) Split(validFrac float64, seed uint64) (train, valid *Dataset, err error) {
	if !(validFrac >= 0 && validFrac < 1) {
		return nil, nil, fmt.Errorf("loaders: valid fraction %v must be in [0, 1)", validFrac)
	}
	if validFrac == 0 {
		return ds, nil, nil
	}
	tr, va, ok := splitPerm(ds.N, validFrac, seed)
	if !ok {
		return nil, nil, fmt.Errorf("loaders: valid fraction %v of %d records leaves no training records", validFrac, ds.N)
	}
	return ds.Subset(tr), ds.Subset(va), nil
}

// splitPerm draws the random split of n items that Split and NewDataBunch
// share: the last nv = round(frac·n) (at least 1) entries of a permutation
// drawn from seed are the validation items, the others the training ones.
// ok is false if no training item is left.
func splitPerm(n int, frac float64, seed uint64) (train, valid []int, ok bool) {
	nv := max(int(math.Round(frac*float64(n))), 1)
	if nv >= n {
		return nil, nil, false
	}
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(n)
	return perm[:n-nv], perm[n-nv:], true
}

// Colors returns n uniformly random RGB triplets in [0, 1], the dataset of
// fastsom's colours notebook, generated from seed.
func Colors(n int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 0xC0102))
	ds := &Dataset{Data: make([]float64, 3*n), N: n, D: 3, Features: []string{"red", "green", "blue"}}
	for i := range ds.Data {
		ds.Data[i] = rng.Float64()
	}
	return ds
}
