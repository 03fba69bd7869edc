package serve

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/somgraph/somgraph/graph"
)

// The browser tests drive Debian's chromium-headless-shell (or chromium)
// with chromedp. One allocator serves the whole test binary; each test
// opens a tab with a deadline. Without a browser the tests are skipped,
// except in CI (CI=true), where a missing browser is a failure. Screenshots
// go to $SOMGRAPH_SCREENSHOTS, or a temporary folder the tests print.

var (
	allocCtx    context.Context // nil without a browser
	browserPath string
	shotDir     string
)

func TestMain(m *testing.M) {
	var cancel context.CancelFunc = func() {}
	if browserPath = findBrowser(); browserPath != "" {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(browserPath),
			chromedp.NoSandbox, // CI runs as root; the page is our own, on 127.0.0.1
			chromedp.WindowSize(1400, 1000),
		)
		allocCtx, cancel = chromedp.NewExecAllocator(context.Background(), opts...)
	}
	code := m.Run()
	cancel()
	os.Exit(code)
}

// findBrowser returns the path of a headless Chromium: $SOMGRAPH_BROWSER,
// or the first of chromium-headless-shell, chromium, chromium-browser,
// google-chrome on PATH.
func findBrowser() string {
	if p := os.Getenv("SOMGRAPH_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab opens a browser tab with a deadline, or skips the test without a
// browser (fails in CI).
func tab(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if allocCtx == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found (install chromium-headless-shell, or set SOMGRAPH_BROWSER): the browser tests must run in CI")
		}
		t.Skip("no Chromium found: install chromium-headless-shell to run the browser tests")
	}
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelT)
	return ctx
}

// screenshot saves a full-page PNG named name into the screenshot folder.
func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	if shotDir == "" {
		shotDir = os.Getenv("SOMGRAPH_SCREENSHOTS")
		if shotDir == "" {
			d, err := os.MkdirTemp("", "somgraph-screenshots-")
			if err != nil {
				t.Fatal(err)
			}
			shotDir = d
		}
		if err := os.MkdirAll(shotDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG (lower is JPEG)
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(shotDir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// run runs steps; on error it saves a screenshot and fails the test.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		screenshot(t, ctx, "failed-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		screenshot(t, ctx, "failed-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// poll waits until the JavaScript condition cond is true (within the
// test's deadline).
func poll(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond)); err != nil {
		screenshot(t, ctx, "failed-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("waiting for %s: %v", cond, err)
	}
}

// centre returns the page coordinates of unit k's cell.
func centre(t *testing.T, ctx context.Context, k int) (x, y float64) {
	t.Helper()
	xy := eval[[]float64](t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector('#map .cell[data-unit="%d"]').getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; })()`, k))
	return xy[0], xy[1]
}

// open loads the page and waits until it has drawn the map.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	run(t, ctx, "loading the page",
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#map .cell")),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready="1"]`)),
	)
}

// fills returns the fill colour of every cell.
func fills(t *testing.T, ctx context.Context) []string {
	return eval[[]string](t, ctx, `[...document.querySelectorAll('#map .cell')].map(c => c.getAttribute('fill'))`)
}

