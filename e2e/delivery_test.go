package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/catalog"
)

// publishBatch publishes events of one type in one batch and returns their ids.
func (s *server) publishBatch(tenant, typ string, n, offset int) []string {
	s.t.Helper()
	events := make([]client.PublishRequest, n)
	for i := range events {
		events[i] = client.PublishRequest{Type: typ, Data: exampleData(s.t, typ, offset+i)}
	}
	items, err := s.api.PublishBatch(s.t.Context(), tenant, events)
	s.must(err)
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// loadCatalog loads the event catalog once for every test.
var loadCatalog = sync.OnceValues(catalog.Load)

// exampleData returns the catalog's example data of typ, valid for its
// schema, with its own id and a sequence number.
func exampleData(t *testing.T, typ string, seq int) map[string]any {
	t.Helper()
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	et, ok := c.Lookup(typ)
	if !ok {
		t.Fatalf("no %s in the catalog", typ)
	}
	var d map[string]any
	if err := json.Unmarshal(et.Example, &d); err != nil {
		t.Fatal(err)
	}
	d["id"] = fmt.Sprintf("%s_%d", strings.SplitN(typ, ".", 2)[0], seq)
	d["seq"] = seq
	return d
}

func TestThousandEventsToThreeWebhooks(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	var recvs []*receiver
	for i := 0; i < 3; i++ {
		rc := newReceiver(t, nil)
		w := s.createWebhook("acme", client.WebhookRequest{Name: fmt.Sprintf("hook %d", i), URL: rc.URL, EventTypes: []string{"user.*"}})
		rc.setSecret(w.Secret)
		recvs = append(recvs, rc)
	}
	var ids []string
	for b := 0; b < 10; b++ {
		ids = append(ids, s.publishBatch("acme", "user.created", 100, b*100)...)
	}
	if len(ids) != 1000 {
		t.Fatalf("published %d events, want 1000", len(ids))
	}
	for i, rc := range recvs {
		eventually(t, 60*time.Second, fmt.Sprintf("receiver %d to get 1000 deliveries", i), func() bool { return rc.count() >= 1000 })
		got, bad := rc.snapshot()
		if len(bad) > 0 {
			t.Fatalf("receiver %d: %d bad signatures, first: %s", i, len(bad), bad[0])
		}
		seen := map[string]bool{}
		for _, r := range got {
			seen[r.EventID] = true
		}
		for _, id := range ids {
			if !seen[id] {
				t.Fatalf("receiver %d never got event %s", i, id)
			}
		}
	}
	eventually(t, 30*time.Second, "audit to show 3000 succeeded", func() bool {
		l := s.deliveries("acme", client.DeliveryParams{IncludeCounts: true, ListParams: client.ListParams{Limit: 1}})
		return l.Counts["succeeded"] == 3000
	})
	l := s.deliveries("acme", client.DeliveryParams{IncludeCounts: true, ListParams: client.ListParams{Limit: 1}})
	if l.Counts["scheduled"] != 0 || l.Counts["failed"] != 0 || l.Counts["canceled"] != 0 {
		t.Fatalf("counts = %v, want only succeeded", l.Counts)
	}
}

func TestRetriesUntilSuccess(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if n <= 3 {
			return 500
		}
		return 200
	})
	w := s.createWebhook("acme", client.WebhookRequest{Name: "flaky", URL: rc.URL, EventTypes: []string{"*"},
		RetryPolicy: "custom", RetrySchedule: []float64{0.01, 0.01, 0.01, 0.01, 0.01}})
	rc.setSecret(w.Secret)
	s.publishBatch("acme", "course_enrollment.completed", 1, 0)
	eventually(t, 20*time.Second, "4 attempts", func() bool { return rc.count() >= 4 })

	var dl *client.DeliveryPage
	eventually(t, 10*time.Second, "delivery to succeed", func() bool {
		dl = s.deliveries("acme", client.DeliveryParams{})
		return len(dl.Data) == 1 && dl.Data[0].State == "succeeded"
	})
	d := s.delivery("acme", dl.Data[0].ID)
	if len(d.Attempts) != 4 {
		t.Fatalf("attempts = %d, want 4", len(d.Attempts))
	}
	for i, a := range d.Attempts {
		if a.Number != i+1 || a.Success != (i == 3) {
			t.Fatalf("attempt %d = %+v", i, a)
		}
	}
	got, bad := rc.snapshot()
	if len(bad) != 0 {
		t.Fatalf("bad signatures: %v", bad)
	}
	// The webhook-id is the delivery id on every try, so receivers can
	// de-duplicate; the timestamp is per attempt.
	for _, r := range got {
		if r.WebhookID != d.Delivery.ID {
			t.Fatalf("webhook-id %q on a retry, want %q", r.WebhookID, d.Delivery.ID)
		}
	}
}

