package trainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/somgraph/somgraph/internal/par"
)

// The codebook is almost all of a model file (1,600 units × 64 features
// are 102,400 numbers, 2 MB of JSON), and encoding/json formats and scans
// it one number at a time through reflection. encode and decodeModel
// handle the "weights" value themselves, in parallel chunks, and leave the
// rest of the file to encoding/json: the bytes written and the model read
// are exactly encoding/json's (TestWeightsJSONMatchesEncodingJSON).

// weightsNull is the top-level key and value that json.Marshal writes for
// a fileModel with nil Weights. The byte sequence cannot occur anywhere
// else in the output: inside an encoded string every '"' is escaped, so
// the quote after "weights" followed by ':' ends a key, and the only
// top-level key "weights" is fileModel's.
const weightsNull = `"weights":null`

// minUnitsPerChunk keeps small codebooks in one goroutine.
const minUnitsPerChunk = 64

// spliceWeights returns body, json.Marshal's encoding of a fileModel with
// nil Weights, with the null replaced by the K×dim codebook w encoded as
// encoding/json encodes [][]float64 (one array per unit). w must hold
// finite values only (Model.check).
func spliceWeights(body []byte, w []float64, dim int) ([]byte, error) {
	i := bytes.Index(body, []byte(weightsNull))
	if i < 0 || dim < 1 {
		return nil, errors.New("trainer: encoding the model: no weights in the encoded model")
	}
	k := len(w) / dim
	chunks := par.Chunks(k, minUnitsPerChunk)
	parts := make([][]byte, chunks)
	par.Split(k, chunks, func(c, lo, hi int) {
		b := make([]byte, 0, (hi-lo)*dim*20+2)
		for u := lo; u < hi; u++ {
			if u > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for j, x := range w[u*dim : (u+1)*dim] {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONFloat(b, x)
			}
			b = append(b, ']')
		}
		parts[c] = b
	})
	n := len(body) + 2
	for _, p := range parts {
		n += len(p)
	}
	key := len(weightsNull) - len("null")
	out := make([]byte, 0, n)
	out = append(out, body[:i+key]...)
	out = append(out, '[')
	for _, p := range parts {
		out = append(out, p...)
	}
	out = append(out, ']')
	return append(out, body[i+len(weightsNull):]...), nil
}

// appendJSONFloat appends the finite x as encoding/json writes a float64:
// the shortest decimal that reads back as x, in exponent form (with no
// leading zero in the exponent) below 1e-6 and from 1e21 in magnitude.
func appendJSONFloat(b []byte, x float64) []byte {
	abs := math.Abs(x)
	if abs == 0 || abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	}
	b = strconv.AppendFloat(b, x, 'e', -1, 64)
	if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-07 → e-7
		b = b[:n-1]
	}
	return b
}

// unmarshalModel decodes body, the JSON of a model file, into f as
// json.Unmarshal does. When the top-level "weights" is written as encode
// writes it (arrays of numbers, no spaces), it is parsed here in parallel
// and the rest of body by json.Unmarshal; anything else — spaces, another
// key that encoding/json would match to Weights, a number out of range,
// invalid JSON — goes through json.Unmarshal whole, so its result and its
// errors are encoding/json's.
func unmarshalModel(body []byte, f *fileModel) error {
	if lo, hi, ok := topWeights(body); ok {
		if w, ok := parseWeightRows(body[lo+1 : hi-1]); ok {
			rest := make([]byte, 0, len(body)-(hi-lo)+4)
			rest = append(append(append(rest, body[:lo]...), "null"...), body[hi:]...)
			if err := json.Unmarshal(rest, f); err == nil && f.Weights == nil {
				f.Weights = w
				return nil
			}
			*f = fileModel{}
		}
	}
	return json.Unmarshal(body, f)
}

