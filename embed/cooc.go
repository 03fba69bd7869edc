package embed

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// CoOccurrenceBins is how many quantile bins a continuous column is cut
// into to serve as context for CoOccurrence.
const CoOccurrenceBins = 4

// CoOccurrence computes embedding tables without training: for each
// categorical column, the counts of its levels against the context
// tokens of the same rows — the other categorical columns' levels and
// each continuous column's quartile (CoOccurrenceBins quantile bins) —
// weighted by positive pointwise mutual information (PPMI) and reduced
// by a truncated SVD: level k's vector is row k of U·Σ over the first
// Sizes[c] singular values (dimensions beyond the matrix's rank are 0).
// The unknown level's vector is the mean of the levels' vectors weighted
// by their counts. It is deterministic (no seed) and takes one pass over
// the rows and one small SVD per column. Only Data and Options.Sizes are
// used; the errors are Fit's, and a table with a single column has no
// context (ErrInput).
func CoOccurrence(d *Data, opts *Options) (*Model, error) {
	o, err := d.check(opts)
	if err != nil {
		return nil, err
	}
	nc := len(d.Levels)
	if nc+d.NCont < 2 {
		return nil, fmt.Errorf("%w: one column: co-occurrence embeddings need other columns as context", ErrInput)
	}
	// Context tokens: each categorical column's levels, then each
	// continuous column's bins. offset[c] is column c's first token.
	offset := make([]int, nc+d.NCont+1)
	for c := range nc {
		offset[c+1] = offset[c] + d.Levels[c]
	}
	cuts := make([][]float64, d.NCont)
	col := make([]float64, d.N)
	for j := range d.NCont {
		for i := range d.N {
			col[i] = d.Cont[i*d.NCont+j]
		}
		slices.Sort(col)
		for b := 1; b < CoOccurrenceBins; b++ {
			cuts[j] = append(cuts[j], col[b*(d.N-1)/CoOccurrenceBins])
		}
		offset[nc+j+1] = offset[nc+j] + CoOccurrenceBins
	}
	nTok := offset[len(offset)-1]
	tokens := make([]int, 0, nc+d.NCont) // one row's tokens, -1 for unknown
	m := &Model{Sizes: o.Sizes, Best: -1, Tables: make([][][]float64, nc)}
	counts := make([][]float64, nc)
	for c := range nc {
		counts[c] = make([]float64, d.Levels[c]*nTok)
	}
	for i := range d.N {
		tokens = tokens[:0]
		for c := range nc {
			k := d.Codes[i*nc+c]
			if k < 0 || k >= d.Levels[c] {
				k = -1
			} else {
				k += offset[c]
			}
			tokens = append(tokens, k)
		}
		for j := range d.NCont {
			x := d.Cont[i*d.NCont+j]
			b, _ := slices.BinarySearch(cuts[j], x)
			tokens = append(tokens, offset[nc+j]+b)
		}
		for c := range nc {
			k := tokens[c]
			if k < 0 {
				continue
			}
			row := counts[c][(k-offset[c])*nTok:]
			for t, tok := range tokens {
				if t != c && tok >= 0 {
					row[tok]++
				}
			}
		}
	}
	for c := range nc {
		if m.Tables[c] = ppmiSVD(counts[c], d.Levels[c], nTok, o.Sizes[c]); m.Tables[c] == nil {
			return nil, fmt.Errorf("%w: column %s: its levels occur independently of every other column (all PPMI weights 0): no co-occurrence to embed", ErrInput, d.name(c))
		}
	}
	return m, nil
}

// ppmiSVD weights a levels × tokens count matrix by PPMI and returns the
// levels' rows of U·Σ truncated to size columns, then the unknown
// level's row (the levels' rows weighted by their counts). A level whose
// row is zero (it never occurs, or independently of every token) gets the
// unknown level's vector; if that is zero too, ppmiSVD returns nil.
func ppmiSVD(counts []float64, levels, tokens, size int) [][]float64 {
	rowSum := make([]float64, levels)
	colSum := make([]float64, tokens)
	total := 0.0
	for k := range levels {
		for t := range tokens {
			n := counts[k*tokens+t]
			rowSum[k] += n
			colSum[t] += n
			total += n
		}
	}
	w := mat.NewDense(levels, tokens, nil)
	for k := range levels {
		for t := range tokens {
			if n := counts[k*tokens+t]; n > 0 {
				w.Set(k, t, math.Max(0, math.Log(n*total/(rowSum[k]*colSum[t]))))
			}
		}
	}
	out := make([][]float64, levels+1)
	for k := range out {
		out[k] = make([]float64, size)
	}
	var svd mat.SVD
	if svd.Factorize(w, mat.SVDThin) {
		var u mat.Dense
		svd.UTo(&u)
		s := svd.Values(nil)
		for k := range levels {
			for j := 0; j < size && j < len(s); j++ {
				out[k][j] = u.At(k, j) * s[j]
			}
		}
	}
	unknown := out[levels]
	for k := range levels {
		for j := range size {
			unknown[j] += out[k][j] * rowSum[k] / math.Max(total, 1)
		}
	}
	if isZero(unknown) {
		return nil
	}
	for k := range levels {
		if isZero(out[k]) {
			copy(out[k], unknown)
		}
	}
	return out
}

func isZero(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
