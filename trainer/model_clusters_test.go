package trainer

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/cluster"
)

// TestExportLoadClusters: a model with a clustering round-trips through
// its file, the file of a model without one has no "clusters" key (so
// files written before clusters existed and after are alike), and a file
// whose clustering does not fit the map is a clear error.
func TestExportLoadClusters(t *testing.T) {
	l := trained(t, Options{Seed: 2})
	plain := exported(t, l)
	if bytes.Contains(plain, []byte(`"clusters"`)) {
		t.Error("a model without clusters writes a clusters key")
	}
	m := l.Model()
	g := m.Config.Grid
	for _, method := range []cluster.Method{cluster.WardContiguous, cluster.KMeans} {
		r, err := cluster.Fit(m.Weights, m.Config.Dim, g, &cluster.Options{Method: method, MaxK: 5})
		if err != nil {
			t.Fatal(err)
		}
		m.Clusters = r
		var b bytes.Buffer
		if err := m.Export(&b); err != nil {
			t.Fatal(err)
		}
		back, err := Load(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Clusters, r) {
			t.Errorf("%v: clusters changed in the round trip:\n got %+v\nwant %+v", method, back.Clusters, r)
		}
		if !reflect.DeepEqual(back.Weights, m.Weights) {
			t.Error("weights changed")
		}
	}
	// a clustering of another map is refused on export and on load
	bad := *m.Clusters
	bad.Labels = bad.Labels[:len(bad.Labels)-1]
	m.Clusters = &bad
	if err := m.Export(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "unit labels for") {
		t.Errorf("export of a clustering of the wrong size: %v", err)
	}
	file := edit(t, plain, func(doc map[string]any) {
		doc["clusters"] = map[string]any{"method": "kmeans", "k": 2, "labels": []int{0, 1, 0}}
	})
	if _, err := Load(bytes.NewReader(file)); err == nil || !strings.Contains(err.Error(), "unit labels for") {
		t.Errorf("load of a clustering of the wrong size: %v", err)
	}
	file = edit(t, plain, func(doc map[string]any) {
		doc["clusters"] = map[string]any{"method": "ward", "k": 2, "labels": make([]int, g.Units())}
	})
	if _, err := Load(bytes.NewReader(file)); err == nil || !strings.Contains(err.Error(), "cluster") {
		t.Errorf("load of a Ward clustering without its tree: %v", err)
	}
}
