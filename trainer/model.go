package trainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/internal/atomicfile"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// Model file format constants. A model file is three parts:
//
//	somgraph-model v1
//	{"version":1,"grid":{...},...,"weights":[[...],...]}
//	sha256 <64 hex digits of the JSON line>
//
// The JSON holds no timestamps and no maps, so the same model always gives
// the same bytes.
const (
	// Magic starts the first line of every model file.
	Magic = "somgraph-model"
	// Version is the model file version this package writes and the newest
	// it reads.
	Version = 1
)

// Model is a trained map as stored in a model file: everything needed to
// rebuild the map and to prepare new data for it.
type Model struct {
	// Version is the file version the model was read from (or Version).
	Version int
	// Config is the map's grid, dimension, distance, neighbourhood and
	// dtype.
	Config graph.Config
	// Options are the training options (defaults filled in), with
	// Pipeline, the preprocessing fitted on the training data, or nil.
	// Schedule and Hooks are not stored: they are nil in a loaded model;
	// ScheduleName names the schedule that was used.
	Options
	// ScheduleName is the Name of the schedule hook that trained the map.
	ScheduleName string
	// Features names the D features (nil if the data had no names).
	Features []string
	// Labels is the sorted set of labels of the training records (nil if
	// they had none).
	Labels []string
	// Weights is the K×D codebook, row-major, unit k at row k / cols.
	Weights []float64
	// History is the record of the training epochs, numbered from 1,
	// without their durations (Duration is 0) so that files stay
	// deterministic.
	History []Epoch
	// Clusters is a clustering of the map's units (somgraph cluster,
	// cluster.Fit), or nil.
	Clusters *cluster.Result
	// Target describes a supervised map's target layer (Options.Supervised),
	// or is nil. Its layers, with their scales, are Config.Layers.
	Target *Target
}

// Model returns the Learner's current map and settings as a Model, as
// Export writes it (epoch durations are left out).
func (l *Learner) Model() *Model {
	o := l.Options()
	md := &Model{
		Version:  Version,
		Config:   l.m.Config(),
		Options:  o,
		Features: slices.Clone(l.train.Features),
		Weights:  l.m.Weights(),
		History:  l.History(),
		Target:   l.target.clone(),
	}
	for i := range md.History {
		md.History[i].Duration = 0 // not stored: files stay deterministic
	}
	md.ScheduleName = o.Schedule.Name()
	md.Schedule, md.Hooks = nil, nil
	if l.train.Labels != nil {
		md.Labels = slices.Compact(slices.Sorted(slices.Values(l.train.Labels)))
	}
	return md
}

// Export writes the Learner's model to w (see Model.Export).
func (l *Learner) Export(w io.Writer) error { return l.Model().Export(w) }

// ExportFile writes the Learner's model to the file path atomically (see
// Model.ExportFile).
func (l *Learner) ExportFile(path string) error { return l.Model().ExportFile(path) }

// Map rebuilds the model's map.
func (m *Model) Map() (*graph.Map, error) {
	g, err := graph.New(m.Config)
	if err != nil {
		return nil, fmt.Errorf("trainer: model: %w", err)
	}
	if err := g.SetWeights(m.Weights); err != nil {
		return nil, fmt.Errorf("trainer: model: %w", err)
	}
	return g, nil
}

// Predict returns the best-matching unit and distance of every record of
// ds on the model's map. It rebuilds the map on every call; to predict
// often, call Map once and use graph.Map.Predict.
func (m *Model) Predict(ds *loaders.Dataset) ([]Prediction, error) {
	if m.Target != nil || m.Config.Layers != nil {
		p, err := m.Predictor()
		if err != nil {
			return nil, err
		}
		return p.Predict(ds)
	}
	g, err := m.Map()
	if err != nil {
		return nil, err
	}
	return predict(g, ds)
}

// Predictor returns a Predictor for the model's map searching with the
// layers named: nil means every layer but a supervised map's target, so
// new records are placed by their features (see Learner.Predict).
func (m *Model) Predictor(layers ...string) (*Predictor, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return newPredictor(m.Config, m.Weights, m.Target, layers)
}

