package graph

import (
	"fmt"
	"math"
)

// Metrics are the quality measures of a map on a dataset.
type Metrics struct {
	// QE is the quantization error: the mean distance from each record to
	// its best-matching unit (the Euclidean distance, not its square, for
	// the Euclidean metric).
	QE float64
	// TE is the topographic error: the share of records whose best and
	// second-best units are not grid neighbours, in [0, 1]. It is 0 for a
	// map of one unit.
	TE float64
	// Distortion is the SOM energy at radius σ: the mean over records of
	// Σ_k h(gridDist(bmu, k), σ)·d(x, w_k)², with d the map's distance.
	Distortion float64
	// DeadUnits is the share of units that are no record's best match.
	DeadUnits float64
}

// evalChunk is the number of records per forward run in Evaluate and
// Predict.
const evalChunk = 1024

// search runs the BMU search over data (row-major n×D) in chunks, calling
// fn with the index of each chunk's first record and the forward pass that
// searched it.
func (m *Map) search(data []float64, fn func(lo int, f *Forward)) error {
	d := m.Dim()
	if err := m.checkData(data); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	n := len(data) / d
	m.evalMu.Lock()
	defer m.evalMu.Unlock()
	for lo := 0; lo < n; lo += evalChunk {
		b := min(evalChunk, n-lo)
		f := m.evalForwards[b]
		if f == nil {
			var err error
			if f, err = m.NewForward(b); err != nil {
				return err
			}
			if len(m.evalForwards) >= 4 {
				clear(m.evalForwards) // keep at most a few sizes alive
			}
			m.evalForwards[b] = f
		}
		fillInput(f, data[lo*d:(lo+b)*d])
		if err := f.Search(f.x, 0, 1); err != nil {
			return err
		}
		fn(lo, f)
	}
	return nil
}

// checkData returns an error unless data holds a whole, non-zero number of
// records of the map's dimension, all finite.
func (m *Map) checkData(data []float64) error {
	d := m.Dim()
	if len(data) == 0 || len(data)%d != 0 {
		return fmt.Errorf("%d values are not a whole number of records of dimension %d", len(data), d)
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("record %d, feature %d is %v", i/d, i%d, v)
		}
	}
	return nil
}

// fillInput copies float64 records into a forward pass's input buffer.
func fillInput(f *Forward, rows []float64) {
	switch dst := f.x.Data().(type) {
	case []float32:
		for i, v := range rows {
			dst[i] = float32(v)
		}
	case []float64:
		copy(dst, rows)
	}
}

// Predict returns each record's best-matching unit and its distance to it
// (the Euclidean distance, not its square, for the Euclidean metric). data
// holds the records row-major, Dim values each.
func (m *Map) Predict(data []float64) (bmu []int, dist []float64, err error) {
	n := len(data) / max(m.Dim(), 1)
	bmu, dist = make([]int, n), make([]float64, n)
	err = m.search(data, func(lo int, f *Forward) {
		copy(bmu[lo:], f.BMU())
		copy(dist[lo:], f.MinDist())
	})
	if err != nil {
		return nil, nil, err
	}
	return bmu, dist, nil
}

// Evaluate returns the map's metrics on data (row-major, Dim values per
// record), with the distortion taken at radius sigma.
func (m *Map) Evaluate(data []float64, sigma float64) (Metrics, error) {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return Metrics{}, fmt.Errorf("graph: sigma %v must be a positive number", sigma)
	}
	k := m.Units()
	hits := make([]bool, k)
	row := make([]float64, k)
	tab := m.tables.table(sigma)
	var qe, distortion float64
	var topoErrors, n int
	err := m.search(data, func(lo int, f *Forward) {
		bmu, second := f.BMU(), f.Second()
		dist := f.Distances().Data()
		for b, j := range bmu {
			qe += f.minD[b]
			hits[j] = true
			if k > 1 && !m.cfg.Grid.Adjacent(j, second[b]) {
				topoErrors++
			}
			gather(m.tables.o, tab, j, row)
			distortion += hoodEnergy(m.cfg.Distance, row, dist, b*k)
		}
		n += len(bmu)
	})
	if err != nil {
		return Metrics{}, err
	}
	dead := 0
	for _, h := range hits {
		if !h {
			dead++
		}
	}
	return Metrics{
		QE:         qe / float64(n),
		TE:         float64(topoErrors) / float64(n),
		Distortion: distortion / float64(n),
		DeadUnits:  float64(dead) / float64(k),
	}, nil
}

// hoodEnergy returns Σ_k h[k]·d_k² for one row of the distance matrix
// starting at off (which holds squared distances for Euclidean).
func hoodEnergy(metric Distance, h []float64, dist any, off int) float64 {
	var s float64
	switch v := dist.(type) {
	case []float32:
		for u, hv := range h {
			s += hv * squared(metric, float64(v[off+u]))
		}
	case []float64:
		for u, hv := range h {
			s += hv * squared(metric, v[off+u])
		}
	}
	return s
}

func squared(metric Distance, v float64) float64 {
	if metric == Euclidean {
		return v
	}
	return v * v
}
