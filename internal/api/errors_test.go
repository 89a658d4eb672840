package api

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/testsupport/syncbuf"
)

// failingStore injects failures into one method of a real store.
type failingStore struct {
	store.Store
	getTenant error
}

func (f *failingStore) GetTenant(ctx context.Context, id string) (*domain.Tenant, error) {
	if f.getTenant != nil {
		return nil, f.getTenant
	}
	return f.Store.GetTenant(ctx, id)
}

func TestInternalAndUnavailableErrors(t *testing.T) {
	var logs syncbuf.Buffer
	fs := &failingStore{}
	e := newEnvWith(t, func(s store.Store) store.Store { fs.Store = s; return fs }, slog.New(slog.NewTextHandler(&logs, nil)))
	key := e.tenant("acme")

	fs.getTenant = errors.New("sqlite: disk I/O error in table tenants")
	eb := e.call("GET", "/api/v1/tenants/acme", key, nil).fails(500, "internal_error", "")
	if strings.Contains(eb.Message, "sqlite") || strings.Contains(eb.Message, "disk") {
		t.Errorf("internal error detail leaked to the client: %q", eb.Message)
	}
	out := logs.String()
	if !strings.Contains(out, "disk I/O error") || !strings.Contains(out, "/api/v1/tenants/acme") || !strings.Contains(out, "key_id=") {
		t.Errorf("internal error not logged with its request context: %s", out)
	}
	if strings.Contains(out, key) {
		t.Error("the API key was logged")
	}

	fs.getTenant = domain.Errorf(domain.EUNAVAILABLE, "the database is not reachable")
	e.call("GET", "/api/v1/tenants/acme", key, nil).fails(503, "unavailable", "")
}
