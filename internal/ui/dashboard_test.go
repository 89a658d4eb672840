package ui

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

// The dashboard's numbers, per webhook and tenant-wide, are exactly the
// stats of the stored attempts of each window.
func TestDashboardNumbersMatchStats(t *testing.T) {
	now := time.Now().UTC()
	clk := clock.NewFake(now)
	b := setup(t, func(c *Config) { c.Clock = clk })
	b.login()
	b.tenant("acme")
	b.tenant("other")
	b.webhook("acme", "crm")
	b.webhook("acme", "bi")
	b.webhook("other", "noise")
	res := append(b.publish("acme", "user.created", 30), b.publish("other", "user.created", 3)...)

	// Attempts spread over 8 days: some in the last 24 h, some only in
	// the week, some older than both windows.
	rng := rand.New(rand.NewPCG(3, 4))
	ages := []time.Duration{time.Hour, 23 * time.Hour, 25 * time.Hour, 3 * 24 * time.Hour, 8 * 24 * time.Hour}
	var recs []store.AttemptRecord
	for _, r := range res {
		for _, d := range r.Deliveries {
			for n := 1; n <= 2; n++ {
				status, ok := 200, true
				if rng.IntN(4) == 0 {
					status, ok = 500, false
				}
				at := domain.Attempt{ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID, EventID: d.EventID,
					Number: n, Trigger: domain.TriggerScheduled, StartedAt: now.Add(-ages[rng.IntN(len(ages))]),
					Duration: time.Duration(1+rng.IntN(900)) * time.Millisecond, RequestURL: "https://rx.example.com/", StatusCode: status, Success: ok}
				recs = append(recs, store.AttemptRecord{Attempt: at, State: domain.Scheduled, NextAttemptAt: now.Add(time.Hour)})
			}
		}
	}
	ctx := context.Background()
	if err := b.store.RecordAttempts(ctx, recs); err != nil {
		t.Fatal(err)
	}
	hooks, err := b.console.webhooks.All(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.console.dashboardStats(ctx, "acme", hooks, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		name string
		got  windowStats
		hook func(hookStats) windowStats
		age  time.Duration
	}{
		{"24 h", got.Day, func(h hookStats) windowStats { return h.Day }, 24 * time.Hour},
		{"7 d", got.Week, func(h hookStats) windowStats { return h.Week }, 7 * 24 * time.Hour},
	} {
		samples, err := b.store.AttemptSamples(ctx, "acme", now.Add(-w.age), now)
		if err != nil {
			t.Fatal(err)
		}
		want := stats.Summarize(samples)
		for i := range samples {
			samples[i].WebhookID = "" // to summarize them all at once
		}
		all := stats.Summarize(samples)[""]
		if all.Calls == 0 || all.Errors == 0 || all.Errors == all.Calls {
			t.Fatalf("%s: the test's attempts = %+v, want calls, some failed", w.name, all)
		}
		// Calls and errors add up exactly; the tenant-wide percentiles
		// are merged from the webhooks' own (service.mergeSummaries), so
		// they lie between the webhooks' values.
		g := w.got.Summary
		if g.Calls != all.Calls || g.Errors != all.Errors {
			t.Errorf("%s tenant-wide = %+v, want the calls and errors of %+v", w.name, g, all)
		}
		for _, p := range []struct {
			name string
			got  time.Duration
			of   func(stats.Summary) time.Duration
		}{{"p50", g.P50, func(s stats.Summary) time.Duration { return s.P50 }}, {"p95", g.P95, func(s stats.Summary) time.Duration { return s.P95 }}} {
			lo, hi := time.Duration(1<<62), time.Duration(0)
			for _, s := range want {
				lo, hi = min(lo, p.of(s)), max(hi, p.of(s))
			}
			if p.got < lo || p.got > hi {
				t.Errorf("%s tenant-wide %s = %v, want within the webhooks' [%v, %v]", w.name, p.name, p.got, lo, hi)
			}
		}
		if rate, _ := all.SuccessRate(); w.got.Rate != rate || !w.got.HasRate {
			t.Errorf("%s success rate = %v, want %v", w.name, w.got.Rate, rate)
		}
		for _, h := range got.Hooks {
			if g := w.hook(h); g.Summary != want[h.Webhook.ID] {
				t.Errorf("%s %s = %+v, want %+v", w.name, h.Webhook.Name, g.Summary, want[h.Webhook.ID])
			}
		}
	}
	if len(got.Hooks) != 2 {
		t.Fatalf("dashboard shows %d webhooks, want acme's 2", len(got.Hooks))
	}
	// The page renders them.
	p := b.get("/t/acme/")
	wantStatus(t, p, http.StatusOK)
	mustContain(t, p, ms(got.Week.P95), count(got.Week.Calls))
}

// The dashboard warns of a failing webhook and of one lmshooks disabled,
// each with a link to it.
func TestDashboardBannersFailingAndAutoDisabled(t *testing.T) {
	now := time.Now().UTC()
	b := setup(t, func(c *Config) { c.Clock = clock.NewFake(now) })
	b.login()
	b.tenant("acme")
	failing := b.webhook("acme", "crm")
	gone := b.webhook("acme", "bi")
	healthy := b.webhook("acme", "lake")
	ctx := context.Background()
	var recs []store.AttemptRecord
	for _, r := range b.publish("acme", "user.created", 1) {
		for _, d := range r.Deliveries {
			ok := d.WebhookID == healthy.ID
			at := domain.Attempt{ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID, EventID: d.EventID,
				Number: 1, Trigger: domain.TriggerScheduled, StartedAt: now.Add(-time.Hour), RequestURL: "https://rx.example.com/", StatusCode: 500, Success: ok}
			recs = append(recs, store.AttemptRecord{Attempt: at, State: domain.Failed})
		}
	}
	if err := b.store.RecordAttempts(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := b.store.DisableWebhook(ctx, gone.ID, "every delivery attempt failed since yesterday", now); err != nil {
		t.Fatal(err)
	}
	p := b.get("/t/acme/")
	mustContain(t, p, `data-banner="failing"`)
	mustContain(t, p, `href="/t/acme/webhooks/`+failing.ID+`">crm</a> is failing`)
	mustContain(t, p, `href="/t/acme/webhooks/`+gone.ID+`">bi</a> was disabled by lmshooks:</strong> every delivery attempt failed since yesterday`)
	if strings.Contains(p.body, `">lake</a> is failing`) {
		t.Fatal("a healthy webhook has a failing banner")
	}
}
