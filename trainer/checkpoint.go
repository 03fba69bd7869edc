package trainer

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"

	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// Checkpoint file format constants. A checkpoint file is sealed like a
// model file (a first line, one line of JSON, a SHA-256 line):
//
//	somgraph-checkpoint v1
//	{"version":1,"model":{...the model file's JSON...},"run":{...},"extra":...}
//	sha256 <64 hex digits of the JSON line>
const (
	// CheckpointMagic starts the first line of every checkpoint file.
	CheckpointMagic = "somgraph-checkpoint"
	// CheckpointVersion is the checkpoint version this package writes and
	// the newest it reads.
	CheckpointVersion = 1
)

// ErrNotCheckpoint is returned (wrapped) by LoadCheckpoint when the input
// is not a checkpoint file, for example a model file, which holds no run
// state.
var ErrNotCheckpoint = errors.New("trainer: not a somgraph checkpoint file")

// ErrCorruptCheckpoint is returned (wrapped) by LoadCheckpoint when a
// checkpoint file is truncated or its checksum does not match its content.
var ErrCorruptCheckpoint = errors.New("trainer: checkpoint file is truncated or corrupted")

var checkpointFile = fileKind{CheckpointMagic, CheckpointVersion, "checkpoint",
	"resume from an older checkpoint or train again", ErrNotCheckpoint, ErrCorruptCheckpoint}

// Checkpoint is the state of a fit at the end of an epoch: everything a
// Learner needs to go on exactly as if the fit had not stopped (see
// Resume). A Checkpointer hook writes them during Fit.
type Checkpoint struct {
	// Model is the map at the end of the epoch, with its options, feature
	// names, labels, preprocessing and history, and a supervised map's
	// target and layers.
	Model *Model
	// Epochs is the length of the fit (Fit's argument) and Done the number
	// of its epochs finished.
	Epochs, Done int
	// Finished reports that the fit had ended when the checkpoint was
	// written: it ran all its epochs or a hook stopped it (early
	// stopping). Resuming it runs no epoch.
	Finished bool
	// Extra is JSON the application keeps with the run (somgraph train
	// keeps its command line); nil for none.
	Extra json.RawMessage

	run runState
}

// runState is the rest of a fit's state, as stored in the file.
type runState struct {
	// ExactTrainMetrics is Options.ExactTrainMetrics (models do not store it).
	ExactTrainMetrics bool `json:"exact_train_metrics"`
	// Alpha, Sigma and BatchSize are hooks.State's after the epoch; Step
	// and Records count the batches and records of the fit so far.
	Alpha     float64 `json:"alpha"`
	Sigma     float64 `json:"sigma"`
	BatchSize int     `json:"batch_size"`
	Step      int     `json:"step"`
	Records   int     `json:"records"`
	// RNG is the state of the generator that shuffles the batches.
	RNG []byte `json:"rng"`
	// Train and Valid fingerprint the data (see fingerprint).
	Train string `json:"train_data"`
	Valid string `json:"valid_data"`
	// Hooks hold the states of the hooks.Resumable hooks, in run order.
	Hooks []hookState `json:"hooks"`
}

// hookState is one hooks.Resumable hook's saved state.
type hookState struct {
	Name  string          `json:"name"`
	Order int             `json:"order"`
	State json.RawMessage `json:"state"`
}

// fileCheckpoint is the JSON part of a checkpoint file.
type fileCheckpoint struct {
	Version  int             `json:"version"`
	Epochs   int             `json:"epochs"`
	Done     int             `json:"done"`
	Finished bool            `json:"finished"`
	Model    json.RawMessage `json:"model"`
	Run      runState        `json:"run"`
	Extra    json.RawMessage `json:"extra,omitempty"`
}

