// Package serve is the map explorer: a web page and the JSON API behind
// it, as an http.Handler. The page shows the map coloured by a layer (hits,
// U-matrix, any feature's component plane in original units or categories,
// the class map, clusters), a tooltip per unit, the records of a unit or of
// a selection of units, the training curves, a search for a record's
// best-matching unit, and downloads of the view drawn by viz (the charts of
// somgraph plot).
//
//	ex, err := serve.Handler(model, data) // data: encoded records, or nil
//	http.ListenAndServe("127.0.0.1:8080", ex)
//
// The explorer holds the model, its decoded codebook and the records'
// best-matching units in memory; every request reads them and none writes
// anything. The page is plain JavaScript and SVG embedded in the binary: it
// needs no network. The caller owns the http.Server (timeouts, shutdown);
// somgraph serve sets them.
//
// # Live training
//
// Live returns an explorer whose page follows a map being trained: add
// TrainingHook to the Learner (or call Update or Publish yourself) and the
// page redraws after every epoch, told by Server-Sent Events.
//
// # API
//
// Every answer is JSON unless said otherwise. Errors are
// {"error": "message"} with status 400 for a bad parameter or body (413 for
// a body over MaxBodyBytes), 404 for an unknown endpoint, 405 for a method
// other than GET on the page; never 500 for anything a client sends.
//
//	GET /api/map
//	    the grid (rows, cols, topology), each unit's row, column, centre and
//	    polygon in grid units (viz.CellShape), the inputs and their kinds,
//	    hits per unit, clusters per unit (if the model has them), the
//	    decoded codebook as text, the layers (name, title, kind "values"
//	    or "categories", a colour per unit, the values or the categories and
//	    their levels, the colour bar, the chart that draws the layer), the
//	    training history (qe, te, alpha, sigma per epoch) and the charts
//	    GET /api/chart draws.
//	GET /api/units/{k}
//	    unit k (0 ≤ k < rows·cols, at row k / cols): row, column, hits,
//	    cluster, U-matrix value, the decoded codebook, the profile (per
//	    input: codebook value, mean of the unit's records and of all
//	    records, and the unit's mean in standard deviations; for a category
//	    the unit's most frequent level and its share) and the labels of its
//	    records.
//	GET /api/units/{k}/records?offset=0&limit=50&sort=row&order=asc
//	    one page of the records whose best-matching unit is k: columns
//	    (row, the inputs in original units and categories, label, unit,
//	    distance) and rows as text. limit is at most MaxLimit; sort names a
//	    column, order is asc or desc.
//	GET /api/records?units=1,2,7&offset=&limit=&sort=&order=
//	    the same for the records of several units (a selection).
//	GET /api/records.csv?units=1,2,7
//	    every record of the units, as a CSV file to download.
//	POST /api/bmu
//	    body {"records": [[v, ...], ...]} (one value per input in the
//	    order of /api/map's inputs; numbers, text, or null for missing) or
//	    {"csv": "text"} (one record per line, optionally under a header
//	    line naming the inputs in any order); at most MaxRecords records
//	    and MaxBodyBytes bytes. Answers {"bmus": [{"unit", "row", "col",
//	    "distance"}, ...]}, one per record, as somgraph predict finds them.
//	GET /api/chart/{name}.{png|svg}?feature=&download=1
//	    the chart name (hitmap, weights, features, preds, umatrix, loss,
//	    hyperparams) drawn by viz, as somgraph plot draws it; feature
//	    restricts features to one input; download=1 adds a file name.
//	GET /api/events
//	    live explorers only: a text/event-stream with an "update" event
//	    {"version": n} for every new snapshot.
package serve
