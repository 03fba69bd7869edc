package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/serve"
	"github.com/somgraph/somgraph/trainer"
)

var serveHelp = help{
	cmd:  "serve",
	args: "--model FILE [--data FILE.csv] [--addr 127.0.0.1:8080]",
	about: `Explore a model in the browser: start a local web server and print the
address of a page that shows the map coloured by hits, U-matrix, any feature
(in original units or categories) or the class map; hover a unit for its
values, click it for its records, shift-click or lasso several units and
download their records as CSV, paste a record to find its unit, and download
the view as PNG or SVG (the charts of somgraph plot).

The page works offline (no CDN) and the server is read-only: it writes
nothing to disk. It listens on 127.0.0.1 only, unless --addr names another
address (a warning is printed: anyone who reaches it can read the records).
Ctrl-C stops it.`,
	groups: []group{
		{"Input", []string{"model", "data", "delimiter"}},
		{"Server", []string{"addr"}},
	},
	examples: []string{
		"somgraph serve --model somgraph-out/model.somg",
		"somgraph serve --model iris.somg --data iris.csv --addr 127.0.0.1:9000",
	},
}

func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var config, modelPath, dataPath, delim, addr string
	fs := newFlagSet("serve", &config)
	fs.StringVar(&modelPath, "model", "", "model `file` written by somgraph train (required)")
	fs.StringVar(&dataPath, "data", "", "CSV `file` of records to show on the map, - for standard input")
	fs.StringVar(&delim, "delimiter", ",", "field `separator` of --data, one character")
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (port 0: any free port)")
	_, code := parse(fs, serveHelp, &config, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if modelPath == "" {
		return report(stderr, "serve", usagef("--model: name the model file, for example --model somgraph-out/model.somg"))
	}
	comma, err := delimiter(delim)
	if err != nil {
		return report(stderr, "serve", err)
	}
	if err := checkAddr("addr", addr); err != nil {
		return report(stderr, "serve", err)
	}
	m, err := trainer.LoadFile(modelPath)
	if err != nil {
		return report(stderr, "serve", fmt.Errorf("--model: %w", err))
	}
	var ds *loaders.Dataset
	if dataPath != "" {
		in, name, closeIn, err := openInput(dataPath, stdin)
		if err != nil {
			return report(stderr, "serve", err)
		}
		ds, err = readRecords(in, name, m, input{delim: comma})
		closeIn()
		if err != nil {
			return report(stderr, "serve", err)
		}
	}
	ex, err := serve.Handler(m, ds)
	if err != nil {
		return report(stderr, "serve", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	what := modelPath
	if ds != nil {
		what += fmt.Sprintf(" with %s", plural(ds.N, "record"))
	}
	srv, err := startServer(addr, ex, what, stdout, stderr)
	if err != nil {
		return report(stderr, "serve", fmt.Errorf("--addr: %w", err))
	}
	if err := srv.wait(ctx, stdout); err != nil {
		return report(stderr, "serve", err)
	}
	return exitOK
}

// checkAddr validates the host:port value of flag --name.
func checkAddr(name, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--%s %q: want host:port, for example 127.0.0.1:8080", name, addr)
	}
	if port == "" {
		return usagef("--%s %q: name a port, for example %s:8080 (0 picks a free one)", name, addr, host)
	}
	return nil
}

// serveTraining starts a live explorer of l on addr that follows the
// training epoch by epoch.
func serveTraining(l *trainer.Learner, addr string, stdout, stderr io.Writer) (*server, error) {
	ex, err := serve.Live(l.Model(), l.Train())
	if err != nil {
		return nil, fmt.Errorf("--serve: %w", err)
	}
	srv, err := startServer(addr, ex, "the training", stdout, stderr)
	if err != nil {
		return nil, fmt.Errorf("--serve: %w", err)
	}
	l.AddHook(ex.TrainingHook(l))
	return srv, nil
}

// loopback reports whether host is a loopback address or name.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// server is a running explorer server.
type server struct {
	srv  *http.Server
	url  string
	errc chan error
}

// startServer serves h on addr in the background. It prints the page's
// address to stdout, and a warning to stderr when addr is not a loopback
// address.
func startServer(addr string, h *serve.Explorer, what string, stdout, stderr io.Writer) (*server, error) {
	host, _, _ := net.SplitHostPort(addr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	if !loopback(host) {
		fmt.Fprintf(stderr, "warning: listening on %s, not on 127.0.0.1 only: anyone who can reach this machine can read the map and its records\n", addr)
	}
	s := &server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       15 * time.Second,
			WriteTimeout:      60 * time.Second, // the event stream extends its own deadline
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
		},
		errc: make(chan error, 1),
	}
	s.srv.RegisterOnShutdown(h.Close)
	hostPort := ln.Addr().String()
	if !loopback(host) {
		_, port, _ := net.SplitHostPort(hostPort)
		hostPort = net.JoinHostPort(host, port)
		if host == "" || net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified() {
			hostPort = net.JoinHostPort("127.0.0.1", port)
		}
	}
	s.url = "http://" + hostPort + "/"
	fmt.Fprintf(stdout, "exploring %s at %s (Ctrl-C to stop)\n", what, s.url)
	go func() { s.errc <- s.srv.Serve(ln) }()
	return s, nil
}

// wait serves until ctx ends, then shuts the server down gracefully.
func (s *server) wait(ctx context.Context, stdout io.Writer) error {
	select {
	case err := <-s.errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shutCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("server shutdown: %w", err)
	}
	fmt.Fprintln(stdout, "server stopped")
	return nil
}
