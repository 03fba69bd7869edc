package graph

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"gorgonia.org/tensor"
)

// Config describes a map: its grid, the dimension of its records, how
// records are compared with units and how the neighbourhood falls off.
type Config struct {
	Grid         Grid
	Dim          int
	Distance     Distance
	Neighborhood Neighborhood
	// Dtype is tensor.Float32 or tensor.Float64; the zero value means
	// Float32.
	Dtype tensor.Dtype
	// Mixed describes the columns for the Mixed distance; it must be set
	// with Mixed and is ignored otherwise.
	Mixed *MixedLayout
	// TENeighbors is which grid neighbours count as adjacent for the
	// topographic error (see TEAdjacent): 0 means the edge neighbours,
	// 4 on a rectangular grid and 6 on a hexagonal one; 8 on a
	// rectangular grid adds the diagonals, as MiniSom counts.
	TENeighbors int
	// Layers splits the columns into named layers, each with its own
	// distance and weight (see Layer); the BMU distance is then their
	// weighted sum and Distance is ignored. Nil (or empty) means one
	// layer of Distance over all columns: the map as without layers. A
	// pointer, as Mixed, so that a Config stays comparable; New copies it.
	Layers *Layers
	// Missing lets records hold NaN for missing values (R kohonen's
	// treatment, without imputation): a layer's distance uses the
	// present features only, scaled to the layer's full width as kohonen
	// does (sum of squares and Manhattan × width/present; cosine over the
	// present features; Tanimoto as the share of the present columns), a
	// layer with no present feature drops out of the weighted sum (the
	// others' weights are renormalised), and a record with no feature
	// present is an error naming its row (ErrMissing). The Mixed distance
	// does not support it. The updates move each feature of a unit by the
	// records that hold it only (a unit's absent features are untouched
	// by a record); the energy they return and the distortion from
	// per-unit sums are not measured (NaN, ErrDistance).
	Missing bool
}

// Layers is a layered map's list of layers, in column order.
type Layers []Layer

// layers returns the configured layers (nil for a one-layer map).
func (c Config) layers() []Layer {
	if c.Layers == nil {
		return nil
	}
	return *c.Layers
}

// euclidean reports whether the map searches with the plain squared
// Euclidean distance (and can use the reduced distances and the
// distortion from per-unit sums).
func (c Config) euclidean() bool { return c.squared() && !c.Missing }

// squared reports whether the distance matrix holds squared Euclidean
// distances (the plain Euclidean map, with or without missing values).
func (c Config) squared() bool { return c.Distance == Euclidean && len(c.layers()) == 0 }

// searchLayers returns the layers of the distance op: the configured
// ones, or with Missing on a one-layer map the implicit layer of Distance
// over all columns.
func (c Config) searchLayers() []Layer {
	if l := c.layers(); len(l) > 0 || !c.Missing {
		return l
	}
	return []Layer{{Name: "all", Width: c.Dim, Weight: 1, Distance: c.Distance}}
}

// dtype returns the configured dtype, defaulting to Float32.
func (c Config) dtype() tensor.Dtype {
	if c.Dtype == (tensor.Dtype{}) {
		return tensor.Float32
	}
	return c.Dtype
}

// Validate reports whether the configuration can build a map.
func (c Config) Validate() error {
	if err := c.Grid.Validate(); err != nil {
		return err
	}
	if c.Dim < 1 {
		return fmt.Errorf("%w: dimension %d must be at least 1", ErrShape, c.Dim)
	}
	if len(c.layers()) > 0 {
		if err := validateLayers(c.layers(), c.Dim, c.Mixed); err != nil {
			return err
		}
	} else if c.Distance == Tanimoto {
		return fmt.Errorf("%w: tanimoto is a layer distance (Config.Layers), not a map distance", ErrDistance)
	} else if c.Distance > Tanimoto {
		return fmt.Errorf("graph: unknown distance %d", c.Distance)
	}
	if c.Missing {
		for _, l := range c.searchLayers() {
			if l.Distance == Mixed {
				return fmt.Errorf("%w: the mixed distance does not support missing values (Config.Missing)", ErrDistance)
			}
		}
	}
	if c.Distance == Mixed && len(c.layers()) == 0 {
		if err := c.Mixed.validate(c.Dim); err != nil {
			return err
		}
	}
	if c.Neighborhood > Triangle {
		return fmt.Errorf("graph: unknown neighborhood %d", c.Neighborhood)
	}
	if dt := c.dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("%w: %v, want float32 or float64", ErrDtype, dt)
	}
	return c.checkTENeighbors()
}

