package trainer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

// trained returns a small trained Learner whose data has labels, with
// validation data.
func trained(t testing.TB, opts Options) *Learner {
	t.Helper()
	data := loaders.Colors(300, 5)
	data.Labels = make([]string, data.N)
	for i := range data.N {
		if data.Row(i)[0] > 0.5 {
			data.Labels[i] = "red"
		} else {
			data.Labels[i] = "cyan"
		}
	}
	train, valid, err := data.Split(0.2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Grid == (graph.Grid{}) {
		opts.Grid = graph.Grid{Rows: 4, Cols: 5, Topology: graph.Hexagonal}
	}
	l, err := New(train, valid, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(3); err != nil {
		t.Fatal(err)
	}
	return l
}

func exported(t testing.TB, l *Learner) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := l.Export(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestExportLoadRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"float32 hex", Options{Seed: 1}},
		{"float64 toroidal manhattan batch", Options{Seed: 2, Dtype: tensor.Float64, Mode: Batch,
			Grid: graph.Grid{Rows: 4, Cols: 3, Toroidal: true}, Distance: graph.Manhattan,
			Neighborhood: graph.Triangle, Init: graph.InitSample, Schedule: hooks.TwoPhase()}},
		{"cosine bubble", Options{Seed: 3, Distance: graph.Cosine, Neighborhood: graph.Bubble, Alpha: 0.4, Sigma: 2.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := trained(t, tc.opts)
			file := exported(t, l)
			m, err := Load(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if m.Version != Version || m.Config != l.Map().Config() {
				t.Errorf("config %+v v%d, want %+v v%d", m.Config, m.Version, l.Map().Config(), Version)
			}
			if !slices.Equal(m.Weights, l.Map().Weights()) {
				t.Error("loaded weights differ from the trained codebook")
			}
			o := l.Options()
			o.Schedule, o.Hooks = nil, nil
			if !reflect.DeepEqual(m.Options, o) {
				t.Errorf("options\n%+v\nwant\n%+v", m.Options, o)
			}
			if want := l.Options().Schedule; want != nil && m.ScheduleName != want.Name() {
				t.Errorf("schedule %q, want %q", m.ScheduleName, want.Name())
			}
			if !slices.Equal(m.Features, []string{"red", "green", "blue"}) || !slices.Equal(m.Labels, []string{"cyan", "red"}) {
				t.Errorf("features %q labels %q", m.Features, m.Labels)
			}
			h := l.History()
			for i := range h {
				h[i].Duration = 0
			}
			if !slices.Equal(m.History, h) {
				t.Errorf("history\n%+v\nwant\n%+v", m.History, h)
			}
			// Same predictions from the Learner and the loaded model.
			want, err := l.Predict(l.Valid())
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Predict(l.Valid())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Error("predictions of the loaded model differ from the Learner's")
			}
			// Re-exporting the loaded model gives the same bytes.
			var again bytes.Buffer
			if err := m.Export(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), file) {
				t.Error("Export(Load(file)) differs from file")
			}
		})
	}
}

func TestModelFileLayout(t *testing.T) {
	file := exported(t, trained(t, Options{Seed: 1}))
	lines := strings.Split(string(file), "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("file has %d lines, want header, JSON, checksum and a final newline", len(lines))
	}
	if lines[0] != "somgraph-model v1" {
		t.Errorf("first line %q", lines[0])
	}
	sum := sha256.Sum256([]byte(lines[1]))
	if lines[2] != "sha256 "+hex.EncodeToString(sum[:]) {
		t.Errorf("checksum line %q does not hash the JSON line", lines[2])
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &doc); err != nil {
		t.Fatal(err)
	}
	grid := doc["grid"].(map[string]any)
	if grid["topology"] != "hex" || doc["distance"] != "euclidean" || doc["neighborhood"] != "gaussian" || doc["dtype"] != "float32" {
		t.Errorf("names not stored as strings: grid %v distance %v neighborhood %v dtype %v", grid, doc["distance"], doc["neighborhood"], doc["dtype"])
	}
	if w := doc["weights"].([]any); len(w) != 20 || len(w[0].([]any)) != 3 {
		t.Errorf("weights not stored as 20 units × 3 features")
	}
	if tr := doc["training"].(map[string]any); tr["schedule"] != "three-phase" || tr["mode"] != "minibatch" {
		t.Errorf("training %v", tr)
	}
}

