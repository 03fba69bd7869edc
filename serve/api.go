package serve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/somgraph/somgraph/viz"
)

// Limits of the API.
const (
	// MaxBodyBytes is the largest request body POST /api/bmu reads.
	MaxBodyBytes = 1 << 20
	// MaxRecords is the most records one POST /api/bmu maps.
	MaxRecords = 10000
	// DefaultLimit is the page size of the record endpoints without a
	// limit parameter, and MaxLimit the largest one they accept.
	DefaultLimit = 50
	MaxLimit     = 1000
)

// apiError is the body of every error answer: {"error": "..."}.
type apiError struct {
	Error string `json:"error"`
}

// writeError answers with status and a JSON error message.
func writeError(w http.ResponseWriter, status int, format string, a ...any) {
	h := w.Header()
	h.Del("Content-Disposition")
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(apiError{Error: fmt.Sprintf(format, a...)})
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding the answer: %v", err)
		return
	}
	writeBytes(w, "application/json", b)
}

func writeBytes(w http.ResponseWriter, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func (e *Explorer) getMap(w http.ResponseWriter, r *http.Request) {
	s := e.cur.Load()
	writeBytes(w, "application/json", s.mapJSON)
}

// unit parses the {k} path parameter.
func (s *state) unit(r *http.Request) (int, error) {
	raw := r.PathValue("k")
	k, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("unit %q is not a whole number: want 0 to %d", raw, s.grid.Units()-1)
	}
	if k < 0 || k >= s.grid.Units() {
		return 0, fmt.Errorf("unit %d is out of range: the %dx%d map has units 0 to %d", k, s.grid.Rows, s.grid.Cols, s.grid.Units()-1)
	}
	return k, nil
}

// unitView is the GET /api/units/{k} answer.
type unitView struct {
	Unit     int            `json:"unit"`
	Row      int            `json:"row"`
	Col      int            `json:"col"`
	Hits     int            `json:"hits"`
	Cluster  *clusterView   `json:"cluster,omitempty"`
	UMatrix  num            `json:"umatrix"`
	Codebook []featureValue `json:"codebook"`
	Profile  []profileRow   `json:"profile"`
	Labels   []labelCount   `json:"labels,omitempty"`
}

type featureValue struct {
	Feature string `json:"feature"`
	Value   string `json:"value"`
}

// profileRow compares a unit with all records on one input: for a
// continuous input the codebook value, the mean of the unit's records and
// of all records, and Z, the unit's records' mean in standard deviations
// of all records from their mean; for a categorical one the codebook's
// level and the unit's most frequent level with its share.
type profileRow struct {
	Feature  string `json:"feature"`
	Kind     string `json:"kind"`
	Codebook string `json:"codebook"`
	Mean     num    `json:"mean"`
	MeanAll  num    `json:"mean_all"`
	Z        num    `json:"z"`
	Top      string `json:"top,omitempty"`
	TopShare num    `json:"top_share"`
}

type labelCount struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

func (e *Explorer) getUnit(w http.ResponseWriter, r *http.Request) {
	s := e.cur.Load()
	k, err := s.unit(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	row, col := s.grid.RowCol(k)
	v := unitView{Unit: k, Row: row, Col: col, UMatrix: num(s.umatrix[k])}
	v.Cluster = s.clusterOf(k)
	var idx []int
	if s.units != nil {
		idx = s.units[k]
		v.Hits = len(idx)
	}
	var mean []float64
	if s.recs != nil {
		mean, _ = columnStats(s.recs.nums, idx)
	}
	for j, name := range s.codec.inputs {
		v.Codebook = append(v.Codebook, featureValue{name, s.codebook[k][j]})
		p := profileRow{Feature: name, Codebook: s.codebook[k][j], Mean: num(math.NaN()), MeanAll: num(math.NaN()), Z: num(math.NaN()), TopShare: num(math.NaN())}
		if s.codec.cont[j] {
			p.Kind = "continuous"
			if mean != nil {
				p.Mean, p.MeanAll = num(mean[j]), num(s.meanAll[j])
				if s.sdAll[j] > 0 {
					p.Z = num((mean[j] - s.meanAll[j]) / s.sdAll[j])
				}
			}
		} else {
			p.Kind = "categorical"
			if len(idx) > 0 {
				counts := map[string]int{}
				for _, i := range idx {
					counts[s.recs.text[i][j]]++
				}
				top := mostFrequent(counts)
				p.Top, p.TopShare = top.Label, num(float64(top.Count)/float64(len(idx)))
			}
		}
		v.Profile = append(v.Profile, p)
	}
	if s.recs != nil && s.recs.labels != nil && len(idx) > 0 {
		counts := map[string]int{}
		for _, i := range idx {
			counts[s.recs.labels[i]]++
		}
		for l, n := range counts {
			v.Labels = append(v.Labels, labelCount{l, n})
		}
		slices.SortFunc(v.Labels, func(a, b labelCount) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Label, b.Label)
		})
	}
	writeJSON(w, v)
}

