package app

import (
	"bytes"
	"context"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/config"
)

func testConfig(t *testing.T, db string) config.Config {
	cfg := config.Default()
	cfg.DB = "sqlite:" + db
	cfg.NodeID = "test"
	// PostgreSQL needs keys; tests that use it take this config.
	cfg.EncryptionKeys = pgtest.Keys(t)
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

	// LMSHOOKS_API_KEY replaces it, and the start says so once, without
	// the key.
	cfg := testConfig(t, db)
	cfg.APIKey = "lmsk_configured_operator_key"
	var logged bytes.Buffer
	c, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(&logged, nil)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.GeneratedKey != "" {
		t.Fatal("generated a key although one was configured")
	}
	if code := status(t, c.Handler(), cfg.APIKey, "/api/v1/tenants"); code != 200 {
		t.Fatalf("configured key answered %d", code)
	}
	if code := status(t, c.Handler(), key, "/api/v1/tenants"); code != 401 {
		t.Fatalf("replaced key answered %d, want 401", code)
	}
	const notice = "operator key replaced: LMSHOOKS_API_KEY is now the operator key"
	if n := strings.Count(logged.String(), notice); n != 1 {
		t.Fatalf("the start that replaced the key logged %q %d times, want once:\n%s", notice, n, logged.String())
	}
	for _, secret := range []string{key, cfg.APIKey, auth.KeyPrefixOf(key), auth.KeyPrefixOf(cfg.APIKey)} {
		if strings.Contains(logged.String(), secret) {
			t.Fatalf("the log shows key material %q:\n%s", secret, logged.String())
		}
	}
	c.Store.Close()

	// The next start with the same key replaces nothing and says nothing.
	logged.Reset()
	d, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(&logged, nil)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Store.Close()
	if strings.Contains(logged.String(), notice) {
		t.Fatalf("a start that kept the configured key logged a replacement:\n%s", logged.String())
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
