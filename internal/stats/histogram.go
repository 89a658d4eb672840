package stats

import (
	"fmt"
	"math"
	"time"
)

// Histogram counts durations in buckets with fixed upper bounds, so that
// percentiles over a long window can be estimated from pre-aggregated
// counts instead of every duration.
//
// Estimates use the nearest rank, like Percentile, then interpolate
// linearly inside the bucket holding that rank: the estimate and the exact
// nearest-rank value lie in the same bucket, so they differ by less than
// that bucket's width. The last bucket has no upper bound; the largest
// duration seen (Max) stands in for it, and no estimate exceeds Max.
type Histogram struct {
	// Bounds are the buckets' inclusive upper bounds, ascending.
	Bounds []time.Duration
	// Counts has len(Bounds)+1 entries: Counts[i] counts the durations
	// above Bounds[i-1] (or any, for i = 0) and at most Bounds[i]; the last
	// counts those above the last bound.
	Counts []int64
	// Max is the largest duration counted.
	Max time.Duration
}

// NewHistogram returns an empty histogram with the given ascending bounds.
func NewHistogram(bounds []time.Duration) *Histogram {
	return &Histogram{Bounds: bounds, Counts: make([]int64, len(bounds)+1)}
}

// Observe counts one duration.
func (h *Histogram) Observe(d time.Duration) {
	i := 0
	for i < len(h.Bounds) && d > h.Bounds[i] {
		i++
	}
	h.Counts[i]++
	h.Max = max(h.Max, d)
}

// Merge adds counts taken with the same bounds (such as a stored roll-up)
// whose largest duration was maxSeen.
func (h *Histogram) Merge(counts []int64, maxSeen time.Duration) error {
	if len(counts) != len(h.Counts) {
		return fmt.Errorf("histogram: merging %d buckets into %d", len(counts), len(h.Counts))
	}
	for i, c := range counts {
		h.Counts[i] += c
	}
	h.Max = max(h.Max, maxSeen)
	return nil
}

// Total returns how many durations were counted.
func (h *Histogram) Total() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Percentile estimates the nearest-rank p-th percentile (0 < p ≤ 100), as
// described on Histogram. Zero for an empty histogram.
func (h *Histogram) Percentile(p float64) time.Duration {
	n := h.Total()
	if n == 0 {
		return 0
	}
	rank := int64(math.Ceil(p * float64(n) / 100))
	rank = min(max(rank, 1), n)
	var below int64
	for i, c := range h.Counts {
		if below+c < rank {
			below += c
			continue
		}
		var lower time.Duration
		if i > 0 {
			lower = h.Bounds[i-1]
		}
		upper := h.Max
		if i < len(h.Bounds) {
			upper = min(h.Bounds[i], h.Max)
		}
		if upper <= lower {
			return upper
		}
		// The rank-th of c values spread evenly over (lower, upper]:
		// the last of them lands on upper.
		frac := float64(rank-below) / float64(c)
		return lower + time.Duration(frac*float64(upper-lower))
	}
	return h.Max // unreachable: rank ≤ n
}
