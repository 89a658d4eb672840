package service

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
)

// deliveriesStart is the deliveries tests' "now".
var deliveriesStart = time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)

// workNotices counts the notices a service gives.
type workNotices struct {
	due     atomic.Int32
	changed atomic.Int32
}

func (n *workNotices) WorkDue()              { n.due.Add(1) }
func (n *workNotices) WebhookChanged(string) { n.changed.Add(1) }

// deliveriesEnv is a service's world: a real store with one tenant,
// "acme", and its clock and notices.
type deliveriesEnv struct {
	t      *testing.T
	ctx    context.Context
	st     store.Store
	clock  *clock.Fake
	ids    *id.Generator
	notice *workNotices
	deps   Deps
}

// onEveryStore runs f on SQLite, and on PostgreSQL when
// LMSHOOKS_TEST_POSTGRES is set.
func onEveryStore(t *testing.T, f func(t *testing.T, e *deliveriesEnv)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "svc.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		f(t, newDeliveriesEnv(t, st))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.SchemaDSN(t, "test_svc_")
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		f(t, newDeliveriesEnv(t, st))
	})
}

func newDeliveriesEnv(t *testing.T, st store.Store) *deliveriesEnv {
	t.Helper()
	clk := clock.NewFake(deliveriesStart)
	e := &deliveriesEnv{t: t, ctx: context.Background(), st: st, clock: clk, ids: id.NewGenerator(clk), notice: &workNotices{}}
	e.deps = Deps{Store: st, Clock: clk, IDs: e.ids, Notify: e.notice}
	if err := st.CreateTenant(e.ctx, &domain.Tenant{ID: "acme", Name: "Acme", CreatedAt: deliveriesStart, UpdatedAt: deliveriesStart}); err != nil {
		t.Fatal(err)
	}
	return e
}

// webhook stores an enabled webhook of acme subscribed to every type.
func (e *deliveriesEnv) webhook(name string) *domain.Webhook {
	e.t.Helper()
	now := e.clock.Now()
	w := &domain.Webhook{
		ID: e.ids.New(id.Webhook), TenantID: "acme", Name: name, URL: "https://rx.example.com/" + name,
		EventTypes: []string{"*"}, Enabled: true, Format: domain.DefaultFormat, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		RetryPolicy: "standard", CreatedAt: now, UpdatedAt: now,
	}
	if err := e.st.CreateWebhook(e.ctx, w); err != nil {
		e.t.Fatal(err)
	}
	return w
}

// publish publishes n events at the clock's time and returns their
// deliveries.
func (e *deliveriesEnv) publish(n int) []domain.Delivery {
	e.t.Helper()
	in := make([]ingest.Input, n)
	for i := range in {
		in[i] = ingest.Input{Type: "user.created", Data: []byte(`{"user":{"id":"u1"}}`)}
	}
	res, err := ingest.New(ingest.Config{Store: e.st, Clock: e.clock}).Publish(e.ctx, "acme", in, n > 1)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []domain.Delivery
	for _, r := range res {
		out = append(out, r.Deliveries...)
	}
	return out
}

// fail records a final failed attempt of each delivery.
func (e *deliveriesEnv) fail(ds ...domain.Delivery) {
	e.t.Helper()
	var recs []store.AttemptRecord
	for _, d := range ds {
		recs = append(recs, store.AttemptRecord{
			Attempt: domain.Attempt{ID: e.ids.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID,
				EventID: d.EventID, Number: 1, Trigger: domain.TriggerScheduled, StartedAt: e.clock.Now(),
				RequestURL: "https://rx.example.com/", StatusCode: 500},
			State: domain.Failed,
		})
	}
	if err := e.st.RecordAttempts(e.ctx, recs); err != nil {
		e.t.Fatal(err)
	}
}

// state returns a delivery's state as stored.
func (e *deliveriesEnv) state(dlv string) domain.DeliveryState {
	e.t.Helper()
	d, err := e.st.GetDelivery(e.ctx, "acme", dlv)
	if err != nil {
		e.t.Fatal(err)
	}
	return d.State
}

// wantError fails unless err is a *domain.Error with code and field.
func wantError(t *testing.T, err error, code, field string) {
	t.Helper()
	if domain.ErrorCode(err) != code || domain.ErrorField(err) != field || domain.ErrorMessage(err) == "" {
		t.Fatalf("error %v, want code %q field %q with a message", err, code, field)
	}
}
