package hooks

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// ProgressMode chooses how Progress shows training.
type ProgressMode uint8

// The progress modes. ProgressAuto draws a bar when the writer is a
// terminal and prints lines otherwise.
const (
	ProgressAuto  ProgressMode = iota // "auto": bar on a terminal, lines otherwise
	ProgressBar                       // "bar": a bar per epoch, then its line
	ProgressLines                     // "lines": one line per epoch
	ProgressNone                      // "none": nothing
)

var progressNames = [...]string{"auto", "bar", "lines", "none"}

// String returns the mode's name: "auto", "bar", "lines" or "none".
func (m ProgressMode) String() string {
	if int(m) < len(progressNames) {
		return progressNames[m]
	}
	return fmt.Sprintf("ProgressMode(%d)", uint8(m))
}

// ParseProgressMode returns the mode called s ("auto", "bar", "lines" or
// "none"; case does not matter).
func ParseProgressMode(s string) (ProgressMode, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	for i, name := range progressNames {
		if n == name {
			return ProgressMode(i), nil
		}
	}
	return 0, fmt.Errorf("hooks: unknown progress mode %q; want auto, bar, lines or none", s)
}

// IsTerminal reports whether w is an *os.File open on a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Progress shows training as it happens on an io.Writer (never straight
// to stdout). In bar mode each epoch draws a progressbar/v3 bar over its
// batches with the batch count, elapsed time, the epoch's remaining time
// and, in the description, the running batch loss and the whole fit's
// remaining time; when the epoch ends the bar is replaced by the epoch's
// line. In lines mode only the lines are written, one per epoch: the
// EpochLine of its record and the fit's remaining time estimated from the
// records seen so far,
//
//	epoch  3/10  qe 0.1234  te(4) 0.0500  alpha 0.3000  sigma 2.500  bs 32  1.20s  eta 8.4s
//
// Epochs are shown from 1 ("3/10" is State.Epoch 2). At
// AfterFit a final line reports the epochs run, the time taken and
// whether a hook stopped the fit early.
//
// A failing writer does not stop training: the first write error is kept
// and returned by Err. Progress runs at OrderOutput.
type Progress struct {
	w     io.Writer
	mode  ProgressMode
	bar   *progressbar.ProgressBar
	clock epochClock
	start time.Time
	done  int // epochs finished
	err   error
}

// NewProgress returns a Progress hook writing to w. ProgressAuto is
// resolved now: bar when w is a terminal (IsTerminal), lines otherwise.
// A nil w means ProgressNone.
func NewProgress(w io.Writer, mode ProgressMode) *Progress {
	if w == nil || mode > ProgressNone {
		mode = ProgressNone
	}
	if mode == ProgressAuto {
		mode = ProgressLines
		if IsTerminal(w) {
			mode = ProgressBar
		}
	}
	return &Progress{w: w, mode: mode}
}

// Mode returns the resolved mode: ProgressBar, ProgressLines or
// ProgressNone.
func (p *Progress) Mode() ProgressMode { return p.mode }

// Err returns the first error writing progress, or nil.
func (p *Progress) Err() error { return p.err }

// Name returns "progress".
func (p *Progress) Name() string { return "progress" }

// Order returns OrderOutput.
func (p *Progress) Order() int { return OrderOutput }

// Handle draws the bar and writes the lines. It always returns nil.
func (p *Progress) Handle(e Event, s *State) error {
	if p.mode == ProgressNone {
		return nil
	}
	p.clock.handle(e, s)
	switch e {
	case BeforeFit:
		p.start, p.done, p.bar = time.Now(), 0, nil
	case AfterBatch:
		if p.mode != ProgressBar || s.Batches <= 0 {
			return nil
		}
		if p.bar == nil {
			p.bar = progressbar.NewOptions(s.Batches,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetWidth(25),
				progressbar.OptionShowCount(),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionSetDescription(p.describe(s)),
			)
		}
		p.bar.Describe(p.describe(s))
		p.keep(p.bar.Add(1))
	case AfterEpoch:
		p.done++
		p.endBar()
		p.printf("%s\n", p.epochLine(s))
	case AfterFit:
		p.endBar()
		msg := fmt.Sprintf("fit: %d of %d epochs in %s", p.done, s.Epochs, round(time.Since(p.start)))
		if s.Stopped {
			msg += ", stopped early by a hook"
		}
		if s.Err != nil {
			msg += ", ended by an error"
		}
		p.printf("%s\n", msg)
	}
	return nil
}

