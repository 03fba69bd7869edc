// Package viz draws self-organizing maps and their training with go-chart
// v2, to PNG or SVG through an io.Writer.
//
// # Map charts
//
// A MapChart draws a grid of cells — squares on a rectangular grid,
// hexagons on a hexagonal one — with unit k at row k / Cols and column
// k % Cols, row 0 at the top. Cells are coloured from a scalar per unit (on
// the Viridis scale, with a colour bar), from explicit RGB colours, or from
// categories (one colour per category, with a legend). Empty units (no hits,
// NaN) are drawn light grey. Cells may carry annotations, drawn in a colour
// that contrasts with the cell and left out on large maps. RenderMaps puts
// several map charts side by side in one image.
//
// # Curves
//
// A CurveChart draws named series over epochs or steps; flat series and
// single points render (go-chart alone fails on a zero range).
//
// # Interpretation
//
// An Interpretation wraps a trained map with its data and draws the charts
// SOM users look at: Hitmap, Weights, FeatureHeatmaps, Preds, UMatrix, Loss
// and Hyperparams.
//
// # Training-time charts
//
// ChartHook is a hooks.Hook that writes the hit map, the hyperparameter
// curves and a PCA scatter of data and codebook to a folder every few
// epochs.
package viz
