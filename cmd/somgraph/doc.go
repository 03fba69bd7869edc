// Somgraph trains and inspects self-organizing maps from the command line,
// the way training scripts use fastsom.
//
// Usage:
//
//	somgraph <command> [flags]
//
// The commands are:
//
//	train     train a map and save it as a model file
//	predict   print each record's best-matching unit as CSV
//	codebook  write a model's codebook as CSV, one row per unit
//	plot      draw a model's charts (hit map, weights, U-matrix, ...)
//	cluster   group the map's units into clusters, stored in the model
//	serve     explore a model in the browser (local web server)
//	graph     print the Gorgonia graphs training runs (DOT or text)
//	bench     time training against the BLAS floor
//
// With no flags, somgraph train trains a 20×20 map on 10,000 random RGB
// colours for 20 epochs, prints one line per epoch and a summary, and saves
// the model to somgraph-out/model.somg:
//
//	go run ./cmd/somgraph train
//
// Every command takes --help, which lists its flags with their defaults
// and examples, and --config FILE, a YAML or JSON file whose keys are the
// command's flag names (early_stop and early-stop both work; lists may be
// YAML lists). Flags given on the command line override the file. A file may
// hold one section per command:
//
//	train:
//	  size: 30x30
//	  epochs: 40
//	  dataset: penguins
//	predict:
//	  model: somgraph-out/model.somg
//
// Exit codes: 0 when the command did its work, 1 when it failed during the
// work (an unreadable file, a bad value in the data, a failed training), 2
// for bad usage (an unknown flag or name, a value out of range, an output
// path that cannot be written, all checked before any work), 130 when Ctrl-C
// stopped train (after it saved the model trained so far), 143 when SIGTERM
// did (128 + the signal's number, the shell's convention). Errors are one
// line on standard error that says what to fix.
//
// somgraph train --checkpoint-every N writes the run's state (a
// trainer.Checkpoint) every N epochs, at the end and on Ctrl-C or SIGTERM;
// somgraph train --resume FILE continues the run with the options stored in
// it and ends with the model the uninterrupted run would have saved.
// --checkpoint FILE is another thing: the best model so far, a model file.
package main
