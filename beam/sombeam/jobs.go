package sombeam

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"reflect"
	"slices"
	"unsafe"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"gorgonia.org/tensor"
)

// The Beam side of the package: DoFns and CombineFns registered so that
// remote workers (Flink, Spark, Dataflow SDK harnesses) find them.
func init() {
	beam.RegisterType(reflect.TypeOf((*fitShardFn)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*searchFn)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*predictFn)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*prepareFn)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*mergeFn)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*writeFn)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Part)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*epochSide)(nil)).Elem())
}

// Part is what a DoFn emits for one input shard and what the merge
// combiner accumulates: an encoded partial result (a shard summary, an
// epoch's statistics, or prediction counts), or the first error met.
type Part struct {
	Blob []byte
	Err  string
}

// Kinds of Part, the merge each needs.
const (
	kindSummary = "summary" // loaders.ShardSummary
	kindEpoch   = "epoch"   // graph.Stats + graph.MetricsAcc
	kindCounts  = "counts"  // records and skipped rows of predict
	kindPrepare = "prepare" // prepared: counts, bounds, gathered records
)

// opener opens a matched file through Beam's filesystems.
func opener(ctx context.Context, f fileio.ReadableFile) loaders.Opener {
	return func() (io.ReadCloser, error) { return f.Open(ctx) }
}

// fitShardFn summarizes one CSV shard for the preprocessing pipeline.
type fitShardFn struct {
	Options []byte // JSON of loaders.Options
}

// ProcessElement reads the shard and emits its summary.
func (fn *fitShardFn) ProcessElement(ctx context.Context, f fileio.ReadableFile) (Part, error) {
	var o loaders.Options
	if err := json.Unmarshal(fn.Options, &o); err != nil {
		return Part{}, fmt.Errorf("sombeam: decoding the read options: %w", err)
	}
	s, err := loaders.FitShard(f.Metadata.Path, opener(ctx, f), &o)
	if err != nil {
		return Part{}, err
	}
	b, err := s.MarshalBinary()
	return Part{Blob: b}, err
}

// epochSide is an epoch's broadcast: the model (codebook, map settings and
// pipeline, as an ordinary model file) and the radius σ.
type epochSide struct {
	Model []byte
	Sigma float64
}

// worker is a DoFn's decoded view of its read options and side input.
type worker struct {
	opts     loaders.Options
	model    *trainer.Model
	m        *graph.Map
	forwards map[int]*graph.Forward
}

// newWorker decodes a DoFn's read options (JSON of loaders.Options) and
// the model of its side input.
func newWorker(options, side []byte) (*worker, error) {
	var o loaders.Options
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("sombeam: decoding the read options: %w", err)
	}
	md, err := trainer.Load(bytes.NewReader(side))
	if err != nil {
		return nil, err
	}
	if md.Pipeline == nil {
		return nil, errors.New("sombeam: the model has no preprocessing pipeline: train it from CSV")
	}
	m, err := md.Map()
	if err != nil {
		return nil, err
	}
	return &worker{opts: o, model: md, m: m, forwards: map[int]*graph.Forward{}}, nil
}

func (w *worker) forward(n int) (*graph.Forward, error) {
	if f := w.forwards[n]; f != nil {
		return f, nil
	}
	f, err := w.m.NewSearch(n)
	if err != nil {
		return nil, err
	}
	w.forwards[n] = f
	return f, nil
}

// initPlan says what the prepare pass gathers for the codebook's
// initialization (graph.Map.InitRecords): records by their index among
// all training records (shards in name order, rows in order), and each
// feature's minimum and maximum.
type initPlan struct {
	Offsets map[string]int // per shard path: the index of its first training record
	Want    []int          // sorted indices of the training records to gather
	Bounds  bool           // the per-feature minimum and maximum of the training records
}

// prepareFn reads one CSV shard once after the preprocessing is fitted: it
// writes the shard's encoded records, little-endian in the model's dtype,
// to Prefix-train-<hash of the path>.bin and (with Split)
// Prefix-valid-<hash>.bin unless Prefix is empty, gathers the training
// records and bounds of the Plan, and emits them with the shard's record
// and skip counts.
type prepareFn struct {
	Options []byte // JSON of loaders.Options, as fitted
	Prefix  string // "": no cache
	Split   bool   // write the validation records too
	Plan    []byte // JSON of initPlan
}

