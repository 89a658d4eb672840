package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/api"
	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/dispatch"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/ui"
)

// portalEnv serves the API and the real console side by side, as the app
// does, so a link the API hands out can be opened.
type portalEnv struct {
	srv       *httptest.Server
	op, acme  string // operator key, a key of tenant acme
	noConsole *httptest.Server
}

func newPortalEnv(t *testing.T) *portalEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "portal.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC()
	for _, id := range []string{"acme", "globex"} {
		if err := st.CreateTenant(ctx, &domain.Tenant{ID: id, Name: id, Environment: domain.Production, PortalEpoch: auth.NewPortalEpoch(), CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	e := &portalEnv{}
	e.op, e.acme = auth.NewKey(), auth.NewKey()
	ids := id.NewGenerator(nil)
	if _, err := st.SetOperatorKey(ctx, auth.NewKeyRecord(ids, "", "operator", e.op, now)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAPIKey(ctx, auth.NewKeyRecord(ids, "acme", "acme", e.acme, now)); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(dispatch.Config{Store: st, Logger: log, Owner: "portal-test"})
	keys, err := auth.NewKeyring("portal test password", nil)
	if err != nil {
		t.Fatal(err)
	}
	deps := service.Deps{Store: st, Logger: log}
	services := service.NewSet(deps, service.SetConfig{Tester: d, Keys: keys})
	console, err := ui.New(ui.Config{Services: services, Catalog: cat, Logger: log, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	publisher := ingest.New(ingest.Config{Store: st})
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api.New(api.Config{Services: services, Publisher: publisher, Logger: log}).Handler())
	mux.Handle("/", console)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	// A node that serves no console has no portal links to hand out.
	apiOnly := service.NewSet(deps, service.SetConfig{Tester: d})
	e.noConsole = httptest.NewServer(api.New(api.Config{Services: apiOnly, Publisher: publisher, Logger: log}).Handler())
	t.Cleanup(e.noConsole.Close)
	return e
}

func postJSON(t *testing.T, base, path, key, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	api.CheckContract(t, req, []byte(body), resp.StatusCode, resp.Header, raw)
	return resp.StatusCode, raw
}

// refusal is a POST that must be refused with status, naming field.
type refusal struct {
	path, key, body string
	status          int
	field           string
}

func wantRefusals(t *testing.T, base string, cases map[string]refusal) {
	t.Helper()
	for name, c := range cases {
		status, raw := postJSON(t, base, c.path, c.key, c.body)
		if status != c.status || (c.field != "" && !strings.Contains(string(raw), `"field":"`+c.field+`"`)) {
			t.Errorf("%s: %d %s, want %d field %q", name, status, raw, c.status, c.field)
		}
	}
}

func TestPortalLinks(t *testing.T) {
	e := newPortalEnv(t)
	status, raw := postJSON(t, e.srv.URL, "/api/v1/tenants/acme/portal-links", e.acme, "")
	if status != http.StatusCreated {
		t.Fatalf("create link = %d: %s", status, raw)
	}
	var link struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(raw, &link); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.URL, e.srv.URL+"/portal/") {
		t.Fatalf("url = %q", link.URL)
	}
	if d := time.Until(link.ExpiresAt); d < 14*time.Minute || d > 15*time.Minute {
		t.Fatalf("default expiry in %s, want 15 minutes", d)
	}
	// The link opens acme's pages.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/t/acme/" {
		t.Fatalf("opening the link: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	status, raw = postJSON(t, e.srv.URL, "/api/v1/tenants/acme/portal-links", e.op, `{"ttl_seconds": 120}`)
	if status != http.StatusCreated || !strings.Contains(string(raw), "/portal/") {
		t.Fatalf("operator link with ttl = %d: %s", status, raw)
	}
	wantRefusals(t, e.srv.URL, map[string]refusal{
		"another tenant's key": {"/api/v1/tenants/globex/portal-links", e.acme, "", 404, ""},
		"unknown tenant":       {"/api/v1/tenants/nope/portal-links", e.op, "", 404, ""},
		"ttl too long":         {"/api/v1/tenants/acme/portal-links", e.op, `{"ttl_seconds": 90000}`, 422, "ttl_seconds"},
		"ttl zero":             {"/api/v1/tenants/acme/portal-links", e.op, `{"ttl_seconds": 0}`, 422, "ttl_seconds"},
		"unknown field":        {"/api/v1/tenants/acme/portal-links", e.op, `{"ttl": 5}`, 422, "ttl"},
	})
	if status, raw := postJSON(t, e.noConsole.URL, "/api/v1/tenants/acme/portal-links", e.op, ""); status != 404 || !strings.Contains(string(raw), "web console") {
		t.Fatalf("without a console: %d %s", status, raw)
	}
}

// POST …/portal-links/revoke: the operator key or the tenant's own key
// revoke; it answers 204, and the tenant's links made before it open
// nothing.
func TestRevokePortalLinks(t *testing.T) {
	e := newPortalEnv(t)
	link := func() string {
		t.Helper()
		status, raw := postJSON(t, e.srv.URL, "/api/v1/tenants/acme/portal-links", e.acme, "")
		var l struct{ URL string }
		if status != http.StatusCreated || json.Unmarshal(raw, &l) != nil {
			t.Fatalf("create link = %d: %s", status, raw)
		}
		return l.URL
	}
	opens := func(u string) int {
		t.Helper()
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, key := range []string{e.acme, e.op} {
		before := link()
		if status, raw := postJSON(t, e.srv.URL, "/api/v1/tenants/acme/portal-links/revoke", key, ""); status != http.StatusNoContent || len(raw) != 0 {
			t.Fatalf("revoke = %d %s, want 204", status, raw)
		}
		if got := opens(before); got != http.StatusUnauthorized {
			t.Fatalf("a link made before the revocation = %d, want 401", got)
		}
		if got := opens(link()); got != http.StatusSeeOther {
			t.Fatalf("a link made after the revocation = %d, want 303", got)
		}
	}
	wantRefusals(t, e.srv.URL, map[string]refusal{
		"another tenant's key": {"/api/v1/tenants/globex/portal-links/revoke", e.acme, "", 404, ""},
		"unknown tenant":       {"/api/v1/tenants/nope/portal-links/revoke", e.op, "", 404, ""},
		"unknown field":        {"/api/v1/tenants/acme/portal-links/revoke", e.op, `{"all": true}`, 422, "all"},
		"not JSON":             {"/api/v1/tenants/acme/portal-links/revoke", e.op, `nope`, 400, ""},
	})
	if status, raw := postJSON(t, e.noConsole.URL, "/api/v1/tenants/acme/portal-links/revoke", e.op, ""); status != 404 || !strings.Contains(string(raw), "web console") {
		t.Fatalf("without a console: %d %s", status, raw)
	}
}
