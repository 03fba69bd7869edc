package trainer_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/somgraph/somgraph/graph"
	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// A fit interrupted in its fourth epoch (here by a hook standing in for
// Ctrl-C) and resumed from its checkpoint ends with the same model bytes
// as the fit that ran in one go.
func ExampleResume() {
	dir, err := os.MkdirTemp("", "resume")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	data := loaders.Colors(500, 1)
	opts := &trainer.Options{Grid: graph.Grid{Rows: 5, Cols: 5}, Seed: 7}
	model := func(l *trainer.Learner) []byte {
		var b bytes.Buffer
		if err := l.Export(&b); err != nil {
			log.Fatal(err)
		}
		return b.Bytes()
	}

	// The reference: 8 epochs in one go.
	ref, err := trainer.New(data, nil, opts)
	if err != nil {
		log.Fatal(err)
	}
	if err := ref.Fit(8); err != nil {
		log.Fatal(err)
	}

	// The same fit, stopped in epoch 3 (0-based).
	l, err := trainer.New(data, nil, opts)
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "run.ckpt")
	cp, err := l.NewCheckpointer(path, 2)
	if err != nil {
		log.Fatal(err)
	}
	l.AddHook(cp)
	l.AddHook(hooks.Func("ctrl-c", hooks.OrderOutput, func(_ hooks.Event, s *hooks.State) error {
		if s.Epoch == 3 && s.Batch == 2 {
			cp.Stop()
		}
		return nil
	}, hooks.AfterBatch))
	if err := l.Fit(8); err != nil {
		log.Fatal(err)
	}

	ck, err := trainer.LoadCheckpointFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("interrupted: %v; checkpoint after %d of %d epochs\n", cp.Interrupted, ck.Done, ck.Epochs)
	r, err := trainer.Resume(ck, data, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Fit(ck.Epochs); err != nil {
		log.Fatal(err)
	}
	fmt.Println("same model bytes:", bytes.Equal(model(r), model(ref)))
	// Output:
	// interrupted: true; checkpoint after 3 of 8 epochs
	// same model bytes: true
}