// cachePath names the cache file of a shard's records of one split.
func cachePath(prefix, split, shard string) string {
	h := fnv.New64a()
	h.Write([]byte(shard))
	return fmt.Sprintf("%s-%s-%016x.bin", prefix, split, h.Sum64())
}

// recordWriter writes encoded records in the map's dtype.
type recordWriter struct {
	out io.WriteCloser
	bw  *bufio.Writer
	f32 bool
	buf []byte
}

func newRecordWriter(ctx context.Context, path string, f32 bool) (*recordWriter, error) {
	out, err := create(ctx, path)
	if err != nil {
		return nil, err
	}
	return &recordWriter{out: out, bw: bufio.NewWriterSize(out, 1<<20), f32: f32}, nil
}

func (w *recordWriter) write(rec []float64) error {
	if w == nil {
		return nil
	}
	w.buf = w.buf[:0]
	for _, v := range rec {
		if w.f32 {
			w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(float32(v)))
		} else {
			w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
		}
	}
	_, err := w.bw.Write(w.buf)
	return err
}

func (w *recordWriter) close(err error) error {
	if w == nil {
		return err
	}
	if err == nil {
		err = w.bw.Flush()
	}
	if cerr := w.out.Close(); err == nil {
		err = cerr
	}
	return err
}

// ProcessElement prepares the shard f with the side input's pipeline.
func (fn *prepareFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, side epochSide) (Part, error) {
	w, err := newWorker(fn.Options, side.Model)
	if err != nil {
		return Part{}, err
	}
	var plan initPlan
	if err := json.Unmarshal(fn.Plan, &plan); err != nil {
		return Part{}, fmt.Errorf("sombeam: decoding the init plan: %w", err)
	}
	var train, valid *recordWriter
	f32 := w.m.Config().Dtype != tensor.Float64
	if fn.Prefix != "" {
		if train, err = newRecordWriter(ctx, cachePath(fn.Prefix, "train", f.Metadata.Path), f32); err != nil {
			return Part{}, err
		}
		if fn.Split {
			if valid, err = newRecordWriter(ctx, cachePath(fn.Prefix, "valid", f.Metadata.Path), f32); err != nil {
				train.close(err)
				return Part{}, err
			}
		}
	}
	p := &prepared{}
	first := plan.Offsets[f.Metadata.Path]
	want, _ := slices.BinarySearch(plan.Want, first) // the next wanted index
	i := first
	rows, skipped, err := loaders.EncodeShard(f.Metadata.Path, opener(ctx, f), w.model.Pipeline, &w.opts, func(rec []float64, _ int, label string, isValid bool) error {
		if isValid {
			return valid.write(rec)
		}
		if plan.Bounds {
			p.bound(rec)
		}
		if want < len(plan.Want) && plan.Want[want] == i {
			p.Gathered = append(p.Gathered, gathered{Index: i, Label: label, Rec: slices.Clone(rec)})
			want++
		}
		i++
		return train.write(rec)
	})
	err = train.close(err)
	err = valid.close(err)
	if err != nil {
		return Part{}, err
	}
	p.Rows, p.Skipped = rows, skipped
	blob, err := p.MarshalBinary()
	return Part{Blob: blob}, err
}

// gathered is one training record gathered for the initialization.
type gathered struct {
	Index int
	Label string
	Rec   []float64
}

// prepared is the merged result of the prepare pass.
type prepared struct {
	Rows, Skipped int       // records of both splits, rows skipped as bad
	Lo, Hi        []float64 // per feature, over the training records (nil: none or not asked)
	Gathered      []gathered
}

func (p *prepared) bound(rec []float64) {
	if p.Lo == nil {
		p.Lo, p.Hi = slices.Clone(rec), slices.Clone(rec)
		return
	}
	for f, v := range rec {
		p.Lo[f], p.Hi[f] = min(p.Lo[f], v), max(p.Hi[f], v)
	}
}

