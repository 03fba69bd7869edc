package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0 // the command did its work
	exitFail  = 1 // something failed during the work (a file, the training)
	exitUsage = 2 // the command line or the config file is wrong

	// exitInterrupted (128 + SIGINT, the shell's convention) ends a train
	// run stopped by Ctrl-C after it saved the model, so that a script can
	// tell it from a finished one.
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand of somgraph.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order the help shows them.
var commands = []command{
	{"train", "train a map and save it as a model file", runTrain},
	{"predict", "print each record's best-matching unit as CSV", runPredict},
	{"codebook", "write a model's codebook as CSV, one row per unit", runCodebook},
	{"plot", "draw a model's charts (hit map, weights, U-matrix, ...)", runPlot},
	{"cluster", "group the map's units into clusters, stored in the model", runCluster},
	{"serve", "explore a model in the browser (local web server)", runServe},
	{"graph", "print the Gorgonia graphs training runs (DOT or text)", runGraph},
	{"bench", "time training against the BLAS floor", func(args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return runBench(args, stdout, stderr)
	}},
}

// commandNames are the subcommands' names; a config file may hold a
// section for each.
var commandNames = []string{"train", "predict", "codebook", "plot", "cluster", "serve", "graph", "bench"}

// run is the whole program: it dispatches args to a subcommand and returns
// the process's exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "somgraph: missing command (want train, predict, codebook, plot, cluster, serve, graph or bench); see somgraph --help")
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			// "somgraph help train" is "somgraph train --help".
			return run([]string{args[1], "--help"}, stdin, stdout, stderr)
		}
		topUsage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "somgraph: unknown command %q (want train, predict, codebook, plot, cluster, serve, graph or bench); see somgraph --help\n", name)
	return exitUsage
}

// topUsage writes the program's help.
func topUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("somgraph trains and inspects self-organizing maps.\n\n")
	b.WriteString("Usage:\n  somgraph <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Every command takes --help, and --config FILE (YAML or JSON) with the same
option names as its flags; flags given on the command line win.

Exit codes: 0 success, 1 failure during the work, 2 bad usage, 130 train
stopped by Ctrl-C, 143 by SIGTERM (the model trained so far is saved).

Examples:
  somgraph train                       # 20x20 map on 10,000 RGB colours, 20 epochs
  somgraph train --dataset iris --size 8x8 --topology hex --charts out/
  somgraph predict --model somgraph-out/model.somg --data new.csv
  somgraph plot --model somgraph-out/model.somg --out charts/
`)
	io.WriteString(w, b.String())
}
