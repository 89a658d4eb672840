package catalog_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// countingStore counts ListEventTypes calls, to see the cache work.
type countingStore struct {
	store.Store
	lists int
}

func (s *countingStore) ListEventTypes(ctx context.Context, tenantID string) ([]domain.CustomEventType, error) {
	s.lists++
	return s.Store.ListEventTypes(ctx, tenantID)
}

func setup(t *testing.T) (*catalog.Views, *countingStore, *clock.Fake) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	for _, id := range []string{"acme", "globex"} {
		if err := st.CreateTenant(ctx, &domain.Tenant{ID: id, Name: id, Environment: "production", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	builtin, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: st}
	clk := clock.NewFake(t0)
	return catalog.NewViews(catalog.ViewsConfig{Store: cs, Builtin: builtin, Clock: clk, Logger: slog.New(slog.DiscardHandler)}), cs, clk
}

func put(t *testing.T, st store.Store, tenant, typ, schema string) {
	t.Helper()
	ct := &domain.CustomEventType{TenantID: tenant, Type: typ, Title: typ, Schema: json.RawMessage(schema), CreatedAt: t0, UpdatedAt: t0}
	if err := st.PutEventType(context.Background(), ct); err != nil {
		t.Fatal(err)
	}
}

func TestTenantViewCachedAndInvalidated(t *testing.T) {
	c, st, clk := setup(t)
	ctx := context.Background()
	put(t, st, "acme", "acme_badge.earned", `{"type":"object","required":["badge"]}`)

	if err := c.Validate(ctx, "acme", "acme_badge.earned", json.RawMessage(`{"badge":"gold"}`)); err != nil {
		t.Fatalf("valid custom event: %v", err)
	}
	if err := c.Validate(ctx, "acme", "acme_badge.earned", json.RawMessage(`{}`)); domain.ErrorField(err) != "data/badge" {
		t.Fatalf("invalid custom event: %v, want an error on data/badge", err)
	}
	if err := c.Validate(ctx, "globex", "acme_badge.earned", json.RawMessage(`{"badge":"gold"}`)); domain.ErrorField(err) != "type" {
		t.Fatalf("another tenant's type: %v, want an error on type", err)
	}
	if err := c.Validate(ctx, "acme", "user.created", json.RawMessage(`{"id":"u_1"}`)); err != nil {
		t.Fatalf("builtin type: %v", err)
	}
	if st.lists != 2 {
		t.Fatalf("%d store reads for two tenants, want 2", st.lists)
	}

	// A type added elsewhere is seen after the TTL, or at once after
	// Invalidate.
	put(t, st, "acme", "acme_quiz.passed", `{"type":"object"}`)
	cat, _ := c.Tenant(ctx, "acme")
	if _, ok := cat.Lookup("acme_quiz.passed"); ok {
		t.Fatal("the cached view already knows a type added after it was read")
	}
	c.Invalidate("acme")
	cat, _ = c.Tenant(ctx, "acme")
	if _, ok := cat.Lookup("acme_quiz.passed"); !ok {
		t.Fatal("Invalidate did not drop the view")
	}
	put(t, st, "acme", "acme_cert.issued", `{"type":"object"}`)
	clk.Advance(catalog.DefaultViewTTL)
	cat, _ = c.Tenant(ctx, "acme")
	if _, ok := cat.Lookup("acme_cert.issued"); !ok {
		t.Fatal("the view outlived its TTL")
	}
}

func TestUnknownTypeRechecksTheStore(t *testing.T) {
	c, st, clk := setup(t)
	ctx := context.Background()
	if _, err := c.Tenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	// Registered through another node: not in the cached view.
	put(t, st, "acme", "acme_badge.earned", `{"type":"object"}`)
	// Within Recheck of the load, unknown types do not reload the view,
	// so a flood of bad events does not reach the database.
	for range 5 {
		if err := c.Validate(ctx, "acme", "acme_badge.earned", json.RawMessage(`{}`)); domain.ErrorField(err) != "type" {
			t.Fatalf("Validate = %v, want unknown type", err)
		}
	}
	if st.lists != 1 {
		t.Fatalf("%d store reads, want 1", st.lists)
	}
	clk.Advance(catalog.DefaultViewRecheck)
	if err := c.Validate(ctx, "acme", "acme_badge.earned", json.RawMessage(`{}`)); err != nil {
		t.Fatalf("Validate after Recheck = %v, want the new type accepted", err)
	}
}

func TestBrokenStoredTypeIsSkipped(t *testing.T) {
	c, st, _ := setup(t)
	ctx := context.Background()
	put(t, st, "acme", "acme_badge.earned", `{"type":"object"}`)
	// A custom type named like a builtin one (a later release may add it).
	put(t, st, "acme", "user.created", `{"type":"object"}`)
	cat, err := c.Tenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if et, ok := cat.Lookup("user.created"); !ok || et.Custom {
		t.Fatalf("user.created = %+v, %v; want the builtin type", et, ok)
	}
	if _, ok := cat.Lookup("acme_badge.earned"); !ok {
		t.Fatal("the valid custom type was dropped with the broken one")
	}
}

func TestViewsResolveBuiltinOrderingKeys(t *testing.T) {
	c, _, _ := setup(t)
	for _, tc := range []struct{ typ, given, data, want string }{
		{"user.updated", "", `{"id":"u_1"}`, "u_1"},
		{"user.updated", "mine", `{"id":"u_1"}`, "mine"},
		{"course_enrollment.completed", "", `{"id":"enr_1","user":{"id":"u_1"}}`, "enr_1"},
		{"acme_badge.earned", "", `{"id":"x"}`, ""},
	} {
		got, err := c.OrderingKey(context.Background(), "acme", tc.typ, tc.given, json.RawMessage(tc.data))
		if err != nil || got != tc.want {
			t.Errorf("%s %s: OrderingKey = %q, %v; want %q", tc.typ, tc.data, got, err, tc.want)
		}
	}
}

func TestViewsResolveOrderingKeys(t *testing.T) {
	c, st, _ := setup(t)
	ctx := context.Background()
	ct := &domain.CustomEventType{TenantID: "acme", Type: "acme_badge.earned", Title: "Badge", Schema: json.RawMessage(`{"type":"object"}`),
		OrderingKey: "/learner/id", CreatedAt: t0, UpdatedAt: t0}
	if err := st.PutEventType(ctx, ct); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ tenant, typ, given, data, want string }{
		{"acme", "acme_badge.earned", "", `{"learner":{"id":"u_9"}}`, "u_9"},
		{"acme", "acme_badge.earned", "mine", `{"learner":{"id":"u_9"}}`, "mine"},
		{"acme", "user.updated", "", `{"id":"u_1"}`, "u_1"},
		{"acme", "course_enrollment.completed", "", `{"id":"enr_1","user":{"id":"u_1"}}`, "enr_1"},
		// Another tenant does not know acme's type.
		{"globex", "acme_badge.earned", "", `{"learner":{"id":"u_9"}}`, ""},
	} {
		got, err := c.OrderingKey(ctx, tc.tenant, tc.typ, tc.given, json.RawMessage(tc.data))
		if err != nil || got != tc.want {
			t.Errorf("%s %s %s: OrderingKey = %q, %v; want %q", tc.tenant, tc.typ, tc.data, got, err, tc.want)
		}
	}
}

// Every publish validates its event: a valid one must not cost the copy
// of its type's schema and example, nor the full validator's decode.
func TestValidateOfAValidEventDoesNotAllocate(t *testing.T) {
	v, _, _ := setup(t)
	ctx := context.Background()
	data := json.RawMessage(`{"id":"enr_1","status":"completed","progress_percent":100,"passed":true,"completed_at":"2026-11-23T09:12:44Z","user":{"id":"u_1","email":"learner1@acme.example"},"course":{"id":"c_1","title":"Safety"}}`)
	if err := v.Validate(ctx, "acme", "course_enrollment.completed", data); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(50, func() {
		if err := v.Validate(ctx, "acme", "course_enrollment.completed", data); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations a validation, want 0", n)
	}
}
