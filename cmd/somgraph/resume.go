package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// registerResume registers the flags of checkpoints, resuming and
// continued training.
func (f *trainFlags) registerResume(fs *flag.FlagSet) {
	fs.IntVar(&f.checkpointEvery, "checkpoint-every", 0, "write the run's state every `N` epochs, at the end and on Ctrl-C/SIGTERM to --state-file, for --resume (0: never); unlike --checkpoint it can continue the run exactly")
	fs.StringVar(&f.stateFile, "state-file", "", "`file` --checkpoint-every writes (default: --out with the extension .ckpt; with --resume, the file resumed)")
	fs.StringVar(&f.initModel, "init-model", "", "continue training the saved `model` on new data: its codebook replaces --init, and --data is prepared with its preprocessing (not refitted); prints a drift report (unseen categories, values outside the training range, missing values, QE on the saved map) first. The map's size, topology, distance and preprocessing come from the model; the schedule is the new run's own: a small radius and rate are typical, e.g. --sigma 1 --lr 0.1 --schedule constant")
	fs.StringVar(&f.resume, "resume", "", "continue the run whose state --checkpoint-every wrote to `file`: the same options and data are taken from it (flags that contradict it are an error; --out, --progress, --log, --charts may change); the result is the model the run would have made uninterrupted")
}

// Flags by what --resume does with them.
var (
	// outputFlags only shape the output of the resumed process: they are
	// never taken from the checkpoint.
	outputFlags = []string{"progress", "log", "checkpoint", "charts", "format", "charts-every", "serve", "resume", "config"}
	// movableFlags may name another file with --resume: the checkpoint's
	// value applies when they are not given (the data's content is still
	// checked against the checkpoint).
	movableFlags = []string{"out", "data", "checkpoint-every", "state-file", "init-model"}
)

// savedFlags returns every flag's value, for the checkpoint's Extra.
func savedFlags(fs *flag.FlagSet) json.RawMessage {
	vals := map[string]string{}
	fs.VisitAll(func(fl *flag.Flag) {
		if !slices.Contains(outputFlags, fl.Name) {
			vals[fl.Name] = fl.Value.String()
		}
	})
	b, _ := json.Marshal(vals) // a map of strings always encodes
	return b
}

// resumeFlags loads the checkpoint --resume names and sets the flags from
// the options it was written with. A flag given on the command line that
// contradicts it is a usage error.
func resumeFlags(fs *flag.FlagSet, set map[string]bool, path string) (*trainer.Checkpoint, error) {
	ck, err := trainer.LoadCheckpointFile(path)
	if err != nil {
		return nil, fmt.Errorf("--resume: %w", err)
	}
	var vals map[string]string
	if len(ck.Extra) == 0 || json.Unmarshal(ck.Extra, &vals) != nil {
		return nil, fmt.Errorf("--resume %s: the checkpoint holds no somgraph train options: it was written by a program, resume it with trainer.Resume", path)
	}
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fl := fs.Lookup(name)
		if fl == nil || slices.Contains(outputFlags, name) {
			continue // a flag of another somgraph version, or output only
		}
		saved := vals[name]
		if set[name] {
			if slices.Contains(movableFlags, name) || fl.Value.String() == saved {
				continue
			}
			return nil, usagef("--%s %s contradicts the run in %s, which has --%s %s: a resumed run keeps its options (drop the flag)", name, fl.Value.String(), path, name, orEmpty(saved))
		}
		if err := fs.Set(name, saved); err != nil {
			return nil, fmt.Errorf("--resume %s: option --%s %q: %w", path, name, saved, err)
		}
	}
	return ck, nil
}

func orEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// statePath returns the file --checkpoint-every writes.
func (f *trainFlags) statePath() string {
	switch {
	case f.stateFile != "":
		return f.stateFile
	case f.resume != "":
		return f.resume
	}
	return strings.TrimSuffix(f.out, filepath.Ext(f.out)) + ".ckpt"
}

// checkResume validates the flags of checkpoints and continued training.
func (f *trainFlags) checkResume(set map[string]bool) error {
	if f.checkpointEvery < 0 {
		return usagef("--checkpoint-every %d: must be 0 (off) or a number of epochs", f.checkpointEvery)
	}
	if set["state-file"] && f.checkpointEvery == 0 && f.resume == "" {
		return usagef("--state-file is written by --checkpoint-every N: add it")
	}
	if f.initModel != "" && (f.resume == "" || set["init-model"]) { // not when a resumed run started from a model
		if f.validColumn != "" {
			return usagef("--valid-column is not supported with --init-model: use --valid F")
		}
		for _, name := range []string{"init", "size", "topology", "toroidal", "distance", "neighborhood", "dtype", "cont", "cat", "target", "ignore", "encode", "embed-size", "embed-epochs", "embed-method", "normalize", "na-indicators", "missing"} {
			if set[name] {
				return usagef("--%s is fixed by --init-model (the map and its preprocessing come from the model): drop it", name)
			}
		}
	}
	if f.checkpointEvery > 0 || f.resume != "" {
		return checkOutFile("state-file", f.statePath(), "run.ckpt")
	}
	return nil
}

// addCheckpointer adds the hook that writes the run's state, when
// --checkpoint-every or --resume asks for it; Ctrl-C and SIGTERM (ctx)
// then write the last finished epoch's state.
func (p *trainPlan) addCheckpointer(l *trainer.Learner, ctx context.Context) error {
	f := &p.flags
	if f.checkpointEvery == 0 && f.resume == "" {
		return nil
	}
	cp, err := l.NewCheckpointer(f.statePath(), f.checkpointEvery)
	if err != nil {
		return usagef("--checkpoint-every: %s", bare(err))
	}
	cp.Interrupt = func() bool { return ctx.Err() != nil }
	cp.Extra = p.saved
	p.checkpointer = cp
	l.AddHook(cp)
	return nil
}

