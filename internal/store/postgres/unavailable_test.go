package postgres

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if code := domain.ErrorCode(err); code != domain.EUNAVAILABLE {
		t.Fatalf("%s: error %v has code %q, want %q", what, err, code, domain.EUNAVAILABLE)
	}
}

// A server that is not there: Open fails with EUNAVAILABLE.
func TestOpenUnreachableIsUnavailable(t *testing.T) {
	// A port that was just free: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, "postgres://postgres:secret-password@"+addr+"/test?sslmode=disable&connect_timeout=5", Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded without a server")
	}
	wantUnavailable(t, "Open", err)
	if msg := err.Error(); strings.Contains(msg, "secret-password") {
		t.Fatalf("error %q reveals the password", msg)
	}
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	s.Close()
	ctx := context.Background()
	_, err := s.GetTenant(ctx, tn.ID)
	wantUnavailable(t, "GetTenant after Close", err)
	_, err = publish(ctx, s, tn.ID, newEvents(tn.ID, 1))
	wantUnavailable(t, "Publish after Close", err)
	wantUnavailable(t, "Ping after Close", s.Ping(ctx))
}

// The pool itself closed under the store (not through Close): pgxpool's
// own error is mapped too.
func TestClosedPoolIsUnavailable(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	s.pool.Close()
	ctx := context.Background()
	_, err := s.GetTenant(ctx, tn.ID)
	wantUnavailable(t, "GetTenant on a closed pool", err)
	_, err = publish(ctx, s, tn.ID, newEvents(tn.ID, 1))
	wantUnavailable(t, "Publish on a closed pool", err)
}

// The connection dies under a publish: the caller gets EUNAVAILABLE (so
// the API answers 503, never 202), nothing is written, and LastWrite
// reports the failure until a write commits again.
func TestPublishConnectionLostIsUnavailable(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	app := "lmshooks_" + schema
	s, err := Open(context.Background(), withAppName(t, dsn, app), Options{Schema: schema, Logger: discardLogger(), MaxConns: 1})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tn := seed(t, s, 1)
	ctx := context.Background()
	evs := newEvents(tn.ID, 3)
	hooks, err := s.EnabledWebhooks(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := store.PublishParams{TenantID: tn.ID}
	for _, e := range evs {
		p.Events = append(p.Events, store.PublishEvent{Event: e, Deliveries: []store.NewDelivery{{Delivery: domain.Delivery{
			ID: testIDs.New(id.Delivery), WebhookID: hooks[0].ID, EventType: e.Type, State: domain.Scheduled,
			NextAttemptAt: testNow, CreatedAt: testNow, UpdatedAt: testNow}}}})
	}

	// Cut the pool's one connection, idle between the read above and the
	// publish, and wait until the server has let it go.
	if killed := terminate(t, app, "idle", ""); killed == 0 {
		t.Fatal("found no connection to cut")
	}
	deadline := time.Now().Add(10 * time.Second)
	for terminate(t, app, "", "") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the cut connection is still there")
		}
	}
	_, err = s.Publish(ctx, p)
	wantUnavailable(t, "Publish whose connection was cut", err)
	// Readiness hears of it.
	failed := s.LastWrite()
	if failed.Err == nil {
		t.Fatalf("LastWrite after a cut publish = %+v, want its error", failed)
	}

	// The pool recovers with new connections, and nothing was stored.
	deadline = time.Now().Add(10 * time.Second)
	for {
		_, err := s.GetEvent(ctx, tn.ID, evs[0].ID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			break
		}
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || time.Now().After(deadline) {
			t.Fatalf("GetEvent after a cut publish: %v, want not found", err)
		}
	}
	// A probe commits on a new connection, and readiness hears that too.
	if err := s.ProbeWrite(ctx, "node-a", testNow); err != nil {
		t.Fatalf("ProbeWrite once the pool has recovered: %v", err)
	}
	if got := s.LastWrite(); got.Err != nil || got.Seq <= failed.Seq {
		t.Fatalf("LastWrite after the probe = %+v, want a newer clean outcome than %+v", got, failed)
	}
}
