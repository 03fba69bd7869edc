package bench

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// Heap is what a HeapSampler saw of the Go heap.
type Heap struct {
	// BaseBytes is the heap in use when sampling started, after a GC.
	BaseBytes uint64 `json:"base_bytes"`
	// PeakBytes is the most heap in use seen at any sample: live objects
	// plus garbage not yet collected (runtime/metrics
	// /memory/classes/heap/objects:bytes). It is what the process needed.
	PeakBytes uint64 `json:"peak_bytes"`
	// PeakLiveBytes is the largest live heap a GC found while sampling
	// (/gc/heap/live:bytes): what training kept, without garbage.
	PeakLiveBytes uint64 `json:"peak_live_bytes"`
	// Samples is the number of samples taken.
	Samples int `json:"samples"`
}

// HeapSampler samples the heap from a goroutine until Stop.
type HeapSampler struct {
	samples []metrics.Sample
	stop    chan struct{}
	done    chan struct{}
	heap    Heap
}

const (
	heapObjects = "/memory/classes/heap/objects:bytes"
	heapLive    = "/gc/heap/live:bytes"
)

// StartHeap runs the GC, records the heap in use as the base and starts
// sampling it every interval (at least 1 ms; 0 means 20 ms). Sampling
// reads runtime/metrics, which does not stop the world, but every sample
// wakes a thread: with OpenBLAS that thread preempts a BLAS worker in the
// middle of a product, and a 2 ms interval measurably slowed the epochs
// it watched (the floor is not watched), so the default leaves the work
// alone while still catching a training run's peak.
func StartHeap(interval time.Duration) *HeapSampler {
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	interval = max(interval, time.Millisecond)
	h := &HeapSampler{
		samples: []metrics.Sample{{Name: heapObjects}, {Name: heapLive}},
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	// Two collections: objects parked in sync.Pools survive the first one
	// in the pools' victim caches.
	runtime.GC()
	runtime.GC()
	h.read()
	h.heap.BaseBytes = h.heap.PeakBytes
	go func() {
		defer close(h.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.read()
			}
		}
	}()
	return h
}

// read takes one sample; only the sampling goroutine calls it after start.
func (h *HeapSampler) read() {
	metrics.Read(h.samples)
	if v := h.samples[0].Value; v.Kind() == metrics.KindUint64 {
		h.heap.PeakBytes = max(h.heap.PeakBytes, v.Uint64())
	}
	if v := h.samples[1].Value; v.Kind() == metrics.KindUint64 {
		h.heap.PeakLiveBytes = max(h.heap.PeakLiveBytes, v.Uint64())
	}
	h.heap.Samples++
}

// Stop ends sampling, takes a last sample and returns what was seen. It
// may be called more than once.
func (h *HeapSampler) Stop() Heap {
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
	<-h.done
	h.read()
	return h.heap
}

// allocNames names the cumulative allocation counters ReadAllocs reads.
var allocNames = [2]string{"/gc/heap/allocs:objects", "/gc/heap/allocs:bytes"}

// ReadAllocs returns the number of heap allocations and their bytes since
// the program started (runtime/metrics, without stopping the world). The
// difference of two readings counts the allocations between them.
func ReadAllocs() (objects, bytes uint64) {
	s := [2]metrics.Sample{{Name: allocNames[0]}, {Name: allocNames[1]}}
	metrics.Read(s[:])
	if s[0].Value.Kind() == metrics.KindUint64 {
		objects = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		bytes = s[1].Value.Uint64()
	}
	return objects, bytes
}
