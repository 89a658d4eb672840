// Package stats turns attempt samples into per-webhook statistics: calls,
// errors, success rate and latency percentiles. It is pure computation, so
// the API and the console show the same numbers.
package stats

import (
	"math"
	"slices"
	"time"
)

// Sample is one attempt as statistics see it.
type Sample struct {
	WebhookID string
	StartedAt time.Time
	Duration  time.Duration
	Success   bool
}

// Summary is one webhook's statistics over a window.
type Summary struct {
	WebhookID string
	// Calls counts attempts; Errors those that did not succeed.
	Calls  int
	Errors int
	// P50 and P95 are nearest-rank percentiles of the attempts' durations;
	// zero when there were no calls. A store that keeps roll-ups may
	// estimate them from a Histogram instead, within the precision
	// Histogram documents (store.Statistics).
	P50, P95 time.Duration
}

// SuccessRate returns the share of successful calls in [0, 1], and false
// when there were no calls (a rate of nothing is not 0% nor 100%).
func (s Summary) SuccessRate() (float64, bool) {
	if s.Calls == 0 {
		return 0, false
	}
	return float64(s.Calls-s.Errors) / float64(s.Calls), true
}

// Summarize groups samples by webhook and summarizes each group.
func Summarize(samples []Sample) map[string]Summary {
	durations := map[string][]time.Duration{}
	out := map[string]Summary{}
	for _, s := range samples {
		sum := out[s.WebhookID]
		sum.WebhookID = s.WebhookID
		sum.Calls++
		if !s.Success {
			sum.Errors++
		}
		out[s.WebhookID] = sum
		durations[s.WebhookID] = append(durations[s.WebhookID], s.Duration)
	}
	for id, ds := range durations {
		slices.Sort(ds)
		sum := out[id]
		sum.P50 = Percentile(ds, 50)
		sum.P95 = Percentile(ds, 95)
		out[id] = sum
	}
	return out
}

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted: the smallest value such that at least p% of the values are less
// than or equal to it. It is always one of the values, never an
// interpolation. Zero for an empty slice; p ≤ 0 gives the smallest value.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// Multiplying before dividing keeps whole ranks exact (0.95*100 is not).
	rank := int(math.Ceil(p * float64(n) / 100))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}
