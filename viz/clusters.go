package viz

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// WithClusters gives the Interpretation a clustering of the map's units:
// every map chart then draws the borders between clusters, and the
// ClusterMap, Criteria and ClusterProfiles charts can be drawn. A nil r
// changes nothing.
func WithClusters(r *cluster.Result) Option {
	return func(in *Interpretation) {
		if r != nil {
			in.clusters = r
		}
	}
}

// Clusters returns the clustering given with WithClusters (or the model's),
// or nil.
func (in *Interpretation) Clusters() *cluster.Result { return in.clusters }

// borders returns the unit labels map charts draw borders between, or nil.
func (in *Interpretation) borders() []int {
	if in.clusters == nil || len(in.clusters.Labels) != in.m.Units() {
		return nil
	}
	return in.clusters.Labels
}

// render draws map charts with the clusters' borders.
func (in *Interpretation) render(w io.Writer, f Format, title string, charts ...*MapChart) error {
	for _, mc := range charts {
		if mc.Borders == nil {
			mc.Borders = in.borders()
		}
	}
	return RenderMaps(w, f, title, charts...)
}

var errNoClusters = errors.New("viz: no clusters: cluster the map (somgraph cluster, cluster.Fit) and pass them with WithClusters")

// ClusterMapChart returns the map of the clusters of labels (one per unit,
// 0..k−1) on grid g: one colour per cluster, with a legend and the borders
// between clusters.
func ClusterMapChart(g graph.Grid, labels []int, title string) *MapChart {
	k := 0
	for _, c := range labels {
		k = max(k, c+1)
	}
	sizes := cluster.Counts(labels, k)
	names := make([]string, k)
	for c := range names {
		names[c] = fmt.Sprintf("%d (%d units)", c, sizes[c])
	}
	return &MapChart{Grid: g, Title: title, Categories: labels, CategoryNames: names, Borders: labels}
}

// ClusterMap draws the map's clusters (see ClusterMapChart).
func (in *Interpretation) ClusterMap(w io.Writer, f Format) error {
	if in.borders() == nil {
		return errNoClusters
	}
	r := in.clusters
	title := fmt.Sprintf("Clusters (%v, k = %d)", r.Method, r.K)
	return ClusterMapChart(in.m.Grid(), r.Labels, title).Render(w, f)
}

// CriteriaCharts returns the curve charts of the silhouette and the
// Davies–Bouldin index over the k tried, the chosen k marked by a dot.
func CriteriaCharts(r *cluster.Result) ([]*CurveChart, error) {
	if r == nil || len(r.Criteria) == 0 {
		return nil, errors.New("viz: the clustering has no criteria to draw")
	}
	var ks, sil, db []float64
	chosen := -1
	for i, c := range r.Criteria {
		ks, sil, db = append(ks, float64(c.K)), append(sil, c.Silhouette), append(db, c.DaviesBouldin)
		if c.K == r.K {
			chosen = i
		}
	}
	s := &CurveChart{Title: fmt.Sprintf("Silhouette by k (higher is better; chosen k = %d)", r.K), XLabel: "k", YLabel: "silhouette",
		Series: []Series{{"silhouette", ks, sil}}, Height: 260}
	d := &CurveChart{Title: "Davies–Bouldin index by k (lower is better)", XLabel: "k", YLabel: "Davies–Bouldin",
		Series: []Series{{"Davies–Bouldin", ks, db}}, Height: 260}
	if chosen >= 0 && len(ks) > 1 {
		s.Series = append(s.Series, Series{"chosen k", ks[chosen : chosen+1], sil[chosen : chosen+1]})
		d.Series = append(d.Series, Series{"chosen k", ks[chosen : chosen+1], db[chosen : chosen+1]})
	}
	return []*CurveChart{s, d}, nil
}

// Criteria draws the silhouette and Davies–Bouldin index by k.
func (in *Interpretation) Criteria(w io.Writer, f Format) error {
	if in.clusters == nil {
		return errNoClusters
	}
	cs, err := CriteriaCharts(in.clusters)
	if err != nil {
		return err
	}
	return RenderCurves(w, f, cs...)
}