// File layout (JSON). Field names are part of the format: change them only
// with a new Version.
type fileModel struct {
	Version      int             `json:"version"`
	Grid         fileGrid        `json:"grid"`
	Dim          int             `json:"dim"`
	Distance     string          `json:"distance"`
	Neighborhood string          `json:"neighborhood"`
	Dtype        string          `json:"dtype"`
	Training     fileTraining    `json:"training"`
	Features     []string        `json:"features"`
	Labels       []string        `json:"labels"`
	Weights      [][]float64     `json:"weights"`
	Pipeline     json.RawMessage `json:"pipeline"`
	History      []fileEpoch     `json:"history"`
	// TENeighbors is graph.Config.TENeighbors, written only when set
	// (added in version 1 files after the first release; absent means 0).
	TENeighbors int `json:"te_neighbors,omitempty"`
	// Clusters is the clustering of the units (optional; older files
	// have none). cluster.Result validates itself when decoded.
	Clusters *cluster.Result `json:"clusters,omitempty"`
	// Layers are graph.Config.Layers with their scales and Target a
	// supervised map's target (optional; absent for maps without layers).
	Layers []fileLayer `json:"layers,omitempty"`
	Target *fileTarget `json:"target,omitempty"`
	// Missing is graph.Config.Missing: the map skips missing values
	// (optional, written only when set; absent means false).
	Missing bool `json:"missing,omitempty"`
}

// fileLayer is a graph.Layer as a model file stores it.
type fileLayer struct {
	Name     string  `json:"name"`
	Start    int     `json:"start"`
	Width    int     `json:"width"`
	Weight   float64 `json:"weight"`
	Distance string  `json:"distance"`
	Scale    float64 `json:"scale"`
}

// fileTarget is a Target as a model file stores it.
type fileTarget struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Classes []string `json:"classes,omitempty"`
	Mean    float64  `json:"mean,omitempty"`
	SD      float64  `json:"sd,omitempty"`
}

type fileGrid struct {
	Rows     int    `json:"rows"`
	Cols     int    `json:"cols"`
	Topology string `json:"topology"`
	Toroidal bool   `json:"toroidal"`
}

type fileTraining struct {
	Mode      string  `json:"mode"`
	BatchSize int     `json:"batch_size"`
	Alpha     float64 `json:"alpha"`
	Sigma     float64 `json:"sigma"`
	Init      string  `json:"init"`
	Seed      uint64  `json:"seed"`
	Schedule  string  `json:"schedule"`
}

type fileMetrics struct {
	QE         float64 `json:"qe"`
	TE         float64 `json:"te"`
	Distortion float64 `json:"distortion"`
	DeadUnits  float64 `json:"dead_units"`
}

// fileEpoch is an Epoch as a model file stores it. Its "epoch" is the
// epoch's index, from 0, as format version 1 wrote it (Epoch.Epoch-1):
// every reader of the format agrees on it.
type fileEpoch struct {
	Epoch     int          `json:"epoch"`
	Train     fileMetrics  `json:"train"`
	Valid     *fileMetrics `json:"valid,omitempty"`
	Alpha     float64      `json:"alpha"`
	Sigma     float64      `json:"sigma"`
	BatchSize int          `json:"batch_size"`
	// TrainTarget and ValidTarget are a supervised map's target metrics
	// (optional; absent for other maps).
	TrainTarget *fileTargetMetrics `json:"train_target,omitempty"`
	ValidTarget *fileTargetMetrics `json:"valid_target,omitempty"`
}

func toFileMetrics(m graph.Metrics) fileMetrics {
	return fileMetrics{QE: m.QE, TE: m.TE, Distortion: m.Distortion, DeadUnits: m.DeadUnits}
}

func (f fileMetrics) metrics() graph.Metrics {
	return graph.Metrics{QE: f.QE, TE: f.TE, Distortion: f.Distortion, DeadUnits: f.DeadUnits}
}

func dtypeName(dt tensor.Dtype) (string, error) {
	switch dt {
	case tensor.Float32, tensor.Dtype{}:
		return "float32", nil
	case tensor.Float64:
		return "float64", nil
	}
	return "", fmt.Errorf("trainer: model dtype %v: want float32 or float64", dt)
}

func parseDtype(s string) (tensor.Dtype, error) {
	switch s {
	case "float32":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, fmt.Errorf("unknown dtype %q (want float32 or float64)", s)
}

// check returns an error if the model cannot be written or used.
func (m *Model) check() error {
	if err := m.Config.Validate(); err != nil {
		return fmt.Errorf("trainer: model: %w", err)
	}
	k, d := m.Config.Grid.Units(), m.Config.Dim
	if len(m.Weights) != k*d {
		return fmt.Errorf("trainer: model: %d weights for %d units × %d features (want %d)", len(m.Weights), k, d, k*d)
	}
	for i, x := range m.Weights {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("trainer: model: weight of unit %d, feature %d is %v: the map diverged (lower alpha or add a NaN guard)", i/d, i%d, x)
		}
	}
	if m.Features != nil && len(m.Features) != d {
		return fmt.Errorf("trainer: model: %d feature names for %d features", len(m.Features), d)
	}
	if err := checkTargetLayers(m.Config, m.Target); err != nil {
		return fmt.Errorf("trainer: model: %w", err)
	}
	if m.Clusters != nil {
		if err := m.Clusters.Validate(); err != nil {
			return fmt.Errorf("trainer: model clusters: %w", err)
		}
		if len(m.Clusters.Labels) != k {
			return fmt.Errorf("trainer: model clusters: %d unit labels for %d units", len(m.Clusters.Labels), k)
		}
	}
	return nil
}

