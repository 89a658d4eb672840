package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/stats"
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
	q := service.StatsQuery{TenantID: r.PathValue("tenant"), Window: r.URL.Query().Get("window")}
	var err error
	if q.Since, err = timeParam(r, "since"); err != nil {
		return err
	}
	if q.Until, err = timeParam(r, "until"); err != nil {
		return err
	}
	rep, err := a.svc.Stats.Report(r.Context(), q)
	if err != nil {
		return err
	}
	out := statsJSON{Since: ts(rep.Since), Until: ts(rep.Until), Data: make([]webhookStatsJSON, 0, len(rep.Webhooks))}
	for _, h := range rep.Webhooks {
		out.Data = append(out.Data, toWebhookStatsJSON(h.WebhookID, h.Name, h.Summary))
	}
	return writeJSON(w, http.StatusOK, out)
}
