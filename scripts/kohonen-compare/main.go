// Command kohonen-compare trains batch SOMs with somgraph's defaults and
// with R's kohonen package (its som() with mode = "batch" and its other
// defaults) on the same encoded data and grid, and prints the mean
// quantization and topographic errors of both as a Markdown table.
//
//	go run ./scripts/kohonen-compare            # needs Rscript and r-cran-kohonen
//	go run ./scripts/kohonen-compare -seeds 1   # quicker
//
// Both maps are measured by the same code (graph.Map.Evaluate) on the same
// data: the kohonen codebook is read back into a somgraph map of the same
// rectangular grid (kohonen's unit i sits at row i / xdim, column
// i % xdim, as somgraph's does). Data: the built-in tables encoded by their
// default pipelines (z-scored continuous columns, one-hot categories, all
// records for training), 10,000 random colours, and 20,000 clustered 3-D
// records (internal/bench). Map sizes follow the 5·√N rule of thumb, the
// clustered data gets the 20×20 map of issue 17. Each cell is the mean
// over -seeds seeds. somgraph runs 20 epochs (the CLI's default) with the
// default batch schedule (linear-to-one) and, for contrast, with
// three-phase (the batch default before); kohonen runs its default 100
// epochs (rlen) and 20. TE(4) counts the 4 edge neighbours as adjacent
// (somgraph's convention on a rectangular grid), TE(8) adds the diagonals
// (MiniSom's).
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/internal/bench"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// rScript trains one kohonen batch map: data CSV, rows (ydim), cols
// (xdim), output CSV of the codebook, seed, epochs (rlen).
const rScript = `
suppressPackageStartupMessages(library(kohonen))
a <- commandArgs(TRUE)
X <- as.matrix(read.csv(a[1], header = FALSE))
set.seed(as.integer(a[5]))
g <- somgrid(xdim = as.integer(a[3]), ydim = as.integer(a[2]), topo = "rectangular")
m <- som(X, grid = g, mode = "batch", rlen = as.integer(a[6]))
write.table(m$codes[[1]], a[4], sep = ",", row.names = FALSE, col.names = FALSE)
`

type dataset struct {
	name       string
	ds         *loaders.Dataset
	rows, cols int
}

func main() {
	seeds := flag.Int("seeds", 3, "seeds per cell (the mean is shown)")
	flag.Parse()
	log.SetFlags(0)
	tmp, err := os.MkdirTemp("", "kohonen-compare-")
	check(err)
	defer os.RemoveAll(tmp)
	rFile := filepath.Join(tmp, "som.R")
	check(os.WriteFile(rFile, []byte(rScript), 0o644))

	var sets []dataset
	for _, b := range []struct {
		name       string
		rows, cols int
	}{{"iris", 8, 8}, {"penguins", 9, 10}, {"housing", 27, 27}} {
		db, err := loaders.Builtin(b.name, nil)
		check(err)
		sets = append(sets, dataset{b.name, db.Train, b.rows, b.cols})
	}
	sets = append(sets, dataset{"colors", loaders.Colors(10000, 1), 22, 22})
	clustered, err := bench.Clustered(bench.DataSpec{N: 20000, Dim: 3, Seed: 1})
	check(err)
	sets = append(sets, dataset{"clustered", clustered, 20, 20})

	fmt.Printf("| data (N × D) | map | somgraph batch, 20 epochs, linear-to-one (default) | somgraph batch, 20 epochs, three-phase | kohonen batch, rlen 100 (default) | kohonen batch, rlen 20 |\n")
	fmt.Printf("|---|---|---|---|---|---|\n")
	for _, s := range sets {
		grid := graph.Grid{Rows: s.rows, Cols: s.cols}
		dataCSV := filepath.Join(tmp, s.name+".csv")
		writeMatrix(dataCSV, s.ds.Data, s.ds.D)
		var cells []string
		for _, sched := range []hooks.Hook{nil, hooks.ThreePhase()} {
			var sum [3]float64
			for seed := 1; seed <= *seeds; seed++ {
				l, err := trainer.New(s.ds, nil, &trainer.Options{Grid: grid, Mode: trainer.Batch, Seed: uint64(seed), Schedule: sched})
				check(err)
				check(l.Fit(20))
				add(&sum, evaluate(grid, s.ds, l.Map().Weights()))
			}
			cells = append(cells, cell(sum, *seeds))
		}
		for _, rlen := range []int{100, 20} {
			var sum [3]float64
			for seed := 1; seed <= *seeds; seed++ {
				codes := filepath.Join(tmp, "codes.csv")
				cmd := exec.Command("Rscript", rFile, dataCSV, strconv.Itoa(s.rows), strconv.Itoa(s.cols), codes, strconv.Itoa(seed), strconv.Itoa(rlen))
				if out, err := cmd.CombinedOutput(); err != nil {
					log.Fatalf("Rscript on %s: %v\n%s", s.name, err, out)
				}
				add(&sum, evaluate(grid, s.ds, readMatrix(codes, s.ds.D)))
			}
			cells = append(cells, cell(sum, *seeds))
		}
		fmt.Printf("| %s (%d × %d) | %d×%d rect | %s |\n", s.name, s.ds.N, s.ds.D, s.rows, s.cols, strings.Join(cells, " | "))
	}
	fmt.Printf("\nEach cell: QE / TE(4) / TE(8), mean of %d seeds.\n", *seeds)
}

// evaluate returns QE, TE(4) and TE(8) of the codebook w on grid for ds.
func evaluate(grid graph.Grid, ds *loaders.Dataset, w []float64) [3]float64 {
	var out [3]float64
	for i, nb := range []int{4, 8} {
		m, err := graph.New(graph.Config{Grid: grid, Dim: ds.D, TENeighbors: nb})
		check(err)
		check(m.SetWeights(w))
		met, err := m.Evaluate(ds.Data, 1)
		check(err)
		out[0], out[1+i] = met.QE, met.TE
	}
	return out
}

func add(sum *[3]float64, v [3]float64) {
	for i := range sum {
		sum[i] += v[i]
	}
}

func cell(sum [3]float64, n int) string {
	f := float64(n)
	return fmt.Sprintf("%.4f / %.4f / %.4f", sum[0]/f, sum[1]/f, sum[2]/f)
}

func writeMatrix(path string, data []float64, d int) {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriter(f)
	for i, v := range data {
		w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		if (i+1)%d == 0 {
			w.WriteByte('\n')
		} else {
			w.WriteByte(',')
		}
	}
	check(w.Flush())
	check(f.Close())
}

func readMatrix(path string, d int) []float64 {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	check(err)
	var out []float64
	for _, r := range recs {
		if len(r) != d {
			log.Fatalf("%s: a row of %d values, want %d", path, len(r), d)
		}
		for _, s := range r {
			v, err := strconv.ParseFloat(s, 64)
			check(err)
			out = append(out, v)
		}
	}
	return out
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