// encode returns the JSON part of the file.
func (m *Model) encode() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	c := m.Config
	dt, err := dtypeName(c.Dtype)
	if err != nil {
		return nil, err
	}
	f := fileModel{
		Version:      Version,
		Grid:         fileGrid{Rows: c.Grid.Rows, Cols: c.Grid.Cols, Topology: c.Grid.Topology.String(), Toroidal: c.Grid.Toroidal},
		Dim:          c.Dim,
		Distance:     c.Distance.String(),
		Neighborhood: c.Neighborhood.String(),
		Dtype:        dt,
		Training: fileTraining{
			Mode: m.Mode.String(), BatchSize: m.BatchSize, Alpha: m.Alpha, Sigma: m.Sigma,
			Init: m.Init.String(), Seed: m.Seed, Schedule: m.ScheduleName,
		},
		Features:    m.Features,
		Labels:      m.Labels,
		Pipeline:    json.RawMessage("null"),
		TENeighbors: c.TENeighbors,
		Missing:     c.Missing,
	}
	if m.Pipeline != nil {
		p, err := json.Marshal(m.Pipeline)
		if err != nil {
			return nil, fmt.Errorf("trainer: encoding the pipeline: %w", err)
		}
		f.Pipeline = p
	}
	for _, e := range m.History {
		fe := fileEpoch{Epoch: e.Epoch - 1, Train: toFileMetrics(e.Train), Alpha: e.Alpha, Sigma: e.Sigma, BatchSize: e.BatchSize}
		if e.HasValid {
			v := toFileMetrics(e.Valid)
			fe.Valid = &v
		}
		if e.HasTarget {
			fe.TrainTarget = toFileTargetMetrics(e.TrainTarget)
			if e.HasValid {
				fe.ValidTarget = toFileTargetMetrics(e.ValidTarget)
			}
		}
		f.History = append(f.History, fe)
	}
	f.Clusters = m.Clusters
	f.Layers, f.Target = toFileLayers(c.Layers), toFileTarget(m.Target)
	b, err := json.Marshal(f) // Weights nil: spliceWeights writes them
	if err != nil {
		return nil, fmt.Errorf("trainer: encoding the model: %w", err)
	}
	return spliceWeights(b, m.Weights, c.Dim)
}

// Export writes the model to w: a first line "somgraph-model v1", the model
// as one line of JSON (names as strings, weights as exact float64 values,
// one array per unit) and a last line with the SHA-256 of the JSON, so that
// Load detects truncation and corruption. The same model always gives the
// same bytes. Export returns an error for an inconsistent model or one
// holding NaN or infinite weights, before writing anything.
func (m *Model) Export(w io.Writer) error {
	body, err := m.encode()
	if err != nil {
		return err
	}
	return modelFile.seal(w, body)
}

// ExportFile writes the model to the file path atomically: into a
// temporary file in the same directory, synced to disk, then renamed over
// path. On error path is left as it was.
func (m *Model) ExportFile(path string) error {
	var buf bytes.Buffer
	if err := m.Export(&buf); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}

func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("trainer: exporting to %s: %w", path, err)
	}
	return nil
}

// ErrNotModel is returned (wrapped) by Load when the input does not start
// like a somgraph model file.
var ErrNotModel = errors.New("trainer: not a somgraph model file")

// ErrCorrupt is returned (wrapped) by Load when a model file is truncated or
// its checksum does not match its content.
var ErrCorrupt = errors.New("trainer: model file is truncated or corrupted")

// Load reads a model written by Export. It returns a clear error for an
// empty input, a file that is not a model, a model from a newer version of
// somgraph, a truncated or corrupted file, and a model whose content is
// inconsistent (unknown names, weights that do not fit the grid).
func Load(r io.Reader) (*Model, error) { return load(modelFile, r, parse) }

// LoadFile reads the model file path (see Load).
func LoadFile(path string) (*Model, error) { return loadFile(path, parse) }

func parse(data []byte) (*Model, error) {
	v, body, err := modelFile.unseal(data)
	if err != nil {
		return nil, err
	}
	return decodeModel(v, body)
}

// decodeModel decodes the JSON part of a model file of version v.
func decodeModel(v int, body []byte) (*Model, error) {
	var f fileModel
	if err := unmarshalModel(body, &f); err != nil {
		return nil, fmt.Errorf("trainer: model content: %w", err)
	}
	if f.Version != v {
		return nil, fmt.Errorf("trainer: model content says version %d, its first line %d", f.Version, v)
	}
	return f.model()
}

