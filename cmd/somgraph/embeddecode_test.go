package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEmbeddingDecoded: a map trained with --encode embedding --distance
// mixed decodes its embedded columns to level names in the codebook (with
// --second, the second-nearest level and a margin in [0, 2]), in the
// cluster profiles and in the feature chart; the model reads back with the
// same embedded distance (predict runs on the raw rows).
func TestEmbeddingDecoded(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "emb.somg")
	r := runCLI(t, "", "train", "--dataset", "penguins", "--encode", "embedding", "--embed-epochs", "4", "--distance", "mixed",
		"--size", "4x4", "--epochs", "3", "--out", model)
	if r.code != exitOK {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	islands := []string{"Biscoe", "Dream", "Torgersen"}
	sexes := []string{"female", "male", "missing"}

	r = runCLI(t, "", "codebook", "--model", model, "--second")
	if r.code != exitOK {
		t.Fatalf("codebook --second: exit %d: %s", r.code, r.stderr)
	}
	rows := readCSV(t, r.stdout)
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("codebook header %v lacks %s", head, name)
		}
		return i
	}
	island, second, margin, sex := col("island"), col("island_second"), col("island_margin"), col("sex")
	col("sex_second")
	if len(rows) != 17 {
		t.Fatalf("%d codebook rows, want header + 16 units", len(rows))
	}
	for _, row := range rows[1:] {
		if !slices.Contains(islands, row[island]) || !slices.Contains(islands, row[second]) || row[island] == row[second] {
			t.Errorf("unit (%s, %s): island %q, second %q: want two different islands", row[0], row[1], row[island], row[second])
		}
		if m, err := strconv.ParseFloat(row[margin], 64); err != nil || m < 0 || m > 2 {
			t.Errorf("unit (%s, %s): margin %q, want a number in [0, 2]", row[0], row[1], row[margin])
		}
		if !slices.Contains(sexes, row[sex]) {
			t.Errorf("unit (%s, %s): sex %q is not a level", row[0], row[1], row[sex])
		}
	}
	plain := runCLI(t, "", "codebook", "--model", model)
	if got := readCSV(t, plain.stdout); len(got[0]) != len(head)-4 {
		t.Errorf("codebook without --second: header %v, want %d columns", got[0], len(head)-4)
	}

	profiles := filepath.Join(dir, "profiles.csv")
	r = runCLI(t, "", "cluster", "--model", model, "--k", "2", "--profiles", profiles, "--out", filepath.Join(dir, "clustered.somg"))
	if r.code != exitOK {
		t.Fatalf("cluster: exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(profiles)
	if err != nil {
		t.Fatal(err)
	}
	if h, _, _ := strings.Cut(string(b), "\n"); !strings.Contains(h, "island=Biscoe") || !strings.Contains(h, "sex=female") {
		t.Errorf("profiles header %q: want the embedded columns' level names", h)
	}

	charts := filepath.Join(dir, "charts")
	if r = runCLI(t, "", "plot", "--model", model, "--out", charts); r.code != exitOK {
		t.Fatalf("plot: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "features, ") || !strings.Contains(r.stdout, "margins") {
		t.Errorf("plot of an embedding model: %q, want features and margins written", r.stdout)
	}
	for _, n := range []string{"features.png", "margins.png"} {
		if _, err := os.Stat(filepath.Join(charts, n)); err != nil {
			t.Error(err)
		}
	}
	if r = runCLI(t, "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nAtlantis,40,18,190,3700,female,2008\n",
		"predict", "--model", model, "--data", "-"); r.code != exitOK {
		t.Fatalf("predict with an unseen island: exit %d: %s", r.code, r.stderr)
	}
}
