// Package pca finds the principal components of a data matrix. It is the
// one implementation behind the map's PCA initialization (graph) and the
// codebook colours and PCA scatter (viz).
package pca

import (
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Components returns the principal directions of the n×d row-major data x
// as the columns of vecs (d×d, by decreasing variance), the variance along
// each, and the columns' means. x is not changed. ok is false if n < 2 or
// the decomposition fails; x must be finite (callers check it).
func Components(x []float64, n, d int) (vecs *mat.Dense, vars, mean []float64, ok bool) {
	mean = make([]float64, d)
	for i, v := range x[:n*d] {
		mean[i%d] += v / float64(n)
	}
	if n < 2 {
		return nil, nil, mean, false
	}
	var pc stat.PC
	if !pc.PrincipalComponents(mat.NewDense(n, d, x[:n*d:n*d]), nil) {
		return nil, nil, mean, false
	}
	vecs = new(mat.Dense)
	pc.VectorsTo(vecs)
	return vecs, pc.VarsTo(nil), mean, true
}
