package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/config"
)

func testConfig(t *testing.T, db string) config.Config {
	cfg := config.Default()
	cfg.DB = "sqlite:" + db
	cfg.NodeID = "test"
	return cfg
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func status(t *testing.T, h http.Handler, key, path string) int {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestOperatorKeyGeneratedOnceThenKept(t *testing.T) {
	db := filepath.Join(t.TempDir(), "app.db")
	a, err := New(context.Background(), testConfig(t, db), quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := a.GeneratedKey
	if !strings.HasPrefix(key, "lmsk_") {
		t.Fatalf("generated key = %q", key)
	}
	if code := status(t, a.Handler(), key, "/api/v1/tenants"); code != 200 {
		t.Fatalf("generated key answered %d", code)
	}
	if err := a.Store.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart keeps the stored key and generates nothing.
	b, err := New(context.Background(), testConfig(t, db), quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.GeneratedKey != "" {
		t.Fatalf("a second key was generated")
	}
	if code := status(t, b.Handler(), key, "/api/v1/tenants"); code != 200 {
		t.Fatalf("the first key no longer works: %d", code)
	}
	b.Store.Close()

	// LMSHOOKS_API_KEY replaces it.
	cfg := testConfig(t, db)
	cfg.APIKey = "lmsk_configured_operator_key"
	c, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Store.Close()
	if c.GeneratedKey != "" {
		t.Fatal("generated a key although one was configured")
	}
	if code := status(t, c.Handler(), cfg.APIKey, "/api/v1/tenants"); code != 200 {
		t.Fatalf("configured key answered %d", code)
	}
	if code := status(t, c.Handler(), key, "/api/v1/tenants"); code != 401 {
		t.Fatalf("replaced key answered %d, want 401", code)
	}
}

func TestDispatcherRoleServesNoAPI(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "app.db"))
	cfg.Role = config.RoleDispatcher
	cfg.APIKey = "lmsk_configured_operator_key"
	a, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Store.Close()
	if code := status(t, a.Handler(), cfg.APIKey, "/api/v1/tenants"); code == 200 {
		t.Fatalf("a dispatcher node served the API")
	}
	if code := status(t, a.Handler(), "", "/healthz"); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
}
