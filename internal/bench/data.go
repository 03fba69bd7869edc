package bench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/somgraph/somgraph/loaders"
)

// DataSpec describes a clustered synthetic dataset. Zero values of the
// optional fields mean defaults.
type DataSpec struct {
	// N is the number of records and Dim the number of features; both
	// must be at least 1.
	N, Dim int
	// Clusters is the number of cluster centres; 0 means 16 (at most N).
	Clusters int
	// Spread is the standard deviation of each record around its centre;
	// 0 means 0.05. Centres are uniform in [0, 1]^Dim.
	Spread float64
	// Seed makes the data reproducible: the same spec gives the same
	// values, bit for bit.
	Seed uint64
	// Labels, if set, names each record's cluster ("c0", "c1", ...).
	Labels bool
}

// Clustered returns the dataset that spec describes: each record is a
// cluster centre, chosen uniformly at random, plus gaussian noise of
// standard deviation spec.Spread in every feature.
func Clustered(spec DataSpec) (*loaders.Dataset, error) {
	if spec.N < 1 || spec.Dim < 1 {
		return nil, fmt.Errorf("bench: data of %d records × %d features: both must be at least 1", spec.N, spec.Dim)
	}
	if spec.Clusters < 0 || spec.Spread < 0 || spec.Spread != spec.Spread {
		return nil, fmt.Errorf("bench: %d clusters with spread %v: neither may be negative", spec.Clusters, spec.Spread)
	}
	c := spec.Clusters
	if c == 0 {
		c = 16
	}
	c = min(c, spec.N)
	spread := spec.Spread
	if spread == 0 {
		spread = 0.05
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0xC1A55))
	centres := make([]float64, c*spec.Dim)
	for i := range centres {
		centres[i] = rng.Float64()
	}
	ds := &loaders.Dataset{Data: make([]float64, spec.N*spec.Dim), N: spec.N, D: spec.Dim}
	if spec.Labels {
		ds.Labels = make([]string, spec.N)
	}
	names := make([]string, c)
	for j := range names {
		names[j] = "c" + strconv.Itoa(j)
	}
	for i := 0; i < spec.N; i++ {
		j := rng.IntN(c)
		ctr := centres[j*spec.Dim : (j+1)*spec.Dim]
		row := ds.Data[i*spec.Dim : (i+1)*spec.Dim]
		for f := range row {
			row[f] = ctr[f] + spread*rng.NormFloat64()
		}
		if spec.Labels {
			ds.Labels[i] = names[j]
		}
	}
	return ds, nil
}

// Sample returns k records of ds drawn at random from seed (with
// replacement when k > N), row-major k×D: a codebook that lies on the
// data, as the floor's GEMM needs.
func Sample(ds *loaders.Dataset, k int, seed uint64) ([]float64, error) {
	if ds == nil || ds.N < 1 || ds.D < 1 || len(ds.Data) != ds.N*ds.D {
		return nil, fmt.Errorf("bench: sample from an empty or inconsistent dataset")
	}
	if k < 1 {
		return nil, fmt.Errorf("bench: sample of %d records: want at least 1", k)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5A3B1E))
	out := make([]float64, 0, k*ds.D)
	var perm []int
	if k <= ds.N {
		perm = rng.Perm(ds.N)[:k]
	}
	for i := 0; i < k; i++ {
		r := 0
		if perm != nil {
			r = perm[i]
		} else {
			r = rng.IntN(ds.N)
		}
		out = append(out, ds.Row(r)...)
	}
	return out, nil
}

// WriteCSV writes ds as CSV: a header f0, f1, ... (and label, if ds has
// labels), then one row per record with each value to six decimals, the
// form the CLI's train and predict read and peer programs (R's read.csv)
// parse.
func WriteCSV(w io.Writer, ds *loaders.Dataset) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	line := make([]byte, 0, 1024)
	for f := range ds.D {
		if f > 0 {
			line = append(line, ',')
		}
		line = append(line, 'f')
		line = strconv.AppendInt(line, int64(f), 10)
	}
	if ds.Labels != nil {
		line = append(line, ",label"...)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return err
	}
	for i := range ds.N {
		line = line[:0]
		for f, v := range ds.Row(i) {
			if f > 0 {
				line = append(line, ',')
			}
			line = strconv.AppendFloat(line, v, 'f', 6, 64)
		}
		if ds.Labels != nil {
			line = append(line, ',')
			line = append(line, ds.Labels[i]...)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
