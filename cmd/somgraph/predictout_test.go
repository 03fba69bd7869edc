package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/trainer"
)

// csvPredictions is the reference for writePredictions: the same fields
// through a csv.Writer, row by row.
func csvPredictions(preds []trainer.Prediction, clusters []int) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	head := []string{"row", "bmu_row", "bmu_col", "distance"}
	if clusters != nil {
		head = append(head, "cluster")
	}
	cw.Write(head)
	for i, p := range preds {
		rec := []string{strconv.Itoa(i), strconv.Itoa(p.Row), strconv.Itoa(p.Col), strconv.FormatFloat(p.Dist, 'g', 7, 64)}
		if clusters != nil {
			rec = append(rec, strconv.Itoa(clusters[p.Unit]))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return b.Bytes()
}

func randomPredictions(n int, r *rand.Rand) []trainer.Prediction {
	odd := []float64{0, math.Copysign(0, -1), 5e-324, 1e-300, 1e21, 123456.789, 1.0000005, 9.9999995, math.Inf(1), math.NaN()}
	preds := make([]trainer.Prediction, n)
	for i := range preds {
		u := r.IntN(1600)
		d := r.ExpFloat64() * math.Pow(10, float64(r.IntN(20)-10))
		if r.IntN(50) == 0 {
			d = odd[r.IntN(len(odd))]
		}
		preds[i] = trainer.Prediction{Unit: u, Row: u / 40, Col: u % 40, Dist: d}
	}
	return preds
}

func TestWritePredictionsMatchesCSV(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	clusters := make([]int, 1600)
	for i := range clusters {
		clusters[i] = r.IntN(30) - 1
	}
	for _, n := range []int{0, 1, 7, minPredictionRows - 1, minPredictionRows + 1, 3*minPredictionRows + 5, 50000} {
		preds := randomPredictions(n, r)
		for _, cl := range [][]int{nil, clusters} {
			var got bytes.Buffer
			if err := writePredictions(&got, preds, cl); err != nil {
				t.Fatal(err)
			}
			if want := csvPredictions(preds, cl); !bytes.Equal(got.Bytes(), want) {
				i := 0
				for i < got.Len() && i < len(want) && got.Bytes()[i] == want[i] {
					i++
				}
				t.Fatalf("%d rows, clusters %v: output differs from csv.Writer's at byte %d: %.60q vs %.60q", n, cl != nil, i, got.Bytes()[i:], want[i:])
			}
		}
	}
}

// TestSupervisedPredictionsShareColumns: the supervised writer's first
// columns are writePredictions' (predicted follows; Class empty here).
func TestSupervisedPredictionsShareColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	preds := randomPredictions(5000, r)
	clusters := make([]int, 1600)
	for _, cl := range [][]int{nil, clusters} {
		var plain, sup bytes.Buffer
		if err := writePredictions(&plain, preds, cl); err != nil {
			t.Fatal(err)
		}
		if err := writeSupervisedPredictions(&sup, preds, cl, nil, nil, false); err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(strings.ReplaceAll(plain.String(), "\n", ",\n"), ",\n", ",predicted\n", 1)
		if sup.String() != want {
			t.Fatalf("clusters %v: supervised output %.100q, want %.100q", cl != nil, sup.String(), want)
		}
	}
}

// failingWriter accepts limit bytes, then fails every write.
type failingWriter struct {
	limit, n   int
	failed     bool
	afterError int // writes tried after one failed
}

var errFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.failed {
		w.afterError++
	}
	if w.n+len(p) > w.limit {
		k := w.limit - w.n
		w.n, w.failed = w.limit, true
		return k, errFull
	}
	w.n += len(p)
	return len(p), nil
}

// TestWritePredictionsWriteError: a failing write is reported, in the
// header or in the rows, and nothing is written after it.
func TestWritePredictionsWriteError(t *testing.T) {
	preds := randomPredictions(20000, rand.New(rand.NewPCG(9, 10)))
	for _, limit := range []int{0, 10, 100, 200000} {
		w := &failingWriter{limit: limit}
		err := writePredictions(w, preds, nil)
		if !errors.Is(err, errFull) {
			t.Fatalf("limit %d: error %v, want %v", limit, err, errFull)
		}
		if w.afterError != 0 {
			t.Errorf("limit %d: %d writes after the failed one", limit, w.afterError)
		}
	}
}

// TestPredictOutputWriteError: predict reports a write error of its
// output file and exits 1.
func TestPredictOutputWriteError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "m.somg")
	data := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(data, []byte("a,b\n1,2\n3,4\n5,7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"train", "--data", data, "--size", "2x2", "--epochs", "2", "--progress", "none", "--out", model}, nil, &out, &errb); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	code := run([]string{"predict", "--model", model, "--data", data, "--out", "/dev/full"}, nil, &out, &errb)
	if want := "somgraph predict: writing /dev/full: write /dev/full: no space left on device\n"; code != exitFail || errb.String() != want {
		t.Fatalf("exit %d, stderr %q; want exit %d, %q", code, errb.String(), exitFail, want)
	}
}
