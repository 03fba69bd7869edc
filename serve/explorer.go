package serve

import (
	"embed"
	"io/fs"
	"log"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

//go:embed assets
var assets embed.FS

// Explorer is the map explorer: the page and its JSON API as an
// http.Handler. It holds a snapshot of a model and its records; every
// request reads the snapshot, none changes it. Update and Publish replace
// the snapshot (a live training view). It is safe for concurrent use.
type Explorer struct {
	mux  *http.ServeMux
	cur  atomic.Pointer[state]
	live bool

	mu        sync.Mutex
	subs      map[chan int]struct{}
	closed    chan struct{}
	closeOnce sync.Once
	pending   *snapshot  // the newest model Publish received, not built yet
	working   bool       // the builder goroutine runs
	idle      *sync.Cond // signalled when the builder finishes its work
	updateMu  sync.Mutex // one Update at a time: versions count up by one

	// ErrorLog receives errors of snapshots built in the background
	// (Publish); nil means the log package's standard logger.
	ErrorLog *log.Logger
}

type snapshot struct {
	model *trainer.Model
	data  *loaders.Dataset
}

// Handler returns the explorer of model md with its records data, encoded
// like the model's training data (the model's pipeline's Transform, or
// trainer and loaders datasets), or nil to explore the codebook alone. It
// finds every record's best-matching unit once, here. It returns an error
// for a nil or inconsistent model and for data that do not fit the map.
func Handler(md *trainer.Model, data *loaders.Dataset) (*Explorer, error) {
	s, err := build(md, data, nil, 0, false)
	if err != nil {
		return nil, err
	}
	e := newExplorer(false)
	e.cur.Store(s)
	return e, nil
}

// Live returns an explorer for a map being trained: like Handler, and the
// page follows the snapshots that Update and Publish (or TrainingHook)
// send it, redrawing at each one (Server-Sent Events on /api/events).
func Live(md *trainer.Model, data *loaders.Dataset) (*Explorer, error) {
	s, err := build(md, data, nil, 0, true)
	if err != nil {
		return nil, err
	}
	e := newExplorer(true)
	e.cur.Store(s)
	return e, nil
}

func newExplorer(live bool) *Explorer {
	e := &Explorer{live: live, subs: map[chan int]struct{}{}, closed: make(chan struct{})}
	e.idle = sync.NewCond(&e.mu)
	e.routes()
	return e
}

// ServeHTTP serves the page and the API.
func (e *Explorer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			e.logf("serve: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
			writeError(w, http.StatusInternalServerError, "internal error (a bug in somgraph serve: please report it)")
		}
	}()
	e.mux.ServeHTTP(w, r)
}

func (e *Explorer) logf(format string, a ...any) {
	if e.ErrorLog != nil {
		e.ErrorLog.Printf(format, a...)
		return
	}
	log.Printf(format, a...)
}

func (e *Explorer) routes() {
	mux := http.NewServeMux()
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded folder is part of the build
	}
	files := http.FileServerFS(static)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, http.StatusMethodNotAllowed, "%s %s: the explorer is read-only (GET)", r.Method, r.URL.Path)
			return
		}
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /api/map", e.getMap)
	mux.HandleFunc("GET /api/units/{k}", e.getUnit)
	mux.HandleFunc("GET /api/units/{k}/records", e.getUnitRecords)
	mux.HandleFunc("GET /api/records", e.getRecords)
	mux.HandleFunc("GET /api/records.csv", e.getRecordsCSV)
	mux.HandleFunc("POST /api/bmu", e.postBMU)
	mux.HandleFunc("GET /api/chart/{file}", e.getChart)
	mux.HandleFunc("GET /api/events", e.getEvents)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no API endpoint %s %s: see the API in the documentation of package somgraph/serve", r.Method, r.URL.Path)
	})
	e.mux = mux
}

// Update replaces the explorer's snapshot with model md and data (nil
// keeps no records), builds it now and tells the pages watching. Use it
// after training further; Publish does the same in the background.
func (e *Explorer) Update(md *trainer.Model, data *loaders.Dataset) error {
	e.updateMu.Lock()
	defer e.updateMu.Unlock()
	prev := e.cur.Load()
	s, err := build(md, data, prev, prev.version+1, e.live)
	if err != nil {
		return err
	}
	e.cur.Store(s)
	e.notify(s.version)
	return nil
}

// Publish hands model md and data to a background goroutine that builds
// the snapshot and tells the pages, and returns at once: a training loop
// does not wait for the explorer. A snapshot published while an older one
// is being built replaces the older pending one. Errors go to ErrorLog.
func (e *Explorer) Publish(md *trainer.Model, data *loaders.Dataset) {
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-e.closed:
		return
	default:
	}
	e.pending = &snapshot{md, data}
	if !e.working {
		e.working = true
		go e.builder()
	}
}

func (e *Explorer) builder() {
	for {
		e.mu.Lock()
		p := e.pending
		e.pending = nil
		if p == nil {
			e.working = false
			e.idle.Broadcast()
			e.mu.Unlock()
			return
		}
		e.mu.Unlock()
		if err := e.Update(p.model, p.data); err != nil {
			e.logf("serve: live update: %v", err)
		}
	}
}

// Wait returns when every snapshot published so far is built.
func (e *Explorer) Wait() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for e.working {
		e.idle.Wait()
	}
}

// TrainingHook returns a hook that publishes the Learner's model and
// training data to the explorer after every epoch (see Publish): add it
// to l with l.AddHook to watch the map organize.
func (e *Explorer) TrainingHook(l *trainer.Learner) hooks.Hook {
	return hooks.Func("serve", hooks.OrderOutput, func(_ hooks.Event, _ *hooks.State) error {
		e.Publish(l.Model(), l.Train())
		return nil
	}, hooks.AfterEpoch)
}

// Close ends the event streams of the pages watching a live explorer (an
// http.Server's Shutdown waits for them otherwise: register Close with
// RegisterOnShutdown) and stops taking snapshots. The page and the API
// keep answering.
func (e *Explorer) Close() {
	e.closeOnce.Do(func() {
		e.mu.Lock()
		close(e.closed)
		e.pending = nil
		e.mu.Unlock()
	})
}

// Version returns the number of the current snapshot: 0 for the first,
// one more after each Update.
func (e *Explorer) Version() int { return e.cur.Load().version }

func (e *Explorer) subscribe() chan int {
	ch := make(chan int, 1)
	e.mu.Lock()
	e.subs[ch] = struct{}{}
	e.mu.Unlock()
	return ch
}

func (e *Explorer) unsubscribe(ch chan int) {
	e.mu.Lock()
	delete(e.subs, ch)
	e.mu.Unlock()
}

// notify tells every subscriber the newest version; a subscriber that has
// not read the previous one gets only the newest.
func (e *Explorer) notify(v int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ch := range e.subs {
		select {
		case <-ch:
		default:
		}
		ch <- v
	}
}

var _ http.Handler = (*Explorer)(nil)