// Merge adds o's counts, bounds and gathered records to p.
func (p *prepared) Merge(o *prepared) error {
	p.Rows += o.Rows
	p.Skipped += o.Skipped
	if o.Lo != nil {
		if p.Lo != nil && len(p.Lo) != len(o.Lo) {
			return errors.New("sombeam: merging bounds of different widths")
		}
		p.bound(o.Lo)
		p.bound(o.Hi)
	}
	p.Gathered = append(p.Gathered, o.Gathered...)
	return nil
}

// preparedWire is prepared without its methods, for encoding/gob (which
// would call MarshalBinary again).
type preparedWire prepared

// MarshalBinary encodes p with encoding/gob.
func (p *prepared) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode((*preparedWire)(p))
	return b.Bytes(), err
}

// UnmarshalBinary decodes MarshalBinary's form.
func (p *prepared) UnmarshalBinary(b []byte) error {
	*p = prepared{}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode((*preparedWire)(p)); err != nil {
		return fmt.Errorf("sombeam: decoding the prepare pass's result: %w", err)
	}
	return nil
}

// readEncoded feeds the records of an encodeFn file to b, read straight
// into its batch buffer (on a little-endian worker).
func readEncoded(ctx context.Context, f fileio.ReadableFile, b *batcher) error {
	rc, err := f.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return errors.New("sombeam: the encoded records are little-endian, this worker is not: train with Config.NoCache")
	}
	r := bufio.NewReaderSize(rc, 1<<20)
	d := b.w.m.Dim()
	for {
		var raw []byte
		switch x := b.buf.(type) {
		case []float32:
			raw = unsafe.Slice((*byte)(unsafe.Pointer(&x[b.n*d])), 4*d)
		case []float64:
			raw = unsafe.Slice((*byte)(unsafe.Pointer(&x[b.n*d])), 8*d)
		}
		n, err := io.ReadFull(r, raw)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sombeam: reading %s (%d of %d bytes of a record): %w", f.Metadata.Path, n, len(raw), err)
		}
		b.n++
		if b.n == b.size {
			if err := b.run(); err != nil {
				return err
			}
		}
	}
}

// batcher collects encoded records into batches of the map's dtype and
// hands each to flush with the forward pass compiled for its size.
type batcher struct {
	w     *worker
	size  int
	buf   any // []float32 or []float64, size×D
	n     int
	flush func(f *graph.Forward, x *tensor.Dense) error
}

func newBatcher(w *worker, size int, flush func(*graph.Forward, *tensor.Dense) error) *batcher {
	b := &batcher{w: w, size: size, flush: flush}
	if w.m.Config().Dtype == tensor.Float64 {
		b.buf = make([]float64, size*w.m.Dim())
	} else {
		b.buf = make([]float32, size*w.m.Dim())
	}
	return b
}

func (b *batcher) add(rec []float64) error {
	d := len(rec)
	switch x := b.buf.(type) {
	case []float32:
		for i, v := range rec {
			x[b.n*d+i] = float32(v)
		}
	case []float64:
		copy(x[b.n*d:], rec)
	}
	b.n++
	if b.n == b.size {
		return b.run()
	}
	return nil
}

// run searches the records collected so far.
func (b *batcher) run() error {
	if b.n == 0 {
		return nil
	}
	n, d := b.n, b.w.m.Dim()
	b.n = 0
	f, err := b.w.forward(n)
	if err != nil {
		return err
	}
	var x *tensor.Dense
	switch v := b.buf.(type) {
	case []float32:
		x = tensor.New(tensor.WithShape(n, d), tensor.WithBacking(v[:n*d]))
	case []float64:
		x = tensor.New(tensor.WithShape(n, d), tensor.WithBacking(v[:n*d]))
	}
	return b.flush(f, x)
}

// searchFn is an epoch's work on one shard: it encodes the shard's records
// with the model's pipeline, runs the graph's BMU search on batches of them
// and adds them to the epoch statistics (per-unit sums and error sums),
// emitting one Part per shard: never an element per record.
type searchFn struct {
	Options []byte // JSON of loaders.Options, as fitted
	Batch   int    // records per search
	Encoded bool   // the files hold prepareFn's records, not CSV
	Valid   bool   // search the validation records: metrics only, at the side input's σ
}

