// Package viz draws self-organizing maps and their training with go-chart
// v2, to PNG or SVG through an io.Writer.
//
// # Interpretation
//
// An Interpretation wraps a trained map with its data (fastsom's
// SomInterpretation) and draws the charts SOM users look at:
//
//	in, err := viz.FromLearner(learner)     // or viz.New(m, train, valid, opts...)
//	err = in.Hitmap(w, viz.PNG, nil)        // hits per unit, annotated
//	err = in.Weights(w, viz.SVG)            // codebook as RGB (PCA if D ≠ 3)
//	err = in.FeatureHeatmaps(w, viz.PNG)    // one panel per feature, decoded
//	err = in.LevelMargins(w, viz.PNG)       // embedded features: margin to the 2nd level
//	err = in.Preds(w, viz.PNG, nil, 0)      // most frequent label per unit
//	err = in.UMatrix(w, viz.PNG)            // distances between neighbours
//	err = in.Loss(w, viz.PNG)               // QE and TE per epoch
//	err = in.Hyperparams(w, viz.PNG)        // α, σ and batch size
//	err = in.TargetMap(w, viz.PNG)          // supervised: class probabilities per unit
//	err = in.Confusion(w, viz.PNG, nil)     // supervised: confusion matrix on valid
//	paths, err := in.WriteCharts(dir, viz.PNG) // every chart that applies
//
// A supervised map (trainer.Options.Supervised) is interpreted through its
// features layer (WithPredictor): TargetMap draws one panel per class with
// each unit's probability of it (or the predicted value of a numeric
// target), and Confusion the confusion matrix of the validation records
// placed by their features (or their predicted against their true values).
//
// A Decoder (a *loaders.Pipeline) turns codebook rows back into the
// original features: continuous values in their units, categorical ones as
// the winning level (for a feature encoded as learned embeddings, the level
// nearest by cosine). FromModel does the same for a loaded model file.
//
// # Map charts
//
// A MapChart draws a grid of cells — squares on a rectangular grid,
// hexagons on a hexagonal one — with unit k at row k / Cols and column
// k % Cols, row 0 at the top, and row and column numbers on the axes.
// Cells are coloured from a scalar per unit (on the Viridis scale, with a
// colour bar and its scale), from explicit RGB colours, or from categories
// (one colour per category, with a legend). Empty units (no hits, NaN) are
// drawn light grey. Annotations are drawn in a colour that contrasts with
// the cell and are left out on large maps. RenderMaps puts several map
// charts side by side in one image.
//
// # Curves
//
// A CurveChart draws named series over epochs or steps. Flat series and
// single points render: the range is padded (go-chart alone fails with
// "nan y-range delta"). RenderCurves stacks several charts with their plots
// lined up.
//
// # Training-time charts
//
// ChartHook is a hooks.Hook that writes the hit map, a PCA scatter of
// records and codebook (PCAScatter), and the hyperparameter and loss
// curves to a folder every few epochs and after the last one.
//
// # PNG and SVG
//
// Both formats come from one layout. go-chart's PNG renderer draws text
// 9/8 larger than its nominal size; viz measures text that way and scales
// SVG text to match, and it escapes SVG text, which go-chart does not.
package viz
