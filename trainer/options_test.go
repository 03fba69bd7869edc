package trainer

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/internal/gemm"
	"github.com/somgraph/somgraph/loaders"
	"gorgonia.org/tensor"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		want    Mode
		wantErr bool
	}{
		{"minibatch", MiniBatch, false},
		{"mini-batch", MiniBatch, false},
		{" MiniBatch ", MiniBatch, false},
		{"batch", Batch, false},
		{"BATCH", Batch, false},
		{"online", 0, true},
		{"", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseMode(tc.in)
			if tc.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), "trainer: ") {
					t.Fatalf("ParseMode(%q) error = %v, want a trainer error", tc.in, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseMode(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if back, _ := ParseMode(got.String()); back != got {
				t.Errorf("ParseMode(%v.String()) = %v", got, back)
			}
		})
	}
	if s := Mode(7).String(); s != "Mode(7)" {
		t.Errorf("Mode(7).String() = %q", s)
	}
}

func TestNewDefaults(t *testing.T) {
	train := loaders.Colors(100, 1)
	tests := []struct {
		name string
		opts *Options
		want Options // Schedule, Hooks and Pipeline are not compared
	}{
		{"nil options", nil, Options{
			Grid: graph.Grid{Rows: 10, Cols: 10}, Dtype: tensor.Float32, Mode: MiniBatch,
			BatchSize: 64, Alpha: DefaultAlpha, Sigma: 5}},
		{"zero options", &Options{}, Options{
			Grid: graph.Grid{Rows: 10, Cols: 10}, Dtype: tensor.Float32, Mode: MiniBatch,
			BatchSize: 64, Alpha: DefaultAlpha, Sigma: 5}},
		{"sigma from the longer side", &Options{Grid: graph.Grid{Rows: 3, Cols: 9, Topology: graph.Hexagonal}}, Options{
			Grid: graph.Grid{Rows: 3, Cols: 9, Topology: graph.Hexagonal}, Dtype: tensor.Float32,
			BatchSize: 64, Alpha: DefaultAlpha, Sigma: 4.5}},
		{"batch mode chunk clamped to N", &Options{Mode: Batch, Seed: 9}, Options{
			Grid: graph.Grid{Rows: 10, Cols: 10}, Dtype: tensor.Float32, Mode: Batch,
			BatchSize: 100, Alpha: DefaultAlpha, Sigma: 5, Seed: 9}},
		{"explicit values kept", &Options{Grid: graph.Grid{Rows: 4, Cols: 6, Toroidal: true},
			Distance: graph.Manhattan, Neighborhood: graph.Bubble, Dtype: tensor.Float64,
			Mode: Batch, BatchSize: 7, Alpha: 0.05, Sigma: 1.5, Init: graph.InitPCA, Seed: 3}, Options{
			Grid: graph.Grid{Rows: 4, Cols: 6, Toroidal: true}, Distance: graph.Manhattan,
			Neighborhood: graph.Bubble, Dtype: tensor.Float64, Mode: Batch, BatchSize: 7,
			Alpha: 0.05, Sigma: 1.5, Init: graph.InitPCA, Seed: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := New(train, nil, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := l.Options()
			got.Schedule, got.Hooks, got.Pipeline = nil, nil, nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Options() =\n%+v\nwant\n%+v", got, tc.want)
			}
			cfg := l.Map().Config()
			if cfg.Grid != tc.want.Grid || cfg.Dim != 3 || cfg.Dtype != tc.want.Dtype {
				t.Errorf("map config %+v does not follow the options", cfg)
			}
			if !l.Map().Finite() {
				t.Error("initialized codebook is not finite")
			}
		})
	}
}