func selectLayer(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById('layer'); s.value = %q; s.dispatchEvent(new Event('change')); return s.value === %q; })()`, name, name))
}

func TestBrowserLayers(t *testing.T) {
	f := clustered(t)
	e, ts := f.explorer(t)
	ctx := tab(t, 90*time.Second)
	open(t, ctx, ts.URL)
	s := e.cur.Load()
	if n := eval[int](t, ctx, `document.querySelectorAll('#map .cell').length`); n != s.grid.Units() {
		t.Fatalf("%d cells drawn, want %d", n, s.grid.Units())
	}
	var m mapResult
	_, _, b := get(t, ts.URL+"/api/map")
	decode(t, b, &m)
	options := eval[[]string](t, ctx, `[...document.querySelectorAll('#layer option')].map(o => o.value)`)
	var names []string
	for _, l := range m.Layers {
		names = append(names, l.Name)
	}
	if !slices.Equal(options, names) {
		t.Fatalf("layer menu %v, want %v", options, names)
	}
	for _, l := range m.Layers {
		selectLayer(t, ctx, l.Name)
		if got := fills(t, ctx); !slices.Equal(got, l.Colors) {
			t.Fatalf("layer %s: cell colours %v, want %v", l.Name, got, l.Colors)
		}
		legend := eval[string](t, ctx, `document.getElementById('legend').textContent`)
		if l.Kind == "categories" && !strings.Contains(legend, l.Levels[0]) {
			t.Errorf("layer %s: legend %q lacks %q", l.Name, legend, l.Levels[0])
		}
		href := eval[string](t, ctx, `document.getElementById('dl-png').getAttribute('href')`)
		if !strings.HasPrefix(href, "/api/chart/") {
			t.Errorf("layer %s: PNG download %q", l.Name, href)
		} else if code, ct, _ := get(t, ts.URL+href); code != 200 || ct != "image/png" {
			t.Errorf("layer %s: GET %s: %d %s", l.Name, href, code, ct)
		}
	}
	// cluster borders: drawn, and gone when the toggle is off
	selectLayer(t, ctx, "umatrix")
	if n := eval[int](t, ctx, `document.querySelectorAll('#map .border').length`); n == 0 {
		t.Error("no cluster borders drawn")
	}
	if n := eval[int](t, ctx, `(() => { const c = document.getElementById('borders'); c.click(); return document.querySelectorAll('#map .border').length; })()`); n != 0 {
		t.Errorf("%d cluster borders after switching them off", n)
	}
	curves := eval[[]string](t, ctx, `[...document.querySelectorAll('#curves svg')].map(s => s.dataset.title)`)
	if !slices.Equal(curves, []string{"quantization error", "TE (6 neighbours)", "learning rate α", "radius σ"}) {
		t.Errorf("training curves %v", curves)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#curves polyline').length`); n < 4 {
		t.Errorf("%d curve lines drawn, want at least 4", n)
	}
}

