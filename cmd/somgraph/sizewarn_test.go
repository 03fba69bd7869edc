package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSizeWarning checks that train warns, on standard error and without
// failing, when the map has more units than there are training records,
// and suggests the 5·√N rule of thumb (issue 17 item 9).
func TestSizeWarning(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, "", "train", "--dataset", "iris", "--size", "20x20", "--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "big.somg"))
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	oneErrorLine(t, r, "warning: the 20x20 hex map has 400 units for 150 records")
	for _, want := range []string{"5·√N = 61 units", "--size 8x8"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("warning %q lacks %q", r.stderr, want)
		}
	}
	r = runCLI(t, "", "train", "--dataset", "iris", "--size", "8x8", "--epochs", "1", "--progress", "none", "--out", filepath.Join(dir, "ok.somg"))
	if r.code != exitOK || r.stderr != "" {
		t.Errorf("8x8 on 150 records: exit code %d, stderr %q; want 0 and no warning", r.code, r.stderr)
	}
}