func TestNewDoesNotModifyOptions(t *testing.T) {
	h := hooks.Func("h", 0, func(hooks.Event, *hooks.State) error { return nil })
	opts := &Options{Seed: 5, Hooks: []hooks.Hook{h}}
	before := *opts
	l, err := New(loaders.Colors(50, 1), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Grid != before.Grid || opts.Alpha != 0 || opts.Sigma != 0 || opts.BatchSize != 0 || opts.Dtype != before.Dtype {
		t.Errorf("New filled defaults into the caller's options: %+v", opts)
	}
	l.AddHook(h)
	if len(opts.Hooks) != 1 {
		t.Errorf("AddHook changed the caller's Hooks: %d hooks", len(opts.Hooks))
	}
	if got := len(l.Options().Hooks); got != 2 {
		t.Errorf("Options().Hooks has %d hooks, want 2", got)
	}
}

func TestNewErrors(t *testing.T) {
	train := loaders.Colors(40, 1)
	iris4, _ := loaders.FromRows([][]float64{{1, 2, 3, 4}, {2, 3, 4, 5}}, nil)
	named := loaders.Colors(10, 2)
	named.Features = []string{"r", "g", "b"}
	ragged := &loaders.Dataset{Data: []float64{1, 2, 3}, N: 2, D: 3}
	nan := &loaders.Dataset{Data: []float64{1, math.NaN(), 3}, N: 1, D: 3}
	tests := []struct {
		name         string
		train, valid *loaders.Dataset
		opts         *Options
		want         string // substring of the error
	}{
		{"nil train", nil, nil, nil, "no training data"},
		{"empty train", &loaders.Dataset{}, nil, nil, "training data"},
		{"inconsistent train", ragged, nil, nil, "training data"},
		{"NaN in train", nan, nil, nil, "training data"},
		{"NaN in valid", train, nan, nil, "validation data"},
		{"valid dimension", train, iris4, nil, "validation data has 4 features, training data 3"},
		{"valid feature names", train, named, nil, "validation features"},
		{"one side zero", train, nil, &Options{Grid: graph.Grid{Rows: 0, Cols: 5}}, "grid"},
		{"odd toroidal hex", train, nil, &Options{Grid: graph.Grid{Rows: 3, Cols: 4, Topology: graph.Hexagonal, Toroidal: true}}, "even number of rows"},
		{"unknown distance", train, nil, &Options{Distance: 9}, "unknown distance"},
		{"unknown neighborhood", train, nil, &Options{Neighborhood: 9}, "unknown neighborhood"},
		{"unknown init", train, nil, &Options{Init: 9}, "unknown init"},
		{"unknown mode", train, nil, &Options{Mode: 5}, "unknown mode"},
		{"bad dtype", train, nil, &Options{Dtype: tensor.Int}, "dtype"},
		{"negative batch", train, nil, &Options{BatchSize: -1}, "batch size -1"},
		{"negative alpha", train, nil, &Options{Alpha: -0.1}, "alpha"},
		{"NaN alpha", train, nil, &Options{Alpha: math.NaN()}, "alpha"},
		{"infinite alpha", train, nil, &Options{Alpha: math.Inf(1)}, "alpha"},
		{"negative sigma", train, nil, &Options{Sigma: -2}, "sigma"},
		{"NaN sigma", train, nil, &Options{Sigma: math.NaN()}, "sigma"},
		{"nil hook", train, nil, &Options{Hooks: []hooks.Hook{nil}}, "Hooks[0] is nil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := New(tc.train, tc.valid, tc.opts)
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error containing %q", l != nil, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "trainer: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want prefix \"trainer: \" and %q", err, tc.want)
			}
		})
	}
}

func TestDefaultSchedule(t *testing.T) {
	l, err := New(loaders.Colors(50, 1), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := l.Options().Schedule
	if s == nil || s.Name() != "three-phase" || s.Order() != hooks.OrderSchedule {
		t.Fatalf("default schedule %v, want three-phase at OrderSchedule", s)
	}
	own := hooks.LinearDecay()
	l, err = New(loaders.Colors(50, 1), nil, &Options{Schedule: own})
	if err != nil {
		t.Fatal(err)
	}
	if l.Options().Schedule != own {
		t.Errorf("the given schedule was replaced by %v", l.Options().Schedule.Name())
	}
}

// TestBatchChunkDefault checks Batch mode's default search chunk: 16384
// records where the map runs the fused search (float32 Euclidean, a
// dimension internal/gemm's fused kernel takes), 1024 otherwise, at most
// the number of records, and an explicit BatchSize kept as given.
func TestBatchChunkDefault(t *testing.T) {
	train := loaders.Colors(20000, 1)
	fusedChunk := DefaultChunkSize
	if gemm.ArgminFused(3) {
		fusedChunk = graph.FusedSearchChunk
	}
	for _, tc := range []struct {
		name string
		opts Options
		want int
	}{
		{"float32 euclidean", Options{Mode: Batch}, fusedChunk},
		{"float64", Options{Mode: Batch, Dtype: tensor.Float64}, 1024},
		{"cosine", Options{Mode: Batch, Distance: graph.Cosine}, 1024},
		{"explicit", Options{Mode: Batch, BatchSize: 5000}, 5000},
		{"minibatch", Options{}, DefaultBatchSize},
	} {
		l, err := New(train, nil, &tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Options().BatchSize; got != tc.want {
			t.Errorf("%s: BatchSize %d, want %d", tc.name, got, tc.want)
		}
	}
	l, err := New(loaders.Colors(300, 1), nil, &Options{Mode: Batch})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Options().BatchSize; got != 300 {
		t.Errorf("300 records: BatchSize %d, want 300", got)
	}
}
