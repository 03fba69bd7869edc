package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// fixture is a trained model with its training data, shared by the tests
// of one binary (training takes a moment).
type fixture struct {
	model *trainer.Model
	data  *loaders.Dataset
	table *loaders.Table // the raw table the data come from (nil for colours)
}

var (
	penguinsOnce, coloursOnce sync.Once
	penguinsFix, coloursFix   fixture
	penguinsErr, coloursErr   error
)

// penguins returns a 6×7 hexagonal map trained on the built-in penguins
// table: continuous and categorical inputs, missing values, labels.
func penguins(t testing.TB) fixture {
	t.Helper()
	penguinsOnce.Do(func() {
		penguinsFix, penguinsErr = train("penguins", graph.Grid{Rows: 6, Cols: 7, Topology: graph.Hexagonal})
	})
	if penguinsErr != nil {
		t.Fatal(penguinsErr)
	}
	return penguinsFix
}

// colours returns a 5×5 rectangular map trained on random RGB colours: a
// model without a pipeline.
func colours(t testing.TB) fixture {
	t.Helper()
	coloursOnce.Do(func() {
		ds := loaders.Colors(300, 3)
		l, err := trainer.New(ds, nil, &trainer.Options{Grid: graph.Grid{Rows: 5, Cols: 5}, Seed: 3})
		if err != nil {
			coloursErr = err
			return
		}
		if coloursErr = l.Fit(4); coloursErr != nil {
			return
		}
		coloursFix = fixture{model: l.Model(), data: ds}
	})
	if coloursErr != nil {
		t.Fatal(coloursErr)
	}
	return coloursFix
}

func train(name string, g graph.Grid) (fixture, error) {
	db, err := loaders.Builtin(name, &loaders.Options{Seed: 1})
	if err != nil {
		return fixture{}, err
	}
	l, err := trainer.New(db.Train, nil, &trainer.Options{Grid: g, Seed: 1, Pipeline: db.Pipeline})
	if err != nil {
		return fixture{}, err
	}
	if err := l.Fit(6); err != nil {
		return fixture{}, err
	}
	tab, err := loaders.BuiltinTable(name, nil, 1)
	if err != nil {
		return fixture{}, err
	}
	return fixture{model: l.Model(), data: db.Train, table: tab}, nil
}

// explorer returns a test server of the fixture's explorer.
func (f fixture) explorer(t testing.TB) (*Explorer, *httptest.Server) {
	t.Helper()
	e, err := Handler(f.model, f.data)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return e, ts
}

// get fetches url and returns the status, the content type and the body.
func get(t testing.TB, url string) (int, string, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), b
}

func post(t testing.TB, url, body string) (int, []byte) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// decode unmarshals a JSON body into v, failing the test on error.
func decode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", trunc(b), err)
	}
}

// errorOf returns the message of a JSON error body, failing the test if
// the body is not one.
func errorOf(t testing.TB, b []byte) string {
	t.Helper()
	var e apiError
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == "" {
		t.Fatalf("want a JSON error {\"error\": ...}, got %s", trunc(b))
	}
	return e.Error
}

func trunc(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// rawRecord returns row i of table tab as text in the order of inputs,
// with na for a missing value: a record as a user would paste it.
func rawRecord(tab *loaders.Table, inputs []string, i int, na string) []string {
	out := make([]string, len(inputs))
	for j, name := range inputs {
		c := tab.Column(name)
		switch {
		case c.IsMissing(i):
			out[j] = na
		case c.Num != nil:
			out[j] = strconv.FormatFloat(c.Num[i], 'g', -1, 64)
		default:
			out[j] = c.Str[i]
		}
	}
	return out
}

// liveColours returns a Learner on random colours with the live explorer
// of its untrained map.
func liveColours(t testing.TB, g graph.Grid, seed uint64) (*trainer.Learner, *Explorer) {
	t.Helper()
	l, err := trainer.New(loaders.Colors(200, seed), nil, &trainer.Options{Grid: g, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Live(l.Model(), l.Train())
	if err != nil {
		t.Fatal(err)
	}
	return l, e
}
