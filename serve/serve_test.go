package serve

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

// predictions returns what somgraph predict gives for the fixture's data.
func (f fixture) predictions(t testing.TB) []trainer.Prediction {
	t.Helper()
	p, err := f.model.Predict(f.data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMap(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	code, ct, b := get(t, ts.URL+"/api/map")
	if code != 200 || ct != "application/json" {
		t.Fatalf("GET /api/map: %d %s", code, ct)
	}
	var m mapResult
	decode(t, b, &m)
	g := f.model.Config.Grid
	if m.Grid.Rows != g.Rows || m.Grid.Cols != g.Cols || m.Grid.Topology != "hex" || len(m.Cells) != g.Units() {
		t.Fatalf("grid %+v with %d cells, want %v", m.Grid, len(m.Cells), g)
	}
	// geometry: the cells are viz's
	for k, c := range m.Cells {
		cx, cy, xs, ys := viz.CellShape(g, k)
		r, col := g.RowCol(k)
		if c.Row != r || c.Col != col || math.Abs(c.X-cx) > 1e-4 || math.Abs(c.Y-cy) > 1e-4 || len(c.Points) != len(xs) {
			t.Fatalf("cell %d = %+v, want row %d col %d centre (%v, %v)", k, c, r, col, cx, cy)
		}
		for i := range xs {
			if math.Abs(c.Points[i][0]-xs[i]) > 1e-4 || math.Abs(c.Points[i][1]-ys[i]) > 1e-4 {
				t.Fatalf("cell %d vertex %d = %v, want (%v, %v)", k, i, c.Points[i], xs[i], ys[i])
			}
		}
	}
	// hits: what predict gives
	want := make([]int, g.Units())
	for _, p := range f.predictions(t) {
		want[p.Unit]++
	}
	if !slices.Equal(m.Hits, want) || m.Records != f.data.N || !m.Labels {
		t.Fatalf("hits %v records %d labels %v, want %v, %d, true", m.Hits, m.Records, m.Labels, want, f.data.N)
	}
	// layers
	var names []string
	for _, l := range m.Layers {
		names = append(names, l.Name)
		if len(l.Colors) != g.Units() {
			t.Errorf("layer %s has %d colours for %d units", l.Name, len(l.Colors), g.Units())
		}
	}
	wantNames := []string{"hits", "umatrix"}
	for _, in := range f.model.Pipeline.Inputs() {
		wantNames = append(wantNames, "feature:"+in)
	}
	wantNames = append(wantNames, "class")
	if !slices.Equal(names, wantNames) {
		t.Fatalf("layers %v, want %v", names, wantNames)
	}
	hits := m.layer("hits")
	for k, n := range want {
		if n == 0 && (hits.Values[k] != nil || hits.Colors[k] != emptyColor) {
			t.Errorf("unit %d without hits: value %v colour %s, want empty", k, hits.Values[k], hits.Colors[k])
		}
		if n > 0 && (hits.Values[k] == nil || *hits.Values[k] != float64(n)) {
			t.Errorf("unit %d: hits layer %v, want %d", k, hits.Values[k], n)
		}
	}
	// U-matrix as viz computes it, coloured on viz's scale
	um := m.layer("umatrix")
	uv := viz.UMatrix(g, f.model.Weights, f.model.Config.Dim)
	lo, hi := slices.Min(uv), slices.Max(uv)
	for k, v := range uv {
		if math.Abs(*um.Values[k]-v) > 1e-12 || um.Colors[k] != hex(viz.Viridis((v-lo)/(hi-lo))) {
			t.Fatalf("umatrix unit %d: %v %s, want %v %s", k, *um.Values[k], um.Colors[k], v, hex(viz.Viridis((v-lo)/(hi-lo))))
		}
	}
	// a categorical feature: levels and the codebook's winning level
	island := m.layer("feature:island")
	if island.Kind != "categories" || len(island.Levels) == 0 {
		t.Fatalf("island layer %+v, want categories", island)
	}
	d := f.model.Config.Dim
	for k := range g.Units() {
		cats, err := f.model.Pipeline.Recategorize(f.model.Weights[k*d : (k+1)*d])
		if err != nil {
			t.Fatal(err)
		}
		j := slices.Index(f.model.Pipeline.Inputs(), "island")
		if got := island.Levels[island.Categories[k]]; got != cats[0] || m.Codebook[k][j] != cats[0] {
			t.Fatalf("unit %d island %q (codebook %q), want %q", k, got, m.Codebook[k][j], cats[0])
		}
	}
	// a continuous feature in original units
	bill := m.layer("feature:bill_length_mm")
	jb := slices.Index(f.model.Pipeline.Inputs(), "bill_length_mm")
	for k := range g.Units() {
		vals, err := f.model.Pipeline.Denormalize(f.model.Weights[k*d : (k+1)*d])
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(*bill.Values[k]-vals[0]) > 1e-9 || m.Codebook[k][jb] != strconv.FormatFloat(vals[0], 'g', 4, 64) {
			t.Fatalf("unit %d bill length %v (%q), want %v", k, *bill.Values[k], m.Codebook[k][jb], vals[0])
		}
	}
	if len(m.History) != len(f.model.History) || m.History[0].TrainQE != f.model.History[0].Train.QE {
		t.Fatalf("history %+v, want %d epochs", m.History, len(f.model.History))
	}
	if !slices.Equal(m.Charts, viz.ChartNames()) {
		t.Fatalf("charts %v, want %v", m.Charts, viz.ChartNames())
	}
}

// mapResult decodes /api/map in tests.
type mapResult struct {
	Version int  `json:"version"`
	Live    bool `json:"live"`
	Grid    struct {
		Rows, Cols int
		Topology   string
	} `json:"grid"`
	Cells []struct {
		Row, Col int
		X, Y     float64
		Points   [][2]float64
	} `json:"cells"`
	Inputs   []string   `json:"inputs"`
	Records  int        `json:"records"`
	Labels   bool       `json:"labels"`
	Hits     []int      `json:"hits"`
	Codebook [][]string `json:"codebook"`
	Layers   []struct {
		Name, Kind string
		Colors     []string
		Values     []*float64
		Categories []int
		Levels     []string
	} `json:"layers"`
	History []struct {
		Epoch   int     `json:"epoch"`
		TrainQE float64 `json:"train_qe"`
	} `json:"history"`
	Charts []string `json:"charts"`
}

func (m *mapResult) layer(name string) struct {
	Name, Kind string
	Colors     []string
	Values     []*float64
	Categories []int
	Levels     []string
} {
	for _, l := range m.Layers {
		if l.Name == name {
			return l
		}
	}
	panic("no layer " + name)
}

func TestUnit(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	preds := f.predictions(t)
	d := f.model.Config.Dim
	for _, k := range []int{0, 5, f.model.Config.Grid.Units() - 1} {
		code, _, b := get(t, fmt.Sprintf("%s/api/units/%d", ts.URL, k))
		if code != 200 {
			t.Fatalf("unit %d: %d %s", k, code, b)
		}
		var u unitResult
		decode(t, b, &u)
		hits := 0
		labels := map[string]int{}
		for i, p := range preds {
			if p.Unit == k {
				hits++
				labels[f.data.Labels[i]]++
			}
		}
		r, c := f.model.Config.Grid.RowCol(k)
		if u.Unit != k || u.Row != r || u.Col != c || u.Hits != hits {
			t.Fatalf("unit %d: %+v, want row %d col %d hits %d", k, u, r, c, hits)
		}
		dec, err := f.model.Pipeline.Decode(f.model.Weights[k*d : (k+1)*d])
		if err != nil {
			t.Fatal(err)
		}
		for j, fv := range u.Codebook {
			if fv.Feature != f.model.Pipeline.Inputs()[j] {
				t.Fatalf("codebook feature %d = %q", j, fv.Feature)
			}
			if w, err := strconv.ParseFloat(dec[j], 64); err == nil {
				if got, _ := strconv.ParseFloat(fv.Value, 64); math.Abs(got-w) > 1e-3*math.Abs(w)+1e-9 {
					t.Errorf("unit %d %s = %s, want %s", k, fv.Feature, fv.Value, dec[j])
				}
			} else if fv.Value != dec[j] {
				t.Errorf("unit %d %s = %s, want %s", k, fv.Feature, fv.Value, dec[j])
			}
		}
		n := 0
		for _, l := range u.Labels {
			if labels[l.Label] != l.Count {
				t.Errorf("unit %d label %s: %d, want %d", k, l.Label, l.Count, labels[l.Label])
			}
			n += l.Count
		}
		if n != hits || len(u.Profile) != len(f.model.Pipeline.Inputs()) {
			t.Errorf("unit %d: labels count %d, profile %d rows", k, n, len(u.Profile))
		}
		// profile: the records' mean of a continuous input
		if jb := slices.Index(f.model.Pipeline.Inputs(), "bill_length_mm"); hits > 0 {
			sum := 0.0
			for i, p := range preds {
				if p.Unit == k {
					v, _ := f.model.Pipeline.Denormalize(f.data.Row(i))
					sum += v[0]
				}
			}
			if got := u.Profile[jb].Mean; got == nil || math.Abs(*got-sum/float64(hits)) > 1e-9 {
				t.Errorf("unit %d profile mean %v, want %v", k, got, sum/float64(hits))
			}
		}
	}
}

type unitResult struct {
	Unit, Row, Col, Hits int
	Codebook             []struct{ Feature, Value string }
	Profile              []struct {
		Feature string
		Mean    *float64
	}
	Labels []struct {
		Label string
		Count int
	}
}

type recordsResult struct {
	Units   []int      `json:"units"`
	Total   int        `json:"total"`
	Offset  int        `json:"offset"`
	Limit   int        `json:"limit"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

func TestUnitRecords(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	preds := f.predictions(t)
	k := slices.MaxFunc(preds, func(a, b trainer.Prediction) int { return 0 }).Unit // some unit with records
	var want []int
	for i, p := range preds {
		if p.Unit == k {
			want = append(want, i)
		}
	}
	// every page, in row order, matches predict and decodes like the pipeline
	var got []int
	for off := 0; off < len(want); off += 3 {
		code, _, b := get(t, fmt.Sprintf("%s/api/units/%d/records?offset=%d&limit=3", ts.URL, k, off))
		if code != 200 {
			t.Fatalf("%d %s", code, b)
		}
		var r recordsResult
		decode(t, b, &r)
		if r.Total != len(want) || r.Offset != off || r.Limit != 3 || len(r.Rows) != min(3, len(want)-off) {
			t.Fatalf("page at %d: total %d offset %d limit %d rows %d", off, r.Total, r.Offset, r.Limit, len(r.Rows))
		}
		wantCols := append(append([]string{"row"}, f.model.Pipeline.Inputs()...), "label", "unit", "distance")
		if !slices.Equal(r.Columns, wantCols) {
			t.Fatalf("columns %v, want %v", r.Columns, wantCols)
		}
		for _, row := range r.Rows {
			i, _ := strconv.Atoi(row[0])
			got = append(got, i)
			dec, _ := f.model.Pipeline.Decode(f.data.Row(i))
			if !slices.Equal(row[1:1+len(dec)], dec) || row[len(row)-3] != f.data.Labels[i] || row[len(row)-2] != strconv.Itoa(k) {
				t.Fatalf("record %d = %v, want %v label %s", i, row, dec, f.data.Labels[i])
			}
			if dist, _ := strconv.ParseFloat(row[len(row)-1], 64); math.Abs(dist-preds[i].Dist) > 1e-5*(1+preds[i].Dist) {
				t.Fatalf("record %d distance %v, want %v", i, dist, preds[i].Dist)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("unit %d records %v, want %v (predict)", k, got, want)
	}
	// sorted by a continuous column, descending
	code, _, b := get(t, fmt.Sprintf("%s/api/units/%d/records?limit=1000&sort=bill_length_mm&order=desc", ts.URL, k))
	if code != 200 {
		t.Fatal(code, string(b))
	}
	var r recordsResult
	decode(t, b, &r)
	var vals []float64
	for _, row := range r.Rows {
		v, _ := strconv.ParseFloat(row[1+slices.Index(f.model.Pipeline.Inputs(), "bill_length_mm")], 64)
		vals = append(vals, v)
	}
	if len(vals) != len(want) || !slices.IsSortedFunc(vals, func(a, b float64) int { return cmpFloat(b, a) }) {
		t.Fatalf("sorted desc by bill length: %v", vals)
	}
	// past the end: an empty page
	code, _, b = get(t, fmt.Sprintf("%s/api/units/%d/records?offset=100000", ts.URL, k))
	decode(t, b, &r)
	if code != 200 || len(r.Rows) != 0 || r.Total != len(want) {
		t.Fatalf("past the end: %d %s", code, b)
	}
}

func TestSelectionRecords(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	preds := f.predictions(t)
	units := []int{0, 3, 3, 10}
	var want []int
	for i, p := range preds {
		if p.Unit == 0 || p.Unit == 3 || p.Unit == 10 {
			want = append(want, i)
		}
	}
	code, ct, b := get(t, ts.URL+"/api/records.csv?units=0,3,3,10")
	if code != 200 || !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("%d %s %s", code, ct, b)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, row := range rows[1:] {
		i, _ := strconv.Atoi(row[0])
		got = append(got, i)
	}
	if rows[0][0] != "row" || !slices.Equal(got, want) {
		t.Fatalf("CSV of units %v: rows %v, want %v", units, got, want)
	}
	code, _, b = get(t, ts.URL+"/api/records?units=10,0,3&limit=1000")
	var r recordsResult
	decode(t, b, &r)
	got = got[:0]
	for _, row := range r.Rows {
		i, _ := strconv.Atoi(row[0])
		got = append(got, i)
	}
	if code != 200 || r.Total != len(want) || !slices.Equal(got, want) || !slices.Equal(r.Units, []int{10, 0, 3}) {
		t.Fatalf("JSON selection: %d total %d units %v rows %v, want %v", code, r.Total, r.Units, got, want)
	}
}

func TestBadRequests(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	k := f.model.Config.Grid.Units()
	cases := []struct {
		name, path string
		status     int
		msg        string // part of the error message
	}{
		{"unit not a number", "/api/units/x", 400, "not a whole number"},
		{"unit negative", "/api/units/-1", 400, "out of range"},
		{"unit too large", fmt.Sprintf("/api/units/%d", k), 400, "out of range"},
		{"unit overflows", "/api/units/99999999999999999999999", 400, "not a whole number"},
		{"unit float", "/api/units/1.5", 400, "not a whole number"},
		{"records unit out of range", fmt.Sprintf("/api/units/%d/records", k+5), 400, "out of range"},
		{"records unit not a number", "/api/units/abc/records", 400, "not a whole number"},
		{"offset not a number", "/api/units/0/records?offset=abc", 400, "offset"},
		{"offset negative", "/api/units/0/records?offset=-1", 400, "offset"},
		{"offset float", "/api/units/0/records?offset=1.5", 400, "offset"},
		{"limit zero", "/api/units/0/records?limit=0", 400, "limit"},
		{"limit above the cap", "/api/units/0/records?limit=1001", 400, "the most is 1000"},
		{"limit not a number", "/api/units/0/records?limit=ten", 400, "limit"},
		{"sort unknown column", "/api/units/0/records?sort=nope", 400, "no column"},
		{"order unknown", "/api/units/0/records?order=up", 400, "asc or desc"},
		{"selection without units", "/api/records", 400, "name the units"},
		{"selection unit not a number", "/api/records?units=1,x", 400, "not a whole number"},
		{"selection unit out of range", fmt.Sprintf("/api/records?units=1,%d", k), 400, "out of range"},
		{"selection bad offset", "/api/records?units=1&offset=z", 400, "offset"},
		{"csv without units", "/api/records.csv", 400, "name the units"},
		{"csv unit out of range", "/api/records.csv?units=-4", 400, "out of range"},
		{"chart unknown", "/api/chart/nope.png", 400, "want one of"},
		{"chart no extension", "/api/chart/hitmap", 400, "NAME.png"},
		{"chart bad format", "/api/chart/hitmap.gif", 400, "NAME.png"},
		{"chart unknown feature", "/api/chart/features.png?feature=nope", 400, "feature"},
		{"chart feature on another chart", "/api/chart/hitmap.png?feature=island", 400, "only the features chart"},
		{"events of a saved model", "/api/events", 404, "no event stream"},
		{"unknown endpoint", "/api/nothing", 404, "no API endpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, ct, b := get(t, ts.URL+c.path)
			if code != c.status || ct != "application/json" {
				t.Fatalf("GET %s: %d %s %s, want %d JSON", c.path, code, ct, b, c.status)
			}
			if msg := errorOf(t, b); !strings.Contains(msg, c.msg) {
				t.Fatalf("GET %s: error %q, want it to contain %q", c.path, msg, c.msg)
			}
		})
	}
	t.Run("POST to the page", func(t *testing.T) {
		code, b := post(t, ts.URL+"/", "{}")
		if code != 405 || !strings.Contains(errorOf(t, b), "read-only") {
			t.Fatalf("%d %s", code, b)
		}
	})
	t.Run("POST to a GET endpoint", func(t *testing.T) {
		code, b := post(t, ts.URL+"/api/map", "{}")
		if code != 404 {
			t.Fatalf("%d %s", code, b)
		}
		errorOf(t, b)
	})
}

func TestBMU(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	p := f.model.Pipeline
	tab := f.table
	// raw rows of the table, in the order of the pipeline's inputs
	inputs := p.Inputs()
	raw := func(i int) []string { return rawRecord(tab, inputs, i, "NA") }
	rows := []int{0, 3, 100, 250, 343}
	// the reference: somgraph predict's path, the pipeline's Transform of the table
	ds, err := p.Transform(tab.Subset(rows))
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.model.Predict(ds)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, body string) {
		t.Helper()
		code, b := post(t, ts.URL+"/api/bmu", body)
		if code != 200 {
			t.Fatalf("%s: %d %s", name, code, b)
		}
		var r struct {
			BMUs []struct {
				Unit, Row, Col int
				Distance       float64
			}
		}
		decode(t, b, &r)
		if len(r.BMUs) != len(want) {
			t.Fatalf("%s: %d BMUs, want %d", name, len(r.BMUs), len(want))
		}
		for i, w := range want {
			g := r.BMUs[i]
			if g.Unit != w.Unit || g.Row != w.Row || g.Col != w.Col || math.Abs(g.Distance-w.Dist) > 1e-9*(1+w.Dist) {
				t.Errorf("%s: record %d: %+v, want %+v", name, rows[i], g, w)
			}
		}
	}
	// JSON records: text and numbers, null for missing
	var recs []string
	for _, i := range rows {
		var vals []string
		for j, v := range raw(i) {
			switch {
			case v == "NA":
				vals = append(vals, "null")
			case p.Columns[j].Kind == loaders.Continuous:
				vals = append(vals, v)
			default:
				vals = append(vals, strconv.Quote(v))
			}
		}
		recs = append(recs, "["+strings.Join(vals, ",")+"]")
	}
	check("records", `{"records":[`+strings.Join(recs, ",")+`]}`)
	// CSV without a header
	var lines []string
	for _, i := range rows {
		lines = append(lines, strings.Join(raw(i), ","))
	}
	check("csv", fmt.Sprintf(`{"csv":%q}`, strings.Join(lines, "\n")))
	// CSV with a header in another order and an extra column
	perm := make([]int, len(inputs))
	for j := range perm {
		perm[j] = len(inputs) - 1 - j
	}
	head := []string{"extra"}
	for _, j := range perm {
		head = append(head, inputs[j])
	}
	lines = []string{strings.Join(head, ",")}
	for _, i := range rows {
		r := raw(i)
		fields := []string{"x"}
		for _, j := range perm {
			fields = append(fields, r[j])
		}
		lines = append(lines, strings.Join(fields, ","))
	}
	check("csv with header", fmt.Sprintf(`{"csv":%q}`, strings.Join(lines, "\r\n")+"\n"))
}

func TestBMUBadRequests(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	_, cts := colours(t).explorer(t)
	width := len(f.model.Pipeline.Inputs())
	good := strings.Repeat(`1,`, width-1) + "1"
	jb := slices.Index(f.model.Pipeline.Inputs(), "bill_length_mm")
	textAt := strings.Repeat(`1,`, jb) + `"abc"` + strings.Repeat(`,1`, width-1-jb)
	many := `{"records":[` + strings.Repeat(`[1,2,3],`, MaxRecords) + `[1,2,3]]}`
	cases := []struct {
		name, url, body string
		status          int
		msg             string
	}{
		{"malformed JSON", ts.URL, `{"records": [[1,2`, 400, "malformed JSON"},
		{"not an object", ts.URL, `[1,2,3]`, 400, "malformed JSON"},
		{"empty body", ts.URL, ``, 400, "malformed JSON"},
		{"unknown field", ts.URL, `{"rows": [[1]]}`, 400, "malformed JSON"},
		{"trailing data", ts.URL, `{"csv": "` + good + `"} {}`, 400, "more after"},
		{"records and csv", ts.URL, `{"csv": "` + good + `", "records": []}`, 400, "not both"},
		{"no records", ts.URL, `{"records": []}`, 400, "no records"},
		{"null records", ts.URL, `{"records": null}`, 400, "no records"},
		{"empty csv", ts.URL, `{"csv": ""}`, 400, "no records"},
		{"csv of blank lines", ts.URL, `{"csv": "\n\n"}`, 400, "no records"},
		{"record too short", ts.URL, `{"records": [[1,2]]}`, 400, "has 2 values"},
		{"record too long", ts.URL, `{"records": [[` + good + `,1]]}`, 400, fmt.Sprintf("has %d values", width+1)},
		{"csv line too short", ts.URL, `{"csv": "1,2"}`, 400, "has 2 values"},
		{"csv ragged", ts.URL, `{"csv": "` + good + `\n1"}`, 400, "line 2 has 1 values"},
		{"csv bad quote", ts.URL, `{"csv": "1,\"2,3"}`, 400, "csv"},
		{"header missing an input", ts.URL, `{"csv": "island,sex\nDream,male"}`, 400, "has no column"},
		{"text for a continuous input", ts.URL, `{"records": [[` + textAt + `]]}`, 400, "bill_length_mm"},
		{"object as a value", ts.URL, `{"records": [[{}` + strings.Repeat(",1", width-1) + `]]}`, 400, "want a number, a string or null"},
		{"record not an array", ts.URL, `{"records": [1]}`, 400, "malformed JSON"},
		{"csv not a string", ts.URL, `{"csv": 5}`, 400, "malformed JSON"},
		{"too many records", cts.URL, many, 400, "the most per request"},
		{"body too large", ts.URL, `{"csv": "` + strings.Repeat("1", MaxBodyBytes) + `"}`, 413, "larger than"},
		{"NaN without a pipeline", cts.URL, `{"records": [["NaN", 1, 1]]}`, 400, "not a finite number"},
		{"Inf without a pipeline", cts.URL, `{"csv": "1,Inf,1"}`, 400, "not a finite number"},
		{"missing without a pipeline", cts.URL, `{"records": [[null, 1, 1]]}`, 400, "not a finite number"},
		{"huge number without a pipeline", cts.URL, `{"records": [[1e999, 1, 1]]}`, 400, "not a finite number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, b := post(t, c.url+"/api/bmu", c.body)
			if code != c.status {
				t.Fatalf("%d %s, want %d", code, trunc(b), c.status)
			}
			if msg := errorOf(t, b); !strings.Contains(msg, c.msg) {
				t.Fatalf("error %q, want it to contain %q", msg, c.msg)
			}
		})
	}
}

// TestColours checks a model without a pipeline: numeric records, no
// labels, inputs named by the data's features.
func TestColours(t *testing.T) {
	f := colours(t)
	_, ts := f.explorer(t)
	code, _, b := get(t, ts.URL+"/api/map")
	var m mapResult
	decode(t, b, &m)
	if code != 200 || !slices.Equal(m.Inputs, f.data.Features) || m.Labels || len(m.Layers) != 2+3 {
		t.Fatalf("%d inputs %v labels %v layers %d", code, m.Inputs, m.Labels, len(m.Layers))
	}
	want := f.predictions(t)
	code, b = post(t, ts.URL+"/api/bmu", `{"records": [[0.1, 0.2, 0.9], ["0.5", "0.5", "0.5"]]}`)
	ds, _ := loaders.FromRows([][]float64{{0.1, 0.2, 0.9}, {0.5, 0.5, 0.5}}, nil)
	want, _ = f.model.Predict(ds)
	var r struct{ BMUs []struct{ Unit int } }
	decode(t, b, &r)
	if code != 200 || r.BMUs[0].Unit != want[0].Unit || r.BMUs[1].Unit != want[1].Unit {
		t.Fatalf("%d %s, want units %d %d", code, b, want[0].Unit, want[1].Unit)
	}
	code, _, b = get(t, ts.URL+"/api/chart/preds.png")
	if code != 400 || !strings.Contains(errorOf(t, b), "want one of") {
		t.Fatalf("preds without labels: %d %s", code, b)
	}
}

// TestCodebookOnly checks an explorer without records: the codebook
// layers work, the record endpoints say why they cannot.
func TestCodebookOnly(t *testing.T) {
	f := penguins(t)
	f.data = nil
	_, ts := f.explorer(t)
	code, _, b := get(t, ts.URL+"/api/map")
	var m mapResult
	decode(t, b, &m)
	if code != 200 || m.Hits != nil || m.Records != 0 || m.Layers[0].Name != "umatrix" {
		t.Fatalf("%d hits %v records %d first layer %s", code, m.Hits, m.Records, m.Layers[0].Name)
	}
	for _, path := range []string{"/api/units/0/records", "/api/records?units=1", "/api/records.csv?units=1", "/api/chart/hitmap.png"} {
		code, _, b := get(t, ts.URL+path)
		if code != 400 {
			t.Fatalf("%s: %d %s", path, code, b)
		}
		errorOf(t, b)
	}
	if code, _, b := get(t, ts.URL+"/api/units/3"); code != 200 {
		t.Fatalf("unit without records: %d %s", code, b)
	}
}

// TestCharts checks that every chart is the image viz draws, byte for byte:
// what somgraph plot writes.
func TestCharts(t *testing.T) {
	f := penguins(t)
	_, ts := f.explorer(t)
	in, err := viz.FromModel(f.model, f.data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range viz.ChartNames() {
		for _, fm := range []viz.Format{viz.PNG, viz.SVG} {
			code, ct, b := get(t, ts.URL+"/api/chart/"+name+fm.Ext())
			var want bytes.Buffer
			if err := in.Chart(name, &want, fm); err != nil {
				t.Fatal(err)
			}
			if code != 200 || !bytes.Equal(b, want.Bytes()) {
				t.Errorf("%s%s: %d %s, %d bytes; want viz's %d bytes", name, fm.Ext(), code, ct, len(b), want.Len())
			}
		}
	}
	code, _, b := get(t, ts.URL+"/api/chart/features.svg?feature="+url.QueryEscape("island"))
	var want bytes.Buffer
	if err := in.FeatureHeatmaps(&want, viz.SVG, "island"); err != nil {
		t.Fatal(err)
	}
	if code != 200 || !bytes.Equal(b, want.Bytes()) {
		t.Errorf("features of island: %d, %d bytes, want %d", code, len(b), want.Len())
	}
	res, err := http.Get(ts.URL + "/api/chart/umatrix.png?download=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="umatrix.png"`) {
		t.Errorf("download: Content-Disposition %q", cd)
	}
}

func TestPage(t *testing.T) {
	_, ts := colours(t).explorer(t)
	for path, want := range map[string]string{"/": "<title>somgraph explorer</title>", "/app.js": "/api/map", "/style.css": "#map"} {
		code, _, b := get(t, ts.URL+path)
		if code != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, want a body with %q", path, code, want)
		}
	}
	code, _, _ := get(t, ts.URL+"/nope.js")
	if code != 404 {
		t.Errorf("GET /nope.js: %d, want 404", code)
	}
}

func TestHandlerErrors(t *testing.T) {
	f := penguins(t)
	c := colours(t)
	nan := &loaders.Dataset{Data: []float64{math.NaN(), 0, 0}, N: 1, D: 3}
	cases := []struct {
		name string
		md   *trainer.Model
		ds   *loaders.Dataset
		msg  string
	}{
		{"nil model", nil, nil, "no model"},
		{"data of another width", f.model, c.data, "features, the map"},
		{"NaN in the data", c.model, nan, "NaN"},
		{"empty data", c.model, &loaders.Dataset{D: 3}, "no records"},
		{"labels of another length", c.model, &loaders.Dataset{Data: []float64{0, 0, 0}, N: 1, D: 3, Labels: []string{"a", "b"}}, "labels"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Handler(tc.md, tc.ds)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Handler: %v, want an error with %q", err, tc.msg)
			}
			if _, err := Live(tc.md, tc.ds); err == nil {
				t.Fatal("Live: no error")
			}
		})
	}
}
