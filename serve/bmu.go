package serve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// bmuRequest is the body of POST /api/bmu: records as JSON arrays (one
// value per input, in the order of /api/map's inputs; numbers or text,
// null for a missing value) or as CSV text (one record per line, with an
// optional header line naming the inputs in any order).
type bmuRequest struct {
	Records [][]any `json:"records"`
	CSV     *string `json:"csv"`
}

// bmuView is the answer of POST /api/bmu: each record's best-matching
// unit, in order.
type bmuView struct {
	BMUs []bmuResult `json:"bmus"`
}

type bmuResult struct {
	Unit     int `json:"unit"`
	Row      int `json:"row"`
	Col      int `json:"col"`
	Distance num `json:"distance"`
}

func (e *Explorer) postBMU(w http.ResponseWriter, r *http.Request) {
	s := e.cur.Load()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "the body is larger than %d bytes: send fewer records at a time", MaxBodyBytes)
			return
		}
		writeError(w, http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	rows, err := s.parseBMURequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	enc, err := s.encode(rows)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	bmu, dist, err := s.m.Predict(enc)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	v := bmuView{BMUs: make([]bmuResult, len(bmu))}
	for i, u := range bmu {
		row, col := s.grid.RowCol(u)
		v.BMUs[i] = bmuResult{Unit: u, Row: row, Col: col, Distance: num(dist[i])}
	}
	writeJSON(w, v)
}

// parseBMURequest decodes a POST /api/bmu body into raw records, one text
// value per input in input order ("" for missing).
func (s *state) parseBMURequest(body []byte) ([][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var req bmuRequest
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("malformed JSON: %v: want {\"records\": [[v1, v2, ...], ...]} or {\"csv\": \"v1,v2,...\"}", err)
	}
	if dec.More() {
		return nil, errors.New("malformed JSON: more after the request object")
	}
	if req.CSV != nil && req.Records != nil {
		return nil, errors.New("give records or csv, not both")
	}
	var rows [][]string
	var err error
	if req.CSV != nil {
		rows, err = s.parseCSV(*req.CSV)
	} else {
		rows, err = s.parseRecords(req.Records)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("no records: want at least one")
	}
	if len(rows) > MaxRecords {
		return nil, fmt.Errorf("%d records: the most per request is %d", len(rows), MaxRecords)
	}
	return rows, nil
}

func (s *state) width() string {
	return fmt.Sprintf("%d values (%s)", len(s.codec.inputs), strings.Join(s.codec.inputs, ", "))
}

func (s *state) parseRecords(recs [][]any) ([][]string, error) {
	if len(recs) > MaxRecords {
		return nil, fmt.Errorf("%d records: the most per request is %d", len(recs), MaxRecords)
	}
	rows := make([][]string, len(recs))
	for i, rec := range recs {
		if len(rec) != len(s.codec.inputs) {
			return nil, fmt.Errorf("record %d has %d values: want %s", i, len(rec), s.width())
		}
		row := make([]string, len(rec))
		for j, v := range rec {
			switch x := v.(type) {
			case nil:
				row[j] = ""
			case string:
				row[j] = x
			case json.Number:
				row[j] = x.String()
			case bool:
				row[j] = strconv.FormatBool(x)
			default:
				return nil, fmt.Errorf("record %d, %s: want a number, a string or null, got %T", i, s.codec.inputs[j], v)
			}
		}
		rows[i] = row
	}
	return rows, nil
}

// parseCSV reads CSV text: records of the inputs in order, or under a
// header line that names every input (other columns are ignored).
func (s *state) parseCSV(text string) ([][]string, error) {
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var lines [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %v", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		lines = append(lines, rec)
		if len(lines) > MaxRecords+1 {
			return nil, fmt.Errorf("csv: more than %d records: the most per request is %d", MaxRecords, MaxRecords)
		}
	}
	if len(lines) == 0 {
		return nil, errors.New("csv: no records: want one line per record")
	}
	cols := make([]int, len(s.codec.inputs))
	for j := range cols {
		cols[j] = j
	}
	first, width := 0, len(s.codec.inputs)
	if header := lines[0]; s.isHeader(header) {
		for j, in := range s.codec.inputs {
			c := slices.IndexFunc(header, func(h string) bool { return strings.TrimSpace(h) == in })
			if c < 0 {
				return nil, fmt.Errorf("csv: the header has no column %q: want the inputs %s", in, strings.Join(s.codec.inputs, ", "))
			}
			cols[j] = c
		}
		first, width = 1, len(header)
	}
	rows := make([][]string, 0, len(lines)-first)
	for i, rec := range lines[first:] {
		if len(rec) != width {
			return nil, fmt.Errorf("csv line %d has %d values: want %s", i+first+1, len(rec), s.width())
		}
		row := make([]string, len(cols))
		for j, c := range cols {
			row[j] = rec[c]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// isHeader reports whether a CSV line names inputs: one of its fields is
// an input's name (and the model's inputs are not numbers).
func (s *state) isHeader(line []string) bool {
	for _, f := range line {
		f = strings.TrimSpace(f)
		if _, err := strconv.ParseFloat(f, 64); err == nil {
			continue
		}
		if slices.Contains(s.codec.inputs, f) {
			return true
		}
	}
	return false
}

// encode encodes raw records for the map: through the model's pipeline,
// or as finite numbers.
func (s *state) encode(rows [][]string) ([]float64, error) {
	d := s.codec.dim
	out := make([]float64, 0, len(rows)*d)
	if p := s.codec.pipe; p != nil {
		buf := make([]float64, 0, d)
		for i, row := range rows {
			enc, err := p.EncodeRecord(row, buf)
			if err != nil {
				return nil, fmt.Errorf("record %d: %v", i, trimPrefix(err))
			}
			out = append(out, enc...)
		}
		return out, nil
	}
	for i, row := range rows {
		for j, f := range row {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("record %d, %s: %q is not a finite number (this model takes numbers and has no preprocessing to fill missing values)", i, s.codec.inputs[j], f)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// trimPrefix drops the "loaders: " prefix of a library error.
func trimPrefix(err error) string { return strings.TrimPrefix(err.Error(), "loaders: ") }
