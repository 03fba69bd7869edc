package trainer

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/graph"
)

// edgeWeights are values at encoding/json's float format boundaries.
var edgeWeights = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, -1e-6, math.Nextafter(1e-6, 0), 9.99e-7, 1e-7, 1.5e-7, 1e-10,
	1e21, -1e21, math.Nextafter(1e21, 0), 1e20, 123456789012345680000, 1e300, -1e-300,
	5e-324, math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 2.5e-308,
	float64(float32(0.1)), float64(float32(-3.3e-7)), float64(math.MaxFloat32), 1e-5, 3.14159e+15,
}

// randomWeights fills w with values of every magnitude, as float32
// codebooks (float64 of a float32) and as float64 ones.
func randomWeights(w []float64, r *rand.Rand) {
	for i := range w {
		x := r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))
		if r.IntN(2) == 0 {
			x = float64(float32(x))
		}
		if r.IntN(20) == 0 {
			x = edgeWeights[r.IntN(len(edgeWeights))]
		}
		w[i] = x
	}
}

func TestAppendJSONFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := append([]float64(nil), edgeWeights...)
	for range 100000 {
		vals = append(vals, math.Float64frombits(r.Uint64()))
	}
	for _, x := range vals {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		want, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONFloat(nil, x); !bytes.Equal(got, want) {
			t.Fatalf("%v (bits %x): %s, encoding/json %s", x, math.Float64bits(x), got, want)
		}
	}
}

// TestWeightsJSONMatchesEncodingJSON pins that the model JSON is the bytes
// encoding/json writes (a file decoded and encoded again by encoding/json
// is unchanged) with the weights bit for bit, that feature names cannot
// fool the splice, and that reading takes the fast path for such files
// and gives what json.Unmarshal gives.
func TestWeightsJSONMatchesEncodingJSON(t *testing.T) {
	l := trained(t, Options{Grid: graph.Grid{Rows: 20, Cols: 11}})
	r := rand.New(rand.NewPCG(3, 4))
	for _, features := range [][]string{
		nil,
		{"r", "g", "b"},
		{"weights", `"weights":null`, `x","weights":null,"y`},
		{`weights":[[1]]`, "Weights", "ſ \u212a \\ \" \n é"},
	} {
		m := l.Model()
		m.Features = features
		randomWeights(m.Weights, r)
		copy(m.Weights, edgeWeights)
		body, err := m.encode()
		if err != nil {
			t.Fatal(err)
		}
		var f fileModel
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatalf("features %q: encoding/json cannot read the JSON: %v", features, err)
		}
		again, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, again) {
			i := 0
			for i < len(body) && i < len(again) && body[i] == again[i] {
				i++
			}
			t.Fatalf("features %q: the JSON differs from encoding/json's at byte %d: %.80q vs %.80q", features, i, body[i:], again[i:])
		}
		if !reflect.DeepEqual(f.Features, features) {
			t.Fatalf("features read back as %q, want %q", f.Features, features)
		}
		d := m.Config.Dim
		for u, row := range f.Weights {
			for j, x := range row {
				if math.Float64bits(x) != math.Float64bits(m.Weights[u*d+j]) {
					t.Fatalf("unit %d weight %d reads back as %v, want %v", u, j, x, m.Weights[u*d+j])
				}
			}
		}
		lo, hi, ok := topWeights(body)
		if !ok {
			t.Fatalf("features %q: the reader does not find the weights of a file encode wrote", features)
		}
		if _, ok := parseWeightRows(body[lo+1 : hi-1]); !ok {
			t.Fatalf("features %q: the reader does not parse the weights encode wrote", features)
		}
		checkUnmarshalModel(t, body)
	}
}

// checkUnmarshalModel fails if unmarshalModel(body) differs from
// json.Unmarshal(body), in the model decoded or in the error.
func checkUnmarshalModel(t *testing.T, body []byte) {
	t.Helper()
	var want, got fileModel
	werr := json.Unmarshal(body, &want)
	gerr := unmarshalModel(body, &got)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%.200q: error %v, encoding/json %v", body, gerr, werr)
	}
	if werr != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%.200q: decoded\n%+v\nencoding/json\n%+v", body, got, want)
	}
	for u := range want.Weights {
		for j := range want.Weights[u] {
			if math.Float64bits(got.Weights[u][j]) != math.Float64bits(want.Weights[u][j]) {
				t.Fatalf("%.200q: weight %d,%d is %v, encoding/json %v", body, u, j, got.Weights[u][j], want.Weights[u][j])
			}
		}
	}
}

