package loaders

import (
	"fmt"
	"math/rand/v2"

	"github.com/somgraph/somgraph/internal/par"

	"gorgonia.org/tensor"
)

// Batch is one mini-batch: B records copied into X (B×D, float32 or
// float64), their indices in the dataset, and their labels if any. The
// Loader reuses a Batch's buffers, so its contents are valid until the next
// call to Next.
type Batch struct {
	X      *tensor.Dense
	Index  []int
	Labels []string
}

// Size returns the number of records in the batch.
func (b *Batch) Size() int { return len(b.Index) }

// Loader yields shuffled batches of a Dataset. The batch size may change
// between epochs (hooks do this); the order is reshuffled at every epoch
// from the seed, so the same seed gives the same batches.
type Loader struct {
	ds      *Dataset
	size    int
	shuffle bool
	dtype   tensor.Dtype
	rng     *rand.Rand
	pcg     *rand.PCG // rng's source, whose state RNGState saves
	perm    []int
	pos     int
	bufs    map[int]*tensor.Dense
}

// NewLoader returns a loader over ds with batches of size records of dtype
// (tensor.Float32 or tensor.Float64). With shuffle, each epoch visits the
// records in a new random order drawn from seed.
func NewLoader(ds *Dataset, size int, shuffle bool, dtype tensor.Dtype, seed uint64) (*Loader, error) {
	if ds == nil || ds.N == 0 {
		return nil, ErrEmpty
	}
	if dtype != tensor.Float32 && dtype != tensor.Float64 {
		return nil, fmt.Errorf("loaders: batch dtype %v: want float32 or float64", dtype)
	}
	pcg := rand.NewPCG(seed, 0xBA7C4)
	l := &Loader{ds: ds, shuffle: shuffle, dtype: dtype,
		rng: rand.New(pcg), pcg: pcg, perm: make([]int, ds.N), bufs: map[int]*tensor.Dense{}}
	if err := l.SetBatchSize(size); err != nil {
		return nil, err
	}
	for i := range l.perm {
		l.perm[i] = i
	}
	l.pos = ds.N
	return l, nil
}

// Dataset returns the loader's dataset.
func (l *Loader) Dataset() *Dataset { return l.ds }

// BatchSize returns the current batch size.
func (l *Loader) BatchSize() int { return l.size }

// SetBatchSize sets the batch size used from the next call to Start. Sizes
// above the dataset's size are clamped to it.
func (l *Loader) SetBatchSize(size int) error {
	if size < 1 {
		return fmt.Errorf("loaders: batch size %d must be at least 1", size)
	}
	l.size = min(size, l.ds.N)
	return nil
}

// Batches returns the number of batches in one epoch at the current size.
func (l *Loader) Batches() int { return (l.ds.N + l.size - 1) / l.size }

// RNGState returns the state of the generator that shuffles the epochs,
// for a checkpoint: a loader given it with SetRNGState shuffles the next
// epochs as this one would.
func (l *Loader) RNGState() ([]byte, error) { return l.pcg.MarshalBinary() }

// SetRNGState restores a state returned by RNGState.
func (l *Loader) SetRNGState(state []byte) error {
	if err := l.pcg.UnmarshalBinary(state); err != nil {
		return fmt.Errorf("loaders: shuffling state: %w", err)
	}
	return nil
}

// Start begins an epoch, reshuffling the order if the loader shuffles.
func (l *Loader) Start() {
	if l.shuffle {
		for i := range l.perm {
			l.perm[i] = i
		}
		l.rng.Shuffle(len(l.perm), func(i, j int) { l.perm[i], l.perm[j] = l.perm[j], l.perm[i] })
	}
	l.pos = 0
}

// Next fills b with the next batch of the epoch and reports whether there
// was one. The last batch of an epoch may be smaller than the batch size.
func (l *Loader) Next(b *Batch) bool {
	if l.pos >= l.ds.N {
		return false
	}
	end := min(l.pos+l.size, l.ds.N)
	idx := l.perm[l.pos:end]
	l.pos = end
	n, d := len(idx), l.ds.D
	x, ok := l.bufs[n]
	if !ok {
		x = tensor.New(tensor.WithShape(n, d), tensor.Of(l.dtype))
		l.bufs[n] = x
	}
	// Batches of more than a few thousand values are gathered on every
	// core: converting a value is cheap, but shuffled rows miss the cache,
	// and two cores wait for twice as many misses at once.
	par.Rows(n, max(1, (1<<12)/d), func(lo, hi int) {
		switch v := x.Data().(type) {
		case []float32:
			for r := lo; r < hi; r++ {
				row := l.ds.Row(idx[r])
				out := v[r*d : (r+1)*d]
				for j := range out {
					out[j] = float32(row[j])
				}
			}
		case []float64:
			for r := lo; r < hi; r++ {
				copy(v[r*d:(r+1)*d], l.ds.Row(idx[r]))
			}
		}
	})
	b.X = x
	b.Index = idx
	b.Labels = b.Labels[:0]
	if l.ds.Labels != nil {
		for _, i := range idx {
			b.Labels = append(b.Labels, l.ds.Labels[i])
		}
	}
	return true
}