// withChecksum builds a model file around body with a correct checksum.
func withChecksum(header, body string) []byte {
	sum := sha256.Sum256([]byte(body))
	return []byte(header + "\n" + body + "\nsha256 " + hex.EncodeToString(sum[:]) + "\n")
}

// edit decodes the JSON line of file, applies fn and re-encodes it with a
// correct checksum.
func edit(t *testing.T, file []byte, fn func(doc map[string]any)) []byte {
	t.Helper()
	lines := strings.Split(string(file), "\n")
	var doc map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &doc); err != nil {
		t.Fatal(err)
	}
	fn(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return withChecksum(lines[0], string(b))
}

func TestLoadErrors(t *testing.T) {
	good := exported(t, trained(t, Options{Seed: 1}))
	body := strings.Split(string(good), "\n")[1]
	flipped := bytes.Clone(good)
	i := bytes.Index(flipped, []byte(`"weights":[[0.`)) + len(`"weights":[[0.`)
	flipped[i] = '0' + (flipped[i]-'0'+1)%10

	tests := []struct {
		name    string
		file    []byte
		is      error  // errors.Is target, or nil
		want    string // substring of the message
		wantMsg string // whole message, if set
	}{
		{"empty", nil, nil, "empty", ""},
		{"blank", []byte(" \n\n"), nil, "empty", ""},
		{"wrong magic", []byte("hello world\n{}\n"), ErrNotModel, `first line is "hello world"`, ""},
		{"png", []byte("\x89PNG\r\n\x1a\n...."), ErrNotModel, "first line", ""},
		{"bad version", []byte("somgraph-model vX\n{}\n"), ErrNotModel, "bad version", ""},
		{"version 0", []byte("somgraph-model v0\n{}\n"), ErrNotModel, "bad version", ""},
		{"future version", withChecksum("somgraph-model v2", `{"version":2}`), nil, "",
			"trainer: model version 2 is newer than this somgraph (1): upgrade"},
		{"header only", []byte("somgraph-model v1"), ErrCorrupt, "ends after the first line", ""},
		{"truncated in JSON", good[:len(good)/2], ErrCorrupt, "no checksum line", ""},
		{"truncated in checksum", good[:len(good)-10], ErrCorrupt, "checksum line is incomplete", ""},
		{"no final newline", good[:len(good)-1], nil, "", ""}, // still a valid file
		{"trailing garbage", append(bytes.Clone(good), "more\n"...), ErrCorrupt, "malformed", ""},
		{"one digit changed", flipped, ErrCorrupt, "checksum mismatch", ""},
		{"JSON syntax", withChecksum("somgraph-model v1", body[:len(body)-1]), nil, "model content", ""},
		{"JSON type", withChecksum("somgraph-model v1", `{"version":"one"}`), nil, "model content", ""},
		{"NaN weight", withChecksum("somgraph-model v1", strings.Replace(body, `"weights":[[`, `"weights":[[NaN,`, 1)), nil, "model content", ""},
		{"overflowing weight", withChecksum("somgraph-model v1", strings.Replace(body, `"weights":[[`, `"weights":[[1e999,`, 1)), nil, "model content", ""},
		{"content version differs", edit(t, good, func(d map[string]any) { d["version"] = 3 }), nil, "content says version 3", ""},
		{"missing weight row", edit(t, good, func(d map[string]any) {
			w := d["weights"].([]any)
			d["weights"] = w[:len(w)-1]
		}), nil, "19 weight rows for a 4x5 grid (want 20)", ""},
		{"short unit", edit(t, good, func(d map[string]any) {
			w := d["weights"].([]any)
			w[3] = w[3].([]any)[:2]
		}), nil, "unit 3 has 2 weights, want 3", ""},
		{"unknown distance", edit(t, good, func(d map[string]any) { d["distance"] = "chebyshev" }), nil, "unknown distance", ""},
		{"unknown topology", edit(t, good, func(d map[string]any) { d["grid"].(map[string]any)["topology"] = "tri" }), nil, "unknown topology", ""},
		{"unknown dtype", edit(t, good, func(d map[string]any) { d["dtype"] = "int8" }), nil, "unknown dtype", ""},
		{"unknown mode", edit(t, good, func(d map[string]any) { d["training"].(map[string]any)["mode"] = "online" }), nil, "unknown mode", ""},
		{"zero rows", edit(t, good, func(d map[string]any) { d["grid"].(map[string]any)["rows"] = 0 }), nil, "at least 1", ""},
		{"zero sigma", edit(t, good, func(d map[string]any) { d["training"].(map[string]any)["sigma"] = 0 }), nil, "sigma", ""},
		{"feature names", edit(t, good, func(d map[string]any) { d["features"] = []string{"a"} }), nil, "1 feature names for 3 features", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(bytes.NewReader(tc.file))
			if tc.want == "" && tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("Load: %v, want success", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded (%v), want an error", m.Config)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "trainer: ") {
				t.Errorf("error %q does not start with \"trainer: \"", msg)
			}
			if tc.wantMsg != "" && msg != tc.wantMsg {
				t.Errorf("error %q, want %q", msg, tc.wantMsg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", msg, tc.is)
			}
		})
	}
	if _, err := Load(nil); err == nil {
		t.Error("Load(nil) succeeded")
	}
}