func (p *Progress) endBar() {
	if p.bar == nil {
		return
	}
	p.keep(p.bar.Finish())
	p.bar = nil
}

func (p *Progress) describe(s *State) string {
	d := fmt.Sprintf("epoch %d/%d loss %.4g", s.Epoch+1, s.Epochs, s.BatchLoss)
	if eta, ok := p.eta(s); ok {
		d += " fit eta " + round(eta).String()
	}
	return d
}

// eta estimates the fit's remaining time from the records seen so far.
func (p *Progress) eta(s *State) (time.Duration, bool) {
	total := s.TrainSize * s.Epochs
	if s.Records <= 0 || total <= 0 || p.start.IsZero() {
		return 0, false
	}
	left := max(total-s.Records, 0)
	return time.Duration(float64(time.Since(p.start)) * float64(left) / float64(s.Records)), true
}

func (p *Progress) epochLine(s *State) string {
	line := EpochLine(p.clock.record(s), s.Epochs, teName("", s))
	if eta, ok := p.eta(s); ok && s.Epoch+1 < s.Epochs {
		line += "  eta " + round(eta).String()
	}
	return line
}

// EpochLine formats r as the one line per epoch that Progress writes and
// the somgraph command prints:
//
//	epoch  3/10  qe 0.1234  te(4) 0.0500  valid qe 0.1300  te(4) 0.0600  alpha 0.3000  sigma 2.500  bs 32  1.20s
//
// A supervised map's line adds its target metrics after the valid part
// (acc, or rmse and mae, then valid acc or valid rmse and mae).
// epochs is the fit's number of epochs (the counter is padded to its
// width) and te the label of the topographic error (graph's
// Config.TELabel; "te" if empty). The valid part is left out without
// validation data, the batch size when it is 0, the time when it was not
// measured.
func EpochLine(r EpochRecord, epochs int, te string) string {
	if te == "" {
		te = "te"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %*d/%d  qe %.4f  %s %.4f", len(strconv.Itoa(epochs)), r.Epoch, epochs, r.Train.QE, te, r.Train.TE)
	if r.HasValid {
		fmt.Fprintf(&b, "  valid qe %.4f  %s %.4f", r.Valid.QE, te, r.Valid.TE)
	}
	if r.HasTarget {
		targetPart(&b, "", r.TrainTarget)
		if r.HasValid {
			targetPart(&b, "valid ", r.ValidTarget)
		}
	}
	fmt.Fprintf(&b, "  alpha %.4f  sigma %.3f", r.Alpha, r.Sigma)
	if r.BatchSize > 0 {
		fmt.Fprintf(&b, "  bs %d", r.BatchSize)
	}
	if r.Duration > 0 {
		fmt.Fprintf(&b, "  %.2fs", r.Duration.Seconds())
	}
	return b.String()
}

// targetPart writes a supervised map's target metrics: the accuracy of
// classes, or the RMSE and MAE of a number.
func targetPart(b *strings.Builder, prefix string, m TargetMetrics) {
	if !math.IsNaN(m.Accuracy) {
		fmt.Fprintf(b, "  %sacc %.4f", prefix, m.Accuracy)
		return
	}
	fmt.Fprintf(b, "  %srmse %.4g  %smae %.4g", prefix, m.RMSE, prefix, m.MAE)
}

func (p *Progress) printf(format string, args ...any) {
	_, err := fmt.Fprintf(p.w, format, args...)
	p.keep(err)
}

func (p *Progress) keep(err error) {
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("hooks: progress: %w", err)
	}
}

// round shortens a duration for display: milliseconds below a minute,
// seconds above.
func round(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Second)
}

var _ Hook = (*Progress)(nil)
