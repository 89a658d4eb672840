package dispatch

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// unrecordable is a real store that takes no attempt outcomes: the
// failure injected (a database gone while the node stops).
type unrecordable struct{ store.Store }

func (unrecordable) RecordAttempts(context.Context, []store.AttemptRecord) error {
	return domain.Errorf(domain.EUNAVAILABLE, "the database is unavailable")
}

// Stop returns by its context's deadline even when the database takes no
// outcome: the outcome is left to the lease, which expires, instead of
// holding the stop for ever.
func TestStopKeepsItsDeadline(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(srv.Close)
	now := time.Now().UTC().Truncate(time.Second)
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{ID: "wh_ok", TenantID: "acme", Name: "ok", URL: srv.URL, EventTypes: []string{"*"}, Enabled: true,
		Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
	w.Normalize()
	if err := st.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	d := New(Config{Store: unrecordable{st}, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: "n1", PollInterval: time.Hour})
	d.Start()
	res, err := storetest.Seed{TenantID: "acme", Now: now, LeaseOwner: "n1", LeaseUntil: now.Add(time.Minute),
		Events: []domain.Event{{ID: "evt_1", TenantID: "acme", Type: "user.created", OccurredAt: now, ReceivedAt: now, Data: json.RawMessage(`{}`)}},
	}.Publish(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	d.Handoff([]domain.Job{{Delivery: res[0].Deliveries[0], Event: res[0].Event, LeaseUntil: now.Add(time.Minute)}})
	<-arrived

	stopCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- d.Stop(stopCtx) }()
	select {
	case err := <-stopped:
		t.Logf("Stop = %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Stop still running 30 s after a 1 s deadline")
	}
}
