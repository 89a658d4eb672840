package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// idAt returns an id of prefix made at t. Not a Generator's NewAt: its ids
// are monotonic, so one made "in the past" would carry the latest time.
func idAt(prefix string, t time.Time) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	ms := t.UnixMilli()
	var b strings.Builder
	b.WriteString(prefix)
	for i := 9; i >= 0; i-- {
		b.WriteByte(alphabet[(ms>>(5*uint(i)))&31])
	}
	b.WriteString(strings.Repeat("0", 16))
	return b.String()
}

// A node on SQLite runs maintenance: starting it applies retention at
// once, by each tenant's own retention.
func TestSQLiteNodeAppliesRetention(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "app.db"))
	cfg.Addr = "127.0.0.1:0"
	cfg.APIKey = "lmsk_configured_operator_key"
	a, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	tn := &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, RetentionDays: 2, CreatedAt: now, UpdatedAt: now}
	if err := a.Store.CreateTenant(ctx, tn); err != nil {
		a.Store.Close()
		t.Fatal(err)
	}
	ev := func(at time.Time) domain.Event {
		return domain.Event{ID: idAt(id.Event, at), TenantID: tn.ID, Type: "user.created",
			OccurredAt: at, ReceivedAt: at, Data: json.RawMessage(`{}`)}
	}
	old, recent := ev(now.Add(-3*24*time.Hour)), ev(now.Add(-24*time.Hour))
	if _, err := (storetest.Seed{TenantID: tn.ID, Events: []domain.Event{old, recent}, Now: now,
		Match: func(*domain.Webhook, *domain.Event) bool { return false }}).Publish(ctx, a.Store); err != nil {
		a.Store.Close()
		t.Fatal(err)
	}

	if err := a.Start(); err != nil {
		a.Store.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	var lookup error
	if !poll.Until(10*time.Second, func() bool {
		_, lookup = a.Store.GetEvent(ctx, tn.ID, old.ID)
		return domain.ErrorCode(lookup) == domain.ENOTFOUND
	}) {
		t.Fatalf("the 3-day-old event of a tenant keeping 2 days is still there (%v)", lookup)
	}
	if _, err := a.Store.GetEvent(ctx, tn.ID, recent.ID); err != nil {
		t.Fatalf("the 1-day-old event: %v", err)
	}
}
