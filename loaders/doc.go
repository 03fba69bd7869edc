// Package loaders turns tables into the encoded, batched records a map
// trains on, and turns encoded vectors (records, codebook units) back into
// the original units and category names.
//
// # Reading
//
// ReadCSV reads delimited text with a header (any delimiter, UTF-8 BOM,
// CRLF, quoted fields) into a Table of typed columns; FromStrings and
// FromColumns build one in memory. Each column has a Role: Continuous,
// Categorical, Target (the label) or Ignored. Roles not given in
// ReadOptions are inferred: numeric columns are continuous, the others
// categorical. Missing values are the DefaultNA markers (empty, NA, NaN, ?,
// null, ...) or your own.
//
// ReadNumeric reads a plain table of numbers (with or without a header,
// columns taken by name) straight into a Dataset, for a model trained
// without a pipeline.
//
// Bad input is an error that names the place: a *ParseError with the
// source name, line, column, and what to do in its Hint, wrapping a
// sentinel such as ErrFieldCount, ErrNotNumber or ErrInfinite; a
// *ColumnError names the columns an option names or a pipeline needs that
// the data lack (ErrUnknownColumn, ErrMissingColumn). With BadRows: Skip,
// bad rows are left out and counted in Table.Skipped (and
// DataBunch.Skipped).
//
// # Preprocessing
//
// A Pipeline, fitted on the training rows only (Fit), fills missing values
// (the median, with optional "<name>_na" indicator columns; a "missing"
// level for categories), normalizes continuous features (z-score or
// min-max) and encodes categories (one-hot, ordinal, or learned embeddings;
// unseen values become the unknown level). With PipelineOptions.Missing
// set to SkipMissing (R kohonen's way, for a map with graph.Config.Missing)
// missing values are not filled: a continuous one stays NaN (its column is
// scaled by the statistics of the present values), a missing category
// makes every encoded column of its feature NaN, no indicator or missing
// level is added, and a record with no feature present is an error
// (ErrNoFeaturePresent) naming its line, in memory, streamed or by
// shards. Dataset.CheckMissing checks such records. Transform and
// EncodeRecord apply it; Denormalize,
// Recategorize, Decode and WriteCodebook invert it. Its Layout tells which
// encoded columns come from which feature, from which the trainer builds
// the map's Mixed distance (Euclidean distance on continuous features,
// mismatches on categorical ones, cosine on embedded ones; computed by
// graph). Group.Code and Group.Nearest decode an Embedding group's vector
// to the nearest level by cosine, the second-nearest and their margin. A
// pipeline round-trips through
// encoding/json, validating on decode.
//
// # Embeddings
//
// With PipelineOptions.Encode = Embedding, Fit learns a vector per level
// of each categorical column with package embed's masked autoencoder
// (after the statistics, on the training rows, seeded by
// EmbedOptions.Seed; or, with EmbedOptions.Method EmbedCoOccurrence, from
// the levels' co-occurrences without training), so that levels whose rows look alike in the other
// columns get vectors that point the same way. The vectors are stored in
// the pipeline (FittedColumn.Embedding, and so in model files); Transform
// writes a level's vector (Group.Vectors), the unknown level's own learned
// vector for unseen or unfitted values. A column of one level is encoded
// one-hot instead; an embedding size below 1, or a column of more levels
// than half the training rows (an ID column), is an error. Streaming and
// sharded loads do not learn embeddings (ErrEmbedStream).
//
// # Data bunches
//
// Load (a file), LoadReader, LoadStream (two passes over a re-openable
// source, for files larger than memory), NewDataBunch (a Table) and Builtin
// (the embedded colors, iris, penguins and housing sets) return a
// DataBunch: train and validation Datasets split at random with a seed or
// by a column, the fitted Pipeline, and Loaders that yield shuffled
// batches. With Options.NoTable they keep no raw table, and Load then reads
// a file of plain numbers in one pass, straight into the encoded records.
package loaders
