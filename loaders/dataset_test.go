package loaders

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestFromRowsAndDense(t *testing.T) {
	cases := []struct {
		name     string
		build    func() (*Dataset, error)
		n, d     int
		features []string
		msg      string // wanted error text; empty for success
	}{
		{"rows", func() (*Dataset, error) { return FromRows([][]float64{{1, 2}, {3, 4}, {5, 6}}, []string{"a", "b"}) }, 3, 2, []string{"a", "b"}, ""},
		{"rows without names", func() (*Dataset, error) { return FromRows([][]float64{{1}}, nil) }, 1, 1, nil, ""},
		{"ragged rows", func() (*Dataset, error) { return FromRows([][]float64{{1, 2}, {3}}, nil) }, 0, 0, nil, "row 1 has 1 values"},
		{"NaN", func() (*Dataset, error) { return FromRows([][]float64{{1, 2}, {3, math.NaN()}}, nil) }, 0, 0, nil, "row 1, column 1 is NaN"},
		{"Inf", func() (*Dataset, error) { return FromRows([][]float64{{math.Inf(1)}}, nil) }, 0, 0, nil, "+Inf"},
		{"no rows", func() (*Dataset, error) { return FromRows(nil, nil) }, 0, 0, nil, "empty"},
		{"names count", func() (*Dataset, error) { return FromRows([][]float64{{1, 2}}, []string{"a"}) }, 0, 0, nil, "1 feature names for 2 columns"},
		{"dense float32", func() (*Dataset, error) {
			return FromDense(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4})), nil)
		}, 2, 2, nil, ""},
		{"dense float64", func() (*Dataset, error) {
			return FromDense(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3})), []string{"x", "y", "z"})
		}, 1, 3, []string{"x", "y", "z"}, ""},
		{"dense 1-D", func() (*Dataset, error) {
			return FromDense(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})), nil)
		}, 0, 0, nil, "want a 2-D tensor"},
		{"dense nil", func() (*Dataset, error) { return FromDense(nil, nil) }, 0, 0, nil, "nil"},
		{"dense int", func() (*Dataset, error) {
			return FromDense(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int{1, 2})), nil)
		}, 0, 0, nil, "float32 or float64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := tc.build()
			if tc.msg != "" {
				if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "loaders: ") {
					t.Fatalf("got %v, want an error containing %q", err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ds.N != tc.n || ds.D != tc.d || len(ds.Data) != tc.n*tc.d || !slices.Equal(ds.Features, tc.features) {
				t.Errorf("got %d×%d (%d values) %v, want %d×%d %v", ds.N, ds.D, len(ds.Data), ds.Features, tc.n, tc.d, tc.features)
			}
		})
	}
	ds, _ := FromDense(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4})), nil)
	if !slices.Equal(ds.Row(1), []float64{3, 4}) {
		t.Errorf("row 1 = %v, want [3 4]", ds.Row(1))
	}
}

