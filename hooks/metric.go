package hooks

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Metric names a quantity measured at the end of every epoch, which
// EarlyStopping, SaveBest, Recorder and CSVLogger use. Every metric is
// better when lower except the accuracies (HigherIsBetter). The empty
// Metric means "automatic": ValidQE when the fit has validation data,
// TrainQE otherwise.
type Metric string

// The metrics hooks can monitor. Loss is State.Loss, the epoch's training
// loss (quantization error measured during the epoch); the train_ and
// valid_ metrics are State.Train and State.Valid, measured after it.
const (
	Loss            Metric = "loss"
	TrainQE         Metric = "train_qe"
	TrainTE         Metric = "train_te"
	TrainDistortion Metric = "train_distortion"
	TrainDeadUnits  Metric = "train_dead_units"
	ValidQE         Metric = "valid_qe"
	ValidTE         Metric = "valid_te"
	ValidDistortion Metric = "valid_distortion"
	ValidDeadUnits  Metric = "valid_dead_units"
)

// The target metrics of a supervised map (State.TrainTarget and
// State.ValidTarget): the accuracy of a class target (higher is better),
// the RMSE and MAE of a numeric one.
const (
	TrainAccuracy Metric = "train_accuracy"
	ValidAccuracy Metric = "valid_accuracy"
	TrainRMSE     Metric = "train_rmse"
	ValidRMSE     Metric = "valid_rmse"
	TrainMAE      Metric = "train_mae"
	ValidMAE      Metric = "valid_mae"
)

var allMetrics = []Metric{Loss, TrainQE, TrainTE, TrainDistortion, TrainDeadUnits, ValidQE, ValidTE, ValidDistortion, ValidDeadUnits,
	TrainAccuracy, ValidAccuracy, TrainRMSE, ValidRMSE, TrainMAE, ValidMAE}

// HigherIsBetter reports whether larger values of m are better: true for
// the accuracies, false for every other metric.
func (m Metric) HigherIsBetter() bool { return m == TrainAccuracy || m == ValidAccuracy }

// NeedsTarget reports whether m is a target metric, measured only on a
// supervised map.
func (m Metric) NeedsTarget() bool {
	switch m {
	case TrainAccuracy, ValidAccuracy, TrainRMSE, ValidRMSE, TrainMAE, ValidMAE:
		return true
	}
	return false
}

// MetricNames lists the names ParseMetric accepts.
func MetricNames() []string {
	out := make([]string, len(allMetrics))
	for i, m := range allMetrics {
		out[i] = string(m)
	}
	return out
}

// ParseMetric returns the metric called name (case does not matter;
// "auto" and "" give the automatic metric), or an error listing the
// names.
func ParseMetric(name string) (Metric, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || n == "auto" {
		return "", nil
	}
	for _, m := range allMetrics {
		if string(m) == n {
			return m, nil
		}
	}
	return "", fmt.Errorf("hooks: unknown metric %q; want auto or one of %s", name, strings.Join(MetricNames(), ", "))
}

// String returns the metric's name, "auto" for the automatic metric.
func (m Metric) String() string {
	if m == "" {
		return "auto"
	}
	return string(m)
}

// check returns an error unless m is the automatic metric or one of the
// metric constants; ParseMetric turns other spellings (case, spaces,
// "auto") into those.
func (m Metric) check() error {
	if m == "" || slices.Contains(allMetrics, m) {
		return nil
	}
	return fmt.Errorf("hooks: unknown metric %q; want one of %s", string(m), strings.Join(MetricNames(), ", "))
}

// NeedsValid reports whether m is measured on validation data.
func (m Metric) NeedsValid() bool { return strings.HasPrefix(string(m), "valid_") }

// Resolve returns the concrete metric m stands for in a fit with
// validSize validation records: the automatic metric becomes ValidQE or
// TrainQE. It returns an error if m is unknown, or needs validation data
// and validSize is 0.
func (m Metric) Resolve(validSize int) (Metric, error) {
	if m == "" {
		if validSize > 0 {
			return ValidQE, nil
		}
		return TrainQE, nil
	}
	if err := m.check(); err != nil {
		return "", err
	}
	if m.NeedsValid() && validSize <= 0 {
		return "", fmt.Errorf("hooks: metric %q needs validation data, but the fit has none; pass a validation set or monitor %q", string(m), "train_"+strings.TrimPrefix(string(m), "valid_"))
	}
	return m, nil
}