// ClusterProfiles returns the profiles of the clusters by the training
// records (decoded with the decoder), or by the codebook's units when the
// Interpretation has no training data.
func (in *Interpretation) ClusterProfiles() ([]cluster.Profile, error) {
	if in.borders() == nil {
		return nil, errNoClusters
	}
	ds, bmus := in.train, []int(nil)
	if ds != nil {
		var err error
		if bmus, err = in.BMUs(ds); err != nil {
			return nil, err
		}
	} else {
		ds = codebookDataset(in.m)
		bmus = make([]int, ds.N)
		for u := range bmus {
			bmus[u] = u
		}
	}
	var dec cluster.Decoder
	if in.dec != nil {
		dec = in.dec
	}
	ps, err := in.clusters.Profiles(ds, bmus, dec)
	if err != nil {
		return nil, fmt.Errorf("viz: %w", err)
	}
	return ps, nil
}

// Profiles draws the clusters' profiles (see ProfileChart), from the
// training records or, without them, from the units.
func (in *Interpretation) Profiles(w io.Writer, f Format) error {
	ps, err := in.ClusterProfiles()
	if err != nil {
		return err
	}
	by := "records"
	if in.train == nil {
		by = "units"
	}
	return (&ProfileChart{Title: "Cluster profiles (colour: mean in standard deviations from all " + by + "; text: the cluster's mean or share)", Profiles: ps}).Render(w, f)
}

// ProfileChart draws cluster profiles as a heat map: one row per cluster,
// one column per continuous feature (coloured by the cluster's
// standardized mean, Z, annotated with the mean) and per level of a
// categorical feature (coloured by ShareZ, annotated with the share), the
// target last. Blue is below the mean of all records, red above.
type ProfileChart struct {
	Title    string
	Profiles []cluster.Profile
	// CellSize is the width of a column in pixels; 0 means 56.
	CellSize float64
}

type profileColumn struct {
	name  string
	z     []float64 // per cluster
	label []string  // per cluster
}

func (pc *ProfileChart) columns() []profileColumn {
	var cols []profileColumn
	stats := func(p cluster.Profile) []cluster.FeatureStat {
		fs := p.Features
		if p.Target != nil {
			fs = append(append([]cluster.FeatureStat(nil), fs...), *p.Target)
		}
		return fs
	}
	first := stats(pc.Profiles[0])
	for j, f := range first {
		if !f.Categorical {
			col := profileColumn{name: f.Name}
			for _, p := range pc.Profiles {
				s := stats(p)[j]
				col.z = append(col.z, s.Z)
				col.label = append(col.label, formatShort(round4(s.Mean)))
			}
			cols = append(cols, col)
			continue
		}
		for li, level := range f.Levels {
			col := profileColumn{name: f.Name + "=" + level}
			for _, p := range pc.Profiles {
				s := stats(p)[j]
				z, share := 0.0, math.NaN()
				if li < len(s.Shares) && s.Levels[li] == level {
					share = s.Shares[li]
					if li < len(s.ShareZ) {
						z = s.ShareZ[li]
					}
				}
				col.z = append(col.z, z)
				lab := ""
				if !math.IsNaN(share) {
					lab = strconv.Itoa(int(math.Round(100*share))) + "%"
				}
				col.label = append(col.label, lab)
			}
			cols = append(cols, col)
		}
	}
	return cols
}

