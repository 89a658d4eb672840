package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// An attempt in flight is a delivery claimed (leased) and not yet recorded.
// Canceling it (disabling or deleting its webhook) does not stop the
// request already on its way, so the lease stays until the attempt is
// recorded or the lease runs out: meanwhile Resend answers ECONFLICT and a
// recovered delivery is not claimed again, so that one delivery is never
// sent twice at once. These cases pin that down on every store.
var inFlightTests = []test{
	{"DisableKeepsLease", func(t *testing.T, f *fixture) {
		testCancelKeepsLease(t, f, func(w *domain.Webhook, at time.Time) {
			if err := f.s.DisableWebhook(f.ctx, w.ID, "410 Gone", at); err != nil {
				t.Fatalf("DisableWebhook: %v", err)
			}
		})
	}},
	{"UpdateDisabledKeepsLease", func(t *testing.T, f *fixture) {
		testCancelKeepsLease(t, f, func(w *domain.Webhook, at time.Time) {
			w.Enabled, w.UpdatedAt = false, at
			if n, err := f.s.UpdateWebhook(f.ctx, w, at); err != nil || n != 1 {
				t.Fatalf("UpdateWebhook(disabled) = %d canceled, %v; want 1", n, err)
			}
		})
	}},
	{"DeleteKeepsLease", func(t *testing.T, f *fixture) {
		testCancelKeepsLease(t, f, func(w *domain.Webhook, at time.Time) {
			if err := f.s.DeleteWebhook(f.ctx, w.TenantID, w.ID, at); err != nil {
				t.Fatalf("DeleteWebhook: %v", err)
			}
		})
	}},
	{"ResendAfterCanceledLeaseRunsOut", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		if j := f.claim("n1", base, base.Add(time.Minute), 1); len(j) != 1 {
			t.Fatalf("claimed %d, want 1", len(j))
		}
		if err := f.s.DisableWebhook(f.ctx, w.ID, "", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		// The node holding it died: once the lease has run out, nothing
		// is in flight any more.
		got, err := f.s.Resend(f.ctx, tn.ID, d.ID, base.Add(time.Minute))
		if err != nil {
			t.Fatalf("Resend after the lease ran out: %v", err)
		}
		if got.State != domain.Scheduled {
			t.Fatalf("resent delivery is %s, want scheduled", got.State)
		}
		if j := f.claim("n2", base.Add(time.Minute), base.Add(2*time.Minute), 10); len(j) != 1 {
			t.Fatalf("claimed %d after the resend, want 1", len(j))
		}
	}},
	{"RecoverKeepsLease", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		until := base.Add(time.Minute)
		if j := f.claim("n1", base, until, 1); len(j) != 1 {
			t.Fatalf("claimed %d, want 1", len(j))
		}
		if err := f.s.DisableWebhook(f.ctx, w.ID, "", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		w.Enabled, w.UpdatedAt = true, base
		if _, err := f.s.UpdateWebhook(f.ctx, w, base); err != nil {
			t.Fatalf("UpdateWebhook(enabled): %v", err)
		}
		now := base.Add(10 * time.Second)
		n, err := f.s.Recover(f.ctx, store.RecoverParams{TenantID: tn.ID, WebhookID: w.ID, Since: base, Until: now, Now: now})
		if err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v; want 1", n, err)
		}
		if got := f.get(tn.ID, d.ID); got.State != domain.Scheduled {
			t.Fatalf("recovered delivery is %s, want scheduled", got.State)
		}
		// Still in flight: no other claim, no resend.
		if j := f.claim("n2", now, now.Add(time.Minute), 10); len(j) != 0 {
			t.Fatalf("claimed %v while the attempt is in flight, want none", jobIDs(j))
		}
		_, err = f.s.Resend(f.ctx, tn.ID, d.ID, now)
		wantCode(t, err, domain.ECONFLICT)
		// The lease still renews, as its holder expects.
		if got := f.renew("n1", now, until.Add(time.Minute), lease(d.ID, until)); len(got) != 1 {
			t.Fatalf("renewed %d leases of a recovered delivery in flight, want 1", len(got))
		}
		until = until.Add(time.Minute)

		// The attempt ends: its outcome is the recovered delivery's.
		f.record(store.AttemptRecord{Attempt: f.attempt(&d, base, 503, false), State: domain.Scheduled, NextAttemptAt: now.Add(time.Minute)})
		got := f.get(tn.ID, d.ID)
		if got.State != domain.Scheduled || got.Attempts != 1 {
			t.Fatalf("recovered delivery after its attempt: %s, %d attempts; want scheduled, 1", got.State, got.Attempts)
		}
		if j := f.claim("n2", now.Add(time.Minute), now.Add(2*time.Minute), 10); len(j) != 1 {
			t.Fatalf("claimed %d after the attempt was recorded, want 1", len(j))
		}
	}},
	{"RecoverThenLeaseRunsOut", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		f.deliveries(tn.ID, base, 1)
		until := base.Add(time.Minute)
		if j := f.claim("n1", base, until, 1); len(j) != 1 {
			t.Fatalf("claimed %d, want 1", len(j))
		}
		if err := f.s.DisableWebhook(f.ctx, w.ID, "", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		w.Enabled, w.UpdatedAt = true, base
		if _, err := f.s.UpdateWebhook(f.ctx, w, base); err != nil {
			t.Fatalf("UpdateWebhook(enabled): %v", err)
		}
		if n, err := f.s.Recover(f.ctx, store.RecoverParams{TenantID: tn.ID, WebhookID: w.ID, Since: base, Now: base.Add(time.Second)}); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v; want 1", n, err)
		}
		// The holder died: the work is claimable once its lease runs out.
		if j := f.claim("n2", until, until.Add(time.Minute), 10); len(j) != 1 {
			t.Fatalf("claimed %d after the lease ran out, want 1", len(j))
		}
	}},
}

