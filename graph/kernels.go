package graph

// The reductions below run four independent sums: one running sum waits
// for the previous addition at every element (about four cycles), four
// sums let the additions overlap. They are the inner loops of the norms,
// the exact BMU distances, the neighbourhood energies and the update.

// dot returns Σ a_i·b_i in float64, for len(b) ≥ len(a).
func dot[T, U float](a []T, b []U) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += float64(x[0]) * float64(y[0])
		s1 += float64(x[1]) * float64(y[1])
		s2 += float64(x[2]) * float64(y[2])
		s3 += float64(x[3]) * float64(y[3])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i]) * float64(b[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// sum returns Σ v_i.
func sum(v []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		x := v[i : i+4 : i+4]
		s0 += x[0]
		s1 += x[1]
		s2 += x[2]
		s3 += x[3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// sqNorm returns Σ v_i² in float64.
func sqNorm[T float](v []T) float64 { return dot(v, v) }

// sqDist returns Σ (a_i − b_i)² in float64, for len(b) ≥ len(a).
func sqDist[T float](a, b []T) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		e0 := float64(x[0]) - float64(y[0])
		e1 := float64(x[1]) - float64(y[1])
		e2 := float64(x[2]) - float64(y[2])
		e3 := float64(x[3]) - float64(y[3])
		s0 += e0 * e0
		s1 += e1 * e1
		s2 += e2 * e2
		s3 += e3 * e3
	}
	for ; i < len(a); i++ {
		e := float64(a[i]) - float64(b[i])
		s0 += e * e
	}
	return (s0 + s1) + (s2 + s3)
}

// sqDistNorm returns Σ (a_i − b_i)² and Σ a_i² in float64, for
// len(b) ≥ len(a).
func sqDistNorm[T float](a, b []T) (dist, norm float64) {
	b = b[:len(a)]
	var s0, s1, s2, s3, n0, n1, n2, n3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		x0, x1, x2, x3 := float64(x[0]), float64(x[1]), float64(x[2]), float64(x[3])
		e0, e1, e2, e3 := x0-float64(y[0]), x1-float64(y[1]), x2-float64(y[2]), x3-float64(y[3])
		s0 += e0 * e0
		s1 += e1 * e1
		s2 += e2 * e2
		s3 += e3 * e3
		n0 += x0 * x0
		n1 += x1 * x1
		n2 += x2 * x2
		n3 += x3 * x3
	}
	for ; i < len(a); i++ {
		x0 := float64(a[i])
		e := x0 - float64(b[i])
		s0 += e * e
		n0 += x0 * x0
	}
	return (s0 + s1) + (s2 + s3), (n0 + n1) + (n2 + n3)
}

// dotSq returns Σ h_i·v_i² in float64, for len(v) ≥ len(h).
func dotSq[T float](h []float64, v []T) float64 {
	v = v[:len(h)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(h); i += 4 {
		x, y := h[i:i+4:i+4], v[i:i+4:i+4]
		y0, y1, y2, y3 := float64(y[0]), float64(y[1]), float64(y[2]), float64(y[3])
		s0 += x[0] * y0 * y0
		s1 += x[1] * y1 * y1
		s2 += x[2] * y2 * y2
		s3 += x[3] * y3 * y3
	}
	for ; i < len(h); i++ {
		y := float64(v[i])
		s0 += h[i] * y * y
	}
	return (s0 + s1) + (s2 + s3)
}

// stepRow applies the mini-batch rule w += st·(n − dt·w) to one unit's
// weights and returns ‖w‖² and w·n of the weights it replaced, in the same
// pass.
func stepRow[T float](w, n []T, st, dt T) (ww, wn float64) {
	n = n[:len(w)]
	var a0, a1, b0, b1 float64
	i := 0
	for ; i+2 <= len(w); i += 2 {
		x, y := w[i:i+2:i+2], n[i:i+2:i+2]
		x0, x1 := float64(x[0]), float64(x[1])
		a0 += x0 * x0
		a1 += x1 * x1
		b0 += x0 * float64(y[0])
		b1 += x1 * float64(y[1])
		x[0] += st * (y[0] - dt*x[0])
		x[1] += st * (y[1] - dt*x[1])
	}
	for ; i < len(w); i++ {
		x0 := float64(w[i])
		a0 += x0 * x0
		b0 += x0 * float64(n[i])
		w[i] += st * (n[i] - dt*w[i])
	}
	return a0 + a1, b0 + b1
}

// float is the element type of a codebook.
type float interface{ ~float32 | ~float64 }