func TestAlwaysFailingEndsFailed(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, func(int, *http.Request) int { return 503 })
	s.createWebhook("acme", client.WebhookRequest{Name: "down", URL: rc.URL, EventTypes: []string{"*"},
		RetryPolicy: "custom", RetrySchedule: []float64{0.01, 0.01}})
	s.publishBatch("acme", "user.created", 1, 0)
	var dl *client.DeliveryPage
	eventually(t, 20*time.Second, "delivery to fail", func() bool {
		dl = s.deliveries("acme", client.DeliveryParams{State: client.Failed})
		return len(dl.Data) == 1
	})
	if dl.Data[0].Attempts != 3 {
		t.Fatalf("attempts = %d, want 1 + 2 retries", dl.Data[0].Attempts)
	}
	d := s.delivery("acme", dl.Data[0].ID)
	if d.Delivery.NextAttemptAt != nil {
		t.Fatalf("failed delivery has a next attempt: %v", d.Delivery.NextAttemptAt)
	}
	if last := d.Attempts[len(d.Attempts)-1]; last.Response == nil || last.Response.Status != 503 || !strings.Contains(last.Error, "503") {
		t.Fatalf("last attempt = %+v", last)
	}
	if rc.count() != 3 {
		t.Fatalf("receiver got %d requests, want 3", rc.count())
	}
}

func TestTimeoutIsAFailedAttempt(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var calls atomic.Int32
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if calls.Add(1) == 1 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		return 200
	})
	s.createWebhook("acme", client.WebhookRequest{Name: "slow", URL: rc.URL, EventTypes: []string{"*"}, TimeoutSeconds: 1,
		RetryPolicy: "custom", RetrySchedule: []float64{0.01}})
	s.publishBatch("acme", "user.created", 1, 0)
	var dl *client.DeliveryPage
	eventually(t, 20*time.Second, "delivery to succeed on its retry", func() bool {
		dl = s.deliveries("acme", client.DeliveryParams{State: client.Succeeded})
		return len(dl.Data) == 1
	})
	d := s.delivery("acme", dl.Data[0].ID)
	if len(d.Attempts) != 2 || d.Attempts[0].Success || !strings.Contains(strings.ToLower(d.Attempts[0].Error), "timeout") {
		t.Fatalf("attempts = %+v, want a timeout then a success", d.Attempts)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, func(n int, r *http.Request) int { return 429 })
	// Make the receiver say "Retry-After: 30"; the policy's first wait is
	// 1 s and its largest 60 s, so the next try must be ~30 s later.
	rc.mu.Lock()
	rc.header = http.Header{"Retry-After": {"30"}}
	rc.mu.Unlock()
	s.createWebhook("acme", client.WebhookRequest{Name: "throttled", URL: rc.URL, EventTypes: []string{"*"},
		RetryPolicy: "custom", RetrySchedule: []float64{1, 60}})
	s.publishBatch("acme", "user.created", 1, 0)
	var d *client.DeliveryDetail
	eventually(t, 10*time.Second, "first attempt recorded", func() bool {
		dl := s.deliveries("acme", client.DeliveryParams{})
		if len(dl.Data) != 1 || dl.Data[0].Attempts != 1 {
			return false
		}
		d = s.delivery("acme", dl.Data[0].ID)
		return d.Delivery.NextAttemptAt != nil
	})
	wait := d.Delivery.NextAttemptAt.Sub(d.Attempts[0].StartedAt)
	if wait < 29*time.Second || wait > 40*time.Second {
		t.Fatalf("next attempt %s after the 429, want about 30s (Retry-After)", wait)
	}
}

func TestGoneDisablesWebhook(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, func(int, *http.Request) int { return 410 })
	w := s.createWebhook("acme", client.WebhookRequest{Name: "gone", URL: rc.URL, EventTypes: []string{"*"}})
	s.publishBatch("acme", "user.created", 1, 0)
	var got *client.Webhook
	eventually(t, 10*time.Second, "webhook to be disabled", func() bool {
		var err error
		got, err = s.api.GetWebhook(t.Context(), "acme", w.ID)
		s.must(err)
		return !got.Enabled
	})
	if !strings.Contains(got.DisabledReason, "410") {
		t.Fatalf("disabled_reason = %q, want it to mention 410", got.DisabledReason)
	}
	eventually(t, 10*time.Second, "the delivery to be failed", func() bool {
		return len(s.deliveries("acme", client.DeliveryParams{State: client.Failed}).Data) == 1
	})
	// Events published while it is disabled get no delivery.
	s.publishBatch("acme", "user.created", 1, 1)
	if n := len(s.deliveries("acme", client.DeliveryParams{}).Data); n != 1 {
		t.Fatalf("deliveries = %d after publishing to a disabled webhook, want 1", n)
	}
}