func TestExportFile(t *testing.T) {
	l := trained(t, Options{Seed: 1})
	dir := t.TempDir()
	path := filepath.Join(dir, "model.somg")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := l.ExportFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, exported(t, l)) {
		t.Error("file content differs from Export")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v, want 0644", st.Mode().Perm())
	}
	m, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Weights, l.Map().Weights()) {
		t.Error("LoadFile weights differ")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the model (no temp files)", len(entries))
	}

	if err := l.ExportFile(filepath.Join(dir, "missing", "m.somg")); err == nil || !strings.HasPrefix(err.Error(), "trainer: exporting to") {
		t.Errorf("export into a missing directory: %v", err)
	}

	// A failing export leaves the old file alone and no temp file behind.
	l.Map().Codebook().Data().([]float32)[0] = float32(math.NaN())
	if err := l.ExportFile(path); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("exporting a NaN codebook: error %v", err)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, got) {
		t.Error("failed export changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("failed export left %d entries", len(entries))
	}
	if _, err := LoadFile(filepath.Join(dir, "nope.somg")); err == nil || !strings.HasPrefix(err.Error(), "trainer: ") {
		t.Errorf("LoadFile of a missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.somg")
	os.WriteFile(bad, []byte("somgraph-model v1\n{"), 0o644)
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), bad) || !errors.Is(err, ErrCorrupt) {
		t.Errorf("LoadFile of a truncated file: %v, want ErrCorrupt naming the file", err)
	}
}

func TestPredict(t *testing.T) {
	l := trained(t, Options{Seed: 1})
	valid := l.Valid()
	preds, err := l.Predict(valid)
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != valid.N {
		t.Fatalf("%d predictions for %d records", len(preds), valid.N)
	}
	m := l.Map()
	g := m.Grid()
	w := m.Weights()
	for i, p := range preds {
		if p.Row != p.Unit/g.Cols || p.Col != p.Unit%g.Cols {
			t.Fatalf("record %d: unit %d at (%d, %d)", i, p.Unit, p.Row, p.Col)
		}
		// Brute force in float64: the BMU is the nearest unit (within float32
		// rounding) and Dist is the Euclidean distance to it.
		x := valid.Row(i)
		best, bestD := -1, math.Inf(1)
		dist := func(k int) float64 {
			s := 0.0
			for j, v := range x {
				d := v - w[k*m.Dim()+j]
				s += d * d
			}
			return math.Sqrt(s)
		}
		for k := range m.Units() {
			if d := dist(k); d < bestD {
				best, bestD = k, d
			}
		}
		if dist(p.Unit) > bestD+1e-5 {
			t.Errorf("record %d: unit %d at %.6f, unit %d is nearer at %.6f", i, p.Unit, dist(p.Unit), best, bestD)
		}
		if math.Abs(p.Dist-dist(p.Unit)) > 1e-4 {
			t.Errorf("record %d: Dist %.6f, want %.6f (tolerance 1e-4)", i, p.Dist, dist(p.Unit))
		}
	}

	wrong, _ := loaders.FromRows([][]float64{{1, 2}}, nil)
	nan := &loaders.Dataset{Data: []float64{1, math.NaN(), 3}, N: 1, D: 3}
	model, err := Load(bytes.NewReader(exported(t, l)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ds   *loaders.Dataset
		want string
	}{
		{"nil", nil, "no data"},
		{"dimension", wrong, "data has 2 features, the map 3"},
		{"NaN", nan, "NaN"},
	}
	for _, tc := range tests {
		for who, predict := range map[string]func(*loaders.Dataset) ([]Prediction, error){"learner": l.Predict, "model": model.Predict} {
			t.Run(fmt.Sprintf("%s/%s", tc.name, who), func(t *testing.T) {
				_, err := predict(tc.ds)
				if err == nil || !strings.HasPrefix(err.Error(), "trainer: predict: ") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want one containing %q", err, tc.want)
				}
			})
		}
	}
	model.Weights = model.Weights[1:]
	if _, err := model.Predict(valid); err == nil {
		t.Error("Predict on a model with missing weights succeeded")
	}
}

