package viz

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
)

// ChartHook is a training hook (fastsom's visualization callbacks) that
// writes charts to a folder every Every epochs and after the last one:
//
//   - hitmap_eNNNN: the hit map of the training data after epoch NNNN
//     (1-based), or, without Train, the hits of the epoch's batches;
//   - pca_eNNNN: records and codebook on the records' first two
//     principal components (only with Train);
//   - hyperparams and loss: α, σ, batch size and the quantization error
//     per epoch so far (rewritten each time).
//
// Written lists every file written, in order, for notebooks to show.
type ChartHook struct {
	// Dir is the folder the charts go to; it is created if needed.
	Dir string
	// Every is the number of epochs between charts; 0 means only after
	// the last epoch.
	Every int
	// Format is PNG or SVG.
	Format Format
	// Train is the training data, for the hit map and the PCA scatter;
	// it may be nil.
	Train *loaders.Dataset

	// Written lists the paths of the files written, oldest first.
	Written []string

	history   []hooks.EpochRecord
	hits      []float64 // the epoch's batch hits, counted only without Train
	lastDrawn int
	scatter   *PCAScatter
}

// NewChartHook returns a ChartHook writing to dir every every epochs in
// format f, with the training data train (which may be nil).
func NewChartHook(dir string, every int, f Format, train *loaders.Dataset) *ChartHook {
	return &ChartHook{Dir: dir, Every: every, Format: f, Train: train}
}

// Name returns "charts".
func (h *ChartHook) Name() string { return "charts" }

// Order returns hooks.OrderOutput: the hook runs after the recorders.
func (h *ChartHook) Order() int { return hooks.OrderOutput }

// Handle records the hyperparameters and metrics of each epoch and writes
// the charts when they are due.
func (h *ChartHook) Handle(e hooks.Event, s *hooks.State) error {
	switch e {
	case hooks.BeforeFit:
		if h.Every < 0 {
			return fmt.Errorf("viz: chart hook: Every is %d, want 0 (only at the end) or more", h.Every)
		}
		if _, err := h.Format.provider(); err != nil {
			return err
		}
		if s.Map == nil {
			return errors.New("viz: chart hook: State.Map is nil at BeforeFit")
		}
		if h.Train != nil && h.Train.D != s.Map.Dim() {
			return fmt.Errorf("viz: chart hook: training data has %d features and the map %d", h.Train.D, s.Map.Dim())
		}
		if err := os.MkdirAll(h.Dir, 0o755); err != nil {
			return fmt.Errorf("viz: chart hook: %w", err)
		}
		h.history, h.lastDrawn = h.history[:0], -1
		h.scatter = nil // Train or the map may differ from the last fit's
		h.hits = nil
		if h.Train == nil {
			h.hits = make([]float64, s.Map.Units())
		}
	case hooks.BeforeEpoch:
		clear(h.hits)
	case hooks.AfterBatch:
		if h.hits == nil { // with Train the hit map is of the whole data
			return nil
		}
		for _, u := range s.BMU {
			if u >= 0 && u < len(h.hits) {
				h.hits[u]++
			}
		}
	case hooks.AfterEpoch:
		h.history = append(h.history, hooks.EpochRecord{Epoch: s.Epoch + 1, Loss: s.Loss, Train: s.Train, Valid: s.Valid, HasValid: s.HasValid,
			TrainTarget: s.TrainTarget, ValidTarget: s.ValidTarget, HasTarget: s.HasTarget,
			Alpha: s.Alpha, Sigma: s.Sigma, BatchSize: s.BatchSize})
		if h.Every > 0 && (s.Epoch+1)%h.Every == 0 {
			return h.draw(s)
		}
	case hooks.AfterFit:
		if len(h.history) > 0 && h.lastDrawn != h.history[len(h.history)-1].Epoch {
			return h.draw(s)
		}
	}
	return nil
}

func (h *ChartHook) write(name string, render func(b *bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return fmt.Errorf("viz: chart hook: %s: %w", name, unwrapViz(err))
	}
	p := filepath.Join(h.Dir, name+h.Format.Ext())
	if err := writeFile(p, b.Bytes()); err != nil {
		return err
	}
	h.Written = append(h.Written, p)
	return nil
}

func (h *ChartHook) draw(s *hooks.State) error {
	ep := h.history[len(h.history)-1].Epoch
	h.lastDrawn = ep
	tag := fmt.Sprintf("_e%04d", ep)
	g := s.Map.Grid()
	counts := h.hits
	title := fmt.Sprintf("Hits during epoch %d", ep)
	if h.Train != nil {
		bmu, _, err := s.Map.Predict(h.Train.Data)
		if err != nil {
			return fmt.Errorf("viz: chart hook: %w", err)
		}
		if counts, err = Hits(bmu, g.Units()); err != nil {
			return err
		}
		title = fmt.Sprintf("Hit map after epoch %d", ep)
	}
	if err := h.write("hitmap"+tag, func(b *bytes.Buffer) error {
		return HitmapChart(g, counts, title).Render(b, h.Format)
	}); err != nil {
		return err
	}
	if h.Train != nil {
		if h.scatter == nil {
			h.scatter = &PCAScatter{Grid: g, Dim: h.Train.D, Data: h.Train.Data}
		}
		h.scatter.Title = fmt.Sprintf("Data and codebook (PCA), epoch %d", ep)
		h.scatter.Codebook = s.Map.Weights()
		if err := h.write("pca"+tag, func(b *bytes.Buffer) error { return h.scatter.Render(b, h.Format) }); err != nil {
			return err
		}
	}
	hp, err := HyperparamCharts(h.history)
	if err != nil {
		return err
	}
	if err := h.write("hyperparams", func(b *bytes.Buffer) error { return RenderCurves(b, h.Format, hp...) }); err != nil {
		return err
	}
	loss, err := LossCharts(h.history)
	if err != nil {
		return err
	}
	labelTE(loss, s.Map.Config())
	return h.write("loss", func(b *bytes.Buffer) error { return RenderCurves(b, h.Format, loss...) })
}

var _ hooks.Hook = (*ChartHook)(nil)