// testCancelKeepsLease claims a delivery, cancels it through cancel while
// its attempt is in flight, and checks that Resend waits for the attempt.
func testCancelKeepsLease(t *testing.T, f *fixture, cancel func(w *domain.Webhook, at time.Time)) {
	tn := f.tenant(0)
	w := f.webhook(tn.ID)
	d := f.deliveries(tn.ID, base, 1)[0]
	until := base.Add(time.Minute)
	if j := f.claim("n1", base, until, 1); len(j) != 1 {
		t.Fatalf("claimed %d, want 1", len(j))
	}
	cancel(w, base)
	if got := f.get(tn.ID, d.ID); got.State != domain.Canceled {
		t.Fatalf("delivery is %s after the cancel, want canceled", got.State)
	}

	now := base.Add(10 * time.Second)
	_, err := f.s.Resend(f.ctx, tn.ID, d.ID, now)
	wantCode(t, err, domain.ECONFLICT)
	if got := f.renew("n1", now, until.Add(time.Minute), lease(d.ID, until)); len(got) != 1 {
		t.Fatalf("renewed %d leases of a canceled delivery in flight, want 1", len(got))
	}

	// The attempt is recorded: the delivery stays canceled, the lease goes,
	// and a resend goes ahead.
	f.record(store.AttemptRecord{Attempt: f.attempt(&d, base, 500, false), State: domain.Scheduled, NextAttemptAt: now.Add(time.Minute)})
	got := f.get(tn.ID, d.ID)
	if got.State != domain.Canceled || got.Attempts != 1 {
		t.Fatalf("canceled delivery after its attempt: %s, %d attempts; want canceled, 1", got.State, got.Attempts)
	}
	res, err := f.s.Resend(f.ctx, tn.ID, d.ID, now)
	if err != nil {
		t.Fatalf("Resend after the attempt was recorded: %v", err)
	}
	if res.State != domain.Scheduled || !res.NextAttemptAt.Equal(now) {
		t.Fatalf("resent delivery: %s, next %v; want scheduled, %v", res.State, res.NextAttemptAt, now)
	}
}
