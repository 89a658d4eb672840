package app

import (
	"context"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
)

const (
	portalOperatorKey = "lmsk_portal_test_operator_key"
	portalPassword    = "portal test password"
)

// portalNode is a node serving the API and the console on sqlite or
// postgres, the operator signed in on its client.
func portalNode(t *testing.T, db string, tweak ...func(*config.Config)) *consoleNode {
	t.Helper()
	cfg := consoleConfig(t, "")
	cfg.DB = db
	cfg.APIKey = portalOperatorKey
	cfg.AdminPassword = portalPassword
	for _, f := range tweak {
		f(&cfg)
	}
	a, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	n := serveConsole(t, a)
	if status, _ := n.signIn(portalPassword); status != http.StatusSeeOther {
		t.Fatalf("operator sign-in: %d", status)
	}
	return n
}

// onBothStores runs fn on a fresh SQLite node and, when the test database
// is configured, on a fresh PostgreSQL one.
func onBothStores(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "app.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.SchemaDSN(t, "portal_")) })
}

// browser is a fresh browser-like client: its own cookie jar, redirects
// not followed.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// open GETs a URL (a portal link, a page) with c and returns the status
// and body.
func (n *consoleNode) open(c *http.Client, rawURL string) (int, string) {
	n.t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = n.srv.URL + rawURL
	}
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	saved := n.client
	n.client = c
	defer func() { n.client = saved }()
	return n.call(req)
}

// apiLink asks the API for a portal link of tenant and returns its URL.
func (n *consoleNode) apiLink(tenant string) string {
	n.t.Helper()
	var link struct{ URL string }
	n.api("POST", "/api/v1/tenants/"+tenant+"/portal-links", portalOperatorKey, `{}`, &link)
	return link.URL
}

var portalLinkField = regexp.MustCompile(`id="secret" type="text" readonly value="([^"]+)"`)

// consoleLink makes a portal link of tenant with the operator's console
// button and returns its URL.
func (n *consoleNode) consoleLink(tenant string) string {
	n.t.Helper()
	status, page := n.consolePost("/tenants/"+tenant+"/portal-link", nil)
	m := portalLinkField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		n.t.Fatalf("console portal link: %d\n%s", status, page)
	}
	return html.UnescapeString(m[1])
}