// TestUnmarshalModelMatchesEncodingJSON tries bodies the fast path must
// decline or read exactly as encoding/json does.
func TestUnmarshalModelMatchesEncodingJSON(t *testing.T) {
	const head, tail = `{"version":1,"dim":2,"features":["a","b"],`, `,"pipeline":null,"history":[]}`
	for _, c := range []string{
		`"weights":[[1,2],[3,4]]`,
		`"weights":[[1,2],[3,4]],"weights":null`,
		`"weights":[[1,2],[3,4]],"Weights":[[5,6]]`,
		`"weights":[[1,2],[3,4]],"WEIGHTS":null`,
		`"Weights":[[5,6]],"weights":[[1,2],[3,4]]`,
		`"weights":[[1,2],[3,4]],"weight\u0073":[[9,9]]`,
		`"weights":[[1,2],[3,4]],"weightſ":[[9,9]]`,
		`"weights":[[1,2],[3,4]],"weight\u0073":null`,
		`"weights":[[1,2],[3,4]],"weightſ":null`,
		`"weights":[[1,2],[3,4]],"weights":[[5,6],[7,8]]`,
		`"weights":[[1,2],[3,4]],"x":{"weights":[[7]]}`,
		`"x":{"weights":[[7]]},"weights":[[1,2],[3,4]]`,
		`"x":"\"weights\":[[7]]","weights":[[1,2],[3,4]]`,
		`"weights":[[-0,0.5e+3],[1E5,-1.25E-7]]`,
		`"weights":[[1e400,2],[3,4]]`,
		`"weights":[[1e-400,2],[3,4]]`,
		`"weights":[[01,2],[3,4]]`,
		`"weights":[[.5,2],[3,4]]`,
		`"weights":[[1.,2],[3,4]]`,
		`"weights":[[1e,2],[3,4]]`,
		`"weights":[[+1,2],[3,4]]`,
		`"weights":[[NaN,2],[3,4]]`,
		`"weights":[["1",2],[3,4]]`,
		`"weights":[[null,2],[3,4]]`,
		`"weights":[[1, 2],[3,4]]`,
		`"weights": [[1,2],[3,4]]`,
		`"weights":[[1,2] ,[3,4]]`,
		`"weights":[[],[3,4]]`,
		`"weights":[]`,
		`"weights":[[]]`,
		`"weights":[[[1]],[3,4]]`,
		`"weights":[[1,2],[3,4]],`,
		`"weights":[[1,2],[3,4]]]`,
		`"weights":[[1,2],[3,4]`,
		`"weights":[[1,2],[3,4]],"dim":"x"`,
		`"weights":[[1,2],[3,4]],"history":[{"epoch":"x"}]`,
		`"weights":null`,
		`"x":1`,
	} {
		checkUnmarshalModel(t, []byte(head+c+tail))
	}
	for _, body := range []string{``, `{`, `[]`, `null`, ` {"weights":[[1]]}`, `{"weights":[[1]]} x`, `{"weights":[[1]]`} {
		checkUnmarshalModel(t, []byte(body))
	}
	// Many rows: the parallel chunks, and one bad number in each place.
	var b strings.Builder
	b.WriteString(head + `"weights":[`)
	for u := range 20000 {
		if u > 0 {
			b.WriteByte(',')
		}
		b.WriteString("[" + strconv.Itoa(u) + ",0.5]")
	}
	b.WriteString("]" + tail)
	big := b.String()
	checkUnmarshalModel(t, []byte(big))
	if lo, hi, ok := topWeights([]byte(big)); !ok {
		t.Fatal("the reader does not find the weights of 20,000 rows")
	} else if _, ok := parseWeightRows([]byte(big[lo+1 : hi-1])); !ok {
		t.Fatal("the reader does not parse 20,000 rows in chunks")
	}
	for _, at := range []string{"[0,", "[9999,", "[19999,"} {
		checkUnmarshalModel(t, []byte(strings.Replace(big, at, at[:len(at)-1]+"x,", 1)))
		checkUnmarshalModel(t, []byte(strings.Replace(big, at, at+"],[", 1)))
	}
}

// FuzzUnmarshalModel checks that the model reader decodes anything as
// encoding/json does, with the same errors.
func FuzzUnmarshalModel(f *testing.F) {
	l := trained(f, Options{})
	body, err := l.Model().encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte(`{"weights":[[1,2],[3,4]],"x":{"weights":[[7]]}}`))
	f.Add([]byte(`{"a":"\"","weights":[[1e5,-0.5]]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkUnmarshalModel(t, body)
	})
}
