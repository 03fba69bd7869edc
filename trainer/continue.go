package trainer

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/loaders"
)

// NewFromModel returns a Learner that continues training the saved map m
// on new data: its codebook starts as m's (Options.Init is not used), and
// the map's grid, distance, neighbourhood, dtype and preprocessing are
// m's; the TE convention is m's unless opts sets one (a measuring choice,
// checked against m's grid). train and valid must be prepared with m's
// pipeline (m.Pipeline.Transform), not a pipeline fitted again, so that
// their features mean what the codebook's do. The training options —
// mode, batch size, alpha, sigma, schedule, seed, hooks — come from opts
// as in New: a continued map is usually trained with a small radius and
// rate (say σ = 1, α = 0.1, a constant schedule), so that it adapts
// without losing its order. Map options of opts that contradict m are an
// error, as are data whose dimension or feature names differ from m's.
func NewFromModel(m *Model, train, valid *loaders.Dataset, opts *Options) (*Learner, error) {
	if m == nil {
		return nil, errors.New("trainer: continue: no model")
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	if m.Target != nil {
		return nil, errors.New("trainer: continue: training a supervised map further is not supported yet: train it again with Options.Supervised")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	mo := m.Options
	conflict := func(name string, given, saved any) error {
		return fmt.Errorf("trainer: continue: Options.%s %v contradicts the model's %v: the map's shape and measure come from the model", name, given, saved)
	}
	if name, given, saved, bad := mapConflict(&o, &mo); bad {
		return nil, conflict(name, given, saved)
	}
	if o.Pipeline != nil && o.Pipeline != mo.Pipeline {
		return nil, errors.New("trainer: continue: Options.Pipeline is not the model's: leave it nil, the model's pipeline is used")
	}
	o.Grid, o.Distance, o.Neighborhood, o.Dtype = mo.Grid, mo.Distance, mo.Neighborhood, mo.Dtype
	o.Pipeline, o.Init = mo.Pipeline, mo.Init
	o.Missing = o.Missing || mo.Missing
	if o.TENeighbors == 0 { // a measuring convention, not the map's shape: opts may choose another
		o.TENeighbors = mo.TENeighbors
	}
	if err := checkModelData("training", m, train); err != nil {
		return nil, err
	}
	if err := checkModelData("validation", m, valid); err != nil {
		return nil, err
	}
	l, err := build(train, valid, &o, nil)
	if err != nil {
		return nil, err
	}
	if err := l.m.SetWeights(m.Weights); err != nil {
		return nil, fmt.Errorf("trainer: continue: %w", err)
	}
	return l, nil
}

// checkModelData returns an error unless ds (nil is fine) has the model's
// dimension and, when both are named, its features.
func checkModelData(what string, m *Model, ds *loaders.Dataset) error {
	if ds == nil {
		return nil
	}
	if ds.D != m.Config.Dim {
		return fmt.Errorf("trainer: continue: the %s data have %d features, the model %d: prepare them with the model's pipeline", what, ds.D, m.Config.Dim)
	}
	if ds.Features != nil && m.Features != nil && !slices.Equal(ds.Features, m.Features) {
		return fmt.Errorf("trainer: continue: the %s data's features %q differ from the model's %q: prepare them with the model's pipeline", what, ds.Features, m.Features)
	}
	return nil
}

// Drift describes how new data differ from the data a model was trained
// on, before the model is trained further on them (see Model.Drift).
type Drift struct {
	// Records is the number of new records.
	Records int
	// UnseenRecords counts records with at least one categorical value the
	// model's pipeline was not fitted on (encoded as the unknown level).
	UnseenRecords int
	// OutOfRangeRecords counts records with at least one continuous value
	// outside the training range (RangeKnown).
	OutOfRangeRecords int
	// RangeKnown reports whether the pipeline stores the training ranges
	// (pipelines fitted before they were kept do not).
	RangeKnown bool
	// Missing and Fields count the missing values and all values of the
	// input columns; MissingShare is their ratio.
	Missing, Fields int
	MissingShare    float64
	// Skipped reports whether the model's map skips missing values
	// (Options.Missing) rather than its pipeline filling them.
	Skipped bool
	// Columns describe each input column that drifted (unseen
	// categories, values out of range or missing values), in table order.
	Columns []ColumnDrift
	// QE is the quantization error of the new data on the model's map,
	// and TrainQE the model's last training QE (NaN without history).
	QE, TrainQE float64
}

// ColumnDrift is one input column's share of a Drift.
type ColumnDrift struct {
	Name string
	Kind loaders.Role
	// Unseen counts values of a categorical column outside its levels,
	// and Examples holds up to three of them.
	Unseen   int
	Examples []string
	// Below and Above count continuous values under and over Range.
	Below, Above int
	Range        []float64
	// Missing counts missing values.
	Missing int
}

// Drift compares new data with the model's training data: t holds the raw
// rows (read with m.Pipeline.ReadOptions()) and ds the same rows prepared
// by m.Pipeline.Transform. Without a pipeline (a model trained on plain
// numbers) t may be nil: only the quantization error is measured.
func (m *Model) Drift(t *loaders.Table, ds *loaders.Dataset) (*Drift, error) {
	if ds == nil {
		return nil, errors.New("trainer: drift: no data")
	}
	if err := checkModelData("new", m, ds); err != nil {
		return nil, err
	}
	g, err := m.Map()
	if err != nil {
		return nil, err
	}
	met, err := g.Evaluate(ds.Data, 1)
	if err != nil {
		return nil, fmt.Errorf("trainer: drift: %w", err)
	}
	d := &Drift{Records: ds.N, QE: met.QE, TrainQE: math.NaN(), Skipped: m.Config.Missing}
	if n := len(m.History); n > 0 {
		d.TrainQE = m.History[n-1].Train.QE
	}
	if m.Pipeline == nil || t == nil {
		return d, nil
	}
	if t.Rows != ds.N {
		return nil, fmt.Errorf("trainer: drift: the table has %d rows, the data %d records", t.Rows, ds.N)
	}
	unseen := make([]bool, t.Rows)
	out := make([]bool, t.Rows)
	d.RangeKnown = true
	for _, fc := range m.Pipeline.Columns {
		col := t.Column(fc.Name)
		if col == nil {
			return nil, fmt.Errorf("trainer: drift: the data have no column %q, an input of the model", fc.Name)
		}
		cd := ColumnDrift{Name: fc.Name, Kind: fc.Kind, Range: fc.Range}
		levels := map[string]bool{}
		for _, l := range fc.Levels {
			levels[l] = true
		}
		if fc.Kind == loaders.Continuous && fc.Range == nil {
			d.RangeKnown = false
		}
		for i := range t.Rows {
			d.Fields++
			if col.IsMissing(i) {
				cd.Missing++
				continue
			}
			switch fc.Kind {
			case loaders.Categorical:
				v := cellText(col, i)
				if !levels[v] {
					cd.Unseen++
					unseen[i] = true
					if len(cd.Examples) < 3 && !slices.Contains(cd.Examples, v) {
						cd.Examples = append(cd.Examples, v)
					}
				}
			case loaders.Continuous:
				x, ok := cellNumber(col, i)
				if !ok || fc.Range == nil {
					continue
				}
				switch {
				case x < fc.Range[0]:
					cd.Below++
					out[i] = true
				case x > fc.Range[1]:
					cd.Above++
					out[i] = true
				}
			}
		}
		d.Missing += cd.Missing
		if cd.Unseen+cd.Below+cd.Above+cd.Missing > 0 {
			d.Columns = append(d.Columns, cd)
		}
	}
	for i := range t.Rows {
		if unseen[i] {
			d.UnseenRecords++
		}
		if out[i] {
			d.OutOfRangeRecords++
		}
	}
	if d.Fields > 0 {
		d.MissingShare = float64(d.Missing) / float64(d.Fields)
	}
	return d, nil
}

// cellText returns value i of a column as text.
func cellText(c *loaders.Column, i int) string {
	if c.Num != nil {
		return strconv.FormatFloat(c.Num[i], 'g', -1, 64)
	}
	return c.Str[i]
}

// cellNumber returns value i of a column as a number.
func cellNumber(c *loaders.Column, i int) (float64, bool) {
	if c.Num != nil {
		return c.Num[i], !math.IsNaN(c.Num[i])
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(c.Str[i]), 64)
	return x, err == nil
}

// String reports the drift in a few lines, for people.
func (d *Drift) String() string {
	var b strings.Builder
	pct := func(n, of int) string { return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(max(of, 1))) }
	fmt.Fprintf(&b, "drift of %d new records against the model's training data:\n", d.Records)
	if d.Fields > 0 {
		fmt.Fprintf(&b, "  records with unseen categories: %s\n", pct(d.UnseenRecords, d.Records))
		if d.RangeKnown {
			fmt.Fprintf(&b, "  records with continuous values outside the training range: %s\n", pct(d.OutOfRangeRecords, d.Records))
		} else {
			b.WriteString("  continuous ranges: not stored in this model (fitted before somgraph kept them)\n")
		}
		how := "filled by the model's pipeline"
		if d.Skipped {
			how = "skipped by the model's map"
		}
		fmt.Fprintf(&b, "  missing values: %.1f%% of fields (%d of %d), %s\n", 100*d.MissingShare, d.Missing, d.Fields, how)
		for _, c := range d.Columns {
			var parts []string
			if c.Unseen > 0 {
				q := make([]string, len(c.Examples))
				for i, e := range c.Examples {
					q[i] = strconv.Quote(e)
				}
				parts = append(parts, fmt.Sprintf("%d unseen (%s)", c.Unseen, strings.Join(q, ", ")))
			}
			if c.Below > 0 {
				parts = append(parts, fmt.Sprintf("%d below %g", c.Below, c.Range[0]))
			}
			if c.Above > 0 {
				parts = append(parts, fmt.Sprintf("%d above %g", c.Above, c.Range[1]))
			}
			if c.Missing > 0 {
				parts = append(parts, fmt.Sprintf("%d missing", c.Missing))
			}
			fmt.Fprintf(&b, "    %s: %s\n", c.Name, strings.Join(parts, ", "))
		}
	} else {
		b.WriteString("  the model has no preprocessing: categories, ranges and missing values not checked\n")
	}
	fmt.Fprintf(&b, "  quantization error on the saved map: %.4f", d.QE)
	if !math.IsNaN(d.TrainQE) {
		fmt.Fprintf(&b, " (its last training epoch: %.4f)", d.TrainQE)
	}
	b.WriteString("\n")
	return b.String()
}