// model converts and validates the decoded file.
func (f *fileModel) model() (*Model, error) {
	bad := func(format string, a ...any) (*Model, error) {
		return nil, fmt.Errorf("trainer: model content: "+format, a...)
	}
	topo, err := graph.ParseTopology(f.Grid.Topology)
	if err != nil {
		return bad("%w", err)
	}
	dist, err := graph.ParseDistance(f.Distance)
	if err != nil {
		return bad("%w", err)
	}
	nb, err := graph.ParseNeighborhood(f.Neighborhood)
	if err != nil {
		return bad("%w", err)
	}
	dt, err := parseDtype(f.Dtype)
	if err != nil {
		return bad("%w", err)
	}
	mode, err := ParseMode(f.Training.Mode)
	if err != nil {
		return bad("%w", err)
	}
	in, err := graph.ParseInit(f.Training.Init)
	if err != nil {
		return bad("%w", err)
	}
	var pipe *loaders.Pipeline
	target, err := f.Target.target()
	if err != nil {
		return bad("%w", err)
	}
	features := f.Dim // the pipeline's columns: the map's less the target's
	if target != nil {
		features -= target.Width()
	}
	if len(f.Pipeline) > 0 && string(f.Pipeline) != "null" {
		pipe = new(loaders.Pipeline)
		if err := json.Unmarshal(f.Pipeline, pipe); err != nil {
			return bad("pipeline: %w", err)
		}
		if pipe.Width() != features {
			return bad("the pipeline encodes %d features, the map has %d", pipe.Width(), features)
		}
	}
	grid := graph.Grid{Rows: f.Grid.Rows, Cols: f.Grid.Cols, Topology: topo, Toroidal: f.Grid.Toroidal}
	if pipe != nil && pipe.Options.Missing == loaders.SkipMissing && !f.Missing {
		return bad("the pipeline keeps missing values (missing skip), the map does not skip them")
	}
	cfg, err := mapConfig(Options{Grid: grid, Distance: dist, Neighborhood: nb, Dtype: dt, TENeighbors: f.TENeighbors, Missing: f.Missing}, f.Dim, pipe)
	if err != nil {
		return bad("%w", err)
	}
	if cfg.Layers, err = fileLayersConfig(f.Layers); err != nil {
		return bad("%w", err)
	}
	if err := cfg.Validate(); err != nil {
		return bad("%w", err)
	}
	if err := checkTargetLayers(cfg, target); err != nil {
		return bad("%w", err)
	}
	t := f.Training
	if t.BatchSize < 1 {
		return bad("batch size %d must be at least 1", t.BatchSize)
	}
	if !(t.Alpha > 0) || !(t.Sigma > 0) {
		return bad("alpha %v and sigma %v must be positive", t.Alpha, t.Sigma)
	}
	k, d := cfg.Grid.Units(), cfg.Dim
	if len(f.Weights) != k {
		return bad("%d weight rows for a %dx%d grid (want %d)", len(f.Weights), cfg.Grid.Rows, cfg.Grid.Cols, k)
	}
	m := &Model{
		Version: f.Version,
		Config:  cfg,
		Options: Options{
			Grid: cfg.Grid, Distance: dist, Neighborhood: nb, Dtype: dt, TENeighbors: f.TENeighbors, Missing: f.Missing,
			Mode: mode, BatchSize: t.BatchSize, Alpha: t.Alpha, Sigma: t.Sigma, Init: in, Seed: t.Seed,
		},
		ScheduleName: t.Schedule,
		Features:     f.Features,
		Labels:       f.Labels,
		Clusters:     f.Clusters,
		Target:       target,
	}
	if target != nil {
		ls := *cfg.Layers
		m.Supervised, m.TargetKind = true, target.Kind
		m.TargetWeight = ls[1].Weight / (ls[0].Weight + ls[1].Weight)
	}
	for u, row := range f.Weights {
		if len(row) != d {
			return bad("unit %d has %d weights, want %d (the dimension)", u, len(row), d)
		}
	}
	m.Weights = make([]float64, 0, k*d)
	for _, row := range f.Weights {
		m.Weights = append(m.Weights, row...)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	m.Pipeline = pipe
	for _, fe := range f.History {
		e := Epoch{Epoch: fe.Epoch + 1, Loss: fe.Train.QE, Train: fe.Train.metrics(), Alpha: fe.Alpha, Sigma: fe.Sigma, BatchSize: fe.BatchSize}
		if fe.Valid != nil {
			e.Valid, e.HasValid = fe.Valid.metrics(), true
		}
		if fe.TrainTarget != nil {
			e.TrainTarget, e.HasTarget = fe.TrainTarget.metrics(), true
			e.ValidTarget = fe.ValidTarget.metrics()
		}
		m.History = append(m.History, e)
	}
	return m, nil
}
