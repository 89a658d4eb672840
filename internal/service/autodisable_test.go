package service

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestAutoDisableAfterThePeriodOfFailures(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		svc := NewWebhooks(e.deps, WebhooksConfig{AutoDisableAfter: 5 * 24 * time.Hour})
		dead := e.webhook("dead")
		ds := e.publish(3)
		var deadDs []domain.Delivery
		for _, d := range ds {
			if d.WebhookID == dead.ID {
				deadDs = append(deadDs, d)
			}
		}
		failedAt := e.clock.Now()
		e.fail(deadDs[0])

		// Just short of five days: nothing happens.
		e.clock.Advance(5*24*time.Hour - time.Second)
		if n, err := svc.AutoDisable(e.ctx, e.clock.Now()); err != nil || n != 0 {
			t.Fatalf("AutoDisable before the period = %d, %v; want 0", n, err)
		}
		e.clock.Advance(time.Second)
		if n, err := svc.AutoDisable(e.ctx, e.clock.Now()); err != nil || n != 1 {
			t.Fatalf("AutoDisable at the period = %d, %v; want 1", n, err)
		}
		got, err := svc.Get(e.ctx, "acme", dead.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Enabled || !strings.Contains(got.DisabledReason, failedAt.Format(time.RFC3339)) || !strings.Contains(got.DisabledReason, "5 days") {
			t.Fatalf("after auto-disable: enabled %v, reason %q", got.Enabled, got.DisabledReason)
		}
		// As for any disable, its scheduled deliveries are canceled.
		for _, d := range deadDs[1:] {
			if s := e.state(d.ID); s != domain.Canceled {
				t.Fatalf("delivery %s is %s, want canceled", d.ID, s)
			}
		}
		if e.notice.changed.Load() == 0 {
			t.Fatal("the dispatcher was not told of the disabled webhook")
		}

		// Re-enabling is one call: the reason and the streak are gone, so
		// the next round leaves it alone.
		saved, err := svc.SetEnabled(e.ctx, "acme", dead.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if !saved.Webhook.Enabled || saved.Webhook.DisabledReason != "" || !saved.Webhook.FailingSince.IsZero() {
			t.Fatalf("re-enabled: %+v", saved.Webhook)
		}
		if n, err := svc.AutoDisable(e.ctx, e.clock.Now()); err != nil || n != 0 {
			t.Fatalf("AutoDisable after re-enabling = %d, %v; want 0", n, err)
		}
	})
}

func TestAutoDisableFollowsTheTenant(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		svc := NewWebhooks(e.deps, WebhooksConfig{AutoDisableAfter: 5 * 24 * time.Hour})
		e.webhook("dead")
		e.fail(e.publish(1)...)
		tn, err := e.st.GetTenant(e.ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		// Never, for this tenant: a month of failures disables nothing.
		tn.AutoDisableAfterHours = domain.AutoDisableNever
		if err := e.st.UpdateTenant(e.ctx, tn); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(30 * 24 * time.Hour)
		if n, err := svc.AutoDisable(e.ctx, e.clock.Now()); err != nil || n != 0 {
			t.Fatalf("AutoDisable with never = %d, %v; want 0", n, err)
		}
		// A tenant period shorter than the server's applies.
		tn.AutoDisableAfterHours = 24
		if err := e.st.UpdateTenant(e.ctx, tn); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.AutoDisable(e.ctx, e.clock.Now()); err != nil || n != 1 {
			t.Fatalf("AutoDisable with the tenant's 24 hours = %d, %v; want 1", n, err)
		}
	})
}

func TestAutoDisableOffByDefault(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		svc := NewWebhooks(e.deps, WebhooksConfig{}) // server default 0: never
		e.webhook("dead")
		e.fail(e.publish(1)...)
		e.clock.Advance(365 * 24 * time.Hour)
		if n, err := svc.AutoDisable(e.ctx, e.clock.Now()); err != nil || n != 0 {
			t.Fatalf("AutoDisable with a server default of 0 = %d, %v; want 0", n, err)
		}
	})
}
