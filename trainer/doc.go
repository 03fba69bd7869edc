// Package trainer trains self-organizing maps: the Learner runs the fit
// loop, calls the hooks, records each epoch, predicts, and exports the
// trained map as a model file that Load reads back.
//
// # The Learner
//
// A Learner holds the training data, optional validation data, a map
// (a *graph.Map) and its Options. New checks the data and the options,
// fills in defaults (without touching the caller's Options) and initializes
// the codebook once from the training data with Options.Init and
// Options.Seed:
//
//	train, valid, _ := loaders.Colors(10000, 1).Split(0.2, 1)
//	l, err := trainer.New(train, valid, &trainer.Options{
//		Grid: graph.Grid{Rows: 20, Cols: 20},
//	})
//	if err != nil { ... }
//	if err := l.Fit(20); err != nil { ... }
//	for _, e := range l.History() {
//		fmt.Println(e.Epoch, e.Train.QE, e.Train.TE)
//	}
//
// Every zero field of Options means a default: a 10×10 rectangular grid,
// Euclidean distance, Gaussian neighbourhood, float32, MiniBatch mode with
// batches of 64, α = DefaultAlpha, σ = half the grid's longer side, random
// initialization within the data's range, and the hooks.ThreePhase
// schedule (hooks.LinearToOne in Batch mode). Seed 0 is a seed like any other: all randomness (the
// initialization and the order of the batches) comes from Options.Seed, so
// the same seed gives the same map, bit for bit, on the same machine, and
// the same model file.
//
// # The loop and its events
//
// Fit(epochs) builds the list of hooks — the schedule first, then
// Options.Hooks and those added with AddHook — and sorts it by Order, ties
// in registration order. It then runs:
//
//	BeforeFit
//	for each epoch:
//		BeforeEpoch                      (the batch size is applied after it)
//		for each batch of the shuffled training data:
//			BeforeBatch
//			MiniBatch mode: one run of the forward graph (graph.Forward.Run):
//				distances → BMUs → per-BMU sums → neighbourhood at σ →
//				weighted sums; then the rule w += α/B·(num − den·w)
//			Batch mode: the search part of the graph (graph.Forward.SearchInto):
//				distances → BMUs → per-BMU sums, added to the epoch's Stats
//			AfterBatch                   (State.BMU, State.BatchLoss)
//		Batch mode: the Stats' update graph computes the neighbourhood at σ
//		and the weighted sums of the epoch; then the rule w = num/den
//		metrics: training data from the epoch's own searches (or a
//		new pass with ExactTrainMetrics), validation data evaluated
//		AfterEpoch                       (State.Train, Valid, Loss; History has the epoch)
//	AfterFit                             (always, even after an error)
//
// The batch loss is the mean distance of the batch's records to their
// best-matching units before the update; the epoch's Loss is the
// quantization error of the whole training set, gathered from the epoch's
// batches (each against the codebook it met) or, with
// Options.ExactTrainMetrics, evaluated again after the epoch's updates. Each epoch is also
// recorded in History with its metrics, hyperparameters and duration.
//
// Fit may be called again: training continues from the current codebook,
// State.Epoch and the schedule start again from 0, and History keeps
// growing (Epoch.Epoch numbers the epochs of all calls, from 1).
//
// # What hooks may change
//
// Hooks receive a *hooks.State. They may change:
//
//   - Alpha and Sigma at any event; the next update uses them. Fit returns
//     an error if a hook leaves α negative or not finite, or σ not positive.
//   - BatchSize at BeforeFit, BeforeEpoch or AfterEpoch; it is applied when
//     the epoch starts, after BeforeEpoch, and a change during an epoch takes
//     effect at the next. Before the first hook and after every hook at
//     BeforeFit and BeforeEpoch the Learner recomputes State.Batches, so
//     every hook sees the number of batches the epoch will have.
//   - the map's codebook (State.Map), at their own risk.
//
// A hook stops training on purpose by returning hooks.ErrCancelEpoch (the
// current batch finishes, the rest of the epoch is skipped, the metrics and
// AfterEpoch still run) or hooks.ErrCancelFit (the current epoch ends as
// with ErrCancelEpoch, then AfterFit runs with State.Stopped set, and Fit
// returns nil). The other hooks of the same event still run after a cancel
// request; ErrCancelEpoch at BeforeFit, AfterEpoch or AfterFit has no epoch
// left to end and is ignored. Any other error stops Fit at once; AfterFit
// runs with State.Err set, and Fit returns the error as a *hooks.HookError
// naming the event and the hook (use errors.As), with the message
//
//	trainer: AfterEpoch(hook "checkpoint"): open out/model.somg: permission denied
//
// # Modes
//
// In MiniBatch mode (the default, as in fastsom) every batch updates the
// codebook with w_k += α/B·Σ_b H[b,k]·(x_b − w_k); smaller batches mean more,
// noisier updates. In Batch mode (Kohonen's batch SOM) an epoch accumulates
// per-unit sums and sets w_k = Σ H·x / Σ H once at its end; α is not used,
// the batches are not shuffled, and BatchSize only sets how many records
// one run of the forward graph searches (default 16384 for the fused
// search of float32 Euclidean maps, else 1024: graph.Config.SearchChunk).
//
// # Missing values
//
// With Options.Missing (set by a pipeline that encodes with
// loaders.SkipMissing) records may hold NaN for missing values, which the
// map skips as R's kohonen does (graph.Config.Missing): a record's distance
// uses its present features, scaled to the full dimension, and the update
// leaves a unit's features that a record lacks untouched by it; QE, TE and
// the distortion are measured the same way. Predict takes such records too.
// A record with no feature present, an infinite value and a feature that no
// training record holds are errors; the Mixed distance does not support
// it. The model file stores the flag ("missing": true, absent in models
// that fill).
//
// # Models
//
// Export writes the map with everything needed to use it — grid, distance,
// neighbourhood, dtype, codebook, training options, feature names, the set
// of labels, the fitted preprocessing pipeline and the epochs' metrics — as
// a versioned text file:
//
//	somgraph-model v1
//	{"version":1,"grid":{"rows":20,"cols":20,"topology":"rect",...},...}
//	sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// The weights are written as exact float64 values, and the file holds no
// timestamps, so the same model gives the same bytes. ExportFile writes to
// a temporary file in the target's directory, syncs it and renames it, so a
// crash never leaves a half-written model. Load and LoadFile read a model
// back and return a clear error for an empty, foreign, truncated, corrupted
// (checksum) or newer-version file and for content that does not fit
// together. Model.Map rebuilds the map and Model.Predict places new records
// on it, like Learner.Predict.
//
// # Supervised maps
//
// With Options.Supervised the map learns the records' labels too, as R
// kohonen's xyf does: the codebook gets a second layer (graph.Layer) after
// the features, named "target" — the classes one-hot, compared with the
// Tanimoto distance, or a numeric target (TargetKind) scaled to mean 0 and
// deviation 1, compared with the Euclidean distance. The best-matching
// unit is found by the weighted sum of both layers' distances:
// Options.TargetWeight for the target, 1 − it for the features (0.5/0.5
// by default, as xyf), each layer's distance also scaled by one over its
// mean distance in the initial codebook, as kohonen does
// (graph.NormalizeLayers, computed once after the initialization).
//
// New records are placed by their features only (Learner.Predict,
// Model.Predict; Predictor chooses other layers) and read the target from
// their unit's target layer: Prediction.Class — the most probable class,
// Predictor.Proba giving the probabilities — or Prediction.Value. Each
// epoch also measures the accuracy (classes), or the RMSE and MAE
// (numbers), of these predictions on the training and validation data
// (Epoch.TrainTarget, ValidTarget), which early stopping can monitor
// (hooks.ValidAccuracy, hooks.ValidRMSE, ...). The model file keeps the
// layers, with their scales, and the target (Model.Target). A supervised
// fit can be checkpointed and resumed exactly like any other (see below);
// it cannot yet be trained further from its model (NewFromModel), nor
// start from an external initialization (NewInitialized).
//
//	l, err := trainer.New(train, valid, &trainer.Options{Supervised: true})
//	err = l.Fit(30)
//	preds, err := l.Predict(valid) // preds[i].Class
//
// # Checkpoints and resuming
//
// A model file is the end of a run; a checkpoint is a run that can go on.
// Learner.NewCheckpointer returns a hook that keeps the state of the fit
// at the end of every epoch — codebook, the epoch reached, the
// hyperparameters and batch size in force, the shuffling generator's
// state, the states of the hooks.Resumable hooks (early-stopping counters
// and best value, save-best's best, a Recorder's history), the options and
// fingerprints of the data — and writes it (atomically, like models) every
// N epochs, at the end of the fit and when it is interrupted
// (Checkpointer.Stop or its Interrupt function, for example on Ctrl-C):
//
//	cp, _ := l.NewCheckpointer("run.ckpt", 5)
//	l.AddHook(cp)
//	err := l.Fit(100)
//
// An interrupt stops the fit after the current batch and saves the last
// finished epoch: the epoch cut short is repeated when the fit resumes, so
// resuming loses at most one epoch and ends with the same model bytes as
// the fit that never stopped:
//
//	ck, _ := trainer.LoadCheckpointFile("run.ckpt")
//	l, err := trainer.Resume(ck, train, valid, &trainer.Options{Hooks: sameHooks})
//	err = l.Fit(ck.Epochs)
//
// Resume returns an error when the data or set options contradict the
// checkpoint. A supervised map's checkpoint holds its target and its
// layers with their scales (optional fields of the model part, which
// older checkpoints lack); Resume uses them as stored, without fitting
// the target or scaling the layers again, and the data fingerprints cover
// the labels, so data with other labels are an error, and so are
// Options.Supervised on an unsupervised checkpoint and a TargetKind or
// TargetWeight other than the checkpoint's. Checkpoint files are sealed like model files (first line
// "somgraph-checkpoint v1", JSON, SHA-256), and LoadCheckpoint names the
// problem with a model file given instead, a truncated or changed file and
// a newer version.
//
// # Training a saved map further
//
// NewFromModel starts a Learner from a saved model's codebook instead of
// an initialization, for new data prepared with the model's own pipeline
// (Pipeline.Transform, not a new Fit), with a schedule of its own —
// typically a small radius and rate. Model.Drift tells beforehand how far
// the new data are from the training data: records with categories the
// pipeline never saw, continuous values outside the training range (kept
// in the pipeline as FittedColumn.Range), the share of missing values, and
// the new data's quantization error on the saved map next to the model's
// last training error.
package trainer