func TestBrowserTooltipAndRecords(t *testing.T) {
	f := clustered(t)
	e, ts := f.explorer(t)
	ctx := tab(t, 90*time.Second)
	open(t, ctx, ts.URL)
	s := e.cur.Load()
	preds := f.predictions(t)
	p := f.model.Pipeline
	d := f.model.Config.Dim
	// the unit with the most records
	hits := make([]int, s.grid.Units())
	for _, pr := range preds {
		hits[pr.Unit]++
	}
	k := slices.Index(hits, slices.Max(hits))

	// hover: the tooltip says the unit, hits, cluster and codebook values
	x, y := centre(t, ctx, k)
	run(t, ctx, "hovering", chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	tip := eval[string](t, ctx, `document.getElementById('tooltip').hidden ? '' : document.getElementById('tooltip').innerText`)
	r, c := s.grid.RowCol(k)
	want := []string{fmt.Sprintf("unit %d (row %d, col %d)", k, r, c), fmt.Sprintf("hits\t%d", hits[k]), fmt.Sprintf("cluster\t%d", f.model.Clusters.Labels[k])}
	vals, _ := p.Denormalize(f.model.Weights[k*d : (k+1)*d])
	cats, _ := p.Recategorize(f.model.Weights[k*d : (k+1)*d])
	for _, col := range p.Columns {
		if col.Kind.String() == "continuous" {
			want = append(want, col.Name+"\t"+strconv.FormatFloat(vals[0], 'g', 4, 64))
			vals = vals[1:]
		} else {
			want = append(want, col.Name+"\t"+cats[0])
			cats = cats[1:]
		}
	}
	lines := strings.Split(strings.TrimSpace(tip), "\n")
	for _, w := range want {
		if !slices.Contains(lines, w) {
			screenshot(t, ctx, "tooltip")
			t.Fatalf("tooltip %q lacks the line %q", lines, w)
		}
	}
	screenshot(t, ctx, "tooltip")

	// click: the record table lists the unit's records as predict finds them
	run(t, ctx, "clicking a unit",
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(chromedp.CSS("#records tbody tr")),
	)
	var wantRows []string
	for i, pr := range preds {
		if pr.Unit == k {
			wantRows = append(wantRows, strconv.Itoa(i))
		}
	}
	rowsOnPage := func() []string {
		return eval[[]string](t, ctx, `[...document.querySelectorAll('#records tbody tr')].map(tr => tr.cells[0].textContent)`)
	}
	got := rowsOnPage()
	for len(got) < len(wantRows) { // page through
		before := len(got)
		run(t, ctx, "next page", chromedp.Click(chromedp.CSS("#next")))
		deadline := time.Now().Add(10 * time.Second)
		for {
			page := rowsOnPage()
			if len(page) > 0 && !slices.Contains(got, page[0]) {
				got = append(got, page...)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the next page did not load (have %d of %d rows)", len(got), len(wantRows))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(got) == before {
			break
		}
	}
	if !slices.Equal(got, wantRows) {
		t.Fatalf("unit %d: record table rows %v, want %v (predict)", k, got, wantRows)
	}
	// a row's values are the record decoded by the pipeline
	run(t, ctx, "first page", chromedp.Click(chromedp.CSS("#prev")))
	first := eval[[]string](t, ctx, `[...document.querySelector('#records tbody tr').cells].map(td => td.textContent)`)
	i, _ := strconv.Atoi(first[0])
	dec, _ := p.Decode(f.data.Row(i))
	if !slices.Equal(first[1:1+len(dec)], dec) {
		t.Fatalf("record %d shown as %v, want %v", i, first, dec)
	}
	// sort by a column, descending: a second click on its header
	col := "bill_length_mm"
	j := slices.Index(p.Inputs(), col) + 1
	for _, order := range []string{"asc", "desc"} {
		eval[bool](t, ctx, fmt.Sprintf(`(() => { document.querySelector('#records th[data-column=%q]').click(); return true; })()`, col))
		poll(t, ctx, fmt.Sprintf(`document.querySelector('#records th[data-column=%q].sorted-%s') !== null`, col, order))
	}
	sorted := eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#records tbody tr')].map(tr => tr.cells[%d].textContent)`, j))
	nums := make([]float64, len(sorted))
	for i, v := range sorted {
		nums[i], _ = strconv.ParseFloat(v, 64)
	}
	if !slices.IsSortedFunc(nums, func(a, b float64) int { return cmpFloat(b, a) }) {
		t.Errorf("sorted by %s descending: %v", col, sorted)
	}
	if prof := eval[int](t, ctx, `document.querySelectorAll('#profile-table tbody tr').length`); prof != len(p.Inputs()) {
		t.Errorf("profile has %d rows, want %d", prof, len(p.Inputs()))
	}
	screenshot(t, ctx, "unit")
	// the README's picture: a component plane with the unit's panel
	run(t, ctx, "wider viewport", chromedp.EmulateViewport(1560, 1000))
	selectLayer(t, ctx, "feature:flipper_length_mm")
	screenshot(t, ctx, "explorer")
}

func TestBrowserSelectionAndSearch(t *testing.T) {
	f := clustered(t)
	_, ts := f.explorer(t)
	ctx := tab(t, 90*time.Second)
	open(t, ctx, ts.URL)
	preds := f.predictions(t)
	// shift-click two units: the panel lists the records of both
	units := []int{0, 8}
	for _, k := range units {
		x, y := centre(t, ctx, k)
		run(t, ctx, "shift-click", chromedp.MouseClickXY(x, y, chromedp.ButtonModifiers(chromedp.ModifierShift)))
	}
	n := 0
	for _, pr := range preds {
		if pr.Unit == 0 || pr.Unit == 8 {
			n++
		}
	}
	run(t, ctx, "selection panel", chromedp.WaitVisible(chromedp.CSS("#selection-tools")))
	poll(t, ctx, fmt.Sprintf(`document.getElementById('records-count').textContent === "(%d)"`, n))
	sel := eval[[]int](t, ctx, `[...document.querySelectorAll('#map .cell.selected')].map(c => Number(c.dataset.unit))`)
	title := eval[string](t, ctx, `document.getElementById('panel-title').textContent`)
	count := eval[string](t, ctx, `document.getElementById('records-count').textContent`)
	href := eval[string](t, ctx, `document.getElementById('dl-csv').getAttribute('href')`)
	if !slices.Equal(sel, units) || title != "2 selected units" || count != fmt.Sprintf("(%d)", n) || href != "/api/records.csv?units=0,8" {
		t.Fatalf("selection %v, title %q, count %q, CSV link %q; want %v, %d records", sel, title, count, href, units, n)
	}
	// the lasso: a shift-drag around units selects them
	x0, y0 := centre(t, ctx, 14)
	x1, y1 := centre(t, ctx, 16)
	pad := 8.0
	run(t, ctx, "lasso",
		chromedp.MouseEvent(chromedp.MouseMoved, x0-pad, y0-pad, chromedp.ButtonModifiers(chromedp.ModifierShift)),
		chromedp.MouseEvent(chromedp.MousePressed, x0-pad, y0-pad, chromedp.ButtonLeft, chromedp.ButtonModifiers(chromedp.ModifierShift), chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, x1+pad, y0-pad, chromedp.ButtonLeft, chromedp.ButtonModifiers(chromedp.ModifierShift)),
		chromedp.MouseEvent(chromedp.MouseMoved, x1+pad, y1+pad, chromedp.ButtonLeft, chromedp.ButtonModifiers(chromedp.ModifierShift)),
		chromedp.MouseEvent(chromedp.MouseMoved, x0-pad, y1+pad, chromedp.ButtonLeft, chromedp.ButtonModifiers(chromedp.ModifierShift)),
		chromedp.MouseEvent(chromedp.MouseReleased, x0-pad, y1+pad, chromedp.ButtonLeft, chromedp.ButtonModifiers(chromedp.ModifierShift), chromedp.ClickCount(1)),
	)
	poll(t, ctx, `document.querySelectorAll('#map .cell.selected').length >= 5`)
	sel = eval[[]int](t, ctx, `[...document.querySelectorAll('#map .cell.selected')].map(c => Number(c.dataset.unit))`)
	if !slices.Equal(sel, []int{0, 8, 14, 15, 16}) {
		t.Errorf("after the lasso around units 14 to 16: selected %v", sel)
	}
	screenshot(t, ctx, "selection")

	// search: paste a record, its unit is highlighted
	tab := f.table
	i := 42
	fields := rawRecord(tab, f.model.Pipeline.Inputs(), i, "")
	ds, err := f.model.Pipeline.Transform(tab.Subset([]int{i}))
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.model.Predict(ds)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "search",
		chromedp.SendKeys(chromedp.CSS("#record"), strings.Join(fields, ",")),
		chromedp.Click(chromedp.CSS("#find")),
		chromedp.WaitVisible(chromedp.CSS("#map .cell.found")),
	)
	found := eval[[]int](t, ctx, `[...document.querySelectorAll('#map .cell.found')].map(c => Number(c.dataset.unit))`)
	msg := eval[string](t, ctx, `document.getElementById('search-result').textContent`)
	if !slices.Equal(found, []int{want[0].Unit}) || !strings.HasPrefix(msg, fmt.Sprintf("unit %d (row %d, col %d)", want[0].Unit, want[0].Row, want[0].Col)) {
		t.Fatalf("search for record %d: highlighted %v (%q), want unit %d", i, found, msg, want[0].Unit)
	}
	// a bad record: the server's message, nothing highlighted
	run(t, ctx, "bad search",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('record').value = '1,2'`),
		chromedp.Click(chromedp.CSS("#find")),
		chromedp.WaitVisible(chromedp.CSS("#search-result.error")),
	)
	msg = eval[string](t, ctx, `document.getElementById('search-result').textContent`)
	if !strings.Contains(msg, "has 2 values") || eval[int](t, ctx, `document.querySelectorAll('#map .cell.found').length`) != 0 {
		t.Errorf("bad record: %q", msg)
	}
	screenshot(t, ctx, "search")
}

// TestBrowserLive opens the page of a live explorer and checks that it
// redraws when the training publishes a new epoch.
func TestBrowserLive(t *testing.T) {
	ctx := tab(t, 90*time.Second)
	l, e := liveColours(t, graph.Grid{Rows: 5, Cols: 6, Topology: graph.Hexagonal}, 5)
	ts := httptest.NewServer(e)
	defer ts.Close()
	defer e.Close() // first: ends the page's event stream, which ts.Close waits for
	open(t, ctx, ts.URL)
	if live := eval[bool](t, ctx, `!document.getElementById('live').hidden`); !live {
		t.Fatal("the live marker is hidden")
	}
	before := fills(t, ctx)
	l.AddHook(e.TrainingHook(l))
	if err := l.Fit(3); err != nil {
		t.Fatal(err)
	}
	e.Wait()
	poll(t, ctx, `document.getElementById('summary').textContent.includes('3 epochs')`)
	after := fills(t, ctx)
	var m mapResult
	_, _, b := get(t, ts.URL+"/api/map")
	decode(t, b, &m)
	if slices.Equal(before, after) || !slices.Equal(after, m.Layers[0].Colors) {
		t.Fatalf("after training the page shows %v, want the new map's %v (before: %v)", after, m.Layers[0].Colors, before)
	}
	screenshot(t, ctx, "live")
}
