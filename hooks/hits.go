package hooks

import (
	"errors"
	"fmt"
)

// HitTracker counts, for every unit, how many training records had it as
// best-matching unit: per epoch and in total over the fit (what fastsom's
// SomBmuVisualizationCallback collects, for hit-map charts). It reads
// State.BMU at AfterBatch, so the counts use the BMUs found before each
// batch's update. It is reset at BeforeFit and runs at OrderRecord.
type HitTracker struct {
	// PerEpoch[e][k] is the number of hits of unit k in epoch e; Total[k]
	// sums them.
	PerEpoch [][]int
	Total    []int
}

// NewHitTracker returns an empty HitTracker.
func NewHitTracker() *HitTracker { return &HitTracker{} }

// Name returns "hit-tracker".
func (h *HitTracker) Name() string { return "hit-tracker" }

// Order returns OrderRecord.
func (h *HitTracker) Order() int { return OrderRecord }

// Handle counts the batch's BMUs. It returns an error if the map is
// missing at BeforeFit or a BMU is not a unit of the map.
func (h *HitTracker) Handle(e Event, s *State) error {
	switch e {
	case BeforeFit:
		if s.Map == nil {
			return errors.New("hooks: hit-tracker: State.Map is nil at BeforeFit; the trainer must set the map")
		}
		h.Total = make([]int, s.Map.Units())
		h.PerEpoch = h.PerEpoch[:0]
	case BeforeEpoch:
		h.PerEpoch = append(h.PerEpoch, make([]int, len(h.Total)))
	case AfterBatch:
		if len(h.PerEpoch) == 0 {
			return errors.New("hooks: hit-tracker: AfterBatch before BeforeFit and BeforeEpoch; the trainer must send them first")
		}
		cur := h.PerEpoch[len(h.PerEpoch)-1]
		for i, k := range s.BMU {
			if k < 0 || k >= len(cur) {
				return fmt.Errorf("hooks: hit-tracker: record %d of batch %d (epoch %d) has BMU %d, not a unit of the %d-unit map", i, s.Batch, s.Epoch, k, len(cur))
			}
		}
		for _, k := range s.BMU {
			cur[k]++
			h.Total[k]++
		}
	}
	return nil
}

// Last returns the counts of the last epoch seen (nil before any).
func (h *HitTracker) Last() []int {
	if len(h.PerEpoch) == 0 {
		return nil
	}
	return h.PerEpoch[len(h.PerEpoch)-1]
}

var _ Hook = (*HitTracker)(nil)
