package service

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// accessFixture is the tenants, API keys and portal services over a real
// SQLite store, on a fake clock, with a notifier that records what it
// hears.
type accessFixture struct {
	t       *testing.T
	ctx     context.Context
	store   *sqlite.Store
	clock   *clock.Fake
	heard   *heardChanges
	ids     *id.Generator
	tenants *Tenants
	keys    *APIKeys
	portal  *Portal
}

var accessStart = time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)

// accessKeyring is derived once: PBKDF2 is slow on purpose.
var accessKeyring = sync.OnceValues(func() (*auth.Keyring, error) {
	return auth.NewKeyring("correct horse battery staple", nil)
})

func newAccessFixture(t *testing.T) *accessFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "service.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(accessStart)
	heard := &heardChanges{}
	ids := id.NewGenerator(clk)
	d := Deps{Store: st, Clock: clk, IDs: ids, Notify: heard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	keyring, err := accessKeyring()
	if err != nil {
		t.Fatal(err)
	}
	keys := NewAPIKeys(d, APIKeysConfig{})
	portal, err := NewPortal(d, PortalConfig{Keys: keyring})
	if err != nil {
		t.Fatal(err)
	}
	return &accessFixture{t: t, ctx: ctx, store: st, clock: clk, heard: heard, ids: ids,
		tenants: NewTenants(d, TenantsConfig{APIKeys: keys}), keys: keys, portal: portal}
}

// tenant creates a tenant with the given id.
func (f *accessFixture) tenant(tenantID string) *domain.Tenant {
	f.t.Helper()
	name := "Tenant " + tenantID
	t, err := f.tenants.Create(f.ctx, TenantInput{ID: &tenantID, Name: &name})
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

// heardChanges records what a service told the delivery engine.
type heardChanges struct {
	mu      sync.Mutex
	changed []string
	due     int
}

func (h *heardChanges) WebhookChanged(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.changed = append(h.changed, id)
}

func (h *heardChanges) WorkDue() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.due++
}

func (h *heardChanges) webhooks() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.changed...)
}

// wantAccessError fails unless err has code and field.
func wantAccessError(t *testing.T, err error, code, field string) {
	t.Helper()
	if domain.ErrorCode(err) != code || domain.ErrorField(err) != field {
		t.Fatalf("err = %v (code %q, field %q), want code %q on %q", err, domain.ErrorCode(err), domain.ErrorField(err), code, field)
	}
}
