// Package sombeam trains self-organizing maps on data that do not fit one
// machine with Apache Beam's Go SDK, and maps such data to a trained map.
//
// Batch SOM is a map-reduce per epoch. A Job matches CSV shards (a glob on
// any of Beam's filesystems) and runs, on Prism in this process or on
// Flink, Spark or Dataflow through their job servers:
//
//   - one pipeline that fits the preprocessing: each shard is summarized
//     (loaders.FitShard: counts, means and variances, minimum and maximum,
//     a median sample, level counts) and a CombineFn merges the summaries
//     into the loaders.Pipeline the in-process reader would fit;
//   - one pipeline per epoch, driven by a trainer.Learner whose epoch pass
//     it is (Learner.SetEpochPass): the codebook and σ go to the workers as
//     a side input (an ordinary model file), each shard's records are
//     encoded and searched in batches by the graph's forward pass into the
//     epoch statistics (graph.Stats: per-unit sums, counts and squared
//     norms; graph.MetricsAcc: the error sums of QE and TE), one accumulator
//     per shard, never one element per record, and a CombineFn merges them.
//     The driver applies the batch update (graph.Stats.Apply, as the
//     in-process batch mode does) and runs the hooks (schedules, early
//     stopping, progress, checkpoints) as for in-process training;
//   - with a validation split, one pipeline per epoch after the update
//     measures the validation metrics (Learner.SetValidPass).
//
// Between the first two, one pipeline gathers the training records the
// initialization reads (graph.Map.InitRecords, so the codebook is
// trainer.New's on the same rows in one file) and writes each shard's
// encoded records to the scratch directory (Config.NoCache turns that
// off), which the epochs read instead of parsing the CSV again.
//
// Each pipeline leaves its merged result in a scratch directory the driver
// reads back (Config.Scratch): Beam has no other way from a remote worker
// to the driver.
package sombeam
