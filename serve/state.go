package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"math"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/somgraph/somgraph/cluster"
	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
	"github.com/somgraph/somgraph/viz"
)

// emptyColor is the colour of a unit without a value (no hits, no label),
// as viz draws it.
const emptyColor = "#f5f5f5"

// state is one snapshot of the explorer: a model, its map and the records'
// best-matching units. It is never changed after build, so every request
// reads it without locks (charts excepted, see chart).
type state struct {
	live    bool
	version int
	model   *trainer.Model
	m       *graph.Map
	grid    graph.Grid
	codec   *codec
	data    *loaders.Dataset // nil without records
	recs    *records         // decoded data, shared between snapshots of the same data

	bmu      []int
	dist     []float64
	units    [][]int // record indices per unit, ascending
	hits     []float64
	umatrix  []float64
	codebook [][]string        // decoded codebook per unit, display text per input
	cbNums   [][]float64       // decoded codebook per unit, numbers (NaN for categories)
	clusters []int             // cluster per unit, nil without clusters
	profiles []cluster.Profile // per cluster, nil without clusters or records
	meanAll  []float64         // mean of every continuous input over the records
	sdAll    []float64         // standard deviation of every continuous input over the records

	mapJSON []byte // the /api/map answer

	chartMu sync.Mutex // guards interp: viz.Interpretation is not safe for concurrent use
	interp  *viz.Interpretation
}

// codec decodes encoded vectors (records and codebook rows) into the
// model's input features: through its pipeline, or as they are for a model
// trained on plain numbers.
type codec struct {
	inputs []string
	cont   []bool // per input: continuous (else categorical)
	pipe   *loaders.Pipeline
	dim    int
}

func newCodec(md *trainer.Model) *codec {
	c := &codec{pipe: md.Pipeline, dim: md.Config.Dim}
	if c.pipe != nil {
		c.inputs = c.pipe.Inputs()
		for _, col := range c.pipe.Columns {
			c.cont = append(c.cont, col.Kind == loaders.Continuous)
		}
		return c
	}
	for j := range c.dim {
		name := "feature " + strconv.Itoa(j)
		if md.Features != nil {
			name = md.Features[j]
		}
		c.inputs = append(c.inputs, name)
		c.cont = append(c.cont, true)
	}
	return c
}

// decode returns the input features of enc: numbers (NaN for a categorical
// input) and level names ("" for a continuous input).
func (c *codec) decode(enc []float64) (nums []float64, levels []string, err error) {
	nums, levels = make([]float64, len(c.inputs)), make([]string, len(c.inputs))
	if c.pipe == nil {
		copy(nums, enc)
		return nums, levels, nil
	}
	vals, err := c.pipe.Denormalize(enc)
	if err != nil {
		return nil, nil, err
	}
	cats, err := c.pipe.Recategorize(enc)
	if err != nil {
		return nil, nil, err
	}
	for j, cont := range c.cont {
		if cont {
			nums[j], vals = vals[0], vals[1:]
		} else {
			nums[j], levels[j], cats = math.NaN(), cats[0], cats[1:]
		}
	}
	return nums, levels, nil
}

// text formats decoded values with digits significant digits.
func (c *codec) text(nums []float64, levels []string, digits int) []string {
	out := make([]string, len(nums))
	for j, cont := range c.cont {
		if cont {
			out[j] = strconv.FormatFloat(nums[j], 'g', digits, 64)
		} else {
			out[j] = levels[j]
		}
	}
	return out
}

// records are the decoded records of a dataset.
type records struct {
	data   *loaders.Dataset
	text   [][]string  // per record, per input (12 significant digits)
	nums   [][]float64 // per record, per input (NaN for categories)
	labels []string    // nil without labels
}

func decodeRecords(c *codec, ds *loaders.Dataset) (*records, error) {
	r := &records{data: ds, text: make([][]string, ds.N), nums: make([][]float64, ds.N), labels: ds.Labels}
	for i := range ds.N {
		nums, levels, err := c.decode(ds.Row(i))
		if err != nil {
			return nil, fmt.Errorf("serve: decoding record %d: %w", i, err)
		}
		r.nums[i], r.text[i] = nums, c.text(nums, levels, 12)
	}
	return r, nil
}

