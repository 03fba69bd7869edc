package serve

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/somgraph/somgraph/graph"
)

// events reads Server-Sent Events from url and sends each data line.
func events(t *testing.T, ctx context.Context, url string) <-chan string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /api/events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan string, 16)
	go func() {
		defer close(out)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				out <- data
			}
		}
	}()
	return out
}

func next(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s, ok := <-ch:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return ""
}

// TestLive trains a map with the explorer's hook and checks that the page
// gets an event per epoch and the map of the newest epoch.
func TestLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, e := liveColours(t, graph.Grid{Rows: 4, Cols: 4}, 9)
	ts := httptest.NewServer(e)
	defer ts.Close()
	ch := events(t, ctx, ts.URL+"/api/events")
	if got := next(t, ch); got != `{"version":0}` {
		t.Fatalf("first event %s, want version 0", got)
	}
	var m mapResult
	_, _, b := get(t, ts.URL+"/api/map")
	decode(t, b, &m)
	if !m.Live || m.Version != 0 || len(m.History) != 0 {
		t.Fatalf("before training: live %v version %d history %d", m.Live, m.Version, len(m.History))
	}

	// Update: synchronous
	if err := l.Fit(1); err != nil {
		t.Fatal(err)
	}
	if err := e.Update(l.Model(), l.Train()); err != nil {
		t.Fatal(err)
	}
	if got := next(t, ch); got != `{"version":1}` {
		t.Fatalf("event %s, want version 1", got)
	}
	_, _, b = get(t, ts.URL+"/api/map")
	decode(t, b, &m)
	if m.Version != 1 || len(m.History) != 1 {
		t.Fatalf("after an update: version %d history %d", m.Version, len(m.History))
	}

	// the training hook: one snapshot per epoch, in the background
	l.AddHook(e.TrainingHook(l))
	if err := l.Fit(3); err != nil {
		t.Fatal(err)
	}
	e.Wait()
	_, _, b = get(t, ts.URL+"/api/map")
	decode(t, b, &m)
	if len(m.History) != 4 || m.Version < 2 || m.Version > 4 {
		t.Fatalf("after 3 more epochs: version %d, history %d epochs, want 4", m.Version, len(m.History))
	}
	// the codebook shown is the trained one
	want := l.Model()
	for k := range want.Config.Grid.Units() {
		for j := range 3 {
			if got := m.Codebook[k][j]; got != strconv.FormatFloat(want.Weights[k*3+j], 'g', 4, 64) {
				t.Fatalf("unit %d feature %d: %s, want %s", k, j, got, strconv.FormatFloat(want.Weights[k*3+j], 'g', 4, 64))
			}
		}
	}
	last := `{"version":` + strconv.Itoa(m.Version) + `}`
	for v := next(t, ch); v != last; v = next(t, ch) { // events of skipped snapshots may be merged
	}

	// Close ends the stream; the API keeps answering
	e.Close()
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream did not end after Close")
	}
	if code, _, _ := get(t, ts.URL+"/api/map"); code != 200 {
		t.Fatalf("after Close: %d", code)
	}
	e.Publish(l.Model(), l.Train()) // ignored after Close
	e.Wait()
}
