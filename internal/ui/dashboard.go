package ui

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/stats"
)

// windowStats is one window's numbers, with a flag for "no calls".
type windowStats struct {
	stats.Summary
	Rate    float64
	HasRate bool
}

func newWindowStats(s stats.Summary) windowStats {
	rate, ok := s.SuccessRate()
	return windowStats{Summary: s, Rate: rate, HasRate: ok}
}

// hookStats is one webhook's row of the dashboard.
type hookStats struct {
	Webhook domain.Webhook
	Day     windowStats
	Week    windowStats
	Failing bool
}

// dashboardData is the dashboard's data.
type dashboardData struct {
	Day, Week windowStats
	Hooks     []hookStats
	Chart     template.HTML
	Range     string
	Totals    map[string]int
	Any       bool
}

// dashboard shows the tenant's webhook health: calls, errors, success rate
// and latency over 24 hours and 7 days, deliveries over time by state, and
// its webhooks with the failing ones first.
func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	tid := rc.tenant.ID
	now := c.clock.Now().UTC()
	hooks, err := c.webhooks.All(ctx, tid)
	if err != nil {
		return err
	}
	d, err := c.dashboardStats(ctx, tid, hooks, now)
	if err != nil {
		return err
	}
	return c.dashboardChart(w, r, rc, d, now)
}

// dashboardStats computes the dashboard's numbers: the tenant's calls,
// errors, success rate and latency over 24 hours and 7 days, and each
// webhook's, failing webhooks first.
func (c *Console) dashboardStats(ctx context.Context, tenantID string, hooks []domain.Webhook, now time.Time) (dashboardData, error) {
	day, week, err := c.stats.DayAndWeek(ctx, tenantID, now)
	if err != nil {
		return dashboardData{}, err
	}
	d := dashboardData{Day: newWindowStats(day.Total), Week: newWindowStats(week.Total)}
	for _, h := range hooks {
		hs := hookStats{Webhook: h, Day: newWindowStats(day.Webhooks[h.ID]), Week: newWindowStats(week.Webhooks[h.ID])}
		hs.Failing = hs.Day.Errors > 0 || !h.Enabled
		d.Hooks = append(d.Hooks, hs)
	}
	// Failing webhooks first: most errors in 24 h, then in 7 days, then
	// disabled ones, then by name.
	sort.SliceStable(d.Hooks, func(i, j int) bool {
		a, b := d.Hooks[i], d.Hooks[j]
		if a.Day.Errors != b.Day.Errors {
			return a.Day.Errors > b.Day.Errors
		}
		if a.Week.Errors != b.Week.Errors {
			return a.Week.Errors > b.Week.Errors
		}
		if a.Webhook.Enabled != b.Webhook.Enabled {
			return !a.Webhook.Enabled
		}
		return a.Webhook.Name < b.Webhook.Name
	})
	return d, nil
}

// dashboardChart adds the deliveries chart of the range asked to d and
// renders the dashboard.
func (c *Console) dashboardChart(w http.ResponseWriter, r *http.Request, rc *reqCtx, d dashboardData, now time.Time) error {
	ctx := r.Context()
	tid := rc.tenant.ID
	d.Range = "24h"
	n, step := 24, time.Hour
	if r.URL.Query().Get("range") == "7d" {
		d.Range, n, step = "7d", 28, 6*time.Hour
	}
	buckets, err := c.deliveries.OverTime(ctx, tid, now, n, step)
	if err != nil {
		return err
	}
	d.Totals = map[string]int{}
	for _, b := range buckets {
		for st, v := range b.Counts {
			d.Totals[string(st)] += v
			d.Any = d.Any || v > 0
		}
	}
	audit := tenantBase(tid) + "/deliveries?"
	d.Chart = chartHTML(buckets, step, func(start, end time.Time) string {
		return audit + url.Values{"since": {start.UTC().Format(time.RFC3339)}, "until": {end.UTC().Format(time.RFC3339)}}.Encode()
	})
	return c.page(w, r, rc, "dashboard", "Dashboard", "dashboard", d)
}