// build makes the snapshot of model md with data (nil for none); prev, if
// not nil, lends its decoded records when the data are the same.
func build(md *trainer.Model, data *loaders.Dataset, prev *state, version int, live bool) (*state, error) {
	if md == nil {
		return nil, errors.New("serve: no model: pass a *trainer.Model (trainer.LoadFile reads one)")
	}
	m, err := md.Map()
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if md.Target != nil { // a supervised map is explored by its features layer
		p, err := md.Predictor()
		if err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		m, data = p.Map(), p.Select(data)
	}
	s := &state{live: live, version: version, model: md, m: m, grid: m.Grid(), codec: newCodec(md), data: data}
	k, d := m.Units(), m.Dim()
	if data != nil {
		if data.D != d {
			return nil, fmt.Errorf("serve: the data have %d features, the map %d: encode them with the model's pipeline", data.D, d)
		}
		if data.N == 0 {
			return nil, errors.New("serve: the data have no records")
		}
		check := data.Check
		if md.Config.Missing { // the map skips missing values (NaN)
			check = data.CheckMissing
		}
		if err := check(); err != nil {
			return nil, fmt.Errorf("serve: data: %w", err)
		}
		if data.Labels != nil && len(data.Labels) != data.N {
			return nil, fmt.Errorf("serve: data: %d labels for %d records", len(data.Labels), data.N)
		}
		if s.bmu, s.dist, err = m.Predict(data.Data); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if prev != nil && prev.recs != nil && prev.recs.data == data {
			s.recs = prev.recs
		} else if s.recs, err = decodeRecords(s.codec, data); err != nil {
			return nil, err
		}
		s.units = make([][]int, k)
		for i, u := range s.bmu {
			s.units[u] = append(s.units[u], i)
		}
		if s.hits, err = viz.Hits(s.bmu, k); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		s.meanAll, s.sdAll = columnStats(s.recs.nums, nil)
	}
	w := m.Weights()
	s.umatrix = viz.UMatrix(s.grid, w, d)
	s.codebook, s.cbNums = make([][]string, k), make([][]float64, k)
	for u := range k {
		nums, levels, err := s.codec.decode(w[u*d : (u+1)*d])
		if err != nil {
			return nil, fmt.Errorf("serve: decoding unit %d: %w", u, err)
		}
		s.cbNums[u], s.codebook[u] = nums, s.codec.text(nums, levels, 4)
	}
	s.clusters = modelClusters(md)
	if s.profiles, err = s.clusterProfiles(); err != nil {
		return nil, err
	}
	if s.mapJSON, err = json.Marshal(s.mapView()); err != nil {
		return nil, fmt.Errorf("serve: encoding the map: %w", err)
	}
	return s, nil
}

// columnStats returns the mean and standard deviation of every column of
// nums over the rows idx (all rows if idx is nil); NaN columns stay NaN.
func columnStats(nums [][]float64, idx []int) (mean, sd []float64) {
	if len(nums) == 0 {
		return nil, nil
	}
	d := len(nums[0])
	mean, sd = make([]float64, d), make([]float64, d)
	n := 0
	each := func(fn func(row []float64)) {
		if idx == nil {
			for _, r := range nums {
				fn(r)
			}
			return
		}
		for _, i := range idx {
			fn(nums[i])
		}
	}
	each(func(r []float64) {
		n++
		for j, v := range r {
			mean[j] += v
		}
	})
	if n == 0 {
		for j := range mean {
			mean[j], sd[j] = math.NaN(), math.NaN()
		}
		return mean, sd
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	each(func(r []float64) {
		for j, v := range r {
			sd[j] += (v - mean[j]) * (v - mean[j])
		}
	})
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(n))
	}
	return mean, sd
}

// num is a float64 that encodes as JSON null when it is NaN or infinite
// (JSON has no NaN).
type num float64

func (v num) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// round4 rounds a coordinate in grid units to 4 decimals: a thousandth of
// a cell is below a pixel, and the JSON stays short.
func round4(x float64) num { return num(math.Round(x*1e4) / 1e4) }

func nums(v []float64) []num {
	out := make([]num, len(v))
	for i, x := range v {
		out[i] = num(x)
	}
	return out
}

func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// mapView is the /api/map answer.
type mapView struct {
	Version  int         `json:"version"`
	Live     bool        `json:"live"`
	Grid     gridView    `json:"grid"`
	Width    num         `json:"width"`  // the map's extent in grid units (viz.MapExtent)
	Height   num         `json:"height"` //
	Cells    []cellView  `json:"cells"`
	Inputs   []string    `json:"inputs"`
	Kinds    []string    `json:"kinds"` // "continuous" or "categorical" per input
	Records  int         `json:"records"`
	Labels   bool        `json:"labels"`
	Hits     []int       `json:"hits"`              // per unit, nil without records
	Clusters []int       `json:"clusters"`          // per unit, nil without clusters
	Codebook [][]string  `json:"codebook"`          // per unit, per input: decoded values as text
	Layers   []layerView `json:"layers"`            //
	History  []epochView `json:"history"`           //
	Charts   []string    `json:"charts"`            // chart names /api/chart draws for this map
	Model    modelView   `json:"model"`             //
	Borders  [][2]int    `json:"borders,omitempty"` // neighbouring units in different clusters
}

