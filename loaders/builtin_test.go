package loaders

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rawCSV splits an embedded file by hand (these files have no quoted
// fields), independently of the package's reader.
func rawCSV(t *testing.T, name string) (header []string, rows [][]string) {
	t.Helper()
	b, err := BuiltinCSV(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	header = strings.Split(lines[0], ",")
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, ","))
	}
	return header, rows
}

// expected computes, by hand, what the pipeline should find in a file:
// per column the missing count, the median of the present values and the
// distinct values, with na as the missing marker.
type expected struct {
	missing map[string]int
	median  map[string]float64
	levels  map[string]map[string]bool
}

func expect(header []string, rows [][]string, na string, cats []string) expected {
	e := expected{missing: map[string]int{}, median: map[string]float64{}, levels: map[string]map[string]bool{}}
	for j, h := range header {
		var vals []float64
		e.levels[h] = map[string]bool{}
		for _, r := range rows {
			if r[j] == na {
				e.missing[h]++
				continue
			}
			e.levels[h][r[j]] = true
			if !slices.Contains(cats, h) {
				v, _ := strconv.ParseFloat(r[j], 64)
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			slices.Sort(vals)
			n := len(vals)
			e.median[h] = vals[n/2]
			if n%2 == 0 {
				e.median[h] = (vals[n/2-1] + vals[n/2]) / 2
			}
		}
	}
	return e
}

// TestBuiltinFilesAreByteIdentical pins the embedded files to the SHA-256
// of the public copies in ../shared/datasets (taken when they were copied),
// and compares them byte for byte with those copies when they are present.
func TestBuiltinFilesAreByteIdentical(t *testing.T) {
	cases := []struct{ name, file, sha256 string }{
		{"iris", "iris.csv", "91eb642c3adbc7bad8e99c930c11fa3a5cc8a07262c7a753b4e6ecf405f2e05e"},
		{"penguins", "penguins.csv", "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"},
		{"housing", "california_housing.csv", "8a3727f4cf54ac1a327f69b1d5b4db54c5834ea81c6e4efc0d163300022a685e"},
	}
	for _, c := range cases {
		got, err := BuiltinCSV(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(got); hex.EncodeToString(sum[:]) != c.sha256 {
			t.Errorf("%s: SHA-256 %x, want %s (the public copy's)", c.file, sum, c.sha256)
		}
		if shared, err := os.ReadFile("../../shared/datasets/" + c.file); err == nil && !bytes.Equal(got, shared) {
			t.Errorf("%s differs from the shared copy", c.file)
		}
	}
}

func TestBuiltinCounts(t *testing.T) {
	cases := []struct {
		name, target string
		na           string
		cats         []string
		rows         int
		missing      map[string]int // stated in the issue and data README
	}{
		{"penguins", "species", "NA", []string{"island", "sex"}, 344,
			map[string]int{"bill_length_mm": 2, "bill_depth_mm": 2, "flipper_length_mm": 2, "body_mass_g": 2, "sex": 11}},
		{"housing", "median_house_value", "", []string{"ocean_proximity"}, 20640,
			map[string]int{"total_bedrooms": 207}},
		{"iris", "species", "", nil, 150, map[string]int{}},
	}
	for _, tc := range cases {
		for _, ind := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: "/indicators"}[ind], func(t *testing.T) {
				header, rows := rawCSV(t, tc.name)
				want := expect(header, rows, tc.na, tc.cats)
				for col, n := range tc.missing {
					if want.missing[col] != n {
						t.Fatalf("test setup: %s has %d missing by hand, the issue says %d", col, want.missing[col], n)
					}
				}
				db, err := Builtin(tc.name, &Options{Pipeline: PipelineOptions{NAIndicators: ind}})
				if err != nil {
					t.Fatal(err)
				}
				if db.Train.N != tc.rows || db.Valid != nil || db.Skipped != 0 {
					t.Fatalf("got %d rows (valid %v, %d skipped), want %d", db.Train.N, db.Valid, db.Skipped, tc.rows)
				}
				// Encoded width: one column per continuous feature (+1 with an
				// indicator if it has missing values), one per level (+1 for
				// the missing level) for categoricals.
				width := 0
				for _, h := range header {
					switch {
					case h == tc.target:
					case slices.Contains(tc.cats, h):
						width += len(want.levels[h])
						if want.missing[h] > 0 {
							width++
						}
					default:
						width++
						if ind && want.missing[h] > 0 {
							width++
						}
					}
				}
				if db.Train.D != width || db.Pipeline.Width() != width {
					t.Errorf("encoded width %d, want %d (%v)", db.Train.D, width, db.Features())
				}
				fs := db.Features()
				for _, c := range db.Pipeline.Columns {
					if c.Missing != want.missing[c.Name] {
						t.Errorf("%s: %d filled, want %d", c.Name, c.Missing, want.missing[c.Name])
					}
					if c.Kind == Continuous {
						if c.Fill != want.median[c.Name] {
							t.Errorf("%s: fill %v, want median %v", c.Name, c.Fill, want.median[c.Name])
						}
						// Every filled row encodes the median; count them.
						j := slices.Index(fs, c.Name)
						enc := (c.Fill - c.Center) / c.Scale
						filled := 0
						hj := slices.Index(header, c.Name)
						for i, r := range rows {
							if r[hj] == tc.na {
								filled++
								if got := db.Train.Row(i)[j]; math.Abs(got-enc) > 1e-12 {
									t.Errorf("%s row %d: %v, want the encoded median %v", c.Name, i, got, enc)
								}
							}
						}
						if filled != want.missing[c.Name] {
							t.Errorf("%s: %d filled rows, want %d", c.Name, filled, want.missing[c.Name])
						}
						if ind && c.Missing > 0 {
							k := slices.Index(fs, c.Name+"_na")
							sum := 0.0
							for i := 0; i < db.Train.N; i++ {
								sum += db.Train.Row(i)[k]
							}
							if int(sum) != c.Missing {
								t.Errorf("%s_na sums to %v, want %d", c.Name, sum, c.Missing)
							}
						}
					} else if c.Missing > 0 {
						k := slices.Index(fs, c.Name+"="+MissingLevel)
						sum := 0.0
						for i := 0; i < db.Train.N; i++ {
							sum += db.Train.Row(i)[k]
						}
						if int(sum) != c.Missing {
							t.Errorf("%s=missing sums to %v, want %d", c.Name, sum, c.Missing)
						}
					}
				}
				hj := slices.Index(header, tc.target)
				for i, r := range rows {
					if db.Train.Labels[i] != r[hj] {
						t.Fatalf("label %d = %q, want %q", i, db.Train.Labels[i], r[hj])
					}
				}
			})
		}
	}
}

