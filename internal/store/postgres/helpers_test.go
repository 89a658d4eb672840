package postgres

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// testIDs makes the ids of the records tests put in the store directly.
var testIDs = id.NewGenerator(nil)

var testNow = time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)

// withAppName returns dsn with application_name set, so that a test can
// find (and terminate) its own server connections in pg_stat_activity.
func withAppName(t testing.TB, dsn, name string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("LMSHOOKS_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// terminate ends the server connections of application appName whose state
// and last query match state and query ("" for any) and returns how many
// it ended.
func terminate(t testing.TB, appName, state, query string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testDSN(t))
	if err != nil {
		t.Errorf("connect: %v", err)
		return 0
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND ($2 = '' OR state = $2) AND ($3 = '' OR query = $3)
		AND pid <> pg_backend_pid()`, appName, state, query).Scan(&n)
	if err != nil {
		t.Errorf("terminate: %v", err)
	}
	return n
}

// seed creates a tenant with hooks webhooks subscribed to everything.
func seed(t testing.TB, s *Store, hooks int) *domain.Tenant {
	t.Helper()
	ctx := context.Background()
	tn := &domain.Tenant{ID: testIDs.New(id.Tenant), Name: "Acme", Environment: domain.Production, CreatedAt: testNow, UpdatedAt: testNow}
	if err := s.CreateTenant(ctx, tn); err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	for range hooks {
		w := &domain.Webhook{
			ID: testIDs.New(id.Webhook), TenantID: tn.ID, Name: "hook", URL: "https://example.com/hook", EventTypes: []string{"*"},
			Enabled: true, Format: domain.DefaultFormat, Secret: "whsec_x", Timeout: domain.DefaultTimeout,
			RetryPolicy: domain.DefaultRetryPolicy, SuccessRule: domain.DefaultSuccessRule,
		}
		if err := s.CreateWebhook(ctx, w); err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
	}
	return tn
}

// newEvents returns n events of tenantID, not yet stored.
func newEvents(tenantID string, n int) []domain.Event {
	evs := make([]domain.Event, n)
	for i := range evs {
		evs[i] = domain.Event{
			ID: testIDs.New(id.Event), TenantID: tenantID, Type: "user.created",
			OccurredAt: testNow, ReceivedAt: testNow,
			Data: json.RawMessage(`{"user":{"id":"u1","email":"ada@example.com"}}`),
		}
	}
	return evs
}

// publish publishes events of tenantID without leases, as ingest would.
func publish(ctx context.Context, s *Store, tenantID string, evs []domain.Event) ([]store.PublishResult, error) {
	return storetest.Seed{TenantID: tenantID, Events: evs, Now: testNow}.Publish(ctx, s)
}
