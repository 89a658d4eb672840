package service

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

// The windows the console shows a tenant's health over.
const (
	dayWindow  = 24 * time.Hour
	weekWindow = 7 * dayWindow
)

// Window is a tenant's attempt numbers over one window, per webhook (by
// id) and for the whole tenant.
type Window struct {
	Webhooks map[string]stats.Summary
	Total    stats.Summary
}

// LastDay summarizes each of the tenant's webhooks' attempts started in
// the 24 hours before now.
func (s *Stats) LastDay(ctx context.Context, tenantID string, now time.Time) (map[string]stats.Summary, error) {
	return s.d.Store.WebhookStats(ctx, tenantID, now.Add(-dayWindow), now)
}

// DayAndWeek summarizes the tenant's attempts started in the last 24
// hours and the last 7 days before now, through the store's WebhookStats
// numbers, so that the console shows what the API's statistics show.
//
// On stores that keep roll-ups (both of ours, hourly) each window is one
// WebhookStats, and the tenant-wide total merges the per-webhook
// summaries: calls, errors and the success rate are exact; the
// percentiles are estimated by mergeSummaries. On a store without them the
// week's samples are read once and the day's are the ones among them that
// started in the last 24 hours: the same samples a second query would
// return, for half the reading. The tenant-wide totals are then exact too.
func (s *Stats) DayAndWeek(ctx context.Context, tenantID string, now time.Time) (day, week Window, err error) {
	daySince, weekSince := now.Add(-dayWindow), now.Add(-weekWindow)
	if s.d.Store.RollsUp() {
		for _, w := range []struct {
			since time.Time
			out   *Window
		}{{daySince, &day}, {weekSince, &week}} {
			hooks, err := s.d.Store.WebhookStats(ctx, tenantID, w.since, now)
			if err != nil {
				return day, week, err
			}
			*w.out = Window{Webhooks: hooks, Total: mergeSummaries(hooks)}
		}
		return day, week, nil
	}
	samples, err := s.d.Store.AttemptSamples(ctx, tenantID, weekSince, now)
	if err != nil {
		return day, week, err
	}
	// The store compares whole microseconds; so does this.
	from := daySince.Truncate(time.Microsecond)
	var recent []store.AttemptSample
	for _, smp := range samples {
		if !smp.StartedAt.Before(from) {
			recent = append(recent, smp)
		}
	}
	return summarizeAll(recent), summarizeAll(samples), nil
}

// summarizeAll summarizes samples per webhook and all together.
func summarizeAll(samples []store.AttemptSample) Window {
	return Window{Webhooks: stats.Summarize(samples), Total: stats.Summarize(relabel(samples))[""]}
}

// relabel puts every sample under one key, to summarize them all at once.
func relabel(samples []store.AttemptSample) []store.AttemptSample {
	out := make([]store.AttemptSample, len(samples))
	for i, s := range samples {
		s.WebhookID = ""
		out[i] = s
	}
	return out
}

// mergeSummaries sums per-webhook summaries into one. Calls and errors
// add up exactly. Percentiles cannot be merged exactly from summaries, so
// each is the call-weighted nearest-rank percentile of the webhooks'
// own: as if every call of a webhook took that webhook's percentile. The
// estimate is exact with one webhook and always lies between the
// smallest and the largest webhook's value, which bound the true value.
func mergeSummaries(hooks map[string]stats.Summary) stats.Summary {
	var total stats.Summary
	list := make([]stats.Summary, 0, len(hooks))
	for _, s := range hooks {
		if s.Calls == 0 {
			continue
		}
		total.Calls += s.Calls
		total.Errors += s.Errors
		list = append(list, s)
	}
	total.P50 = weightedPercentile(list, total.Calls, 50, func(s stats.Summary) time.Duration { return s.P50 })
	total.P95 = weightedPercentile(list, total.Calls, 95, func(s stats.Summary) time.Duration { return s.P95 })
	return total
}

// weightedPercentile returns the nearest-rank p-th percentile of value
// over list, each summary weighing its calls (which add up to calls).
func weightedPercentile(list []stats.Summary, calls int, p float64, value func(stats.Summary) time.Duration) time.Duration {
	if calls == 0 {
		return 0
	}
	sorted := append([]stats.Summary(nil), list...)
	sort.Slice(sorted, func(i, j int) bool { return value(sorted[i]) < value(sorted[j]) })
	rank := min(max(int(math.Ceil(p*float64(calls)/100)), 1), calls)
	seen := 0
	for _, s := range sorted {
		seen += s.Calls
		if seen >= rank {
			return value(s)
		}
	}
	return value(sorted[len(sorted)-1]) // unreachable: the calls add up
}
