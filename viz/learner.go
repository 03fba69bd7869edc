package viz

import (
	"errors"
	"fmt"
	"slices"

	"github.com/somgraph/somgraph/hooks"
	"github.com/somgraph/somgraph/loaders"
	"github.com/somgraph/somgraph/trainer"
)

// FromLearner returns the Interpretation of a trained Learner (fastai's
// ClassificationInterpretation.from_learner): its map, training and
// validation data, history, and its pipeline as the decoder if it has one.
// The Interpretation caches best-matching units: make a new one after
// training further.
func FromLearner(l *trainer.Learner, opts ...Option) (*Interpretation, error) {
	if l == nil {
		return nil, errors.New("viz: FromLearner needs a learner, got nil")
	}
	base := []Option{WithHistory(l.History())}
	if p := l.Options().Pipeline; p != nil {
		base = append(base, WithDecoder(p))
	}
	if l.Target() != nil {
		p, err := l.Predictor()
		if err != nil {
			return nil, fmt.Errorf("viz: %w", err)
		}
		return New(p.Map(), p.Select(l.Train()), p.Select(l.Valid()), append(append(base, WithPredictor(p)), opts...)...)
	}
	return New(l.Map(), l.Train(), l.Valid(), append(base, opts...)...)
}

// FromModel returns the Interpretation of a loaded model with data encoded
// by its pipeline (train and valid may be nil: the codebook charts need no
// data), with the model's clusters if it has them.
//
// A supervised model (FromLearner of a supervised Learner too) is
// interpreted through its features layer (WithPredictor): the map charts
// show the features' codebook, records are placed by their features (data
// of the features' width or of the full map's), and the target and
// confusion charts show what the map predicts.
func FromModel(md *trainer.Model, train, valid *loaders.Dataset, opts ...Option) (*Interpretation, error) {
	if md == nil {
		return nil, errors.New("viz: FromModel needs a model, got nil")
	}
	m, err := md.Map()
	if err != nil {
		return nil, fmt.Errorf("viz: %w", err)
	}
	base := []Option{WithHistory(md.History), WithClusters(md.Clusters)}
	if md.Pipeline != nil {
		base = append(base, WithDecoder(md.Pipeline))
	}
	if md.Target != nil {
		p, err := md.Predictor()
		if err != nil {
			return nil, fmt.Errorf("viz: %w", err)
		}
		m, train, valid = p.Map(), p.Select(train), p.Select(valid)
		base = append(base, WithPredictor(p))
	}
	return New(m, train, valid, append(base, opts...)...)
}

// WithRecorder draws Hyperparams per training step from the batch
// records of r (α and σ as each update used them, and the epoch's batch
// size)
// instead of per epoch. A recorder without batch records changes nothing.
func WithRecorder(r *hooks.Recorder) Option {
	return func(in *Interpretation) {
		if r == nil || len(r.Batches) == 0 {
			return
		}
		in.batches, in.batchEpochs = slices.Clone(r.Batches), slices.Clone(r.Epochs)
	}
}
