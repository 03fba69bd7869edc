package serve

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzBMU posts arbitrary bodies to POST /api/bmu of a model with a
// pipeline (continuous and categorical inputs) and one without: every
// answer is 200 with one BMU per record, or a 400 or 413 JSON error; never
// a panic or a 500.
func FuzzBMU(f *testing.F) {
	for _, seed := range []string{
		`{"records": [["Torgersen", 39.1, 18.7, 181, 3750, "male"]]}`,
		`{"records": [[0.1, 0.2, 0.3]]}`,
		`{"csv": "0.1,0.2,0.3\n0.4,0.5,0.6"}`,
		`{"csv": "island,bill_length_mm\nDream,40"}`,
		`{"csv": "r,g,b\n1,2,3"}`,
		`{"records": [[null, "NaN", "Inf"]]}`,
		`{"records": [[{}]]}`,
		`{"csv": "\"unterminated"}`,
		`{"records": [[1e999, -1e999, 0]]}`,
		`{}`, `[]`, `null`, ``, `{"csv": null, "records": null}`,
	} {
		f.Add(seed)
	}
	explorers := []*Explorer{}
	for _, fx := range []fixture{penguins(f), colours(f)} {
		e, err := Handler(fx.model, fx.data)
		if err != nil {
			f.Fatal(err)
		}
		explorers = append(explorers, e)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, e := range explorers {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest("POST", "/api/bmu", strings.NewReader(body)))
			switch w.Code {
			case http.StatusOK:
				var r bmuResultTest
				if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || len(r.BMUs) == 0 {
					t.Fatalf("200 with %q: %v", w.Body.String(), err)
				}
				for _, b := range r.BMUs {
					if b.Unit < 0 || b.Unit >= e.cur.Load().grid.Units() {
						t.Fatalf("unit %d out of range", b.Unit)
					}
				}
			case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
				var ae apiError
				if err := json.Unmarshal(w.Body.Bytes(), &ae); err != nil || ae.Error == "" {
					t.Fatalf("%d without a JSON error: %q", w.Code, w.Body.String())
				}
			default:
				t.Fatalf("status %d for body %q: %s", w.Code, body, w.Body.String())
			}
		}
	})
}

type bmuResultTest struct {
	BMUs []struct{ Unit int } `json:"bmus"`
}
