package hooks

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseProgressMode(t *testing.T) {
	cases := []struct {
		in   string
		want ProgressMode
		err  bool
	}{
		{"auto", ProgressAuto, false}, {"BAR", ProgressBar, false}, {" lines", ProgressLines, false},
		{"none", ProgressNone, false}, {"quiet", 0, true}, {"", 0, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			m, err := ParseProgressMode(c.in)
			if (err != nil) != c.err || (!c.err && (m != c.want || m.String() != strings.ToLower(strings.TrimSpace(c.in)))) {
				t.Errorf("got %v, %v; want %v (error %v)", m, err, c.want, c.err)
			}
			if err != nil && !strings.Contains(err.Error(), "auto, bar, lines or none") {
				t.Errorf("error %q does not list the modes", err)
			}
		})
	}
}

func TestProgressResolve(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	cases := []struct {
		name string
		w    func() *Progress
		want ProgressMode
	}{
		{"auto-buffer", func() *Progress { return NewProgress(&bytes.Buffer{}, ProgressAuto) }, ProgressLines},
		{"auto-file", func() *Progress { return NewProgress(file, ProgressAuto) }, ProgressLines},
		{"bar-forced", func() *Progress { return NewProgress(&bytes.Buffer{}, ProgressBar) }, ProgressBar},
		{"nil-writer", func() *Progress { return NewProgress(nil, ProgressBar) }, ProgressNone},
		{"bad-mode", func() *Progress { return NewProgress(&bytes.Buffer{}, 9) }, ProgressNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.w().Mode(); got != c.want {
				t.Errorf("mode %v, want %v", got, c.want)
			}
		})
	}
}

func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, ProgressLines)
	f := &fakeFit{epochs: 3, trainSize: 10, validSize: 2, alpha: 0.5, sigma: 4, batchSize: 4, metrics: seqMetrics([]float64{3, 2, 1})}
	if _, err := f.run(p, Constant()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 3 epochs + 1 summary:\n%s", len(lines), buf.String())
	}
	epoch := regexp.MustCompile(`^epoch (\d)/3  qe (\S+)  te 0\.1000  valid qe (\S+)  te 0\.2000  alpha 0\.5000  sigma 4\.000  bs 4  \S+s(  eta \S+)?$`)
	for i, l := range lines[:3] {
		m := epoch.FindStringSubmatch(l)
		if m == nil || m[1] != string(rune('1'+i)) || m[3] != []string{"3.0000", "2.0000", "1.0000"}[i] || (i == 2) != (m[4] == "") {
			t.Errorf("line %d %q does not match %v", i, l, epoch)
		}
	}
	if !strings.HasPrefix(lines[3], "fit: 3 of 3 epochs in ") || strings.Contains(lines[3], "stopped") {
		t.Errorf("summary %q", lines[3])
	}
	if p.Err() != nil {
		t.Error(p.Err())
	}

	// Stopped early, no validation data.
	buf.Reset()
	es, _ := NewEarlyStopping(TrainQE, 1, 0)
	f.validSize = 0
	f.metrics = seqMetrics([]float64{1, 2, 3})
	if _, err := f.run(p, es); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "epoch 2/3  qe 3.0000  te 0.1000  alpha") || !strings.Contains(out, "fit: 2 of 3 epochs") || !strings.Contains(out, "stopped early") {
		t.Errorf("early-stopped output:\n%s", out)
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, ProgressBar)
	f := &fakeFit{epochs: 2, trainSize: 12, alpha: 0.5, sigma: 4, batchSize: 4}
	if _, err := f.run(p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"epoch 1/2 loss 1 fit eta", "/3) [", "\repoch 1/2  qe 1.0000  te 0.0000  alpha 0.5000", "epoch 2/2  qe 1.0000", "fit: 2 of 2 epochs"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q:\n%q", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("%d newlines, want 3 (two epoch lines, one summary):\n%q", n, out)
	}
}

func TestProgressNoneAndWriteError(t *testing.T) {
	var buf bytes.Buffer
	f := &fakeFit{epochs: 2, trainSize: 4, alpha: 1, sigma: 1, batchSize: 4}
	if _, err := f.run(NewProgress(&buf, ProgressNone)); err != nil || buf.Len() != 0 {
		t.Errorf("none wrote %q (err %v)", buf.String(), err)
	}
	p := NewProgress(failWriter{}, ProgressLines)
	if _, err := f.run(p); err != nil {
		t.Errorf("a failing progress writer stopped the fit: %v", err)
	}
	if p.Err() == nil || !strings.Contains(p.Err().Error(), "hooks: progress: broken pipe") {
		t.Errorf("Err() = %v, want the write error", p.Err())
	}
}