// consolePost posts a form as the signed-in operator, with its CSRF token.
func (n *consoleNode) consolePost(path string, form url.Values) (int, string) {
	n.t.Helper()
	_, tenants := n.open(n.client, "/tenants")
	m := csrfField.FindStringSubmatch(tenants)
	if m == nil {
		n.t.Fatal("no CSRF token on the tenants page")
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", m[1])
	req, _ := http.NewRequest("POST", n.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return n.call(req)
}

// wantPortal checks that c's portal session (or lack of one) answers
// /t/{tenant}/ with status.
func (n *consoleNode) wantPortal(c *http.Client, tenant string, status int, why string) {
	n.t.Helper()
	if got, body := n.open(c, "/t/"+tenant+"/"); got != status {
		n.t.Errorf("%s: /t/%s/ = %d, want %d\n%.300s", why, tenant, got, status, body)
	}
}

// wantLink checks what opening link in a fresh browser answers.
func (n *consoleNode) wantLink(link string, status int, why string) *http.Client {
	n.t.Helper()
	c := browser()
	if got, body := n.open(c, link); got != status {
		n.t.Errorf("%s: link = %d, want %d\n%.300s", why, got, status, body)
	}
	return c
}

// A tenant deleted and created again with the same id (LMS company ids
// are reused) is a new tenant: the portal sessions and links of the old
// one, from the API or the console, open nothing of the new one.
func TestPortalDiesWithItsTenant(t *testing.T) {
	onBothStores(t, func(t *testing.T, db string) {
		n := portalNode(t, db)
		n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Acme"}`, nil)
		fromAPI := n.wantLink(n.apiLink("acme"), http.StatusSeeOther, "API link")
		fromConsole := n.wantLink(n.consoleLink("acme"), http.StatusSeeOther, "console link")
		n.wantPortal(fromAPI, "acme", http.StatusOK, "session of an API link")
		n.wantPortal(fromConsole, "acme", http.StatusOK, "session of a console link")
		unusedAPI, unusedConsole := n.apiLink("acme"), n.consoleLink("acme")

		n.api("DELETE", "/api/v1/tenants/acme", portalOperatorKey, "", nil)
		n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Another Acme"}`, nil)

		n.wantPortal(fromAPI, "acme", http.StatusSeeOther, "old tenant's session (API link)")
		n.wantPortal(fromConsole, "acme", http.StatusSeeOther, "old tenant's session (console link)")
		n.wantLink(unusedAPI, http.StatusUnauthorized, "old tenant's unused API link")
		n.wantLink(unusedConsole, http.StatusUnauthorized, "old tenant's unused console link")
		// The new tenant's own links work.
		fresh := n.wantLink(n.apiLink("acme"), http.StatusSeeOther, "new tenant's link")
		n.wantPortal(fresh, "acme", http.StatusOK, "new tenant's session")
	})
}

// A portal link opens one session: a second browser is refused with a
// page saying the link was used, and of many browsers opening it at once
// exactly one gets in.
func TestPortalLinkOpensOneSession(t *testing.T) {
	onBothStores(t, func(t *testing.T, db string) {
		n := portalNode(t, db)
		n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Acme"}`, nil)
		link := n.apiLink("acme")
		first := n.wantLink(link, http.StatusSeeOther, "first use")
		n.wantPortal(first, "acme", http.StatusOK, "first session")
		status, body := n.open(browser(), link)
		if status != http.StatusUnauthorized || !strings.Contains(body, "already been used") {
			t.Errorf("second use = %d, want 401 saying the link was used:\n%.500s", status, body)
		}
		// The browser that used it may follow it again: it goes back to
		// the session it opened, and no new one is made.
		if status, _ := n.open(first, link); status != http.StatusSeeOther {
			t.Errorf("the same browser again = %d, want 303 to its session", status)
		}

		const browsers = 12
		link = n.apiLink("acme")
		clients := make([]*http.Client, browsers)
		statuses := make([]int, browsers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clients {
			clients[i] = browser()
			wg.Go(func() {
				<-start
				req, _ := http.NewRequest("GET", link, nil)
				res, err := clients[i].Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			})
		}
		close(start)
		wg.Wait()
		opened := 0
		for i, s := range statuses {
			switch s {
			case http.StatusSeeOther:
				opened++
				n.wantPortal(clients[i], "acme", http.StatusOK, "the one session")
			case http.StatusUnauthorized:
				n.wantPortal(clients[i], "acme", http.StatusSeeOther, "a refused browser")
			default:
				t.Errorf("browser %d: %d", i, s)
			}
		}
		if opened != 1 {
			t.Fatalf("%d browsers opened the link at once; want exactly one", opened)
		}
	})
}

// Revoking a tenant's portal access ends its portal sessions and voids its
// unused links; links made afterwards work. The API and the console's
// button do the same.
func TestRevokePortalAccess(t *testing.T) {
	onBothStores(t, func(t *testing.T, db string) {
		n := portalNode(t, db)
		for _, id := range []string{"acme", "globex"} {
			n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"`+id+`","name":"`+id+`"}`, nil)
		}
		session := n.wantLink(n.apiLink("acme"), http.StatusSeeOther, "link")
		unused := n.apiLink("acme")
		other := n.wantLink(n.apiLink("globex"), http.StatusSeeOther, "globex link")

		n.api("POST", "/api/v1/tenants/acme/portal-links/revoke", portalOperatorKey, "", nil)
		n.wantPortal(session, "acme", http.StatusSeeOther, "revoked session")
		n.wantLink(unused, http.StatusUnauthorized, "revoked unused link")
		n.wantPortal(other, "globex", http.StatusOK, "another tenant's session")
		fresh := n.wantLink(n.apiLink("acme"), http.StatusSeeOther, "link made after the revocation")
		n.wantPortal(fresh, "acme", http.StatusOK, "session made after the revocation")
		if status, msg := n.apiError("POST", "/api/v1/tenants/nope/portal-links/revoke", portalOperatorKey, ""); status != http.StatusNotFound {
			t.Errorf("revoke an unknown tenant = %d %s, want 404", status, msg)
		}

		// The console's button, confirmed.
		unused = n.apiLink("acme")
		if status, page := n.consolePost("/tenants/acme/portal-links/revoke", nil); status != http.StatusOK || !strings.Contains(page, `name="confirm" value="yes"`) {
			t.Fatalf("unconfirmed console revocation = %d, want the confirmation page:\n%.500s", status, page)
		}
		n.wantPortal(fresh, "acme", http.StatusOK, "session before the console revocation is confirmed")
		if status, page := n.consolePost("/tenants/acme/portal-links/revoke", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther {
			t.Fatalf("console revocation = %d\n%.500s", status, page)
		}
		n.wantPortal(fresh, "acme", http.StatusSeeOther, "session after the console revocation")
		n.wantLink(unused, http.StatusUnauthorized, "unused link after the console revocation")
		n.wantPortal(other, "globex", http.StatusOK, "another tenant's session after the console revocation")
	})
}

// A portal link is made on the configured public URL whatever the
// request's Host and X-Forwarded-Proto say; without one, only a request
// from this machine (loopback) may have a link made from its Host, and
// any other is refused with a message naming --public-url.
func TestPortalLinkURL(t *testing.T) {
	db := func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "app.db") }
	// forged sends a request from a remote address (httptest's
	// 192.0.2.1), to evil.example, claiming https.
	forged := func(n *consoleNode, method, path, body string, cookies []*http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Proto", "https")
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+portalOperatorKey)
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		n.app.Handler().ServeHTTP(rec, req)
		return rec
	}
	consoleForm := func(n *consoleNode) (string, []*http.Cookie) {
		_, page := n.open(n.client, "/tenants")
		m := csrfField.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no CSRF token")
		}
		u, _ := url.Parse(n.srv.URL)
		return url.Values{"csrf": {m[1]}}.Encode(), n.client.Jar.Cookies(u)
	}

	t.Run("unset, remote request", func(t *testing.T) {
		n := portalNode(t, db(t))
		n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Acme"}`, nil)
		rec := forged(n, "POST", "/api/v1/tenants/acme/portal-links", "", nil)
		if rec.Code != http.StatusConflict || strings.Contains(rec.Body.String(), "evil.example") || !strings.Contains(rec.Body.String(), "--public-url") {
			t.Errorf("API link for a remote request without --public-url: %d %s; want 409 naming --public-url", rec.Code, rec.Body)
		}
		form, cookies := consoleForm(n)
		rec = forged(n, "POST", "/tenants/acme/portal-link", form, cookies)
		if rec.Code != http.StatusConflict || strings.Contains(rec.Body.String(), "evil.example") || !strings.Contains(rec.Body.String(), "--public-url") {
			t.Errorf("console link for a remote request without --public-url: %d; want 409 naming --public-url\n%.1000s", rec.Code, rec.Body)
		}
	})
	t.Run("unset, loopback request", func(t *testing.T) {
		n := portalNode(t, db(t))
		n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Acme"}`, nil)
		if link := n.apiLink("acme"); !strings.HasPrefix(link, n.srv.URL+"/portal/") {
			t.Errorf("API link for a loopback request = %q, want it on %s", link, n.srv.URL)
		}
		if link := n.consoleLink("acme"); !strings.HasPrefix(link, n.srv.URL+"/portal/") {
			t.Errorf("console link for a loopback request = %q, want it on %s", link, n.srv.URL)
		}
	})
	t.Run("set", func(t *testing.T) {
		n := portalNode(t, db(t), func(c *config.Config) { c.PublicURL = "https://hooks.example.com/lms-hooks" })
		n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Acme"}`, nil)
		const want = `"url":"https://hooks.example.com/lms-hooks/portal/`
		if rec := forged(n, "POST", "/api/v1/tenants/acme/portal-links", "", nil); rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("API link with --public-url: %d %s", rec.Code, rec.Body)
		}
		form, cookies := consoleForm(n)
		rec := forged(n, "POST", "/tenants/acme/portal-link", form, cookies)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `value="https://hooks.example.com/lms-hooks/portal/`) {
			t.Errorf("console link with --public-url: %d\n%.1000s", rec.Code, rec.Body)
		}
		if link := n.apiLink("acme"); !strings.HasPrefix(link, "https://hooks.example.com/lms-hooks/portal/") {
			t.Errorf("API link from loopback with --public-url = %q", link)
		}
	})
}
