package serve_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/serve"
	"github.com/somgraph/somgraph/trainer"
)

// Mount the explorer of a trained map in any Go program (or a GoNB
// notebook) and ask its API for a record's unit.
func ExampleHandler() {
	db, err := loaders.Builtin("iris", &loaders.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	l, err := trainer.New(db.Train, nil, &trainer.Options{Grid: graph.Grid{Rows: 4, Cols: 4}, Seed: 1, Pipeline: db.Pipeline})
	if err != nil {
		panic(err)
	}
	if err := l.Fit(3); err != nil {
		panic(err)
	}
	ex, err := serve.Handler(l.Model(), l.Train())
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(ex) // or http.ListenAndServe("127.0.0.1:8080", ex)
	defer ts.Close()

	res, err := ts.Client().Post(ts.URL+"/api/bmu", "application/json",
		strings.NewReader(`{"csv": "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2"}`))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var out struct {
		BMUs []struct{ Unit, Row, Col int }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		panic(err)
	}
	want, _ := l.Model().Predict(&loaders.Dataset{Data: l.Train().Row(0), N: 1, D: l.Train().D})
	fmt.Println(res.Status, len(out.BMUs), "record; same unit as Predict:", out.BMUs[0].Unit == want[0].Unit)
	// Output: 200 OK 1 record; same unit as Predict: true
}