func TestDatasetSplit(t *testing.T) {
	rows := make([][]float64, 10)
	for i := range rows {
		rows[i] = []float64{float64(i)}
	}
	ds, _ := FromRows(rows, nil)
	ds.Labels = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	cases := []struct {
		name         string
		frac         float64
		ntrain, nval int
		bad          bool
	}{
		{"none", 0, 10, 0, false},
		{"fifth", 0.2, 8, 2, false},
		{"tiny keeps one", 0.01, 9, 1, false},
		{"too much", 0.99, 0, 0, true},
		{"one", 1, 0, 0, true},
		{"negative", -0.1, 0, 0, true},
		{"NaN", math.NaN(), 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, va, err := ds.Split(tc.frac, 3)
			if tc.bad {
				if err == nil {
					t.Fatal("got no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tr.N != tc.ntrain || (va == nil) != (tc.nval == 0) || (va != nil && va.N != tc.nval) {
				t.Fatalf("got %d/%v, want %d/%d", tr.N, va, tc.ntrain, tc.nval)
			}
			if va == nil {
				return
			}
			seen := map[float64]bool{}
			for _, p := range []*Dataset{tr, va} {
				for i := 0; i < p.N; i++ {
					v := p.Row(i)[0]
					if seen[v] || p.Labels[i] != string(rune('a'+int(v))) {
						t.Fatalf("record %v repeated or label %q moved apart from it", v, p.Labels[i])
					}
					seen[v] = true
				}
			}
		})
	}
	if err := (&Dataset{N: 1, D: 2, Data: []float64{1}}).Check(); err == nil {
		t.Error("Check of a short dataset: got no error")
	}
	if err := (&Dataset{N: 1, D: 1, Data: []float64{1}, Labels: []string{}}).Check(); err == nil {
		t.Error("Check with missing labels: got no error")
	}
	a, b := Colors(5, 1), Colors(5, 1)
	if !slices.Equal(a.Data, b.Data) || slices.Equal(a.Data, Colors(5, 2).Data) {
		t.Error("Colors is not a function of its seed")
	}
	for _, v := range a.Data {
		if v < 0 || v > 1 {
			t.Errorf("colour value %v outside [0, 1]", v)
		}
	}
}

func TestLoaderOptions(t *testing.T) {
	ds := Colors(10, 1)
	cases := []struct {
		name    string
		size    int
		dtype   tensor.Dtype
		batches int
		want    error
		msg     string
	}{
		{"float64 batches", 4, tensor.Float64, 3, nil, ""},
		{"clamped to the dataset", 100, tensor.Float32, 1, nil, ""},
		{"zero size", 0, tensor.Float32, 0, nil, "at least 1"},
		{"int dtype", 4, tensor.Int, 0, nil, "want float32 or float64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLoader(ds, tc.size, false, tc.dtype, 1)
			if tc.msg != "" {
				if err == nil || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("got %v, want %q", err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Batches() != tc.batches || l.Dataset() != ds || l.BatchSize() != min(tc.size, 10) {
				t.Errorf("%d batches of %d, want %d", l.Batches(), l.BatchSize(), tc.batches)
			}
			l.Start()
			var b Batch
			got := 0
			for l.Next(&b) {
				for r, i := range b.Index {
					for j := 0; j < 3; j++ {
						v, err := b.X.At(r, j)
						if err != nil {
							t.Fatal(err)
						}
						var f float64
						switch v := v.(type) {
						case float32:
							f = float64(v)
							if math.Abs(f-ds.Row(i)[j]) > 1e-7 {
								t.Fatalf("X[%d,%d] = %v, want %v", r, j, f, ds.Row(i)[j])
							}
						case float64:
							if v != ds.Row(i)[j] {
								t.Fatalf("X[%d,%d] = %v, want %v", r, j, v, ds.Row(i)[j])
							}
						default:
							t.Fatalf("X[%d,%d] is a %T, want %v", r, j, v, tc.dtype)
						}
					}
					if i != got {
						t.Fatalf("unshuffled loader visits %d at %d", i, got)
					}
					got++
				}
			}
			if got != 10 {
				t.Errorf("visited %d records, want 10", got)
			}
		})
	}
	if _, err := NewLoader(&Dataset{}, 1, false, tensor.Float32, 1); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty dataset: got %v, want ErrEmpty", err)
	}
}

// TestCheckFirstBadRow: Check and CheckMissing test rows in parallel
// chunks and still report the first bad row, as one pass in row order
// does.
func TestCheckFirstBadRow(t *testing.T) {
	const n, d = 20000, 3
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		ds := &Dataset{N: n, D: d, Data: make([]float64, n*d)}
		for i := range ds.Data {
			ds.Data[i] = r.NormFloat64()
		}
		// chunk ends for 1 to 4 workers
		edges := []int{0, n/4 - 1, n / 4, n/3 - 1, n / 3, n/2 - 1, n / 2, 2*n/3 - 1, 2 * n / 3, n - 1}
		for range trial % 4 { // 0 to 3 bad places
			row := r.IntN(n)
			if r.IntN(2) == 0 {
				row = edges[r.IntN(len(edges))]
			}
			switch r.IntN(3) {
			case 0:
				ds.Data[row*d+r.IntN(d)] = math.NaN()
			case 1:
				ds.Data[row*d+r.IntN(d)] = math.Inf(1 - 2*r.IntN(2))
			default:
				for c := range d {
					ds.Data[row*d+c] = math.NaN()
				}
			}
		}
		for _, missingOK := range []bool{false, true} {
			want := ds.checkRows(0, n, missingOK) // one pass in row order
			got := ds.Check()
			if missingOK {
				got = ds.CheckMissing()
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("trial %d, missing allowed %v: %v, want %v", trial, missingOK, got, want)
			}
			if trial%4 == 0 && got != nil {
				t.Fatalf("trial %d: clean data: %v", trial, got)
			}
		}
	}
}
