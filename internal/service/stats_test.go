package service

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// The stats window's rules, and a report with a row per webhook, the
// deleted ones last.
func TestStatsReport(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := NewStats(e.deps)
		crm, bi := e.webhook("crm"), e.webhook("bi")
		ds := e.publish(1)
		e.clock.Advance(time.Minute)
		e.fail(ds...) // one failed attempt of each
		if err := e.st.DeleteWebhook(e.ctx, "acme", bi.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		now := e.clock.Now()

		for _, c := range []struct {
			name  string
			q     StatsQuery
			field string
		}{
			{"both", StatsQuery{Window: "1h", Since: now.Add(-time.Hour)}, "window"},
			{"until alone", StatsQuery{Until: now}, "since"},
			{"until before since", StatsQuery{Since: now, Until: now.Add(-time.Hour)}, "until"},
			{"too long", StatsQuery{Since: now.Add(-32 * 24 * time.Hour)}, "since"},
			{"bad window", StatsQuery{Window: "a day"}, "window"},
			{"window too long", StatsQuery{Window: "745h"}, "window"},
			{"negative window", StatsQuery{Window: "-1h"}, "window"},
		} {
			c.q.TenantID = "acme"
			_, err := s.Report(e.ctx, c.q)
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != c.field {
				t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
			}
		}
		_, err := s.Report(e.ctx, StatsQuery{TenantID: "nobody"})
		wantError(t, err, domain.ENOTFOUND, "")

		rep, err := s.Report(e.ctx, StatsQuery{TenantID: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Until.Equal(now) || !rep.Since.Equal(now.Add(-DefaultStatsWindow)) {
			t.Errorf("window %v–%v, want the 24 h before %v", rep.Since, rep.Until, now)
		}
		if len(rep.Webhooks) != 2 || rep.Webhooks[0].WebhookID != crm.ID || rep.Webhooks[0].Name != "crm" ||
			rep.Webhooks[1].WebhookID != bi.ID || rep.Webhooks[1].Name != "" {
			t.Fatalf("rows %+v, want crm then the deleted bi", rep.Webhooks)
		}
		for _, h := range rep.Webhooks {
			if h.Calls != 1 || h.Errors != 1 {
				t.Errorf("%s: %d calls, %d errors; want 1 failed call", h.WebhookID, h.Calls, h.Errors)
			}
		}
		rep, err = s.Report(e.ctx, StatsQuery{TenantID: "acme", Since: now.Add(-30 * time.Second)})
		if err != nil || len(rep.Webhooks) != 1 || rep.Webhooks[0].Calls != 0 {
			t.Fatalf("the last 30 s: %+v, %v; want crm without calls", rep, err)
		}
	})
}
