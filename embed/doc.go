// Package embed learns embeddings of categorical columns: a vector per
// level, such that levels whose rows look alike in the other columns get
// vectors that point the same way. It is what loaders' Embedding encoding
// fits; it knows nothing of tables (Data holds level codes and normalized
// continuous values).
//
// # The autoencoder
//
// Fit builds a Gorgonia graph: per categorical column an embedding matrix
// of levels+1 rows (the last for the unknown level) and Size(levels+1)
// columns — fastai's rule min(600, round(1.6·n^0.56)) — or Options.Sizes;
// the embedded levels and the continuous values concatenated; one tanh
// hidden layer; and a decoder with a softmax head per categorical column
// and a linear head for the continuous ones. The loss is the mean over
// columns of the cross-entropy of each categorical column and the squared
// error of each continuous one. gorgonia.Grad differentiates it and Adam
// steps the weights, in mini-batches.
//
// Training is masked: each epoch hides a random Options.Noise of the
// input values (a level becomes the unknown level, a continuous value 0)
// and scores the reconstruction of the hidden values only (Options.Visible
// adds the others). A level's vector thus learns what the level says
// about the rest of the row; an autoencoder that also scores the values it
// sees learns mostly to tell every level from every other, which puts all
// levels equally far apart. The unknown level's row learns the average
// row.
//
// # Without training
//
// CoOccurrence is a second, cheaper strategy: it counts each level against
// the other columns' levels and the continuous columns' quartiles, weights
// the counts by positive pointwise mutual information and keeps a truncated
// SVD of the result. It needs no seed and no epochs, and it sees only pairs
// of columns, where the autoencoder sees whole rows.
//
// # Reproducible, stopped early
//
// Options.Seed seeds the initial weights, the validation split, the batch
// order and the noise: the same seed and data give the same tables, bit
// for bit, on one build. Training stops when the validation loss (on
// Options.ValidFrac of the rows) has not improved for Options.Patience
// epochs, and keeps the best epoch's tables. Options.Progress sees every
// epoch; Epoch.String is the progress line.
//
// # Bad input
//
// Fit rejects, with an error wrapping ErrInput, ErrLevels or ErrSize: no
// rows or columns, ragged data, codes out of range, NaN or Inf, a column
// of fewer than two levels, a column of more levels than half the rows (an
// ID column: too few rows per level to learn from), an embedding size
// below 1. A loss that becomes NaN is ErrDiverged.
package embed