func mostFrequent(counts map[string]int) labelCount {
	var top labelCount
	for l, n := range counts {
		if n > top.Count || n == top.Count && l < top.Label {
			top = labelCount{l, n}
		}
	}
	return top
}

// recordsView is the answer of the record endpoints: one page of the
// records of some units, each row as text in the order of Columns.
type recordsView struct {
	Units   []int      `json:"units"`
	Total   int        `json:"total"`
	Offset  int        `json:"offset"`
	Limit   int        `json:"limit"`
	Sort    string     `json:"sort"`
	Order   string     `json:"order"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

func (e *Explorer) getUnitRecords(w http.ResponseWriter, r *http.Request) {
	s := e.cur.Load()
	k, err := s.unit(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	s.serveRecords(w, r, []int{k})
}

func (e *Explorer) getRecords(w http.ResponseWriter, r *http.Request) {
	s := e.cur.Load()
	units, err := s.parseUnits(r.URL.Query().Get("units"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	s.serveRecords(w, r, units)
}

// parseUnits parses a comma-separated list of units; duplicates count
// once.
func (s *state) parseUnits(list string) ([]int, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("units: name the units, for example units=0,1,5")
	}
	k := s.grid.Units()
	seen := make([]bool, k)
	var out []int
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		u, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("units: %q is not a whole number", f)
		}
		if u < 0 || u >= k {
			return nil, fmt.Errorf("units: unit %d is out of range: the map has units 0 to %d", u, k-1)
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// columns returns the record columns: row, the inputs, label (with
// labels), unit and distance.
func (s *state) columns() []string {
	cols := append([]string{"row"}, s.codec.inputs...)
	if s.recs.labels != nil {
		cols = append(cols, "label")
	}
	return append(cols, "unit", "distance")
}

// selected returns the records of units, sorted by column sort (a name of
// columns) in order asc or desc, then by row.
func (s *state) selected(units []int, sortBy, order string) ([]int, error) {
	var idx []int
	for _, u := range units {
		idx = append(idx, s.units[u]...)
	}
	cols := s.columns()
	c := slices.Index(cols, sortBy)
	if c < 0 {
		return nil, fmt.Errorf("sort: no column %q (columns: %s)", sortBy, strings.Join(cols, ", "))
	}
	desc := false
	switch order {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return nil, fmt.Errorf("order %q: want asc or desc", order)
	}
	nIn := len(s.codec.inputs)
	var cmp func(a, b int) int
	switch {
	case c == 0:
		cmp = func(a, b int) int { return a - b }
	case c <= nIn && s.codec.cont[c-1]:
		j := c - 1
		cmp = func(a, b int) int { return cmpFloat(s.recs.nums[a][j], s.recs.nums[b][j]) }
	case c <= nIn:
		j := c - 1
		cmp = func(a, b int) int { return strings.Compare(s.recs.text[a][j], s.recs.text[b][j]) }
	case cols[c] == "label":
		cmp = func(a, b int) int { return strings.Compare(s.recs.labels[a], s.recs.labels[b]) }
	case cols[c] == "unit":
		cmp = func(a, b int) int { return s.bmu[a] - s.bmu[b] }
	default: // distance
		cmp = func(a, b int) int { return cmpFloat(s.dist[a], s.dist[b]) }
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		x := cmp(a, b)
		if desc {
			x = -x
		}
		if x == 0 {
			return a - b
		}
		return x
	})
	return idx, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// row returns record i as text in the order of columns.
func (s *state) row(i int) []string {
	out := make([]string, 0, len(s.codec.inputs)+4)
	out = append(out, strconv.Itoa(i))
	out = append(out, s.recs.text[i]...)
	if s.recs.labels != nil {
		out = append(out, s.recs.labels[i])
	}
	return append(out, strconv.Itoa(s.bmu[i]), strconv.FormatFloat(s.dist[i], 'g', 6, 64))
}

// intParam parses an optional whole-number query parameter.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a whole number", name, raw)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%s %d: want %d to %d", name, v, lo, hi)
	}
	return v, nil
}

func (s *state) serveRecords(w http.ResponseWriter, r *http.Request, units []int) {
	if s.recs == nil {
		writeError(w, http.StatusBadRequest, "no records: start the explorer with data (somgraph serve --data FILE.csv)")
		return
	}
	offset, err := intParam(r, "offset", 0, 0, math.MaxInt32)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	limit, err := intParam(r, "limit", DefaultLimit, 1, MaxLimit)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v (the most is %d per page)", err, MaxLimit)
		return
	}
	q := r.URL.Query()
	sortBy, order := q.Get("sort"), q.Get("order")
	if sortBy == "" {
		sortBy = "row"
	}
	if order == "" {
		order = "asc"
	}
	idx, err := s.selected(units, sortBy, order)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	v := recordsView{Units: units, Total: len(idx), Offset: offset, Limit: limit, Sort: sortBy, Order: order, Columns: s.columns(), Rows: [][]string{}}
	for _, i := range idx[min(offset, len(idx)):min(offset+limit, len(idx))] {
		v.Rows = append(v.Rows, s.row(i))
	}
	writeJSON(w, v)
}

func (e *Explorer) getRecordsCSV(w http.ResponseWriter, r *http.Request) {
	s := e.cur.Load()
	if s.recs == nil {
		writeError(w, http.StatusBadRequest, "no records: start the explorer with data (somgraph serve --data FILE.csv)")
		return
	}
	units, err := s.parseUnits(r.URL.Query().Get("units"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	idx, err := s.selected(units, "row", "asc")
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(s.columns())
	for _, i := range idx {
		cw.Write(s.row(i))
	}
	cw.Flush()
	w.Header().Set("Content-Disposition", `attachment; filename="somgraph-selection.csv"`)
	writeBytes(w, "text/csv; charset=utf-8", b.Bytes())
}

// chartNames lists the charts GET /api/chart draws for this snapshot.
func (s *state) chartNames() []string {
	var out []string
	for _, n := range viz.ChartNames() {
		switch n {
		case "hitmap":
			if s.data == nil {
				continue
			}
		case "preds":
			if s.data == nil || s.data.Labels == nil {
				continue
			}
		case "loss", "hyperparams":
			if len(s.model.History) == 0 {
				continue
			}
		}
		out = append(out, n)
	}
	if s.clusters != nil {
		out = append(out, "clusters")
	}
	return out
}

func (e *Explorer) getChart(w http.ResponseWriter, r *http.Request) {
	s := e.cur.Load()
	file := r.PathValue("file")
	name, ext, ok := strings.Cut(file, ".")
	if !ok {
		writeError(w, http.StatusBadRequest, "chart %q: want NAME.png or NAME.svg", file)
		return
	}
	f, err := viz.ParseFormat(ext)
	if err != nil {
		writeError(w, http.StatusBadRequest, "chart %q: want NAME.png or NAME.svg", file)
		return
	}
	names := s.chartNames()
	if !slices.Contains(names, name) {
		writeError(w, http.StatusBadRequest, "chart %q: want one of %s (charts that need records or a training history are left out when the explorer has none)", name, strings.Join(names, ", "))
		return
	}
	feature := r.URL.Query().Get("feature")
	if feature != "" && name != "features" {
		writeError(w, http.StatusBadRequest, "feature: only the features chart takes a feature")
		return
	}
	if feature != "" && !slices.Contains(s.codec.inputs, feature) {
		writeError(w, http.StatusBadRequest, "feature %q: want one of %s", feature, strings.Join(s.codec.inputs, ", "))
		return
	}
	var b bytes.Buffer
	if err := s.chart(&b, name, feature, f); err != nil {
		writeError(w, http.StatusInternalServerError, "drawing chart %s: %v", name, err)
		return
	}
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, name, f.Ext()))
	}
	ct := "image/png"
	if f == viz.SVG {
		ct = "image/svg+xml"
	}
	writeBytes(w, ct, b.Bytes())
}

// chart draws a chart with viz, as somgraph plot does.
func (s *state) chart(b *bytes.Buffer, name, feature string, f viz.Format) error {
	s.chartMu.Lock()
	defer s.chartMu.Unlock()
	if s.interp == nil {
		in, err := viz.FromModel(s.model, s.data, nil)
		if err != nil {
			return err
		}
		s.interp = in
	}
	if feature != "" {
		return s.interp.FeatureHeatmaps(b, f, feature)
	}
	return s.interp.Chart(name, b, f)
}

// getEvents streams Server-Sent Events to a page watching a live
// explorer: an "update" event with the snapshot's version when it changes,
// and a comment every 15 s to keep the connection open.
func (e *Explorer) getEvents(w http.ResponseWriter, r *http.Request) {
	if !e.live {
		writeError(w, http.StatusNotFound, "no event stream: this explorer shows a saved model (somgraph train --serve ADDR shows a live one)")
		return
	}
	rc := http.NewResponseController(w)
	ch := e.subscribe()
	defer e.unsubscribe(ch)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	send := func(msg string) bool {
		rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprint(w, msg); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	event := func(v int) string { return fmt.Sprintf("event: update\ndata: {\"version\":%d}\n\n", v) }
	if !send(event(e.Version())) {
		return
	}
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case v := <-ch:
			if !send(event(v)) {
				return
			}
		case <-tick.C:
			if !send(": keep-alive\n\n") {
				return
			}
		case <-r.Context().Done():
			return
		case <-e.closed:
			return
		}
	}
}
