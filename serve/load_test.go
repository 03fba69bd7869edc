package serve

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// TestLoad is the load check: 50 concurrent clients call the API of a
// 20×20 map of the California housing table (20,640 records) on 127.0.0.1
// for 10 s (SOMGRAPH_LOAD_SECONDS changes it), a mix of GET /api/map,
// /api/units/{k}, /api/units/{k}/records (sorted pages), /api/records of a
// selection and POST /api/bmu. It fails on any error or non-200 answer and
// logs the latency percentiles per endpoint. It runs only when asked:
//
//	SOMGRAPH_LOAD=1 go test -run TestLoad -v ./serve
func TestLoad(t *testing.T) {
	if os.Getenv("SOMGRAPH_LOAD") != "1" {
		t.Skip("set SOMGRAPH_LOAD=1 to run the load check (10 s)")
	}
	dur := 10 * time.Second
	if s := os.Getenv("SOMGRAPH_LOAD_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 120 {
			t.Fatalf("SOMGRAPH_LOAD_SECONDS=%q: want 1 to 120", s)
		}
		dur = time.Duration(n) * time.Second
	}
	const clients = 50
	db, err := loaders.Builtin("housing", &loaders.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	l, err := trainer.New(db.Train, nil, &trainer.Options{Grid: graph.Grid{Rows: 20, Cols: 20, Topology: graph.Hexagonal}, Seed: 1, Pipeline: db.Pipeline})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(2); err != nil {
		t.Fatal(err)
	}
	e, err := Handler(l.Model(), l.Train())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(e)
	ts.Config.ReadHeaderTimeout, ts.Config.ReadTimeout, ts.Config.WriteTimeout = 5*time.Second, 15*time.Second, 60*time.Second
	ts.Start()
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}

	// records to post: raw rows of the table, as CSV lines
	tab, err := loaders.BuiltinTable("housing", nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := range 200 {
		lines = append(lines, strings.Join(rawRecord(tab, l.Options().Pipeline.Inputs(), i, ""), ","))
	}
	k := l.Map().Units()
	inputs := l.Options().Pipeline.Inputs()
	type call struct {
		name string
		do   func(r *rand.Rand) (*http.Response, error)
	}
	calls := []call{
		{"GET /api/map", func(r *rand.Rand) (*http.Response, error) { return client.Get(ts.URL + "/api/map") }},
		{"GET /api/units/{k}", func(r *rand.Rand) (*http.Response, error) {
			return client.Get(fmt.Sprintf("%s/api/units/%d", ts.URL, r.IntN(k)))
		}},
		{"GET /api/units/{k}/records", func(r *rand.Rand) (*http.Response, error) {
			return client.Get(fmt.Sprintf("%s/api/units/%d/records?offset=%d&limit=25&sort=%s&order=desc", ts.URL, r.IntN(k), 25*r.IntN(2), inputs[r.IntN(len(inputs))]))
		}},
		{"GET /api/records (10 units)", func(r *rand.Rand) (*http.Response, error) {
			u := make([]string, 10)
			for i := range u {
				u[i] = strconv.Itoa(r.IntN(k))
			}
			return client.Get(fmt.Sprintf("%s/api/records?units=%s&limit=50", ts.URL, strings.Join(u, ",")))
		}},
		{"POST /api/bmu (1 record)", func(r *rand.Rand) (*http.Response, error) {
			body := fmt.Sprintf(`{"csv": %q}`, lines[r.IntN(len(lines))])
			return client.Post(ts.URL+"/api/bmu", "application/json", strings.NewReader(body))
		}},
	}
	lat := make([][]time.Duration, len(calls))
	var mu sync.Mutex
	var errs []string
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 7))
			local := make([][]time.Duration, len(calls))
			for ctx.Err() == nil {
				i := r.IntN(len(calls))
				start := time.Now()
				res, err := calls[i].do(r)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != 200 {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				local[i] = append(local[i], time.Since(start))
				if err != nil {
					mu.Lock()
					errs = append(errs, calls[i].name+": "+err.Error())
					mu.Unlock()
				}
			}
			mu.Lock()
			for i := range local {
				lat[i] = append(lat[i], local[i]...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("%d errors, the first: %s", len(errs), errs[0])
	}
	var all []time.Duration
	t.Logf("%d clients for %v on %s, 20x20 hex map, %d records", clients, dur, ts.URL, l.Train().N)
	t.Logf("%-28s %8s %8s %8s %8s %8s %8s", "endpoint", "requests", "req/s", "p50", "p90", "p99", "max")
	row := func(name string, d []time.Duration) {
		slices.Sort(d)
		q := func(p float64) time.Duration {
			return d[min(len(d)-1, int(p*float64(len(d))))].Round(10 * time.Microsecond)
		}
		t.Logf("%-28s %8d %8.0f %8v %8v %8v %8v", name, len(d), float64(len(d))/dur.Seconds(), q(0.5), q(0.9), q(0.99), d[len(d)-1].Round(10*time.Microsecond))
	}
	for i, c := range calls {
		if len(lat[i]) == 0 {
			t.Errorf("%s: no request finished", c.name)
			continue
		}
		all = append(all, lat[i]...)
		row(c.name, lat[i])
	}
	row("all", all)
}
