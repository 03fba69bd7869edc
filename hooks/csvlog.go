package hooks

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// CSVHeader is the header row CSVLogger writes. epoch counts from 1, as
// the console does (EpochRecord.Epoch). Validation columns are
// empty for a fit without validation data; alpha, sigma and batch_size
// are the values the epoch started with; seconds is the epoch's wall
// time; te_neighbors is the topographic-error convention of the TE
// columns, the number of grid neighbours that count as adjacent (4 or 8 on
// a rectangular grid, 6 on a hexagonal one; see graph.Config.TEAdjacent).
// The last six columns are a supervised map's target metrics
// (State.TrainTarget, ValidTarget): the accuracies for a class target,
// RMSE and MAE for a numeric one, empty otherwise.
var CSVHeader = []string{
	"epoch", "loss",
	"train_qe", "train_te", "train_distortion", "train_dead_units",
	"valid_qe", "valid_te", "valid_distortion", "valid_dead_units",
	"alpha", "sigma", "batch_size", "batches", "records", "seconds", "te_neighbors",
	"train_accuracy", "valid_accuracy", "train_rmse", "valid_rmse", "train_mae", "valid_mae",
}

// CSVLogger writes one CSV row per epoch (at AfterEpoch) to a writer,
// with the header CSVHeader before the first row it ever writes. Numbers
// use the shortest representation that reads back exactly
// (strconv 'g', -1). Each row is flushed as it is written; a write error
// stops Fit. It runs at OrderOutput.
type CSVLogger struct {
	w      *csv.Writer
	file   *os.File // owned file, from CreateCSVLogger
	path   string
	header bool
	clock  epochClock
}

// NewCSVLogger returns a CSVLogger writing to w.
func NewCSVLogger(w io.Writer) *CSVLogger { return &CSVLogger{w: csv.NewWriter(w)} }

// CreateCSVLogger creates (or truncates) the file at path now, so a bad
// path fails before training, and returns a CSVLogger writing to it. The
// logger closes the file at AfterFit; a later fit with the same logger
// reopens it and appends rows without a second header. Close closes it
// early.
func CreateCSVLogger(path string) (*CSVLogger, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("hooks: csv logger: %w", err)
	}
	return &CSVLogger{w: csv.NewWriter(f), file: f, path: path}, nil
}

// Name returns "csv-logger".
func (l *CSVLogger) Name() string { return "csv-logger" }

// Order returns OrderOutput.
func (l *CSVLogger) Order() int { return OrderOutput }

// Handle writes the header and a row per epoch.
func (l *CSVLogger) Handle(e Event, s *State) error {
	l.clock.handle(e, s)
	switch e {
	case BeforeFit:
		if l.path != "" && l.file == nil {
			f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
			if err != nil {
				return fmt.Errorf("hooks: csv logger: %w", err)
			}
			l.file, l.w = f, csv.NewWriter(f)
		}
		if !l.header {
			l.header = true
			return l.write(CSVHeader)
		}
	case AfterEpoch:
		r := l.clock.record(s)
		return l.write(append(append(csvRow(r), teNeighbors(s)), targetCells(r)...))
	case AfterFit:
		return l.Close()
	}
	return nil
}

// Close closes the file a CreateCSVLogger logger owns; it does nothing
// for NewCSVLogger's writer and may be called more than once.
func (l *CSVLogger) Close() error {
	if l.file == nil {
		return nil
	}
	err := l.file.Close()
	l.file = nil
	if err != nil {
		return fmt.Errorf("hooks: csv logger: %w", err)
	}
	return nil
}

func (l *CSVLogger) write(row []string) error {
	if l.w == nil {
		return errors.New("hooks: csv logger: no writer; build it with NewCSVLogger or CreateCSVLogger")
	}
	if err := l.w.Write(row); err != nil {
		return fmt.Errorf("hooks: csv logger: %w", err)
	}
	l.w.Flush()
	if err := l.w.Error(); err != nil {
		return fmt.Errorf("hooks: csv logger: %w", err)
	}
	return nil
}

func csvRow(r EpochRecord) []string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	row := []string{strconv.Itoa(r.Epoch), f(r.Loss), f(r.Train.QE), f(r.Train.TE), f(r.Train.Distortion), f(r.Train.DeadUnits)}
	if r.HasValid {
		row = append(row, f(r.Valid.QE), f(r.Valid.TE), f(r.Valid.Distortion), f(r.Valid.DeadUnits))
	} else {
		row = append(row, "", "", "", "")
	}
	return append(row, f(r.Alpha), f(r.Sigma), strconv.Itoa(r.BatchSize), strconv.Itoa(r.Batches),
		strconv.Itoa(r.Records), strconv.FormatFloat(r.Duration.Seconds(), 'f', 3, 64))
}

// targetCells returns the target columns of a row: the train and valid
// accuracy, RMSE and MAE, empty where not measured (NaN, no target, no
// validation data).
func targetCells(r EpochRecord) []string {
	cell := func(v float64, ok bool) string {
		if !ok || !r.HasTarget || math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	t, v := r.TrainTarget, r.ValidTarget
	return []string{cell(t.Accuracy, true), cell(v.Accuracy, r.HasValid), cell(t.RMSE, true), cell(v.RMSE, r.HasValid), cell(t.MAE, true), cell(v.MAE, r.HasValid)}
}

var _ Hook = (*CSVLogger)(nil)
