package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Split(line, ",")
		fmt.Println(strings.Join(f[:3], ",")) // row and BMU; the distance follows
	}
	// Output:
	// train exit code 0
	// predict exit code 0
	// row,bmu_row,bmu_col
	// 0,2,0
	// 1,0,3
}
