package main

import (
	"path/filepath"
	"strconv"
	"testing"
)

// TestOldModels loads model files written by an earlier version of the format
// (testdata/README.md) and checks that predict gives the units and distances
// that version printed.
func TestOldModels(t *testing.T) {
	for _, name := range []string{"iris", "penguins"} {
		t.Run(name, func(t *testing.T) {
			model := filepath.Join("testdata", "v1-"+name+".somg")
			data := filepath.Join("..", "..", "loaders", "datasets", name+".csv")
			r := runCLI(t, "", "predict", "--model", model, "--data", data)
			if r.code != 0 {
				t.Fatalf("predict: exit %d, stderr %q", r.code, r.stderr)
			}
			got := readCSV(t, r.stdout)
			want := readCSV(t, string(readFile(t, filepath.Join("testdata", "v1-"+name+".predict.csv"))))
			if len(got) != len(want) {
				t.Fatalf("predict printed %d rows, the old version %d", len(got), len(want))
			}
			for i := range want {
				if len(got[i]) < 4 || got[i][0] != want[i][0] || got[i][1] != want[i][1] || got[i][2] != want[i][2] {
					t.Fatalf("row %d: got %v, want %v", i, got[i], want[i])
				}
				if i == 0 {
					continue // header
				}
				g, err1 := strconv.ParseFloat(got[i][3], 64)
				w, err2 := strconv.ParseFloat(want[i][3], 64)
				if err1 != nil || err2 != nil || abs(g-w) > 1e-5*(1+abs(w)) {
					t.Fatalf("row %d: distance %s, want %s", i, got[i][3], want[i][3])
				}
			}
		})
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