// ProcessElement searches the records of f against the side input's
// codebook.
func (fn *searchFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, side epochSide) (Part, error) {
	w, err := newWorker(fn.Options, side.Model)
	if err != nil {
		return Part{}, err
	}
	stats, acc := w.m.NewStats(), w.m.NewMetricsAcc()
	euclid := w.m.Config().Distance == graph.Euclidean
	b := newBatcher(w, fn.Batch, func(f *graph.Forward, x *tensor.Dense) error {
		if fn.Valid { // as Map.Evaluate
			if err := f.Search(x); err != nil {
				return err
			}
			acc.Add(f, side.Sigma)
			return nil
		}
		if err := f.SearchInto(x, stats); err != nil {
			return err
		}
		if euclid {
			acc.AddWithoutDistortion(f) // the update measures it from the sums
		} else {
			acc.Add(f, side.Sigma)
		}
		return nil
	})
	if fn.Encoded {
		err = readEncoded(ctx, f, b)
	} else {
		_, _, err = loaders.EncodeShard(f.Metadata.Path, opener(ctx, f), w.model.Pipeline, &w.opts, func(rec []float64, _ int, _ string, valid bool) error {
			if valid != fn.Valid {
				return nil
			}
			return b.add(rec)
		})
	}
	if err == nil {
		err = b.run()
	}
	if err != nil {
		return Part{}, err
	}
	blob, err := encodeEpoch(stats, acc)
	return Part{Blob: blob}, err
}

// encodeEpoch encodes an epoch's statistics: the Stats' length, the Stats,
// the MetricsAcc.
func encodeEpoch(s *graph.Stats, a *graph.MetricsAcc) ([]byte, error) {
	sb, err := s.MarshalBinary()
	if err != nil {
		return nil, err
	}
	ab, err := a.MarshalBinary()
	if err != nil {
		return nil, err
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(sb)))
	return append(append(out, sb...), ab...), nil
}

// decodeEpoch decodes encodeEpoch's form into detached statistics.
func decodeEpoch(b []byte) (*graph.Stats, *graph.MetricsAcc, error) {
	if len(b) < 8 || binary.LittleEndian.Uint64(b) > uint64(len(b)-8) {
		return nil, nil, errors.New("sombeam: truncated epoch statistics")
	}
	n := int(binary.LittleEndian.Uint64(b))
	s, a := new(graph.Stats), new(graph.MetricsAcc)
	if err := s.UnmarshalBinary(b[8 : 8+n]); err != nil {
		return nil, nil, err
	}
	if err := a.UnmarshalBinary(b[8+n:]); err != nil {
		return nil, nil, err
	}
	return s, a, nil
}

// mergeFn is the CombineFn that merges Parts of one Kind. A Part with an
// error wins, so the driver reports it.
type mergeFn struct {
	Kind string
}

// CreateAccumulator returns an empty Part.
func (fn *mergeFn) CreateAccumulator() Part { return Part{} }

// AddInput merges a shard's Part.
func (fn *mergeFn) AddInput(a, b Part) Part { return fn.MergeAccumulators(a, b) }

// MergeAccumulators merges two Parts.
func (fn *mergeFn) MergeAccumulators(a, b Part) Part {
	switch {
	case a.Err != "":
		return a
	case b.Err != "":
		return b
	case a.Blob == nil:
		return b
	case b.Blob == nil:
		return a
	}
	blob, err := mergeBlobs(fn.Kind, a.Blob, b.Blob)
	if err != nil {
		return Part{Err: err.Error()}
	}
	return Part{Blob: blob}
}

// ExtractOutput returns the merged Part.
func (fn *mergeFn) ExtractOutput(a Part) Part { return a }

// mergeable is a pointer to a T that encodes itself and merges another.
type mergeable[T any] interface {
	*T
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
	Merge(*T) error
}

// mergeEncoded decodes a and b as Ts, merges b into a and encodes the
// result.
func mergeEncoded[T any, P mergeable[T]](a, b []byte) ([]byte, error) {
	var x, y T
	if err := P(&x).UnmarshalBinary(a); err != nil {
		return nil, err
	}
	if err := P(&y).UnmarshalBinary(b); err != nil {
		return nil, err
	}
	if err := P(&x).Merge(&y); err != nil {
		return nil, err
	}
	return P(&x).MarshalBinary()
}