func TestExportLoadPipeline(t *testing.T) {
	db, err := loaders.Builtin("penguins", &loaders.Options{ValidFrac: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(db.Train, db.Valid, &Options{Grid: graph.Grid{Rows: 4, Cols: 4}, Pipeline: db.Pipeline, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(2); err != nil {
		t.Fatal(err)
	}
	file := exported(t, l)
	m, err := Load(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if m.Pipeline == nil {
		t.Fatal("loaded model has no pipeline")
	}
	if !slices.Equal(m.Pipeline.Features(), db.Pipeline.Features()) || m.Pipeline.Width() != db.Train.D {
		t.Errorf("pipeline features %q (width %d), want %q (width %d)", m.Pipeline.Features(), m.Pipeline.Width(), db.Pipeline.Features(), db.Train.D)
	}
	if len(m.Labels) == 0 {
		t.Error("the species labels were not stored")
	}
	// The stored pipeline transforms raw rows like the original.
	want, err := db.Pipeline.Transform(db.Table)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Pipeline.Transform(db.Table)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Data, want.Data) {
		t.Error("the loaded pipeline encodes the table differently")
	}
	var again bytes.Buffer
	if err := m.Export(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), file) {
		t.Error("Export(Load(file)) differs from file with a pipeline")
	}

	// A pipeline that does not fit the data is refused.
	if _, err := New(loaders.Colors(50, 1), nil, &Options{Pipeline: db.Pipeline}); err == nil || !strings.Contains(err.Error(), "pipeline encodes") {
		t.Errorf("New with a mismatched pipeline: %v", err)
	}
	bad := edit(t, file, func(d map[string]any) {
		w := d["weights"].([]any)
		for i := range w {
			w[i] = w[i].([]any)[:2]
		}
		d["dim"] = 2
		d["features"] = nil
	})
	if _, err := Load(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "pipeline encodes") {
		t.Errorf("Load with a mismatched pipeline: %v", err)
	}
}

// TestExportTENeighbors pins that the topographic-error convention is
// stored only when set (files of the default convention keep their bytes)
// and read back, and that the trained map's TE follows it.
func TestExportTENeighbors(t *testing.T) {
	rect := graph.Grid{Rows: 4, Cols: 5}
	l4 := trained(t, Options{Grid: rect})
	l8 := trained(t, Options{Grid: rect, TENeighbors: 8})
	b4, b8 := exported(t, l4), exported(t, l8)
	if bytes.Contains(b4, []byte("te_neighbors")) {
		t.Error("a default-convention model names te_neighbors")
	}
	if !bytes.Contains(b8, []byte(`"te_neighbors":8`)) {
		t.Error("an 8-neighbour model does not store te_neighbors 8")
	}
	m, err := Load(bytes.NewReader(b8))
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.TENeighbors != 8 || m.TENeighbors != 8 {
		t.Errorf("loaded TENeighbors %d / %d, want 8", m.Config.TENeighbors, m.TENeighbors)
	}
	// Same codebook, same data: the 8-neighbour TE is at most the 4-neighbour one.
	h4, h8 := l4.History(), l8.History()
	for i := range h4 {
		if h4[i].Train.QE != h8[i].Train.QE {
			t.Fatalf("epoch %d: QE %v and %v differ; the convention must not change training", i, h4[i].Train.QE, h8[i].Train.QE)
		}
		if h8[i].Train.TE > h4[i].Train.TE {
			t.Errorf("epoch %d: TE(8) %v > TE(4) %v", i, h8[i].Train.TE, h4[i].Train.TE)
		}
	}
	if _, err := New(l4.Train(), nil, &Options{Grid: graph.Grid{Rows: 2, Cols: 2, Topology: graph.Hexagonal}, TENeighbors: 8}); err == nil || !strings.Contains(err.Error(), "6 neighbours") {
		t.Errorf("hex with TENeighbors 8: %v", err)
	}
}
