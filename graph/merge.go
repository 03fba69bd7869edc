package graph

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Stats is the mergeable epoch statistics type of the batch mode: per-unit
// sums, counts and squared norms, filled with Add (or Forward.SearchInto,
// which adds a searched batch), combined with Merge, and turned into the
// update by Apply(BatchRule(), σ), which also measures the distortion. Its
// companion MetricsAcc holds the error sums of QE and TE and which units
// were hit, filled from the same searches and merged the same way. Both
// can be filled on a part of the data, encoded, sent elsewhere, decoded
// and merged: merging the parts gives the statistics of the whole, up to
// the rounding of the order of the float64 sums. The in-process batch mode
// (trainer) and the distributed one (beam/) run the same Add, Merge and
// Apply: one implementation of the maths.
//
// A Stats or MetricsAcc decoded into its zero value is detached: it has
// no map, so it can be merged and encoded but not used by an update. Merge
// it into the map's own (m.NewStats, m.NewMetricsAcc) to update.

// ErrStatsShape means two statistics (or an encoded one and its
// destination) are of maps of different shapes.
var ErrStatsShape = errors.New("graph: statistics of maps of different shapes")

// dims returns the statistics' number of units and dimension.
func (s *Stats) dims() (k, d int) {
	if len(s.counts) == 0 {
		return 0, 0
	}
	return len(s.counts), len(s.sums) / len(s.counts)
}

// Merge adds the records of o (statistics of a map with the same number of
// units and dimension, possibly another copy of the map) to s. A zero
// Stats takes o's shape.
func (s *Stats) Merge(o *Stats) error {
	if o == nil {
		return nil
	}
	ok, od := o.dims()
	if ok == 0 {
		return nil
	}
	if (s.present == nil) != (o.present == nil) {
		return fmt.Errorf("%w: merging statistics of a map with Config.Missing and one without", ErrStatsShape)
	}
	k, d := s.dims()
	if k == 0 && s.m == nil {
		s.sums, s.counts, s.sqsums = make([]float64, ok*od), make([]float64, ok), make([]float64, ok)
		k, d = ok, od
	}
	if k != ok || d != od {
		return fmt.Errorf("%w: merging %d units × %d features into %d × %d", ErrStatsShape, ok, od, k, d)
	}
	for _, j := range o.touched {
		if s.counts[j] == 0 {
			s.touched = append(s.touched, j)
		}
		s.counts[j] += o.counts[j]
		s.sqsums[j] += o.sqsums[j]
		dst := s.sums[j*d : (j+1)*d]
		for f, v := range o.sums[j*d : (j+1)*d] {
			dst[f] += v
		}
		if s.present != nil {
			p := s.present[j*d : (j+1)*d]
			for f, v := range o.present[j*d : (j+1)*d] {
				p[f] += v
			}
		}
	}
	s.n += o.n
	s.measured = false
	return nil
}

// statsMagic and metricsMagic start the binary forms.
const (
	statsMagic   = "SGS1"
	metricsMagic = "SGM1"
)

// MarshalBinary encodes the statistics compactly: the shape, the record
// count, then for each unit that won a record its index, count, squared
// norm and sums, as little-endian float64.
func (s *Stats) MarshalBinary() ([]byte, error) {
	if s.present != nil {
		return nil, errors.New("graph: encoding Stats: the statistics of a map with Config.Missing (per-feature counts) have no binary form")
	}
	k, d := s.dims()
	b := make([]byte, 0, 4+3*8+len(s.touched)*(8*(d+3)))
	b = append(b, statsMagic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(k))
	b = binary.LittleEndian.AppendUint64(b, uint64(d))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.n))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s.touched)))
	for _, j := range s.touched {
		b = binary.LittleEndian.AppendUint64(b, uint64(j))
		b = appendFloat(b, s.counts[j])
		b = appendFloat(b, s.sqsums[j])
		for _, v := range s.sums[j*d : (j+1)*d] {
			b = appendFloat(b, v)
		}
	}
	return b, nil
}

