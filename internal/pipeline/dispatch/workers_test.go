package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// Requests in flight take memory the held work does not count (a
// worker's stack, its connection's goroutines and buffers): past
// MemoryBudget/workerCost of them, a webhook gets no second worker, but
// every webhook with work keeps one, so that no endpoint waits for
// another's. A fan-out to 1,000 webhooks started 7,000 requests at once.
func TestWorkersBeyondOnePerWebhookAreBoundedByTheBudget(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release := make(chan struct{})
	var inFlight atomic.Int32
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()

	now := time.Now()
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	const webhooks, perWebhook = 6, 3
	for i := range webhooks {
		w := &domain.Webhook{ID: fmt.Sprintf("wh_%d", i), TenantID: "acme", Name: "h", URL: fmt.Sprintf("%s/%d", hang.URL, i),
			EventTypes: []string{"user.created"}, Enabled: true, MaxConcurrency: 16, Timeout: time.Minute,
			Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
		w.Normalize()
		if err := st.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	events := make([]domain.Event, perWebhook)
	for i := range events {
		events[i] = domain.Event{ID: fmt.Sprintf("evt_%d", i), TenantID: "acme", Type: "user.created", OccurredAt: now, ReceivedAt: now, Data: json.RawMessage(`{}`)}
	}
	if _, err := (storetest.Seed{TenantID: "acme", Events: events, Now: now, Match: func(w *domain.Webhook, e *domain.Event) bool { return true }}).Publish(ctx, st); err != nil {
		t.Fatal(err)
	}

	// Room for 4 workers, and for every delivery in memory.
	d := New(Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: "n1",
		MemoryBudget: 4 * workerCost, MaxEventBytes: 1 << 10, PollInterval: 10 * time.Millisecond})
	if d.maxWorkers() != 4 {
		t.Fatalf("max workers = %d, want 4", d.maxWorkers())
	}
	d.Start()
	defer func() {
		close(release)
		d.Stop(context.Background())
	}()
	deadline := time.Now().Add(10 * time.Second)
	for inFlight.Load() < webhooks && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := inFlight.Load(); n < webhooks {
		t.Fatalf("%d requests in flight, want one for each of the %d webhooks", n, webhooks)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.held != webhooks*perWebhook {
		t.Fatalf("%d deliveries held, want all %d", d.held, webhooks*perWebhook)
	}
	for id, q := range d.queues {
		if q.active != 1 {
			t.Errorf("webhook %s runs %d workers past the cap, want 1", id, q.active)
		}
	}
	if d.running != webhooks {
		t.Errorf("%d workers running, want %d (one a webhook)", d.running, webhooks)
	}
}
