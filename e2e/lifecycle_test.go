package e2e

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
)

func TestDisableCancelsRecoverAndResend(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	var healthy atomic.Bool
	rc := newReceiver(t, func(int, *http.Request) int {
		if healthy.Load() {
			return 200
		}
		return 500
	})
	// A long first wait keeps the failed delivery scheduled.
	w := s.createWebhook("acme", client.WebhookRequest{Name: "lms-sync", URL: rc.URL, EventTypes: []string{"user.created"},
		RetryPolicy: "custom", RetrySchedule: []float64{3600}})
	since := time.Now().Add(-time.Minute)
	s.publishBatch("acme", "user.created", 3, 0)
	eventually(t, 10*time.Second, "3 first attempts", func() bool {
		l := s.deliveries("acme", client.DeliveryParams{State: client.Scheduled})
		if len(l.Data) != 3 {
			return false
		}
		for _, d := range l.Data {
			if d.Attempts != 1 {
				return false
			}
		}
		return true
	})

	// Disabling cancels the scheduled deliveries (seed 000).
	ctx := t.Context()
	patched, err := s.api.UpdateWebhook(ctx, "acme", w.ID, client.WebhookUpdate{Enabled: new(false)})
	s.must(err)
	if patched.Enabled || patched.CanceledDeliveries != 3 {
		t.Fatalf("PATCH enabled=false answered %+v, want 3 canceled", patched)
	}
	if n := len(s.deliveries("acme", client.DeliveryParams{State: client.Canceled}).Data); n != 3 {
		t.Fatalf("canceled = %d, want 3", n)
	}
	// Re-enabling does not revive them.
	_, err = s.api.UpdateWebhook(ctx, "acme", w.ID, client.WebhookUpdate{Enabled: new(true)})
	s.must(err)
	if n := len(s.deliveries("acme", client.DeliveryParams{State: client.Canceled}).Data); n != 3 {
		t.Fatalf("canceled after re-enable = %d, want 3", n)
	}

	// Recover re-schedules them; the endpoint is healthy now.
	healthy.Store(true)
	recovered, err := s.api.RecoverWebhook(ctx, "acme", w.ID, client.RecoverRequest{Since: since})
	s.must(err)
	if recovered != 3 {
		t.Fatalf("recovered = %d, want 3", recovered)
	}
	eventually(t, 10*time.Second, "recovered deliveries to succeed", func() bool {
		return len(s.deliveries("acme", client.DeliveryParams{State: client.Succeeded}).Data) == 3
	})

	// Resend delivers one again as a new attempt of the same delivery.
	id := s.deliveries("acme", client.DeliveryParams{State: client.Succeeded}).Data[0].ID
	before := rc.count()
	_, err = s.api.ResendDelivery(ctx, "acme", id)
	s.must(err)
	eventually(t, 10*time.Second, "the resend to arrive", func() bool { return rc.count() == before+1 })
	var d *client.DeliveryDetail
	eventually(t, 10*time.Second, "the resend to be recorded", func() bool {
		d = s.delivery("acme", id)
		return len(d.Attempts) == 3 && d.Delivery.State == client.Succeeded
	})
	if last := d.Attempts[2]; !last.Success || last.Trigger != "manual" {
		t.Fatalf("resend attempt = %+v, want a successful manual attempt", last)
	}
	got, _ := rc.snapshot()
	if got[len(got)-1].WebhookID != id {
		t.Fatalf("resend carried webhook-id %q, want the same delivery id %q", got[len(got)-1].WebhookID, id)
	}
}

func TestIdempotencyKeyReplay(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	s.createWebhook("acme", client.WebhookRequest{Name: "h", URL: rc.URL, EventTypes: []string{"*"}})
	req := client.PublishRequest{Type: "certificate.awarded", Data: map[string]any{"id": "cert_1", "user": map[string]any{"id": "u_1"}, "source": map[string]any{"type": "course", "id": "c_1"}, "certificate": map[string]any{"id": "cert_1"}}, IdempotencyKey: "cert_1-awarded"}
	first := s.publish("acme", req)
	second := s.publish("acme", req)
	if first.ID == "" || first.Replayed || second.ID != first.ID || !second.Replayed {
		t.Fatalf("first %+v, replay %+v: want the same id, replayed", first, second)
	}
	eventually(t, 10*time.Second, "the one delivery to arrive", func() bool { return rc.count() == 1 })
	if n := len(s.deliveries("acme", client.DeliveryParams{}).Data); n != 1 {
		t.Fatalf("deliveries = %d, want 1", n)
	}
}

// A receiver that hangs must not slow deliveries to another webhook.
func TestHangingReceiverDoesNotDelayOthers(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	release := make(chan struct{})
	var inFlight, maxInFlight atomic.Int32
	hang := newReceiver(t, func(n int, r *http.Request) int {
		cur := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if cur <= m || maxInFlight.CompareAndSwap(m, cur) {
				break
			}
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		inFlight.Add(-1)
		return 200
	})
	// Unblock the hanging handlers before the servers close.
	t.Cleanup(func() { close(release) })
	fast := newReceiver(t, nil)
	s.createWebhook("acme", client.WebhookRequest{Name: "hangs", URL: hang.URL, EventTypes: []string{"*"}, TimeoutSeconds: 60, MaxConcurrency: 4})
	s.createWebhook("acme", client.WebhookRequest{Name: "fast", URL: fast.URL, EventTypes: []string{"*"}})
	for b := 0; b < 4; b++ {
		s.publishBatch("acme", "user.created", 100, b*100)
	}
	eventually(t, 30*time.Second, "all 400 deliveries to the fast receiver", func() bool { return fast.count() == 400 })
	if m := maxInFlight.Load(); m > 4 {
		t.Fatalf("hanging receiver saw %d concurrent requests, want at most its max_concurrency 4", m)
	}
	if n := hang.count(); n > 4 {
		t.Fatalf("hanging receiver got %d requests while all were hanging, want at most 4", n)
	}
}

func TestPrivateTargetsRefusedByDefault(t *testing.T) {
	s := startServer(t, func(c *config.Config) { c.AllowPrivateTargets = false })
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	s.createWebhook("acme", client.WebhookRequest{Name: "internal", URL: rc.URL, EventTypes: []string{"*"},
		RetryPolicy: "custom", RetrySchedule: []float64{3600}})
	s.publishBatch("acme", "user.created", 1, 0)
	var d *client.DeliveryDetail
	eventually(t, 10*time.Second, "the refused attempt", func() bool {
		l := s.deliveries("acme", client.DeliveryParams{})
		if len(l.Data) != 1 || l.Data[0].Attempts != 1 {
			return false
		}
		d = s.delivery("acme", l.Data[0].ID)
		return true
	})
	if rc.count() != 0 {
		t.Fatalf("loopback receiver was reached %d times", rc.count())
	}
	if e := d.Attempts[0].Error; !strings.Contains(e, "127.0.0.1") || !strings.Contains(e, "allow-private-targets") {
		t.Fatalf("attempt error = %q, want a clear refusal naming the address and the flag", e)
	}
}
