package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/somgraph/somgraph/loaders"
)

// syncBuffer is a bytes.Buffer safe to write from the command's
// goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var urlRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)

// startCLI runs the command in the background and returns its output and
// a channel with its exit code, once the command printed a URL.
func startCLI(t *testing.T, args ...string) (url string, out, errb *syncBuffer, done chan int) {
	t.Helper()
	out, errb, done = &syncBuffer{}, &syncBuffer{}, make(chan int, 1)
	go func() { done <- run(args, strings.NewReader(""), out, errb) }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if u := urlRE.FindString(out.String()); u != "" {
			return u, out, errb, done
		}
		select {
		case code := <-done:
			t.Fatalf("%v exited with %d before serving: %s %s", args, code, out, errb)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%v printed no URL: %s %s", args, out, errb)
	return
}

// errNoSelfSignal is interruptSelf's error where a process cannot send
// itself Ctrl-C (Windows): the tests that stop a command that way skip.
var errNoSelfSignal = errors.New("a process cannot send itself Ctrl-C on this system")

// interrupt sends Ctrl-C to the test process (the command under test
// catches it) and waits for the command's exit code.
func interrupt(t *testing.T, done chan int) int {
	t.Helper()
	if err := interruptSelf(); errors.Is(err, errNoSelfSignal) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop within 30 s of Ctrl-C")
	}
	return -1
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %s: %v", url, b, err)
	}
	return res.StatusCode
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "iris.somg")
	if r := runCLI(t, "", "train", "--dataset", "iris", "--size", "4x5", "--epochs", "3", "--progress", "none", "--out", model); r.code != 0 {
		t.Fatal(r.stderr)
	}
	data := filepath.Join(dir, "iris.csv")
	csvData, err := loaders.BuiltinCSV("iris")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, data, csvData)
	url, out, errb, done := startCLI(t, "serve", "--model", model, "--data", data, "--addr", "127.0.0.1:0")
	var m struct {
		Records int
		Layers  []struct{ Name string }
	}
	if code := getJSON(t, url+"api/map", &m); code != 200 || m.Records != 150 || len(m.Layers) != 2+4+1 {
		t.Errorf("GET /api/map: %d, %d records, %d layers", code, m.Records, len(m.Layers))
	}
	var e struct{ Error string }
	if code := getJSON(t, url+"api/units/20", &e); code != 400 || !strings.Contains(e.Error, "out of range") {
		t.Errorf("GET /api/units/20 of a 4x5 map: %d %q", code, e.Error)
	}
	if code := interrupt(t, done); code != 0 || !strings.Contains(out.String(), "server stopped") || errb.String() != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errb)
	}
	if !strings.Contains(out.String(), "with 150 records at http://127.0.0.1:") {
		t.Errorf("stdout %q does not say what it serves where", out)
	}
}

func TestServeBadUsage(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.somg")
	if r := runCLI(t, "", "train", "--n", "60", "--size", "3x3", "--epochs", "1", "--progress", "none", "--out", model); r.code != 0 {
		t.Fatal(r.stderr)
	}
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, []byte("r,g\n1,2\n"))
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no model", []string{"serve"}, exitUsage, "--model: name the model file"},
		{"addr without port", []string{"serve", "--model", model, "--addr", "127.0.0.1"}, exitUsage, `--addr "127.0.0.1": want host:port`},
		{"addr empty port", []string{"serve", "--model", model, "--addr", "127.0.0.1:"}, exitUsage, "name a port"},
		{"bad delimiter", []string{"serve", "--model", model, "--delimiter", "ab"}, exitUsage, "--delimiter"},
		{"missing model file", []string{"serve", "--model", filepath.Join(dir, "none.somg")}, exitFail, "--model"},
		{"data without a column", []string{"serve", "--model", model, "--data", bad}, exitFail, `lacks columns "red"`},
		{"missing data file", []string{"serve", "--model", model, "--data", filepath.Join(dir, "none.csv")}, exitFail, "--data"},
		{"port in use or invalid", []string{"serve", "--model", model, "--addr", "127.0.0.1:99999"}, exitFail, "--addr"},
		{"train serve without port", []string{"train", "--serve", "localhost"}, exitUsage, `--serve "localhost": want host:port`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d: %s", r.code, c.code, r.stderr)
			}
			oneErrorLine(t, r, c.want)
		})
	}
	for _, h := range []struct {
		host string
		want bool
	}{{"127.0.0.1", true}, {"localhost", true}, {"::1", true}, {"127.0.0.2", true}, {"0.0.0.0", false}, {"", false}, {"192.168.1.2", false}, {"example.com", false}} {
		if got := loopback(h.host); got != h.want {
			t.Errorf("loopback(%q) = %v, want %v", h.host, got, h.want)
		}
	}
}

// TestTrainServe trains with --serve and watches the page's API follow the
// epochs; the server stays up after training until Ctrl-C.
func TestTrainServe(t *testing.T) {
	dir := t.TempDir()
	url, out, errb, done := startCLI(t, "train", "--n", "300", "--size", "4x4", "--epochs", "5", "--progress", "none",
		"--out", filepath.Join(dir, "m.somg"), "--serve", "127.0.0.1:0")
	var m struct {
		Live    bool
		History []struct{ Epoch int }
	}
	deadline := time.Now().Add(2 * time.Minute)
	for len(m.History) < 5 && time.Now().Before(deadline) {
		getJSON(t, url+"api/map", &m)
		time.Sleep(20 * time.Millisecond)
	}
	if !m.Live || len(m.History) != 5 {
		t.Fatalf("live %v, %d epochs on the page, want 5; stdout %s", m.Live, len(m.History), out)
	}
	for !strings.Contains(out.String(), "until Ctrl-C") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if code := interrupt(t, done); code != 0 || errb.String() != "" {
		t.Fatalf("exit %d: %s %s", code, out, errb)
	}
	if s := out.String(); !strings.Contains(s, "model saved to") || !strings.Contains(s, "server stopped") {
		t.Fatalf("stdout %q", s)
	}
}
