package ui

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

// windowSummaries is a tenant's attempt statistics over one window, per
// webhook and for the whole tenant.
type windowSummaries struct {
	hooks map[string]stats.Summary
	total stats.Summary
}

// windowStats summarizes the tenant's attempts started in [since, until)
// through stats.ForWindow, so the console shows the API's numbers and
// reads PostgreSQL's hourly roll-ups instead of every attempt.
//
// The tenant-wide total is exact on stores without their own summaries
// (SQLite): the samples ForWindow loaded anyway are summarized once more
// as one group. On stores with them (PostgreSQL) the total merges the
// per-webhook summaries: calls, errors and the success rate are exact;
// the percentiles are estimated by mergeSummaries.
func (c *Console) windowStats(ctx context.Context, tenantID string, since, until time.Time) (windowSummaries, error) {
	if _, ok := c.store.(stats.WebhookStatser); ok {
		hooks, err := stats.ForWindow(ctx, c.store, tenantID, since, until)
		if err != nil {
			return windowSummaries{}, err
		}
		return windowSummaries{hooks: hooks, total: mergeSummaries(hooks)}, nil
	}
	rec := &recordingSampler{s: c.store}
	hooks, err := stats.ForWindow(ctx, rec, tenantID, since, until)
	if err != nil {
		return windowSummaries{}, err
	}
	return windowSummaries{hooks: hooks, total: stats.Summarize(relabel(rec.samples))[""]}, nil
}

// recordingSampler keeps the samples it hands to stats.ForWindow, so that
// the tenant-wide total needs no second query. It hides any
// stats.WebhookStatser of s on purpose: it is used only for stores
// without one.
type recordingSampler struct {
	s       stats.Sampler
	samples []store.AttemptSample
}

func (r *recordingSampler) AttemptSamples(ctx context.Context, tenantID string, since, until time.Time) ([]store.AttemptSample, error) {
	samples, err := r.s.AttemptSamples(ctx, tenantID, since, until)
	r.samples = samples
	return samples, err
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