// round4 rounds v to 4 significant digits.
func round4(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// diverging maps t in [−1, 1] from blue through white to red.
func diverging(t float64) drawing.Color {
	if math.IsNaN(t) {
		return colorEmpty
	}
	t = math.Max(-1, math.Min(1, t))
	blue := drawing.Color{R: 33, G: 102, B: 172, A: 255}
	red := drawing.Color{R: 178, G: 24, B: 43, A: 255}
	end := red
	if t < 0 {
		end, t = blue, -t
	}
	mix := func(a uint8) uint8 { return uint8(math.Round(255 + t*(float64(a)-255))) }
	return drawing.Color{R: mix(end.R), G: mix(end.G), B: mix(end.B), A: 255}
}

// Render draws the chart to w in format f.
func (pc *ProfileChart) Render(w io.Writer, f Format) error {
	if pc == nil || len(pc.Profiles) == 0 {
		return errors.New("viz: no cluster profiles to draw")
	}
	if _, err := f.provider(); err != nil {
		return err
	}
	cols := pc.columns()
	if len(cols) == 0 {
		return errors.New("viz: the profiles have no features")
	}
	cw := pc.CellSize
	if cw <= 0 {
		cw = 56
	}
	const rowH, pad = 26.0, 12.0
	rowLabels := make([]string, len(pc.Profiles))
	labelW := 0.0
	for i, p := range pc.Profiles {
		rowLabels[i] = fmt.Sprintf("cluster %d (%d)", p.Cluster, p.Records)
		labelW = math.Max(labelW, textWidth(rowLabels[i], fontLabel))
	}
	headH := 0.0
	for _, c := range cols {
		headH = math.Max(headH, textWidth(c.name, fontTick))
	}
	headH = math.Min(headH, 220) + 8
	titleH := 0.0
	if pc.Title != "" {
		titleH = 26
	}
	gridX := pad + labelW + 8
	gridY := pad + titleH + headH
	width := gridX + cw*float64(len(cols)) + pad + 70
	width = math.Max(width, textWidth(pc.Title, fontTitle)+2*pad)
	height := gridY + rowH*float64(len(pc.Profiles)) + pad + 30
	c, err := newCanvas(f, int(math.Ceil(width)), int(math.Ceil(height)))
	if err != nil {
		return err
	}
	if pc.Title != "" {
		c.text(pc.Title, width/2, pad+8, fontTitle, colorText, alignCenter)
	}
	// the colour scale spans ±max |z|, at least ±1 and at most ±3
	m := 1.0
	for _, col := range cols {
		for _, z := range col.z {
			if !math.IsNaN(z) {
				m = math.Max(m, math.Abs(z))
			}
		}
	}
	m = math.Min(m, 3)
	for j, col := range cols {
		x := gridX + cw*float64(j)
		c.textUp(col.name, x+cw/2+capHeight(fontTick)/2, gridY-6, fontTick, colorText)
		for i := range pc.Profiles {
			y := gridY + rowH*float64(i)
			fill := diverging(col.z[i] / m)
			c.poly([]float64{x, x + cw, x + cw, x}, []float64{y, y, y + rowH, y + rowH}, fill, colorWhite, 1)
			c.text(col.label[i], x+cw/2, y+rowH/2, fontTick, textOn(fill), alignCenter)
		}
	}
	for i, l := range rowLabels {
		c.text(l, gridX-6, gridY+rowH*(float64(i)+0.5), fontLabel, colorText, alignRight)
	}
	// colour bar below the grid
	by := gridY + rowH*float64(len(pc.Profiles)) + 10
	bw := math.Min(240, cw*float64(len(cols)))
	const steps = 48
	for s := range steps {
		t := -1 + 2*(float64(s)+0.5)/steps
		x0 := gridX + bw*float64(s)/steps
		c.rect(x0, by, x0+bw/steps+0.6, by+8, diverging(t))
	}
	c.text(formatValue(-m, 0.1)+" sd", gridX, by+18, fontTick, colorMuted, alignLeft)
	c.text("0", gridX+bw/2, by+18, fontTick, colorMuted, alignCenter)
	c.text("+"+formatValue(m, 0.1)+" sd", gridX+bw, by+18, fontTick, colorMuted, alignRight)
	return c.save(w)
}

// drawBorders draws a line on every edge between neighbouring units of
// different clusters (mc.Borders), hexagonal and toroidal grids included:
// on a toroidal map an edge that wraps is drawn at both map edges.
func (mc *MapChart) drawBorders(c *canvas, mx, my float64, l mapLayout) {
	g := mc.Grid
	labels := mc.Borders
	lw := math.Max(1.5, math.Min(4, l.scale*0.12))
	half := l.scale / 2
	w, h := float64(g.Cols), float64(g.Rows)
	if g.Topology == graph.Hexagonal {
		half = hexRadius * l.scale / 2
		h *= hexPitch
	}
	for u := range g.Units() {
		ux, uy := g.Coords(u)
		cx, cy := mc.centre(u, l.scale)
		for _, v := range g.Neighbors(u) {
			if labels[u] == labels[v] {
				continue
			}
			vx, vy := g.Coords(v)
			dx, dy := vx-ux, vy-uy
			wrapped := math.Hypot(dx, dy) > 1+1e-6
			if !wrapped && v < u {
				continue // interior edges once
			}
			if wrapped { // the offset over the wrapped edge
				if dx > w/2 {
					dx -= w
				} else if dx < -w/2 {
					dx += w
				}
				if dy > h/2 {
					dy -= h
				} else if dy < -h/2 {
					dy += h
				}
			}
			d := math.Hypot(dx, dy)
			px, py := -dy/d, dx/d
			midX, midY := mx+cx+dx*l.scale/2, my+cy+dy*l.scale/2
			c.line(midX-px*half, midY-py*half, midX+px*half, midY+py*half, colorBorder, lw)
		}
	}
}

// codebookDataset returns the map's codebook as a dataset of its units.
func codebookDataset(m *graph.Map) *loaders.Dataset {
	return &loaders.Dataset{N: m.Units(), D: m.Dim(), Data: m.Weights()}
}