func TestBuiltinColorsAndErrors(t *testing.T) {
	db, err := Builtin("colors", &Options{Seed: 7, ValidFrac: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if db.Train.N+db.Valid.N != ColorsRows || db.Train.D != 3 || db.Train.Labels != nil {
		t.Errorf("colors: %d+%d rows of %d, labels %v", db.Train.N, db.Valid.N, db.Train.D, db.Train.Labels != nil)
	}
	if _, err := Builtin("mnist", nil); err == nil || !strings.Contains(err.Error(), "colors, housing, iris, penguins") {
		t.Errorf("unknown name: got %v, want the list of names", err)
	}
	if _, err := BuiltinCSV("colors"); err == nil {
		t.Error("BuiltinCSV(colors): got no error")
	}
	// User roles override the defaults: island continuous is an error
	// naming the line, sex ignored leaves the default list.
	_, err = Builtin("penguins", &Options{Read: ReadOptions{Cont: []string{"island"}}})
	if err == nil || !strings.Contains(err.Error(), "penguins.csv:2: column 2 \"island\"") {
		t.Errorf("island as continuous: got %v", err)
	}
	db, err = Builtin("penguins", &Options{Read: ReadOptions{Ignore: []string{"sex", "year"}, Target: "island"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Pipeline.Inputs(); !slices.Equal(got, []string{"species", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"}) {
		t.Errorf("inputs %v", got)
	}
	if db.Pipeline.Target != "island" {
		t.Errorf("target %q, want island", db.Pipeline.Target)
	}
}

// trainSOM is a minimal online SOM (plain Go, independent of the graph
// package) used to get a trained codebook in tests.
func trainSOM(ds *Dataset, rows, cols, epochs int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	k, d := rows*cols, ds.D
	w := make([]float64, k*d)
	for u := 0; u < k; u++ {
		copy(w[u*d:(u+1)*d], ds.Row(rng.IntN(ds.N)))
	}
	steps := epochs * ds.N
	for s := 0; s < steps; s++ {
		frac := float64(s) / float64(steps)
		alpha, sigma := 0.5*(1-frac)+0.01, float64(max(rows, cols))/2*(1-frac)+0.5
		x := ds.Row(rng.IntN(ds.N))
		best, bd := 0, math.Inf(1)
		for u := 0; u < k; u++ {
			dist := 0.0
			for j := 0; j < d; j++ {
				e := x[j] - w[u*d+j]
				dist += e * e
			}
			if dist < bd {
				best, bd = u, dist
			}
		}
		br, bc := best/cols, best%cols
		for u := 0; u < k; u++ {
			dr, dc := float64(u/cols-br), float64(u%cols-bc)
			h := alpha * math.Exp(-(dr*dr+dc*dc)/(2*sigma*sigma))
			for j := 0; j < d; j++ {
				w[u*d+j] += h * (x[j] - w[u*d+j])
			}
		}
	}
	return w
}

// TestCodebookTable trains a small map on the embedded penguins and
// housing tables and checks that the codebook table shows category names
// and original units.
func TestCodebookTable(t *testing.T) {
	cases := []struct {
		name   string
		rows   int
		cols   int
		epochs int
		cats   map[string][]string
		vary   string // a categorical column that must show two levels or more
	}{
		{"penguins", 4, 5, 10, map[string][]string{
			"island": {"Biscoe", "Dream", "Torgersen"}, "sex": {"female", "male", "missing"}}, "island"},
		{"housing", 3, 4, 1, map[string][]string{
			"ocean_proximity": {"<1H OCEAN", "INLAND", "ISLAND", "NEAR BAY", "NEAR OCEAN"}}, "ocean_proximity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header, rows := rawCSV(t, tc.name)
			db, err := Builtin(tc.name, nil)
			if err != nil {
				t.Fatal(err)
			}
			w := trainSOM(db.Train, tc.rows, tc.cols, tc.epochs, 1)
			var buf bytes.Buffer
			if err := db.Pipeline.WriteCodebook(&buf, w, tc.rows, tc.cols); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var wantHeader []string
			for _, h := range header {
				if h != db.Pipeline.Target {
					wantHeader = append(wantHeader, h)
				}
			}
			wantHeader = append([]string{"som_row", "som_col"}, wantHeader...)
			if !slices.Equal(recs[0], wantHeader) {
				t.Fatalf("header %v, want %v", recs[0], wantHeader)
			}
			if len(recs) != tc.rows*tc.cols+1 {
				t.Fatalf("%d rows, want %d", len(recs)-1, tc.rows*tc.cols)
			}
			// Original-unit ranges, by hand.
			lo, hi := map[string]float64{}, map[string]float64{}
			for j, h := range header {
				lo[h], hi[h] = math.Inf(1), math.Inf(-1)
				for _, r := range rows {
					if v, err := strconv.ParseFloat(r[j], 64); err == nil {
						lo[h], hi[h] = math.Min(lo[h], v), math.Max(hi[h], v)
					}
				}
			}
			shown := map[string]bool{}
			for k, r := range recs[1:] {
				if r[0] != strconv.Itoa(k/tc.cols) || r[1] != strconv.Itoa(k%tc.cols) {
					t.Errorf("unit %d at (%s, %s), want (%d, %d)", k, r[0], r[1], k/tc.cols, k%tc.cols)
				}
				for j := 2; j < len(r); j++ {
					h := wantHeader[j]
					if levels, ok := tc.cats[h]; ok {
						if !slices.Contains(levels, r[j]) {
							t.Errorf("unit %d %s = %q, not a category name", k, h, r[j])
						}
						if h == tc.vary {
							shown[r[j]] = true
						}
						continue
					}
					v, err := strconv.ParseFloat(r[j], 64)
					if err != nil || v < lo[h]-1e-9*math.Abs(lo[h]) || v > hi[h]+1e-9*math.Abs(hi[h]) {
						t.Errorf("unit %d %s = %q, outside the data's range [%v, %v]", k, h, r[j], lo[h], hi[h])
					}
				}
			}
			if len(shown) < 2 {
				t.Errorf("a trained map shows one %s only: %v", tc.vary, shown)
			}
		})
	}
}