// Value returns m's value in s at AfterEpoch. It returns an error if m is
// unknown or is a validation metric and s has no validation data
// (s.HasValid is false). The value may be NaN.
func (m Metric) Value(s *State) (float64, error) {
	src, tgt := s.Train, s.TrainTarget
	if m.NeedsValid() {
		if !s.HasValid {
			return math.NaN(), fmt.Errorf("hooks: metric %q needs validation data, but epoch %d has none", string(m), s.Epoch)
		}
		src, tgt = s.Valid, s.ValidTarget
	}
	if m.NeedsTarget() && !s.HasTarget {
		return math.NaN(), fmt.Errorf("hooks: metric %q needs a supervised map (a target), but this one has none", string(m))
	}
	switch m {
	case TrainAccuracy, ValidAccuracy:
		return tgt.Accuracy, nil
	case TrainRMSE, ValidRMSE:
		return tgt.RMSE, nil
	case TrainMAE, ValidMAE:
		return tgt.MAE, nil
	case Loss:
		return s.Loss, nil
	case TrainQE, ValidQE:
		return src.QE, nil
	case TrainTE, ValidTE:
		return src.TE, nil
	case TrainDistortion, ValidDistortion:
		return src.Distortion, nil
	case TrainDeadUnits, ValidDeadUnits:
		return src.DeadUnits, nil
	}
	return math.NaN(), fmt.Errorf("hooks: unknown metric %q; want one of %s", string(m), strings.Join(MetricNames(), ", "))
}

// improver tracks the best value of a lower-is-better metric: a value
// improves when it is below best − minDelta. NaN never improves.
type improver struct {
	who       string // the hook's name, for errors
	monitor   Metric // resolved at start
	best      float64
	bestEpoch int
	wait      int
}

// start resolves the monitored metric for this fit and forgets the last
// fit's best value.
func (im *improver) start(who string, m Metric, s *State) error {
	r, err := m.Resolve(s.ValidSize)
	if err != nil {
		return fmt.Errorf("hooks: %s: %w", who, err)
	}
	if r.NeedsTarget() && !s.HasTarget {
		return fmt.Errorf("hooks: %s: metric %q needs a supervised map (a target); monitor a map metric such as %q", who, string(r), "valid_qe")
	}
	*im = improver{who: who, monitor: r, best: math.Inf(1), bestEpoch: -1}
	return nil
}

// epoch reads the monitored metric at the end of an epoch and reports
// whether it improved on the best by more than minDelta.
func (im *improver) epoch(s *State, minDelta float64) (v float64, improved bool, err error) {
	if im.monitor == "" {
		return 0, false, fmt.Errorf("hooks: %s: AfterEpoch before BeforeFit; the trainer must send BeforeFit first", im.who)
	}
	if v, err = im.monitor.Value(s); err != nil {
		return 0, false, fmt.Errorf("hooks: %s: %w", im.who, err)
	}
	return v, im.observe(v, minDelta, s.Epoch), nil
}

// observe records v at epoch and reports whether it improved: by more
// than minDelta downwards, or upwards for a HigherIsBetter metric.
func (im *improver) observe(v, minDelta float64, epoch int) bool {
	better := v < im.best-minDelta
	if im.monitor.HigherIsBetter() {
		better = v > im.best+minDelta
	}
	if !math.IsNaN(v) && (im.bestEpoch < 0 || better) {
		im.best, im.bestEpoch, im.wait = v, epoch, 0
		return true
	}
	im.wait++
	return false
}

// checkMinDelta validates a min-delta setting.
func checkMinDelta(who string, d float64) error {
	if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
		return fmt.Errorf("hooks: %s: min-delta %v must be a finite number ≥ 0", who, d)
	}
	return nil
}