type gridView struct {
	Rows     int    `json:"rows"`
	Cols     int    `json:"cols"`
	Topology string `json:"topology"`
	Toroidal bool   `json:"toroidal"`
	// TENeighbors is how many grid neighbours the topographic error
	// counts as adjacent (graph.Config.TENeighborCount), shown beside TE.
	TENeighbors int `json:"te_neighbors"`
}

type modelView struct {
	Distance     string `json:"distance"`
	Neighborhood string `json:"neighborhood"`
	Mode         string `json:"mode"`
	Schedule     string `json:"schedule"`
	Dim          int    `json:"dim"`
}

// cellView is a unit's place: its row and column, and its centre and
// polygon in grid units (viz.CellShape).
type cellView struct {
	Row    int      `json:"row"`
	Col    int      `json:"col"`
	X      num      `json:"x"`
	Y      num      `json:"y"`
	Points [][2]num `json:"points"`
}

// layerView is one colouring of the map.
type layerView struct {
	Name   string   `json:"name"`  // "hits", "umatrix", "feature:<input>", "class", "clusters"
	Title  string   `json:"title"` // shown in the layer menu and above the colour bar
	Kind   string   `json:"kind"`  // "values" or "categories"
	Colors []string `json:"colors"`
	// values
	Values []num    `json:"values,omitempty"`
	Min    num      `json:"min"`
	Max    num      `json:"max"`
	Bar    []string `json:"bar,omitempty"` // colour bar from Min to Max
	// categories
	Categories  []int    `json:"categories,omitempty"` // per unit, -1 for none
	Levels      []string `json:"levels,omitempty"`
	LevelColors []string `json:"level_colors,omitempty"`
	// Chart is the /api/chart path (without extension and query) that
	// draws this layer with viz, and Query its query string.
	Chart string `json:"chart,omitempty"`
	Query string `json:"query,omitempty"`
}

type epochView struct {
	Epoch      int  `json:"epoch"`
	TrainQE    num  `json:"train_qe"`
	TrainTE    num  `json:"train_te"`
	ValidQE    *num `json:"valid_qe,omitempty"`
	ValidTE    *num `json:"valid_te,omitempty"`
	Alpha      num  `json:"alpha"`
	Sigma      num  `json:"sigma"`
	BatchSize  int  `json:"batch_size"`
	Distortion num  `json:"distortion"`
}

func valuesLayer(name, title string, v []float64) layerView {
	l := layerView{Name: name, Title: title, Kind: "values", Values: nums(v), Colors: make([]string, len(v))}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		lo, hi = 0, 0
	}
	l.Min, l.Max = num(lo), num(hi)
	for i, x := range v {
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			l.Colors[i] = emptyColor
		case hi <= lo:
			l.Colors[i] = hex(viz.Viridis(0.5))
		default:
			l.Colors[i] = hex(viz.Viridis((x - lo) / (hi - lo)))
		}
	}
	for i := range 11 {
		l.Bar = append(l.Bar, hex(viz.Viridis(float64(i)/10)))
	}
	return l
}

func categoriesLayer(name, title string, cats []int, levels []string) layerView {
	l := layerView{Name: name, Title: title, Kind: "categories", Categories: cats, Levels: levels, Colors: make([]string, len(cats))}
	for i := range levels {
		l.LevelColors = append(l.LevelColors, hex(viz.CategoryColor(i)))
	}
	for i, c := range cats {
		if c < 0 || c >= len(levels) {
			l.Colors[i] = emptyColor
		} else {
			l.Colors[i] = l.LevelColors[c]
		}
	}
	return l
}

// fromChart turns a viz map chart into a layer, so the page colours units
// as somgraph plot does.
func fromChart(name, title string, mc *viz.MapChart) layerView {
	if mc.Categories != nil {
		levels := mc.CategoryNames
		if levels == nil {
			n := 0
			for _, c := range mc.Categories {
				n = max(n, c+1)
			}
			for i := range n {
				levels = append(levels, strconv.Itoa(i))
			}
		}
		return categoriesLayer(name, title, mc.Categories, levels)
	}
	return valuesLayer(name, title, mc.Values)
}