// Map is a self-organizing map: a grid of K units, each with a weight
// vector of Dim values, held as a K×Dim codebook tensor.
type Map struct {
	cfg      Config
	codebook *tensor.Dense
	tables   *tableCache

	// evalForwards keeps the compiled graphs of Evaluate and Predict by
	// batch size between calls; evalMu serializes their use.
	evalMu       sync.Mutex
	evalForwards map[int]*Forward
}

// New returns a map with a zero codebook; initialize it with Init or
// SetWeights before training.
func New(cfg Config) (*Map, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Dtype = cfg.dtype()
	if l := cfg.layers(); len(l) > 0 {
		own := Layers(slices.Clone(l))
		cfg.Layers = &own
	} else {
		cfg.Layers = nil
	}
	k := cfg.Grid.Units()
	m := &Map{
		cfg:      cfg,
		codebook: tensor.New(tensor.WithShape(k, cfg.Dim), tensor.Of(cfg.Dtype)),
	}
	m.tables = newTableCache(m)
	m.evalForwards = map[int]*Forward{}
	return m, nil
}

// Config returns the map's configuration.
func (m *Map) Config() Config {
	c := m.cfg
	if c.Layers != nil {
		own := slices.Clone(*c.Layers)
		c.Layers = &own
	}
	return c
}

// Grid returns the map's grid.
func (m *Map) Grid() Grid { return m.cfg.Grid }

// Units returns the number of units K.
func (m *Map) Units() int { return m.cfg.Grid.Units() }

// Dim returns the dimension D of records and weights.
func (m *Map) Dim() int { return m.cfg.Dim }

// Codebook returns the live K×D codebook tensor. Changing it changes the
// map.
func (m *Map) Codebook() *tensor.Dense { return m.codebook }

// GridDist returns the distance on the grid between units a and b.
func (m *Map) GridDist(a, b int) float64 { return m.tables.o.dist[m.tables.o.index(a, b)] }

// Weights returns a copy of the codebook as float64, row-major K×D.
func (m *Map) Weights() []float64 {
	out := make([]float64, m.Units()*m.Dim())
	switch v := m.codebook.Data().(type) {
	case []float32:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []float64:
		copy(out, v)
	}
	return out
}

// SetWeights replaces the codebook with w, row-major K×D. It returns an
// error if w has the wrong length or holds NaN or infinite values.
func (m *Map) SetWeights(w []float64) error {
	if len(w) != m.Units()*m.Dim() {
		return fmt.Errorf("%w: %d weights for a %d×%d codebook", ErrShape, len(w), m.Units(), m.Dim())
	}
	for i, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: weight of unit %d, feature %d is %v", ErrNotFinite, i/m.Dim(), i%m.Dim(), x)
		}
	}
	switch v := m.codebook.Data().(type) {
	case []float32:
		for i, x := range w {
			v[i] = float32(x)
		}
	case []float64:
		copy(v, w)
	}
	return nil
}

// Finite reports whether every weight is a finite number. It sums x·0
// over the codebook in four lanes, which stays 0 unless some x is NaN or
// ±Inf, and runs several times faster than testing each value.
func (m *Map) Finite() bool {
	switch v := m.codebook.Data().(type) {
	case []float32:
		return finiteSum(v)
	case []float64:
		return finiteSum(v)
	}
	return false
}

func finiteSum[T float](v []T) bool {
	var a, b, c, d T
	i := 0
	for ; i+4 <= len(v); i += 4 {
		a += v[i] * 0
		b += v[i+1] * 0
		c += v[i+2] * 0
		d += v[i+3] * 0
	}
	for ; i < len(v); i++ {
		a += v[i] * 0
	}
	return a+b+c+d == 0
}
