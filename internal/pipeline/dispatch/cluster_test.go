package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

func TestNodeShare(t *testing.T) {
	for _, c := range []struct {
		conc, nodes int
		rate        float64
		wantConc    int
		wantRate    float64
	}{
		{16, 1, 10, 16, 10},
		{16, 0, 10, 16, 10}, // not yet known: behaves as one node
		{16, 2, 10, 8, 5},
		{16, 3, 9, 6, 3}, // 16/3 rounds up
		{4, 2, 0, 2, 0},  // no rate limit stays none
		{1, 5, 1, 1, 0.2},
		{3, 8, 2, 1, 0.25}, // never below one request
	} {
		gotConc, gotRate := nodeShare(c.conc, c.rate, c.nodes)
		if gotConc != c.wantConc || gotRate != c.wantRate {
			t.Errorf("nodeShare(%d, %v, %d) = %d, %v; want %d, %v", c.conc, c.rate, c.nodes, gotConc, gotRate, c.wantConc, c.wantRate)
		}
	}
}

// openPostgres opens a store on a fresh schema of LMSHOOKS_TEST_POSTGRES
// (skipping the test when unset) and returns a function that opens more
// stores on the same schema, as further nodes would.
func openPostgres(t *testing.T) func() *postgres.Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn, "test_")
	return func() *postgres.Store {
		s, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 4, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

// Two dispatchers on one database share a webhook's max_concurrency: the
// receiver never sees more requests at once than the webhook allows.
func TestClusterSharesConcurrency(t *testing.T) {
	open := openPostgres(t)
	ctx := context.Background()
	st1, st2 := open(), open()

	var inFlight, peak, got atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		// A slow receiver, so that requests overlap (the delay is the
		// condition under test, not a wait).
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		got.Add(1)
	}))
	defer recv.Close()

	now := time.Now()
	if err := st1.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	const limit = 4
	w := &domain.Webhook{ID: "wh_hook", TenantID: "acme", Name: "hook", URL: recv.URL, EventTypes: []string{"*"}, Enabled: true, MaxConcurrency: limit,
		Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
	w.Normalize()
	if err := st1.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}

	var ds []*Dispatcher
	for i, st := range []*postgres.Store{st1, st2} {
		d := New(Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}),
			Owner: fmt.Sprintf("n%d", i+1), LeaseFor: 3 * time.Second, PollInterval: 10 * time.Millisecond,
			ClaimBatch: 3, Logger: slog.New(slog.DiscardHandler)})
		d.Start()
		defer d.Stop(context.Background())
		ds = append(ds, d)
	}
	waitFor(t, "both dispatchers to count two nodes", func() bool { return ds[0].nodes.Load() == 2 && ds[1].nodes.Load() == 2 })

	const total = 60
	events := make([]domain.Event, total)
	for i := range events {
		events[i] = domain.Event{ID: fmt.Sprintf("evt_%03d", i), TenantID: "acme", Type: "user.created", OccurredAt: now, ReceivedAt: now, Data: json.RawMessage(`{}`)}
	}
	if _, err := (storetest.Seed{TenantID: "acme", Events: events, Now: now,
		Match: func(w *domain.Webhook, e *domain.Event) bool { return true }}).Publish(ctx, st1); err != nil {
		t.Fatal(err)
	}
	ds[0].Wake()
	ds[1].Wake()
	waitFor(t, "every delivery", func() bool { return got.Load() >= total })
	if p := peak.Load(); p > limit {
		t.Fatalf("the receiver saw %d requests at once; the webhook allows %d", p, limit)
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll.For(t, 10*time.Second, what, cond)
}