func (s *state) mapView() *mapView {
	g, k := s.grid, s.grid.Units()
	v := &mapView{
		Version: s.version,
		Live:    s.live,
		Grid:    gridView{Rows: g.Rows, Cols: g.Cols, Topology: g.Topology.String(), Toroidal: g.Toroidal, TENeighbors: s.model.Config.TENeighborCount()},
		Inputs:  s.codec.inputs,
		Cells:   make([]cellView, k),
		Model: modelView{Distance: s.model.Config.Distance.String(), Neighborhood: s.model.Config.Neighborhood.String(),
			Mode: s.model.Mode.String(), Schedule: s.model.ScheduleName, Dim: s.model.Config.Dim},
		Codebook: s.codebook,
		Clusters: s.clusters,
	}
	w, h := viz.MapExtent(g)
	v.Width, v.Height = num(w), num(h)
	for u := range k {
		cx, cy, xs, ys := viz.CellShape(g, u)
		r, c := g.RowCol(u)
		cell := cellView{Row: r, Col: c, X: round4(cx), Y: round4(cy)}
		for i := range xs {
			cell.Points = append(cell.Points, [2]num{round4(xs[i]), round4(ys[i])})
		}
		v.Cells[u] = cell
	}
	for _, cont := range s.codec.cont {
		v.Kinds = append(v.Kinds, map[bool]string{true: "continuous", false: "categorical"}[cont])
	}
	if s.data != nil {
		v.Records, v.Labels = s.data.N, s.data.Labels != nil
		v.Hits = make([]int, k)
		for u, n := range s.hits {
			v.Hits[u] = int(n)
		}
		hm := valuesLayer("hits", "hits (records per unit)", viz.HitmapChart(g, s.hits, "").Values)
		hm.Chart = "hitmap"
		v.Layers = append(v.Layers, hm)
	}
	um := valuesLayer("umatrix", "U-matrix (mean distance to neighbours)", s.umatrix)
	um.Chart = "umatrix"
	v.Layers = append(v.Layers, um)
	for j, name := range s.codec.inputs {
		var l layerView
		if s.codec.cont[j] {
			vals := make([]float64, k)
			for u := range k {
				vals[u] = s.cbNums[u][j]
			}
			l = valuesLayer("feature:"+name, name, vals)
		} else {
			levels := s.levels(j)
			cats := make([]int, k)
			for u := range k {
				cats[u] = slices.Index(levels, s.codebook[u][j])
			}
			l = categoriesLayer("feature:"+name, name, cats, levels)
		}
		l.Chart, l.Query = "features", "feature="+url.QueryEscape(name)
		v.Layers = append(v.Layers, l)
	}
	if s.data != nil && s.data.Labels != nil {
		if mc, err := viz.PredsChart(g, s.bmu, s.data.Labels, 0, ""); err == nil {
			l := fromChart("class", "class (most frequent label)", mc)
			l.Chart = "preds"
			v.Layers = append(v.Layers, l)
		}
	}
	if s.clusters != nil {
		l := categoriesLayer("clusters", "clusters", s.clusters, clusterNames(s.clusters))
		l.Chart = "clusters"
		v.Layers = append(v.Layers, l)
		v.Borders = clusterBorders(g, s.clusters)
	}
	for _, e := range s.model.History {
		ev := epochView{Epoch: e.Epoch, TrainQE: num(e.Train.QE), TrainTE: num(e.Train.TE), Alpha: num(e.Alpha),
			Sigma: num(e.Sigma), BatchSize: e.BatchSize, Distortion: num(e.Train.Distortion)}
		if e.HasValid {
			qe, te := num(e.Valid.QE), num(e.Valid.TE)
			ev.ValidQE, ev.ValidTE = &qe, &te
		}
		v.History = append(v.History, ev)
	}
	v.Charts = s.chartNames()
	return v
}

// levels returns the levels of categorical input j: the pipeline's.
func (s *state) levels(j int) []string {
	for _, g := range s.codec.pipe.Layout().Groups {
		if g.Column == j && g.Kind == loaders.Categorical {
			return g.Levels
		}
	}
	return nil
}

// clusterBorders returns the pairs of neighbouring units (a < b) that lie
// in different clusters: the edges the page draws as cluster borders.
func clusterBorders(g graph.Grid, clusters []int) [][2]int {
	var out [][2]int
	for a := range g.Units() {
		for _, b := range g.Neighbors(a) {
			if a < b && clusters[a] != clusters[b] {
				out = append(out, [2]int{a, b})
			}
		}
	}
	return out
}
