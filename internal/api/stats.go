package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/stats"
)

// Stats windows.
const (
	defaultStatsWindow = 24 * time.Hour
	maxStatsWindow     = 31 * 24 * time.Hour
)

// statsJSON answers the stats route.
type statsJSON struct {
	Since string             `json:"since"`
	Until string             `json:"until"`
	Data  []webhookStatsJSON `json:"data"`
}

// webhookStatsJSON is one webhook's numbers. Rates and latencies are null
// when the webhook had no calls in the window.
type webhookStatsJSON struct {
	WebhookID   string   `json:"webhook_id"`
	Name        string   `json:"name"`
	Calls       int      `json:"calls"`
	Errors      int      `json:"errors"`
	SuccessRate *float64 `json:"success_rate"`
	P50MS       *float64 `json:"p50_ms"`
	P95MS       *float64 `json:"p95_ms"`
}

func toWebhookStatsJSON(id, name string, s stats.Summary) webhookStatsJSON {
	out := webhookStatsJSON{WebhookID: id, Name: name, Calls: s.Calls, Errors: s.Errors}
	if rate, ok := s.SuccessRate(); ok {
		p50, p95 := millis(s.P50), millis(s.P95)
		out.SuccessRate, out.P50MS, out.P95MS = &rate, &p50, &p95
	}
	return out
}

// getStats answers calls, errors, success rate and latency per webhook of
// the tenant over a window: ?window=<Go duration> back from now (24h by
// default), or ?since=&until= (RFC 3339).
func (a *API) getStats(w http.ResponseWriter, r *http.Request) error {
	since, until, err := a.statsWindow(r)
	if err != nil {
		return err
	}
	tid := r.PathValue("tenant")
	if err := a.requireTenant(r, tid); err != nil {
		return err
	}
	hooks, err := a.allWebhooks(r, tid)
	if err != nil {
		return err
	}
	// Stores with roll-ups (PostgreSQL) summarize by themselves rather
	// than return every attempt of a long window.
	sums, err := a.store.WebhookStats(r.Context(), tid, since, until)
	if err != nil {
		return err
	}
	out := statsJSON{Since: ts(since), Until: ts(until), Data: make([]webhookStatsJSON, 0, len(hooks))}
	for _, h := range hooks {
		out.Data = append(out.Data, toWebhookStatsJSON(h.ID, h.Name, sums[h.ID]))
		delete(sums, h.ID)
	}
	// Attempts of webhooks deleted since still count; they come last.
	var gone []string
	for id := range sums {
		gone = append(gone, id)
	}
	slices.Sort(gone)
	for _, id := range gone {
		out.Data = append(out.Data, toWebhookStatsJSON(id, "", sums[id]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// statsWindow reads the window of the stats route.
func (a *API) statsWindow(r *http.Request) (since, until time.Time, err error) {
	q := r.URL.Query()
	now := a.clock.Now().UTC()
	if q.Get("since") != "" || q.Get("until") != "" {
		if q.Get("window") != "" {
			return since, until, domain.FieldErrorf("window", "give either window or since/until, not both")
		}
		if since, err = timeParam(r, "since"); err != nil {
			return since, until, err
		}
		if since.IsZero() {
			return since, until, domain.FieldErrorf("since", "is required with until")
		}
		if until, err = timeParam(r, "until"); err != nil {
			return since, until, err
		}
		if until.IsZero() {
			until = now
		}
		if !until.After(since) {
			return since, until, domain.FieldErrorf("until", "must be after since")
		}
		if until.Sub(since) > maxStatsWindow {
			return since, until, domain.FieldErrorf("since", "the window may span at most 31 days")
		}
		return since, until, nil
	}
	window := defaultStatsWindow
	if s := q.Get("window"); s != "" {
		window, err = time.ParseDuration(s)
		if err != nil || window <= 0 || window > maxStatsWindow {
			return since, until, domain.FieldErrorf("window", "must be a duration like \"24h\" or \"90m\", at most 744h (31 days)")
		}
	}
	return now.Add(-window), now, nil
}