// checkpointNote tells where the run's state is and how to go on.
func (p *trainPlan) checkpointNote(w io.Writer) {
	cp := p.checkpointer
	if cp == nil || cp.Writes == 0 {
		return
	}
	if cp.Interrupted {
		fmt.Fprintf(w, "run state saved to %s: continue with somgraph train --resume %s\n", cp.Path, cp.Path)
		return
	}
	fmt.Fprintf(w, "run state saved to %s\n", cp.Path)
}

// newLearner returns the Learner of the run: resumed from --resume's
// checkpoint, continued from --init-model's codebook, or new.
func (p *trainPlan) newLearner(d *trainData, opts *trainer.Options, stdout io.Writer) (*trainer.Learner, error) {
	if m := p.initFrom; m != nil {
		// The map is the model's; the flags' defaults (--size 20x20, ...)
		// do not apply.
		opts.Grid, opts.Distance, opts.Neighborhood, opts.Dtype = m.Grid, m.Distance, m.Neighborhood, m.Dtype
		if opts.TENeighbors == 0 {
			opts.TENeighbors = m.TENeighbors
		}
	}
	ck := p.resumed
	switch {
	case ck == nil && p.initFrom != nil:
		fmt.Fprint(stdout, p.drift)
		l, err := trainer.NewFromModel(p.initFrom, d.train, d.valid, opts)
		if err != nil {
			return nil, fmt.Errorf("--init-model %s: %s", p.flags.initModel, bare(err))
		}
		return l, nil
	case ck == nil:
		return trainer.New(d.train, d.valid, opts)
	}
	l, err := trainer.Resume(ck, d.train, d.valid, opts)
	if err != nil {
		return nil, fmt.Errorf("--resume %s: %s", p.flags.resume, bare(err))
	}
	if ck.Finished {
		fmt.Fprintf(stdout, "the run in %s had finished (%d of %d epochs): nothing to train; saving its model\n", p.flags.resume, ck.Done, ck.Epochs)
	} else {
		fmt.Fprintf(stdout, "resuming the run in %s after epoch %d of %d\n", p.flags.resume, ck.Done, ck.Epochs)
	}
	return l, nil
}

// loadData reads the run's data: as loadTrainData does, or, with
// --init-model, prepared with the model's pipeline, measuring the drift.
func (p *trainPlan) loadData() (*trainData, error) {
	f := &p.flags
	if f.initModel == "" {
		return loadTrainData(f)
	}
	m, err := trainer.LoadFile(f.initModel)
	if err != nil {
		return nil, fmt.Errorf("--init-model: %w", err)
	}
	p.initFrom = m
	var t *loaders.Table
	var ds *loaders.Dataset
	name := f.data
	switch {
	case m.Pipeline != nil && f.colours():
		return nil, usagef("--init-model %s prepares tables (it has a preprocessing pipeline): give the new rows with --data FILE.csv or --dataset", f.initModel)
	case m.Pipeline != nil:
		ro := m.Pipeline.ReadOptions()
		ro.Delimiter = []rune(unescape(f.delimiter))[0]
		var raw io.Reader
		if f.data != "" {
			fh, err := os.Open(f.data)
			if err != nil {
				return nil, fmt.Errorf("--data: %w", err)
			}
			defer fh.Close()
			raw, ro.Name = fh, f.data
		} else {
			csv, err := loaders.BuiltinCSV(f.dataset)
			if err != nil {
				return nil, usagef("--dataset: %s", bare(err))
			}
			name = "the built-in " + f.dataset + " table"
			raw, ro.Name = strings.NewReader(string(csv)), f.dataset
		}
		if t, err = loaders.ReadCSV(raw, &ro); err != nil {
			return nil, fmt.Errorf("--init-model %s: the new data do not fit the model's columns: %w", f.initModel, dataError(err, modelHints))
		}
		if ds, err = m.Pipeline.Transform(t); err != nil {
			return nil, fmt.Errorf("--init-model %s: %w", f.initModel, dataError(err, modelHints))
		}
	case f.data != "":
		fh, err := os.Open(f.data)
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		defer fh.Close()
		comma := []rune(unescape(f.delimiter))[0]
		if ds, err = readRecords(fh, f.data, m, input{delim: comma}); err != nil {
			return nil, fmt.Errorf("--init-model %s: the new data do not fit the model's features: %w", f.initModel, err)
		}
	case f.colours():
		ds, name = loaders.Colors(f.n, f.seed), fmt.Sprintf("%d random RGB colours", f.n)
	default:
		return nil, usagef("--init-model %s has no preprocessing: give the new records as numbers with --data FILE.csv", f.initModel)
	}
	if ds.D != m.Config.Dim {
		return nil, fmt.Errorf("--init-model %s takes %d features, the new data have %d", f.initModel, m.Config.Dim, ds.D)
	}
	drift, err := m.Drift(t, ds)
	if err != nil {
		return nil, fmt.Errorf("--init-model %s: %s", f.initModel, bare(err))
	}
	p.drift = drift.String()
	train, valid, err := ds.Split(f.valid, f.seed)
	if err != nil {
		return nil, usagef("--valid: %s", bare(err))
	}
	return &trainData{name: name + " (continuing " + f.initModel + ")", train: train, valid: valid, pipeline: m.Pipeline}, nil
}
