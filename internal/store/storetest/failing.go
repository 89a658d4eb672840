package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// failingSince reads a webhook's FailingSince.
func (f *fixture) failingSince(w *domain.Webhook) time.Time {
	f.t.Helper()
	got, err := f.s.GetWebhook(f.ctx, w.TenantID, w.ID)
	if err != nil {
		f.t.Fatalf("GetWebhook: %v", err)
	}
	return got.FailingSince
}

// failingWebhooks returns FailingWebhooks and fails the test on error.
func (f *fixture) failingWebhooks() []store.FailingWebhook {
	f.t.Helper()
	got, err := f.s.FailingWebhooks(f.ctx)
	if err != nil {
		f.t.Fatalf("FailingWebhooks: %v", err)
	}
	return got
}

var failingTests = []test{
	{"StreakStartsOnFailureAndEndsOnSuccess", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 4)
		if got := f.failingSince(w); !got.IsZero() {
			t.Fatalf("a new webhook is failing since %v", got)
		}
		t1, t2 := base.Add(time.Minute), base.Add(time.Hour)
		f.record(store.AttemptRecord{Attempt: f.attempt(&ds[0], t1, 503, false), State: domain.Failed})
		if got := f.failingSince(w); !got.Equal(t1) {
			t.Fatalf("after a failure: failing since %v, want %v", got, t1)
		}
		// A later failure goes on with the same streak.
		f.record(store.AttemptRecord{Attempt: f.attempt(&ds[1], t2, 500, false), State: domain.Failed})
		if got := f.failingSince(w); !got.Equal(t1) {
			t.Fatalf("after a second failure: failing since %v, want %v", got, t1)
		}
		list := f.failingWebhooks()
		if len(list) != 1 || list[0].WebhookID != w.ID || list[0].TenantID != tn.ID || !list[0].FailingSince.Equal(t1) {
			t.Fatalf("FailingWebhooks = %+v, want %s since %v", list, w.ID, t1)
		}
		f.record(store.AttemptRecord{Attempt: f.attempt(&ds[2], t2.Add(time.Minute), 204, true), State: domain.Succeeded})
		if got := f.failingSince(w); !got.IsZero() {
			t.Fatalf("after a success: failing since %v, want not failing", got)
		}
		if list := f.failingWebhooks(); len(list) != 0 {
			t.Fatalf("FailingWebhooks after a success = %+v, want none", list)
		}
	}},
	{"BatchKeepsTheOrderOfOutcomes", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		other := f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 3)
		var mine, theirs []domain.Delivery
		for _, d := range ds {
			if d.WebhookID == w.ID {
				mine = append(mine, d)
			} else {
				theirs = append(theirs, d)
			}
		}
		t0 := base.Add(time.Minute)
		// An old streak of w, then in one batch: w fails, succeeds and
		// fails again (a new streak); the other webhook fails then
		// succeeds (no streak).
		f.record(store.AttemptRecord{Attempt: f.attempt(&mine[0], t0, 500, false), State: domain.Failed})
		t3 := t0.Add(3 * time.Minute)
		f.record(
			store.AttemptRecord{Attempt: f.attempt(&mine[1], t0.Add(time.Minute), 200, true), State: domain.Succeeded},
			store.AttemptRecord{Attempt: f.attempt(&theirs[0], t0.Add(time.Minute), 500, false), State: domain.Failed},
			store.AttemptRecord{Attempt: f.attempt(&mine[2], t3, 500, false), State: domain.Failed},
			store.AttemptRecord{Attempt: f.attempt(&theirs[1], t3, 200, true), State: domain.Succeeded},
		)
		if got := f.failingSince(w); !got.Equal(t3) {
			t.Fatalf("failing since %v, want the new streak's %v", got, t3)
		}
		if got := f.failingSince(other); !got.IsZero() {
			t.Fatalf("other webhook failing since %v, want not failing", got)
		}
	}},
	{"ReEnableClearsAndDisabledIsNotListed", func(t *testing.T, f *fixture) {
		tn := &domain.Tenant{ID: "t-auto", Name: "Acme", Environment: domain.Production, AutoDisableAfterHours: 12, CreatedAt: base, UpdatedAt: base}
		if err := f.s.CreateTenant(f.ctx, tn); err != nil {
			t.Fatalf("CreateTenant: %v", err)
		}
		w := f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		f.record(store.AttemptRecord{Attempt: f.attempt(&d, base, 500, false), State: domain.Failed})
		list := f.failingWebhooks()
		if len(list) != 1 || list[0].TenantAutoDisableAfterHours != 12 {
			t.Fatalf("FailingWebhooks = %+v, want one with the tenant's 12 hours", list)
		}
		// An update that keeps FailingSince keeps the streak.
		got, _ := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		got.Name = "renamed"
		if _, err := f.s.UpdateWebhook(f.ctx, got, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		if since := f.failingSince(w); !since.Equal(base) {
			t.Fatalf("after a rename: failing since %v, want %v", since, base)
		}
		if err := f.s.DisableWebhook(f.ctx, w.ID, "failing", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		if list := f.failingWebhooks(); len(list) != 0 {
			t.Fatalf("FailingWebhooks lists a disabled webhook: %+v", list)
		}
		// Re-enabling with a zero FailingSince starts afresh.
		got, _ = f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		got.Enabled, got.DisabledReason, got.FailingSince = true, "", time.Time{}
		if _, err := f.s.UpdateWebhook(f.ctx, got, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		if since := f.failingSince(w); !since.IsZero() {
			t.Fatalf("after re-enabling: failing since %v, want not failing", since)
		}
	}},
}
