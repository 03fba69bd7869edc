package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Bad usage exits with code 2 and one line on standard error that says
// what to fix.
func Example_badUsage() {
	var stderr bytes.Buffer
	code := run([]string{"train", "--size", "0x5"}, nil, io.Discard, &stderr)
	fmt.Println("exit code", code)
	fmt.Print(stderr.String())
	// Output:
	// exit code 2
	// somgraph train: --size: size "0x5": both sides must be at least 1 (see somgraph train --help)
}

// Train a small map on random colours, then find the best-matching units
// of a black and a white record.
func Example_predict() {
	dir, _ := os.MkdirTemp("", "somgraph-example")
	defer os.RemoveAll(dir)
	model := filepath.Join(dir, "colors.somg")
	code := run([]string{"train", "--size", "4x4", "--n", "500", "--epochs", "5", "--seed", "1", "--out", model, "--progress", "none"},
		nil, io.Discard, os.Stderr)
	fmt.Println("train exit code", code)

	var out bytes.Buffer
	code = run([]string{"predict", "--model", model, "--data", "-"},
		strings.NewReader("red,green,blue\n0,0,0\n1,1,1\n"), &out, os.Stderr)
	fmt.Println("predict exit code", code)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	fmt.Println(lines[0])
	// Which units black and white land on depends on the seed; that they
	// land far apart, at opposite ends of the map, and close to their
	// units does not.
	var rc [2][2]int
	var dist [2]float64
	for i, line := range lines[1:] {
		f := strings.Split(line, ",")
		rc[i][0], _ = strconv.Atoi(f[1])
		rc[i][1], _ = strconv.Atoi(f[2])
		dist[i], _ = strconv.ParseFloat(f[3], 64)
	}
	apart := max(rc[0][0]-rc[1][0], rc[1][0]-rc[0][0], rc[0][1]-rc[1][1], rc[1][1]-rc[0][1])
	fmt.Println("black and white at least 2 rows or columns apart:", apart >= 2)
	fmt.Println("both within 1 of their unit's colour:", dist[0] < 1 && dist[1] < 1)
	// Output:
	// train exit code 0
	// predict exit code 0
	// row,bmu_row,bmu_col,distance
	// black and white at least 2 rows or columns apart: true
	// both within 1 of their unit's colour: true
}
