package service

import (
	"context"
	"slices"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/stats"
)

// Stats windows.
const (
	// DefaultStatsWindow is the window when none is asked for.
	DefaultStatsWindow = 24 * time.Hour
	// MaxStatsWindow is the longest window.
	MaxStatsWindow = 31 * 24 * time.Hour
)

// Stats reads the calls, errors, success rate and latency of a tenant's
// webhooks over a window.
type Stats struct {
	d Deps
}

// NewStats returns the stats service.
func NewStats(d Deps) *Stats {
	return &Stats{d: d.withDefaults()}
}

// StatsQuery asks for a window: Window back from now (a Go duration, 24h
// when empty), or Since to Until (now when zero). Not both.
type StatsQuery struct {
	TenantID     string
	Window       string
	Since, Until time.Time
}

// window checks q and returns its bounds at now.
func (q StatsQuery) window(now time.Time) (since, until time.Time, err error) {
	if !q.Since.IsZero() || !q.Until.IsZero() {
		if q.Window != "" {
			return since, until, domain.FieldErrorf("window", "give either window or since/until, not both")
		}
		if q.Since.IsZero() {
			return since, until, domain.FieldErrorf("since", "is required with until")
		}
		since, until = q.Since, q.Until
		if until.IsZero() {
			until = now
		}
		if err := checkRange(since, until); err != nil {
			return since, until, err
		}
		if until.Sub(since) > MaxStatsWindow {
			return since, until, domain.FieldErrorf("since", "the window may span at most 31 days")
		}
		return since, until, nil
	}
	window := DefaultStatsWindow
	if q.Window != "" {
		window, err = time.ParseDuration(q.Window)
		if err != nil || window <= 0 || window > MaxStatsWindow {
			return since, until, domain.FieldErrorf("window", "must be a duration like \"24h\" or \"90m\", at most 744h (31 days)")
		}
	}
	return now.Add(-window), now, nil
}

// WebhookStats is one webhook's numbers over a window.
type WebhookStats struct {
	WebhookID string
	// Name is "" for a webhook deleted since.
	Name string
	stats.Summary
}

// StatsReport is a tenant's numbers over one window: a row per webhook in
// the order of the webhooks list, then the webhooks deleted since whose
// attempts still count, by id.
type StatsReport struct {
	Since, Until time.Time
	Webhooks     []WebhookStats
}

// Report answers q. ENOTFOUND for an unknown tenant.
func (s *Stats) Report(ctx context.Context, q StatsQuery) (*StatsReport, error) {
	since, until, err := q.window(s.d.Clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	if _, err := s.d.Store.GetTenant(ctx, q.TenantID); err != nil {
		return nil, err
	}
	hooks, err := tenantWebhooks(ctx, s.d.Store, q.TenantID)
	if err != nil {
		return nil, err
	}
	// Stores with roll-ups (PostgreSQL) summarize by themselves rather
	// than return every attempt of a long window.
	sums, err := s.d.Store.WebhookStats(ctx, q.TenantID, since, until)
	if err != nil {
		return nil, err
	}
	out := &StatsReport{Since: since, Until: until, Webhooks: make([]WebhookStats, 0, len(hooks))}
	for _, h := range hooks {
		out.Webhooks = append(out.Webhooks, WebhookStats{WebhookID: h.ID, Name: h.Name, Summary: sums[h.ID]})
		delete(sums, h.ID)
	}
	gone := make([]string, 0, len(sums))
	for id := range sums {
		gone = append(gone, id)
	}
	slices.Sort(gone)
	for _, id := range gone {
		out.Webhooks = append(out.Webhooks, WebhookStats{WebhookID: id, Summary: sums[id]})
	}
	return out, nil
}
