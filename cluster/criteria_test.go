package cluster

import (
	"math"
	"testing"
)

func TestAdjustedRandKnownValues(t *testing.T) {
	cases := []struct {
		name string
		a, b []int
		want float64
	}{
		{"identical", []int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
		{"renumbered", []int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
		// scikit-learn's documented example: 4/7
		{"split one", []int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 4.0 / 7},
		{"crossed", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{"one vs singletons", []int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0},
		{"both one cluster", []int{0, 0, 0}, []int{5, 5, 5}, 1},
		// 6 rows: a = {012}{345}, b = {01}{2345}: index 1+0+... computed by hand:
		// table n_ij: (0,0)=2 (0,1)=1 (1,1)=3 → Σ C(n_ij,2) = 1+0+3 = 4
		// rows: C(3,2)·2 = 6; cols: C(2,2)+C(4,2) = 7; expected 6·7/15 = 2.8
		// max = 6.5 → (4−2.8)/(6.5−2.8) = 1.2/3.7
		{"by hand", []int{0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 1, 1}, 1.2 / 3.7},
	}
	for _, c := range cases {
		got, err := AdjustedRand(c.a, c.b)
		if err != nil || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: AdjustedRand = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	for _, bad := range [][2][]int{{{0, 1}, {0}}, {{}, {}}, {{0, -1}, {0, 0}}} {
		if _, err := AdjustedRand(bad[0], bad[1]); err == nil {
			t.Errorf("AdjustedRand(%v, %v): no error", bad[0], bad[1])
		}
	}
}

func TestSilhouetteKnownValues(t *testing.T) {
	// Points 0, 1 and 10, 11 on a line, two clusters.
	data := []float64{0, 1, 10, 11}
	labels := []int{0, 0, 1, 1}
	// row 0: a = 1, b = (10+11)/2 = 10.5 → 1 − 1/10.5; row 1: a = 1, b = 9.5
	// rows 2, 3 mirror rows 1, 0.
	s0, s1 := 1-1/10.5, 1-1/9.5
	want := (2*s0 + 2*s1) / 4
	got, err := Silhouette(data, 1, labels, nil)
	if err != nil || math.Abs(got-want) > 1e-12 {
		t.Errorf("Silhouette = %v, %v; want %v", got, err, want)
	}
	// Weights 3 on rows 0 and 3: row 0's b is (3·... no: weights move the
	// means of other rows. Row 1: a = 1 (only row 0), b = (3·10 + 9)/4... use
	// row-wise weights: b(1) = (1·9 + 3·10)/4 = 9.75.
	w := []float64{3, 1, 1, 3}
	ws0 := 1 - 1/((1*10+3*11)/4.0)
	ws1 := 1 - 1/((1*9+3*10)/4.0)
	wantW := (3*ws0 + 1*ws1 + 1*ws1 + 3*ws0) / 8
	got, err = Silhouette(data, 1, labels, w)
	if err != nil || math.Abs(got-wantW) > 1e-12 {
		t.Errorf("weighted Silhouette = %v, %v; want %v", got, err, wantW)
	}
	// A singleton cluster scores 0 for its row: rows 0,1 | 5.
	got, _ = Silhouette([]float64{0, 1, 5}, 1, []int{0, 0, 1}, nil)
	want = ((1-1/5.0)+(1-1/4.0))/3 + 0
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("singleton: Silhouette = %v, want %v", got, want)
	}
	if _, err := Silhouette(data, 1, []int{0, 0, 0, 0}, nil); err == nil {
		t.Error("one cluster: no error")
	}
	if _, err := Silhouette(data, 1, []int{0, 0, 1}, nil); err == nil {
		t.Error("short labels: no error")
	}
}

func TestDaviesBouldinKnownValue(t *testing.T) {
	// Clusters {0, 2} and {10, 12}: centroids 1 and 11, scatter 1 each,
	// so both ratios are (1+1)/10.
	got, err := DaviesBouldin([]float64{0, 2, 10, 12}, 1, []int{0, 0, 1, 1}, nil)
	if err != nil || math.Abs(got-0.2) > 1e-12 {
		t.Errorf("DaviesBouldin = %v, %v; want 0.2", got, err)
	}
	got, _ = DaviesBouldin([]float64{0, 2, 1, 1}, 1, []int{0, 0, 1, 1}, nil)
	if !math.IsInf(got, 1) {
		t.Errorf("same centroids: DaviesBouldin = %v, want +Inf", got)
	}
}

// TestSilhouettesIncremental checks the silhouettes of successive tree
// cuts, updated split by split, against each computed from scratch.
func TestSilhouettesIncremental(t *testing.T) {
	data := randomData(60, 3, 8)
	w := make([]float64, 60)
	for i := range w {
		w[i] = float64(1 + i%4)
	}
	lk, err := WardLinkage(data, 3, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	var labelings [][]int
	ks := []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13}
	for _, k := range ks {
		l, _ := lk.Cut(k)
		labelings = append(labelings, l)
	}
	got := silhouettes(newDistMatrix(data, 3), w, labelings, ks)
	for i, k := range ks {
		want, err := Silhouette(data, 3, labelings[i], w)
		if err != nil || math.Abs(got[i]-want) > 1e-6 {
			t.Errorf("k=%d: incremental %v, from scratch %v (%v)", k, got[i], want, err)
		}
	}
}
