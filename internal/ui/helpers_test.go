package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/dispatch"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

const testPassword = "correct horse battery staple"

// bundle is a console on a real SQLite store behind a real HTTP server,
// with a browser-like client (cookie jar, no redirects followed).
type bundle struct {
	t       *testing.T
	console *Console
	store   *sqlite.Store
	cats    *catalog.Views
	srv     *httptest.Server
	client  *http.Client
}

// loadedCatalog is parsed once: it is immutable and costs a little.
var loadedCatalog = func() *catalog.Catalog {
	c, err := catalog.Load()
	if err != nil {
		panic(err)
	}
	return c
}()

func setup(t *testing.T, tweak ...func(*Config)) *bundle {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ui.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testLog{t}, nil))
	}
	d := dispatch.New(dispatch.Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Logger: log, Owner: "ui-test"})
	cats := catalog.NewViews(catalog.ViewsConfig{Store: st, Builtin: loadedCatalog, Logger: log})
	cfg := Config{Catalog: loadedCatalog, Logger: log, Keys: keyring(t, testPassword, nil), SecureCookies: false}
	for _, f := range tweak {
		f(&cfg)
	}
	// The services as app builds them, on the clock and keys a tweak may
	// have set.
	deps := service.Deps{Store: st, Clock: cfg.Clock, Notify: notifier{d}, Logger: log}
	cfg.Services = service.NewSet(deps, service.SetConfig{Catalogs: cats, Tester: d, Keys: cfg.Keys})
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return &bundle{t: t, console: c, store: st, cats: cats, srv: srv, client: newClient()}
}

// notifier passes the services' notices to the dispatcher, as app's
// adapter does.
type notifier struct{ d *dispatch.Dispatcher }

func (n notifier) WorkDue()                 { n.d.Wake() }
func (n notifier) WebhookChanged(id string) { n.d.WebhookChanged(id) }

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// page is an answer: status, headers, body.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *bundle) get(path string) page {
	b.t.Helper()
	return b.do(b.client, "GET", path, nil)
}

// post sends a form; the session's CSRF token is added unless the form
// already has a "csrf" entry.
func (b *bundle) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf())
	}
	return b.do(b.client, "POST", path, form)
}

func (b *bundle) do(c *http.Client, method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the client's session, read from a page
// as a browser would.
func (b *bundle) csrf() string {
	b.t.Helper()
	p := b.do(b.client, "GET", "/tenants", nil)
	if p.status == http.StatusNotFound { // a portal session
		p = b.do(b.client, "GET", "/", nil)
		if loc := p.header.Get("Location"); loc != "" {
			p = b.do(b.client, "GET", loc, nil)
		}
	}
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on the page (status %d)", p.status)
	}
	return m[1]
}

// login signs the client in as the operator.
func (b *bundle) login() {
	b.t.Helper()
	p := b.do(b.client, "POST", "/login", url.Values{"password": {testPassword}})
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("login = %d, want 303", p.status)
	}
}

func (b *bundle) tenant(id string) *domain.Tenant {
	b.t.Helper()
	now := time.Now().UTC()
	t := &domain.Tenant{ID: id, Name: "Tenant " + id, Environment: domain.Production, PortalEpoch: auth.NewPortalEpoch(), CreatedAt: now, UpdatedAt: now}
	if err := b.store.CreateTenant(context.Background(), t); err != nil {
		b.t.Fatal(err)
	}
	return t
}

func mustContain(t *testing.T, p page, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Fatalf("page (status %d) lacks %q:\n%s", p.status, w, p.body)
		}
	}
}

func wantStatus(t *testing.T, p page, want int) {
	t.Helper()
	if p.status != want {
		t.Fatalf("status = %d, want %d:\n%s", p.status, want, p.body)
	}
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func hashKey(k string) string { return auth.HashKey(k) }

// testKeyring is the keyring of testPassword, derived once: PBKDF2 is slow
// on purpose.
var testKeyring = sync.OnceValues(func() (*auth.Keyring, error) { return auth.NewKeyring(testPassword, nil) })

// keyring returns the console keyring of a configured password or of a
// stored credential.
func keyring(t *testing.T, password string, cred *domain.ConsoleCredential) *auth.Keyring {
	t.Helper()
	var k *auth.Keyring
	var err error
	if password == testPassword && cred == nil {
		k, err = testKeyring()
	} else {
		k, err = auth.NewKeyring(password, cred)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// portalLink issues a link to tenantID's pages that lasts ttl (0: the
// default), as the API's portal-links route does.
func (b *bundle) portalLink(tenantID string, ttl time.Duration) (path string, expires time.Time, err error) {
	var secs *int64
	if ttl != 0 {
		secs = new(int64(ttl / time.Second))
	}
	link, err := b.console.portal.Issue(context.Background(), tenantID, secs)
	return link.Path, link.ExpiresAt, err
}

// openPortal makes a portal link of tenantID, opens it with c (which
// then holds the portal session) and returns the link's path.
func (b *bundle) openPortal(c *http.Client, tenantID string) string {
	b.t.Helper()
	path, _, err := b.portalLink(tenantID, 0)
	if err != nil {
		b.t.Fatal(err)
	}
	wantStatus(b.t, b.do(c, "GET", path, nil), http.StatusSeeOther)
	return path
}

// customType registers one of the tenant's own event types, as the API's
// PUT …/event-types/{type} does, and drops the cached catalog view.
func (b *bundle) customType(tenant, typ, schema, example string) {
	b.t.Helper()
	now := time.Now().UTC()
	ct := &domain.CustomEventType{TenantID: tenant, Type: typ, Schema: []byte(schema), Example: []byte(example), CreatedAt: now, UpdatedAt: now}
	if _, err := loadedCatalog.WithCustom([]catalog.EventType{catalog.FromCustom(ct)}); err != nil {
		b.t.Fatal(err)
	}
	if err := b.store.PutEventType(context.Background(), ct); err != nil {
		b.t.Fatal(err)
	}
	b.cats.Invalidate(tenant)
}

// fieldBlock returns the HTML of the form field whose block has id, or of
// the field block that holds the input named name: where its error shows.
func fieldBlock(t *testing.T, body, name string) string {
	t.Helper()
	i := strings.Index(body, `name="`+name+`"`)
	if i < 0 {
		t.Fatalf("no field %q on the page", name)
	}
	start := strings.LastIndex(body[:i], `<div class="field`)
	end := strings.Index(body[i:], `<div class="field`)
	if end < 0 {
		end = len(body) - i
	}
	return body[start : i+end]
}
