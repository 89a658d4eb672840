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

// A dead endpoint's backlog of due work must not crowd out other
// webhooks' work, even when memory is nearly full.
func TestSaturatedWebhookDoesNotStarveOthers(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	var fastGot atomic.Int32
	fiveFast := make(chan struct{}) // closed at the healthy webhook's fifth request
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fastGot.Add(1) == 5 {
			close(fiveFast)
		}
	}))
	defer fast.Close()

	now := time.Now()
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	mk := func(url, typ string) {
		w := &domain.Webhook{ID: "wh_" + typ, TenantID: "acme", Name: typ, URL: url, EventTypes: []string{typ}, Enabled: true, MaxConcurrency: 1,
			Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
		w.Normalize()
		if err := st.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	mk(hang.URL, "user.created")
	mk(fast.URL, "user.deleted")
	publish := func(typ string, n int, at time.Time) {
		events := make([]domain.Event, n)
		for i := range events {
			events[i] = domain.Event{ID: fmt.Sprintf("evt_%s_%d", typ, i), TenantID: "acme", Type: typ, OccurredAt: at, ReceivedAt: at, Data: json.RawMessage(`{}`)}
		}
		_, err := storetest.Seed{TenantID: "acme", Events: events, Now: at,
			Match: func(w *domain.Webhook, e *domain.Event) bool { return w.Subscribes(e.Type) }}.Publish(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
	}
	// The dead endpoint's work is due first, so a naive claim takes only it.
	publish("user.created", 30, now.Add(-time.Minute))
	publish("user.deleted", 5, now)

	d := New(Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: "n1",
		PollInterval: 10 * time.Millisecond, ClaimBatch: 2, QueueCap: 3})
	d.Start()
	defer func() {
		close(release)
		d.Stop(context.Background())
	}()
	select {
	case <-fiveFast:
	case <-time.After(10 * time.Second):
		t.Fatalf("the healthy webhook got %d of 5 deliveries while the other endpoint hangs", fastGot.Load())
	}
}