// topWeights returns where the value of the last top-level key "weights"
// of the JSON object body starts and ends, when its value is an array of
// arrays whose end is the first "]]" after it and no top-level key is
// another spelling that encoding/json would match to fileModel.Weights.
// ok is false otherwise, and for anything this scan does not follow
// (which json.Unmarshal then judges): a key holding an escape or a
// non-ASCII byte, whitespace before the value. (A second "weights" key
// is left in the rest that unmarshalModel decodes, which then holds
// weights: it falls back.)
func topWeights(body []byte) (lo, hi int, ok bool) {
	if len(body) == 0 || body[0] != '{' {
		return 0, 0, false
	}
	depth, prev := 0, byte(0) // prev: the last structural byte outside strings
	found := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch c {
		case '"':
			end := i + 1 // the closing quote
			plain := true
			for ; end < len(body) && body[end] != '"'; end++ {
				if body[end] == '\\' {
					plain = false
					end++
				} else if body[end] >= 0x80 {
					plain = false
				}
			}
			if end >= len(body) {
				return 0, 0, false
			}
			if depth == 1 && (prev == '{' || prev == ',') { // a top-level key
				key := body[i+1 : end]
				if !plain {
					return 0, 0, false // an escape or a folding rune could spell weights
				}
				if bytes.EqualFold(key, []byte("weights")) {
					if string(key) != "weights" || end+2 >= len(body) || body[end+1] != ':' || body[end+2] != '[' {
						return 0, 0, false
					}
					lo = end + 2
					n := bytes.Index(body[lo:], []byte("]]"))
					if n < 0 {
						return 0, 0, false
					}
					hi = lo + n + 2
					found = true
					i, prev = hi-1, ']'
					continue
				}
			}
			i, prev = end, '"'
		case '{', '[':
			depth++
			prev = c
		case '}', ']':
			depth--
			prev = c
		case ',', ':':
			prev = c
		}
	}
	return lo, hi, found
}

// parseWeightRows parses s, rows of numbers "[n,n,...],[n,...]" as
// encode writes them (the weights array without its outer brackets), in
// parallel chunks of rows. Every number must follow JSON's grammar and
// read as strconv.ParseFloat reads it without error; ok is false for
// anything else, including an empty row.
func parseWeightRows(s []byte) (rows [][]float64, ok bool) {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	// Chunk starts: a row's '[' found after each share of the text. In
	// text that parses, "],[" only separates rows.
	chunks := par.Chunks(len(s), 1<<16)
	starts := []int{0}
	for c := 1; c < chunks; c++ {
		from := max(starts[len(starts)-1]+1, c*len(s)/chunks)
		if from >= len(s) {
			break
		}
		j := bytes.Index(s[from:], []byte("],["))
		if j < 0 {
			break
		}
		starts = append(starts, from+j+2)
	}
	starts = append(starts, len(s)+1) // a chunk ends one byte before the next starts (the comma)
	parts := make([][][]float64, len(starts)-1)
	good := make([]bool, len(parts))
	par.Split(len(parts), len(parts), func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			parts[c], good[c] = parseRows(s[starts[c] : starts[c+1]-1])
		}
	})
	n := 0
	for c, p := range parts {
		if !good[c] {
			return nil, false
		}
		n += len(p)
	}
	rows = make([][]float64, 0, n)
	for _, p := range parts {
		rows = append(rows, p...)
	}
	return rows, true
}

// parseRows parses "[n,...],[n,...]" (parseWeightRows). The rows share
// one backing array.
func parseRows(s []byte) ([][]float64, bool) {
	var rows [][]float64
	vals := make([]float64, 0, bytes.Count(s, []byte(","))+1) // commas: one fewer than the numbers, plus those between rows
	var starts []int
	i := 0
	for {
		if i >= len(s) || s[i] != '[' {
			return nil, false
		}
		i++
		starts = append(starts, len(vals))
		for {
			end, ok := jsonNumberEnd(s, i)
			if !ok {
				return nil, false
			}
			x, err := strconv.ParseFloat(string(s[i:end]), 64)
			if err != nil {
				return nil, false
			}
			vals = append(vals, x)
			i = end
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			break
		}
		if i >= len(s) || s[i] != ']' {
			return nil, false
		}
		i++
		if i == len(s) {
			break
		}
		if s[i] != ',' {
			return nil, false
		}
		i++
	}
	rows = make([][]float64, len(starts))
	for r, lo := range starts {
		hi := len(vals)
		if r+1 < len(starts) {
			hi = starts[r+1]
		}
		rows[r] = vals[lo:hi:hi]
	}
	return rows, true
}

// jsonNumberEnd returns the end of the JSON number starting at s[i]
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), and false if none
// starts there.
func jsonNumberEnd(s []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(i + 1)
	default:
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}
