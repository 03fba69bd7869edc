package loaders

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gorgonia.org/tensor"
)

// Defaults of Options.
const (
	// DefaultStreamAbove is the file size above which Load streams.
	DefaultStreamAbove = 256 << 20
	// DefaultStreamSample is how many values per continuous column the
	// streaming reader keeps to compute the median (exact below it).
	DefaultStreamSample = 1 << 17
)

// Options configures Load, LoadReader, LoadStream and NewDataBunch: how to
// read, how to preprocess and how to split. The zero value reads CSV with
// inferred roles, fits z-score/one-hot on every row and has no validation
// set. The caller's struct is never modified.
type Options struct {
	// Read says how to read the table.
	Read ReadOptions
	// Pipeline configures the preprocessing.
	Pipeline PipelineOptions
	// ValidFrac is the share of rows held out for validation, drawn at
	// random with Seed; 0 means none. In memory it is exact (rounded,
	// at least one row); when streaming, each row is drawn on its own,
	// so the share is ValidFrac on average.
	ValidFrac float64
	// ValidColumn names a column that marks validation rows instead
	// ("1", "true", "yes", "valid", "validation" mark valid; "0",
	// "false", "no", "train", "training" or empty mark train). It is
	// not a feature.
	ValidColumn string
	// Seed drives the random split.
	Seed uint64
	// StreamAbove is the file size in bytes above which Load reads the
	// file in two streaming passes; 0 means DefaultStreamAbove and a
	// negative value means never.
	StreamAbove int64
	// StreamSample is the number of values per continuous column kept for
	// the median when streaming; 0 means DefaultStreamSample.
	StreamSample int
	// NoTable says that Load, LoadReader and Builtin do not keep the raw
	// table: DataBunch.Table is nil (TrainRows and ValidRows still index
	// the data rows). Then a regular file of plain numbers is read in one
	// pass, straight into the encoded records, without the table's copy
	// of the values; the bunch is otherwise the same.
	NoTable bool
}

// DataBunch holds the encoded train and validation datasets of a table,
// the pipeline fitted on the training rows, and what was skipped.
type DataBunch struct {
	// Train and Valid are the encoded datasets; Valid is nil without a
	// validation split. Both carry Features and, with a target, Labels.
	Train, Valid *Dataset
	// Pipeline is fitted on the Train rows only.
	Pipeline *Pipeline
	// Table is the raw table, and TrainRows and ValidRows the indices of
	// the two splits in it; all nil when the file was streamed, and Table
	// nil under Options.NoTable.
	Table                *Table
	TrainRows, ValidRows []int
	// CommaDecimals is Table.CommaDecimals: the columns inferred
	// categorical that look like numbers with decimal commas.
	CommaDecimals []string
	// Skipped counts the rows left out under the BadRows Skip policy,
	// and SkipErrors holds the first MaxSkipErrors of them.
	Skipped    int
	SkipErrors []*ParseError
	// Streamed reports whether the input was read in two streaming passes.
	Streamed bool
}

// Features returns the names of the encoded columns.
func (db *DataBunch) Features() []string { return db.Pipeline.Features() }

// Layout returns the encoding layout of the columns.
func (db *DataBunch) Layout() Layout { return db.Pipeline.Layout() }

// Loaders returns a shuffling loader over Train and a non-shuffling one
// over Valid (nil without a validation set), with batches of batchSize
// records of dtype (tensor.Float32 or tensor.Float64).
func (db *DataBunch) Loaders(batchSize int, dtype tensor.Dtype, seed uint64) (train, valid *Loader, err error) {
	if train, err = NewLoader(db.Train, batchSize, true, dtype, seed); err != nil {
		return nil, nil, err
	}
	if db.Valid != nil {
		if valid, err = NewLoader(db.Valid, batchSize, false, dtype, seed); err != nil {
			return nil, nil, err
		}
	}
	return train, valid, nil
}

func (o *Options) check() error {
	if !(o.ValidFrac >= 0 && o.ValidFrac < 1) {
		return fmt.Errorf("loaders: valid fraction %v must be in [0, 1)", o.ValidFrac)
	}
	if o.ValidFrac > 0 && o.ValidColumn != "" {
		return fmt.Errorf("loaders: both a valid fraction (%v) and a valid column (%q): choose one", o.ValidFrac, o.ValidColumn)
	}
	if o.StreamSample < 0 {
		return fmt.Errorf("loaders: StreamSample %d must not be negative", o.StreamSample)
	}
	return nil
}

// readOptions returns the read options with the valid column ignored.
func (o *Options) readOptions() *ReadOptions {
	r := o.Read
	r.split = o.ValidColumn
	return &r
}

// parseValid reads a valid-column value.
func parseValid(v string) (valid bool, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "t", "yes", "y", "valid", "validation", "val":
		return true, true
	case "0", "false", "f", "no", "n", "train", "training", "":
		return false, true
	}
	return false, false
}