func mergeBlobs(kind string, a, b []byte) ([]byte, error) {
	switch kind {
	case kindSummary:
		return mergeEncoded[loaders.ShardSummary](a, b)
	case kindEpoch:
		s, m, err := decodeEpoch(a)
		if err != nil {
			return nil, err
		}
		s2, m2, err := decodeEpoch(b)
		if err != nil {
			return nil, err
		}
		if err := s.Merge(s2); err != nil {
			return nil, err
		}
		if err := m.Merge(m2); err != nil {
			return nil, err
		}
		return encodeEpoch(s, m)
	case kindPrepare:
		return mergeEncoded[prepared](a, b)
	case kindCounts:
		if len(a) != 16 || len(b) != 16 {
			return nil, errors.New("sombeam: bad prediction counts")
		}
		out := make([]byte, 16)
		for i := 0; i < 16; i += 8 {
			binary.LittleEndian.PutUint64(out[i:], binary.LittleEndian.Uint64(a[i:])+binary.LittleEndian.Uint64(b[i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("sombeam: unknown kind %q", kind)
}

// writeFn writes the merged Part to Path through Beam's filesystems, for
// the driver to read: a pipeline has no other way back to it on a remote
// runner.
type writeFn struct {
	Path string
}

// ProcessElement writes the Part: a byte 0 and the blob, or 1 and the
// error.
func (fn *writeFn) ProcessElement(ctx context.Context, p Part) error {
	w, err := create(ctx, fn.Path)
	if err != nil {
		return err
	}
	data := append([]byte{0}, p.Blob...)
	if p.Err != "" {
		data = append([]byte{1}, p.Err...)
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// predictFn maps the records of one shard to their best-matching units
// (and clusters) and writes them as a CSV file named after the shard in
// OutDir; it emits the shard's record and skip counts.
type predictFn struct {
	Options []byte // JSON of loaders.Options for reading new data
	OutDir  string
	Batch   int
}

// ProcessElement predicts the records of f with the side input's model.
func (fn *predictFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, side epochSide) (Part, error) {
	w, err := newWorker(fn.Options, side.Model)
	if err != nil {
		return Part{}, err
	}
	out, err := create(ctx, OutputPath(fn.OutDir, f.Metadata.Path))
	if err != nil {
		return Part{}, err
	}
	cw := newPredictWriter(out, w.model)
	b := newBatcher(w, fn.Batch, func(f *graph.Forward, x *tensor.Dense) error {
		if err := f.Search(x); err != nil {
			return err
		}
		return cw.write(f.BMU(), f.MinDist())
	})
	rows, skipped, err := loaders.EncodeShard(f.Metadata.Path, opener(ctx, f), w.model.Pipeline, &w.opts, func(rec []float64, _ int, _ string, _ bool) error {
		return b.add(rec)
	})
	if err == nil {
		err = b.run()
	}
	if err == nil {
		err = cw.flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Part{}, err
	}
	return countsPart(rows, skipped), nil
}

// countsPart is a shard's record and skip counts as a Part of kindCounts.
func countsPart(rows, skipped int) Part {
	blob := binary.LittleEndian.AppendUint64(nil, uint64(rows))
	return Part{Blob: binary.LittleEndian.AppendUint64(blob, uint64(skipped))}
}

// create opens path for writing through Beam's filesystems; closing the
// writer commits the file and closes the filesystem.
func create(ctx context.Context, path string) (io.WriteCloser, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, err
	}
	w, err := fs.OpenWrite(ctx, path)
	if err != nil {
		fs.Close()
		return nil, fmt.Errorf("sombeam: writing %s: %w", path, err)
	}
	return &fileWriter{w, fs}, nil
}

type fileWriter struct {
	io.WriteCloser
	fs io.Closer
}

// Close commits the file, then closes the filesystem.
func (f *fileWriter) Close() error {
	err := f.WriteCloser.Close()
	if cerr := f.fs.Close(); err == nil {
		err = cerr
	}
	return err
}