// UnmarshalBinary replaces the contents of s with an encoded Stats. s is
// either a zero Stats (it becomes detached, of the encoded shape) or one
// of a map of the encoded shape.
func (s *Stats) UnmarshalBinary(b []byte) error {
	r := reader{b: b}
	if !r.magic(statsMagic) {
		return fmt.Errorf("graph: decoding Stats: not an encoded Stats")
	}
	k, d, n, nt := r.int(), r.int(), r.int(), r.int()
	if r.err != nil || k < 1 || d < 1 || k > 1<<30 || d > 1<<30 || nt > k || n < 0 || len(r.b) != nt*8*(d+3) {
		return fmt.Errorf("graph: decoding Stats: truncated or corrupt (%d units × %d features, %d touched, %d bytes left)", k, d, nt, len(r.b))
	}
	if s.m == nil {
		if ck, cd := s.dims(); ck != k || cd != d {
			s.sums, s.counts, s.sqsums, s.touched = make([]float64, k*d), make([]float64, k), make([]float64, k), nil
		}
	} else if s.m.Units() != k || s.m.Dim() != d {
		return fmt.Errorf("%w: decoding %d units × %d features into a Stats of %d × %d", ErrStatsShape, k, d, s.m.Units(), s.m.Dim())
	}
	s.clear()
	for range nt {
		j := r.int()
		c, q := r.float(), r.float()
		if j < 0 || j >= k || s.counts[j] != 0 || !(c > 0) || !finite(c) || !finite(q) {
			s.clear()
			return fmt.Errorf("graph: decoding Stats: corrupt unit %d (count %v, squared norm %v)", j, c, q)
		}
		s.touched = append(s.touched, j)
		s.counts[j], s.sqsums[j] = c, q
		for f := range d {
			v := r.float()
			if !finite(v) {
				s.clear()
				return fmt.Errorf("graph: decoding Stats: unit %d, feature %d: sum %v", j, f, v)
			}
			s.sums[j*d+f] = v
		}
	}
	s.n = n
	return nil
}

// clear empties s like Reset, also when it is detached.
func (s *Stats) clear() {
	_, d := s.dims()
	for _, j := range s.touched {
		s.counts[j], s.sqsums[j] = 0, 0
		clear(s.sums[j*d : (j+1)*d])
	}
	s.touched = s.touched[:0]
	s.n = 0
	s.measured = false
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Merge adds the records of o (an accumulator of a map with the same
// number of units) to a. A zero MetricsAcc takes o's shape.
func (a *MetricsAcc) Merge(o *MetricsAcc) error {
	if o == nil || len(o.hits) == 0 {
		return nil
	}
	if len(a.hits) == 0 && a.m == nil {
		a.hits = make([]bool, len(o.hits))
	}
	if len(a.hits) != len(o.hits) {
		return fmt.Errorf("%w: merging metrics of %d units into %d", ErrStatsShape, len(o.hits), len(a.hits))
	}
	for j, h := range o.hits {
		a.hits[j] = a.hits[j] || h
	}
	a.qe += o.qe
	a.distortion += o.distortion
	a.topoErrors += o.topoErrors
	a.n += o.n
	return nil
}

// MarshalBinary encodes the accumulator: the number of units and records,
// the error sums and which units were hit.
func (a *MetricsAcc) MarshalBinary() ([]byte, error) {
	k := len(a.hits)
	b := make([]byte, 0, 4+5*8+(k+7)/8)
	b = append(b, metricsMagic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(k))
	b = binary.LittleEndian.AppendUint64(b, uint64(a.n))
	b = binary.LittleEndian.AppendUint64(b, uint64(a.topoErrors))
	b = appendFloat(b, a.qe)
	b = appendFloat(b, a.distortion)
	bits := make([]byte, (k+7)/8)
	for j, h := range a.hits {
		if h {
			bits[j/8] |= 1 << (j % 8)
		}
	}
	return append(b, bits...), nil
}

// UnmarshalBinary replaces the contents of a with an encoded MetricsAcc.
// a is either a zero MetricsAcc (it becomes detached) or one of a map with
// the encoded number of units.
func (a *MetricsAcc) UnmarshalBinary(b []byte) error {
	r := reader{b: b}
	if !r.magic(metricsMagic) {
		return fmt.Errorf("graph: decoding MetricsAcc: not an encoded MetricsAcc")
	}
	k, n, topo := r.int(), r.int(), r.int()
	qe, dist := r.float(), r.float()
	if r.err != nil || k < 1 || k > 1<<30 || n < 0 || topo < 0 || topo > n || len(r.b) != (k+7)/8 {
		return fmt.Errorf("graph: decoding MetricsAcc: truncated or corrupt (%d units, %d records)", k, n)
	}
	if a.m != nil && a.m.Units() != k {
		return fmt.Errorf("%w: decoding metrics of %d units into an accumulator of %d", ErrStatsShape, k, a.m.Units())
	}
	if len(a.hits) != k {
		a.hits = make([]bool, k)
	}
	for j := range a.hits {
		a.hits[j] = r.b[j/8]&(1<<(j%8)) != 0
	}
	a.n, a.topoErrors, a.qe, a.distortion = n, topo, qe, dist
	return nil
}

func appendFloat(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// reader decodes little-endian values, remembering the first short read.
type reader struct {
	b   []byte
	err error
}

func (r *reader) magic(m string) bool {
	if len(r.b) < len(m) || string(r.b[:len(m)]) != m {
		return false
	}
	r.b = r.b[len(m):]
	return true
}

func (r *reader) u64() uint64 {
	if len(r.b) < 8 {
		r.err = errors.New("short")
		r.b = nil
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) int() int {
	v := r.u64()
	if v > math.MaxInt32*4 {
		r.err = errors.New("too large")
		return -1
	}
	return int(v)
}

func (r *reader) float() float64 { return math.Float64frombits(r.u64()) }