// Load reads the CSV file at path and returns its data bunch. Files larger
// than opts.StreamAbove bytes are streamed (LoadStream) instead of held in
// memory. opts may be nil; opts.Read.Name defaults to path.
func Load(path string, opts *Options) (*DataBunch, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Read.Name == "" {
		o.Read.Name = path
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: %w", err)
	}
	limit := o.StreamAbove
	if limit == 0 {
		limit = DefaultStreamAbove
	}
	if limit > 0 && fi.Size() > limit {
		return LoadStream(func() (io.ReadCloser, error) { return os.Open(path) }, &o)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: %w", err)
	}
	defer f.Close()
	return LoadReader(f, &o)
}

// LoadReader reads a CSV table from r into memory and returns its data
// bunch. opts may be nil.
func LoadReader(r io.Reader, opts *Options) (*DataBunch, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.NoTable && useFast {
		if db, err := loadPlain(r, &o); db != nil || err != nil {
			return db, err
		}
	}
	t, err := ReadCSV(r, o.readOptions())
	if err != nil {
		return nil, err
	}
	return o.dropTable(NewDataBunch(t, &o))
}

// dropTable drops the bunch's table when o.NoTable says so.
func (o *Options) dropTable(db *DataBunch, err error) (*DataBunch, error) {
	if db != nil && o.NoTable {
		db.Table = nil
	}
	return db, err
}

// NewDataBunch splits t, fits the pipeline on the training rows and encodes
// both splits. Only the Pipeline, ValidFrac, ValidColumn and Seed fields
// of opts are used; opts may be nil.
func NewDataBunch(t *Table, opts *Options) (*DataBunch, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	if t == nil || t.Rows == 0 {
		return nil, ErrNoRows
	}
	train, valid, err := splitTable(t, &o)
	if err != nil {
		return nil, err
	}
	if o.ValidColumn != "" {
		// The marker column is not a feature.
		nt := *t
		nt.Columns = slices.Clone(t.Columns)
		nt.Column(o.ValidColumn).Role = Ignored
		t = &nt
	}
	po := o.Pipeline
	if po.Encode == Embedding && (po.Embed == nil || po.Embed.Seed == 0) {
		var eo EmbedOptions
		if po.Embed != nil {
			eo = *po.Embed
		}
		eo.Seed, po.Embed = o.Seed, &eo
	}
	p, err := Fit(t, train, &po)
	if err != nil {
		return nil, err
	}
	all, err := p.Transform(t)
	if err != nil {
		return nil, err
	}
	db := &DataBunch{Pipeline: p, Table: t, TrainRows: train, ValidRows: valid,
		CommaDecimals: t.CommaDecimals, Skipped: t.Skipped, SkipErrors: t.SkipErrors, Train: all}
	// Without validation rows, train is every row in order: all is the
	// training set as it stands, and copying it would only double memory.
	if len(valid) > 0 {
		db.Train, db.Valid = all.Subset(train), all.Subset(valid)
	}
	return db, nil
}

// splitTable returns the sorted train and valid row indices of t.
func splitTable(t *Table, o *Options) (train, valid []int, err error) {
	switch {
	case o.ValidColumn != "":
		c := t.Column(o.ValidColumn)
		if c == nil {
			return nil, nil, fmt.Errorf("%w %q in ValidColumn: the columns are %s", ErrUnknownColumn, o.ValidColumn, strings.Join(t.Names(), ", "))
		}
		for i := 0; i < t.Rows; i++ {
			var v string
			if c.Role == Continuous {
				if !c.IsMissing(i) {
					v = fmt.Sprint(c.Num[i])
				}
			} else {
				v = c.Str[i]
			}
			isValid, ok := parseValid(v)
			if !ok {
				return nil, nil, (&ParseError{Name: t.Name, Row: i + 1, ColumnName: c.Name, Value: v, Err: ErrSplitValue}).hinted()
			}
			if isValid {
				valid = append(valid, i)
			} else {
				train = append(train, i)
			}
		}
		if len(train) == 0 {
			return nil, nil, fmt.Errorf("loaders: column %q marks every row as validation: mark some as training", c.Name)
		}
	default:
		return splitRows(t.Rows, o)
	}
	return train, valid, nil
}

// splitRows returns the sorted train and valid row indices of n rows split
// by o.ValidFrac (all rows train when it is 0).
func splitRows(n int, o *Options) (train, valid []int, err error) {
	if o.ValidFrac > 0 {
		var ok bool
		if train, valid, ok = splitPerm(n, o.ValidFrac, o.Seed); !ok {
			return nil, nil, fmt.Errorf("loaders: valid fraction %v of %d rows leaves no training rows", o.ValidFrac, n)
		}
		slices.Sort(train)
		slices.Sort(valid)
		return train, valid, nil
	}
	train = make([]int, n)
	for i := range train {
		train[i] = i
	}
	return train, nil, nil
}