// fingerprint identifies a dataset's size, values and labels, so that a
// resumed fit can tell it is given the data it started with. nil gives "".
func fingerprint(ds *loaders.Dataset) string {
	if ds == nil {
		return ""
	}
	h := sha256.New()
	var b [8]byte
	for _, n := range []int{ds.N, ds.D} {
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	buf := make([]byte, 0, 8*1024)
	for _, v := range ds.Data {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		if len(buf) == cap(buf) {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	for _, l := range ds.Labels {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%dx%d sha256:%s", ds.N, ds.D, hex.EncodeToString(h.Sum(nil)))
}

// check returns an error if the checkpoint cannot be written or resumed.
func (c *Checkpoint) check() error {
	if c.Model == nil {
		return errors.New("trainer: checkpoint: no model")
	}
	if c.Epochs < 1 || c.Done < 0 || c.Done > c.Epochs {
		return fmt.Errorf("trainer: checkpoint: %d of %d epochs done is not a fit's state", c.Done, c.Epochs)
	}
	r := c.run
	if !(r.Sigma > 0) || math.IsInf(r.Sigma, 0) || !(r.Alpha >= 0) || math.IsInf(r.Alpha, 0) || r.BatchSize < 1 || r.Step < 0 || r.Records < 0 {
		return fmt.Errorf("trainer: checkpoint: alpha %v, sigma %v, batch size %d, step %d, records %d are not a fit's state", r.Alpha, r.Sigma, r.BatchSize, r.Step, r.Records)
	}
	if len(r.RNG) == 0 || r.Train == "" {
		return errors.New("trainer: checkpoint: no shuffling state or data fingerprint")
	}
	return nil
}

// Export writes the checkpoint to w.
func (c *Checkpoint) Export(w io.Writer) error {
	if err := c.check(); err != nil {
		return err
	}
	model, err := c.Model.encode()
	if err != nil {
		return err
	}
	body, err := json.Marshal(fileCheckpoint{
		Version: CheckpointVersion, Epochs: c.Epochs, Done: c.Done, Finished: c.Finished,
		Model: model, Run: c.run, Extra: c.Extra,
	})
	if err != nil {
		return fmt.Errorf("trainer: encoding the checkpoint: %w", err)
	}
	return checkpointFile.seal(w, body)
}

// ExportFile writes the checkpoint to path atomically (temporary file,
// sync, rename): until the new file is complete, path holds the previous
// checkpoint.
func (c *Checkpoint) ExportFile(path string) error {
	var buf bytes.Buffer
	if err := c.Export(&buf); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}

// LoadCheckpoint reads a checkpoint written by Checkpoint.Export. It
// returns a clear error for an empty input, a model file (which holds no
// run state), any other file, a checkpoint from a newer somgraph, a
// truncated or corrupted file and inconsistent content.
func LoadCheckpoint(r io.Reader) (*Checkpoint, error) {
	return load(checkpointFile, r, parseCheckpoint)
}

// LoadCheckpointFile reads the checkpoint file path (see LoadCheckpoint).
func LoadCheckpointFile(path string) (*Checkpoint, error) { return loadFile(path, parseCheckpoint) }

func parseCheckpoint(data []byte) (*Checkpoint, error) {
	if bytes.HasPrefix(data, []byte(Magic+" v")) {
		return nil, fmt.Errorf("%w: this is a model file (%s), which holds no run state: resume from a checkpoint written with a Checkpointer (somgraph train --checkpoint-every), or train the model further from its codebook (NewFromModel, somgraph train --init-model)", ErrNotCheckpoint, Magic)
	}
	v, body, err := checkpointFile.unseal(data)
	if err != nil {
		return nil, err
	}
	var f fileCheckpoint
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, fmt.Errorf("trainer: checkpoint content: %w", err)
	}
	if f.Version != v {
		return nil, fmt.Errorf("trainer: checkpoint content says version %d, its first line %d", f.Version, v)
	}
	var head struct{ Version int }
	if err := json.Unmarshal(f.Model, &head); err != nil {
		return nil, fmt.Errorf("trainer: checkpoint content: model: %w", err)
	}
	if head.Version < 1 || head.Version > Version {
		return nil, fmt.Errorf("trainer: the checkpoint holds a model of version %d; this somgraph reads 1 to %d", head.Version, Version)
	}
	m, err := decodeModel(head.Version, f.Model)
	if err != nil {
		return nil, fmt.Errorf("trainer: checkpoint: %w", err)
	}
	c := &Checkpoint{Model: m, Epochs: f.Epochs, Done: f.Done, Finished: f.Finished, Extra: f.Extra, run: f.Run}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// snapshot returns the checkpoint of the fit at st after done of its
// epochs; prints are the fingerprints of the training and validation data.
func (l *Learner) snapshot(st *hooks.State, done int, prints [2]string) (*Checkpoint, error) {
	rng, err := l.loader.RNGState()
	if err != nil {
		return nil, fmt.Errorf("trainer: checkpoint: %w", err)
	}
	c := &Checkpoint{
		Model: l.Model(), Epochs: st.Epochs, Done: done,
		run: runState{
			ExactTrainMetrics: l.opts.ExactTrainMetrics,
			Alpha:             st.Alpha, Sigma: st.Sigma, BatchSize: st.BatchSize,
			Step: st.Step, Records: st.Records, RNG: rng,
			Train: prints[0], Valid: prints[1],
		},
	}
	hs, err := l.hookList()
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		r, ok := h.(hooks.Resumable)
		if !ok {
			continue
		}
		b, err := r.MarshalState()
		if err != nil {
			return nil, fmt.Errorf("trainer: checkpoint: state of hook %q: %w", h.Name(), err)
		}
		c.run.Hooks = append(c.run.Hooks, hookState{Name: h.Name(), Order: h.Order(), State: b})
	}
	return c, nil
}

// OrderCheckpoint is the Checkpointer's order: after every stock hook, so
// that the states it saves at the end of an epoch are final.
const OrderCheckpoint = hooks.OrderStop + 100

// Checkpointer is the hook that makes a Learner's fit resumable. It keeps,
// in memory, the checkpoint of the last finished epoch, and writes it to
// Path (atomically: the previous file stays valid until the new one is
// complete)
//
//   - every Every epochs (0: never on a schedule), when the next epoch
//     starts: the fit then surely goes on past the checkpoint;
//   - at the end of the fit: marked Finished when the fit ran all its
//     epochs or a hook (early stopping) stopped it;
//   - when Interrupt reports true (Ctrl-C): the Checkpointer stops the fit
//     after the current batch (hooks.ErrCancelFit) and writes the last
//     finished epoch's checkpoint, not Finished. The epoch cut short is left
//     out, so a resumed fit repeats it in full and ends with the same
//     model, bit for bit, as the fit that was not interrupted; at most one
//     epoch's work is lost. An interrupt seen at the end of an epoch (always
//     so with an external epoch pass, which has no batches) stops the fit
//     there, with that epoch in the checkpoint.
//
// The checkpoint also holds the state before the first epoch, so a fit
// interrupted in its first epoch resumes from the start. Build one with
// Learner.NewCheckpointer and add it with AddHook.
type Checkpointer struct {
	// Path is the checkpoint file.
	Path string
	// Every is the number of epochs between checkpoints; 0 writes only at
	// the end and on interrupts.
	Every int
	// Interrupt, if set, is polled after every batch and epoch; true stops
	// the fit as an interrupt (see above). Stop does the same from any goroutine.
	Interrupt func() bool
	// Extra is stored in every checkpoint (Checkpoint.Extra).
	Extra json.RawMessage

	// Writes counts the checkpoint files written during the last fit.
	Writes int
	// Interrupted reports that the last fit was interrupted.
	Interrupted bool

	l        *Learner
	prints   [2]string   // fingerprints of the training and validation data
	last     *Checkpoint // the last finished epoch's state
	written  bool        // last is on disk
	cutEpoch int         // the epoch the interrupt cut short
	stop     atomic.Bool
}

// NewCheckpointer returns a Checkpointer writing this Learner's fits to
// path every every epochs (0: only at the end and on interrupts). It
// returns an error if path is empty or every is negative.
func (l *Learner) NewCheckpointer(path string, every int) (*Checkpointer, error) {
	if path == "" {
		return nil, errors.New("trainer: checkpointer: empty path; give the checkpoint file name")
	}
	if every < 0 {
		return nil, fmt.Errorf("trainer: checkpointer: every %d epochs must be 0 (only at the end and on interrupts) or more", every)
	}
	return &Checkpointer{Path: path, Every: every, l: l, prints: [2]string{fingerprint(l.train), fingerprint(l.valid)}}, nil
}

// Name returns "checkpointer".
func (c *Checkpointer) Name() string { return "checkpointer" }

// Order returns OrderCheckpoint.
func (c *Checkpointer) Order() int { return OrderCheckpoint }

// Stop asks the fit to stop after the current batch as an interrupt. It
// is safe to call from another goroutine (a signal handler).
func (c *Checkpointer) Stop() { c.stop.Store(true) }

func (c *Checkpointer) interrupted() bool {
	return c.stop.Load() || (c.Interrupt != nil && c.Interrupt())
}

// Handle keeps and writes the checkpoints (see Checkpointer).
func (c *Checkpointer) Handle(e hooks.Event, s *hooks.State) error {
	if c.l == nil {
		return errors.New("trainer: checkpointer: build it with Learner.NewCheckpointer")
	}
	switch e {
	case hooks.BeforeFit:
		c.Writes, c.Interrupted, c.cutEpoch = 0, false, -1
		if r := c.l.resumed; r != nil {
			last := *r
			c.last, c.written = &last, true // the file it was read from
			return nil
		}
		var err error
		c.last, err = c.l.snapshot(s, 0, c.prints)
		c.written = false
		return err
	case hooks.BeforeEpoch:
		if c.Every > 0 && s.Epoch > 0 && c.last != nil && !c.written && c.last.Done == s.Epoch && s.Epoch%c.Every == 0 {
			return c.write(false)
		}
	case hooks.AfterBatch:
		if !c.Interrupted && c.interrupted() {
			c.Interrupted, c.cutEpoch = true, s.Epoch
		}
		if c.Interrupted {
			return hooks.ErrCancelFit
		}
	case hooks.AfterEpoch:
		if c.Interrupted && c.cutEpoch == s.Epoch {
			return nil // cut short: the last finished epoch stays the checkpoint
		}
		last, err := c.l.snapshot(s, s.Epoch+1, c.prints)
		if err != nil {
			return err
		}
		c.last, c.written = last, false
		if !c.Interrupted && c.interrupted() {
			// Between epochs (an external epoch pass has no batches):
			// stop with this finished epoch as the checkpoint.
			c.Interrupted = true
			return hooks.ErrCancelFit
		}
	case hooks.AfterFit:
		if c.last == nil {
			return nil
		}
		finished := !c.Interrupted && s.Err == nil
		if c.written && finished == c.last.Finished {
			return nil
		}
		return c.write(finished)
	}
	return nil
}

// write writes the last finished epoch's checkpoint.
func (c *Checkpointer) write(finished bool) error {
	ck := *c.last
	ck.Finished = finished
	ck.Extra = c.Extra
	if err := ck.ExportFile(c.Path); err != nil {
		return fmt.Errorf("trainer: checkpointer: %w", err)
	}
	c.last.Finished, c.written = finished, true
	c.Writes++
	return nil
}

var _ hooks.Hook = (*Checkpointer)(nil)
