// Package hooks is somgraph's callback system, in the fast.ai style: a
// Hook reacts to the events of a training loop (BeforeFit, BeforeEpoch,
// BeforeBatch, AfterBatch, AfterEpoch, AfterFit), reads the loop's State
// and may change its hyperparameters, or stop training on purpose with
// ErrCancelEpoch or ErrCancelFit.
//
// # Order and errors
//
// Hooks run by Order (lower first; ties in registration order). The stock
// hooks use: schedules OrderSchedule, NaNGuard OrderGuard, Recorder and
// HitTracker OrderRecord, CSVLogger, Progress and SaveBest OrderOutput,
// EarlyStopping OrderStop, so that an epoch is recorded, logged and saved
// before training stops. Any other error a hook returns stops Fit; the
// trainer wraps it with the hook's name and the event.
//
// # Schedules
//
// A Schedule sets α (learning rate), σ (neighbourhood radius) and possibly
// the batch size at the start of every epoch: LinearDecay, LinearToOne
// (the Learner's default in Batch mode), TwoPhase, ThreePhase (the
// default in MiniBatch mode, with its batch-size schedule applied),
// Exponential, Asymptotic, Constant, or ScheduleFunc for your own.
// PhaseLengths documents how phase schedules split epochs so that none is
// lost to rounding; Schedule.Plan lists the values per epoch.
//
// # Stock hooks
//
// Recorder keeps per-epoch metrics and per-batch hyperparameters for
// charts; CSVLogger writes one row per epoch; EarlyStopping and SaveBest
// watch a Metric; NaNGuard stops on NaN or infinite loss or weights;
// Progress shows a bar or one line per epoch; HitTracker counts
// best-matching-unit hits per unit.
package hooks
