package ui

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestPortalLinkSeesOnlyItsTenant(t *testing.T) {
	b := setup(t, func(c *Config) { c.PortalOrigins = []string{"https://lms.example.com"} })
	b.tenant("acme")
	b.tenant("globex")
	path, exp, err := b.portalLink("acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 14*time.Minute || d > 15*time.Minute {
		t.Fatalf("default link lifetime = %s, want 15 minutes", d)
	}
	p := b.get(path)
	wantStatus(t, p, http.StatusSeeOther)
	if p.header.Get("Location") != "/t/acme/" {
		t.Fatalf("portal link leads to %q", p.header.Get("Location"))
	}
	home := b.get("/t/acme/")
	wantStatus(t, home, 200)
	mustContain(t, home, "Tenant acme", "Tenant portal")
	if strings.Contains(home.body, `href="/tenants"`) {
		t.Fatal("portal page links to the operator's tenants page")
	}
	if csp := home.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://lms.example.com") {
		t.Fatalf("portal CSP = %q, want the LMS origin as frame ancestor", csp)
	}
	if home.header.Get("X-Frame-Options") != "" {
		t.Fatal("portal pages must be frameable by the LMS")
	}
	for _, path := range []string{"/t/globex/", "/t/globex/webhooks", "/t/nope/", "/tenants"} {
		p := b.get(path)
		wantStatus(t, p, http.StatusNotFound)
		if strings.Contains(p.body, "Tenant globex") {
			t.Fatalf("%s leaks the other tenant's name", path)
		}
	}
	if p := b.post("/tenants/acme/api-keys", nil); p.status != http.StatusNotFound {
		t.Fatalf("portal session creating API keys: %d, want 404", p.status)
	}
	wantStatus(t, b.get("/t/acme/webhooks/new"), 200)

	// Error pages keep the portal's navigation, whatever the path.
	for _, path := range []string{"/no-such-page", "/t/acme/no-such-page", "/t/globex/", "/tenants"} {
		p := b.get(path)
		wantStatus(t, p, http.StatusNotFound)
		mustContain(t, p, `<nav class="nav" aria-label="Tenant">`, `href="/t/acme/deliveries"`)
	}
}

func TestBadPortalLinks(t *testing.T) {
	b := setup(t)
	b.tenant("acme")
	path, _, err := b.portalLink("acme", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tampered := path[:len(path)-3] + "abc"
	if p := b.get(tampered); p.status != http.StatusUnauthorized {
		t.Fatalf("tampered link: %d", p.status)
	}
	other := setup(t, func(c *Config) { c.Keys = keyring(t, "another operator password", nil) })
	other.tenant("acme")
	otherPath, _, _ := other.portalLink("acme", 0)
	if p := b.get(otherPath); p.status != http.StatusUnauthorized {
		t.Fatalf("link signed by another server key: %d", p.status)
	}
	if _, _, err := b.portalLink("acme", 48*time.Hour); domain.ErrorField(err) != "ttl_seconds" {
		t.Fatalf("48h link: err %v, want a ttl_seconds error", err)
	}
	b.tenant("ghost")
	gone, _, _ := b.portalLink("ghost", 0)
	if err := b.store.DeleteTenant(context.Background(), "ghost"); err != nil {
		t.Fatal(err)
	}
	if p := b.get(gone); p.status != http.StatusUnauthorized {
		t.Fatalf("link of a tenant that does not exist: %d", p.status)
	}
}

func TestPortalLinkAndSessionExpire(t *testing.T) {
	clk := clock.NewFake(time.Now())
	b := setup(t, func(c *Config) { c.Clock = clk })
	b.tenant("acme")
	path, _, err := b.portalLink("acme", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	unused, _, err := b.portalLink("acme", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.get(path), http.StatusSeeOther)
	wantStatus(t, b.get("/t/acme/"), 200)
	// The link dies; the session it opened keeps its own hour.
	clk.Advance(11 * time.Minute)
	if p := b.do(newClient(), "GET", unused, nil); p.status != http.StatusUnauthorized {
		t.Fatalf("expired link: %d, want 401", p.status)
	}
	wantStatus(t, b.get("/t/acme/"), 200)
	clk.Advance(50 * time.Minute)
	if p := b.get("/t/acme/"); p.status != http.StatusSeeOther {
		t.Fatalf("portal session after its hour: %d, want sign-in", p.status)
	}
}

// A link opens one session: another browser is told it was used; the
// browser it opened a session for goes back to that session.
func TestPortalLinkUsedTwice(t *testing.T) {
	b := setup(t, func(c *Config) { c.PortalOrigins = []string{"https://lms.example.com"} })
	b.tenant("acme")
	path := b.openPortal(b.client, "acme")
	second := b.do(newClient(), "GET", path, nil)
	wantStatus(t, second, http.StatusUnauthorized)
	mustContain(t, second, "This link does not work", "already been used", "Open the webhooks page of your learning platform again")
	if strings.Contains(second.body, `href="/login"`) || !strings.Contains(second.header.Get("Content-Security-Policy"), "frame-ancestors https://lms.example.com") {
		t.Fatal("the used-link page offers the sign-in page or cannot be shown in the LMS's frame")
	}
	if p := b.get(path); p.status != http.StatusSeeOther || p.header.Get("Location") != "/t/acme/" {
		t.Fatalf("the same browser again: %d → %q, want back to its session", p.status, p.header.Get("Location"))
	}
	wantStatus(t, b.get("/t/acme/"), 200)
}

// The operator sees a Revoke portal access button on a tenant's dashboard,
// confirms it, and the tenant's portal sessions and unused links die; a
// portal session sees no such button and cannot post it.
func TestRevokePortalAccessButton(t *testing.T) {
	b := setup(t)
	b.tenant("acme")
	b.tenant("globex")
	admin := newClient()
	b.openPortal(admin, "acme")
	other := newClient()
	b.openPortal(other, "globex")
	unused, _, _ := b.portalLink("acme", 0)

	portalPage := b.do(admin, "GET", "/t/acme/", nil)
	wantStatus(t, portalPage, 200)
	if strings.Contains(portalPage.body, "Revoke portal access") {
		t.Fatal("a portal session is offered to revoke portal access")
	}
	portal := &bundle{t: t, console: b.console, store: b.store, srv: b.srv, client: admin}
	if p := portal.post("/tenants/acme/portal-links/revoke", url.Values{"confirm": {"yes"}}); p.status != http.StatusNotFound {
		t.Fatalf("a portal session revoking portal access: %d, want 404", p.status)
	}
	wantStatus(t, b.do(admin, "GET", "/t/acme/", nil), 200)

	b.login()
	dash := b.get("/t/acme/")
	wantStatus(t, dash, 200)
	mustContain(t, dash, `id="portal-access"`, `action="/tenants/acme/portal-links/revoke"`, "Revoke portal access")
	ask := b.post("/tenants/acme/portal-links/revoke", nil)
	wantStatus(t, ask, 200)
	mustContain(t, ask, "Revoke Tenant acme's portal access?", "signed out at once", `name="confirm" value="yes"`, `id="confirm-revoke-portal"`)
	wantStatus(t, b.do(admin, "GET", "/t/acme/", nil), 200)

	done := b.post("/tenants/acme/portal-links/revoke", url.Values{"confirm": {"yes"}})
	if done.status != http.StatusSeeOther || done.header.Get("Location") != "/t/acme/" {
		t.Fatalf("confirmed revocation: %d → %q", done.status, done.header.Get("Location"))
	}
	mustContain(t, b.get("/t/acme/"), "Portal access of “Tenant acme” revoked")
	if p := b.do(admin, "GET", "/t/acme/", nil); p.status != http.StatusSeeOther {
		t.Fatalf("revoked portal session: %d, want sign-in", p.status)
	}
	if p := b.do(newClient(), "GET", unused, nil); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "no longer valid") {
		t.Fatalf("unused link after the revocation: %d", p.status)
	}
	wantStatus(t, b.do(other, "GET", "/t/globex/", nil), 200)
	b.openPortal(admin, "acme")
	wantStatus(t, b.do(admin, "GET", "/t/acme/", nil), 200)
	if p := b.post("/tenants/nope/portal-links/revoke", url.Values{"confirm": {"yes"}}); p.status != http.StatusNotFound {
		t.Fatalf("revoking an unknown tenant: %d", p.status)
	}
}

// A tenant deleted and created again is not the one a portal session was
// opened for: in a frame, the session has ended.
func TestPortalSessionOfAReplacedTenant(t *testing.T) {
	b := setup(t, func(c *Config) { c.PortalOrigins = []string{"https://lms.example.com"} })
	b.tenant("acme")
	b.openPortal(b.client, "acme")
	if err := b.console.tenants.Delete(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	b.tenant("acme")
	req, _ := http.NewRequest("GET", b.srv.URL+"/t/acme/webhooks", nil)
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(raw), "Session ended") {
		t.Fatalf("the old tenant's session in a frame: %d, want the session-ended page", res.StatusCode)
	}
}

// An LMS frames the portal: what it shows in the frame may be framed by
// the configured origins (the link, its refusal, the portal's pages, the
// page saying a session has ended); the sign-in form and the operator's
// pages never are.
func TestPortalFraming(t *testing.T) {
	const lms = "https://lms.example.com"
	b := setup(t, func(c *Config) { c.PortalOrigins = []string{lms} })
	b.tenant("acme")
	framedGet := func(c *http.Client, path string) page {
		t.Helper()
		req, err := http.NewRequest("GET", b.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Sec-Fetch-Dest", "iframe")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return page{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	}
	frameable := func(p page) bool {
		return strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors "+lms) && p.header.Get("X-Frame-Options") == ""
	}
	refused := func(p page) bool {
		return strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") && p.header.Get("X-Frame-Options") == "DENY"
	}

	// No session, in a frame: the session has ended; no sign-in button,
	// since the LMS's tenant admins have no password.
	p := framedGet(newClient(), "/t/acme/webhooks")
	wantStatus(t, p, http.StatusUnauthorized)
	mustContain(t, p, "Session ended", "Open the webhooks page of your learning platform again")
	if strings.Contains(p.body, `href="/login"`) || !frameable(p) {
		t.Fatalf("session-ended page: sign-in link or not frameable (CSP %q)", p.header.Get("Content-Security-Policy"))
	}
	// The same request outside a frame goes to the sign-in page, which is
	// never frameable, framed or not.
	if p := b.do(newClient(), "GET", "/t/acme/webhooks", nil); p.status != http.StatusSeeOther || !refused(p) {
		t.Fatalf("unframed request without a session: %d, CSP %q", p.status, p.header.Get("Content-Security-Policy"))
	}
	if p := framedGet(newClient(), "/login"); !refused(p) {
		t.Fatalf("sign-in page in a frame: CSP %q, want frame-ancestors 'none'", p.header.Get("Content-Security-Policy"))
	}
	// A bad link shows why in the frame.
	path, _, err := b.portalLink("acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	bad := framedGet(newClient(), path[:len(path)-4]+"AAAA")
	wantStatus(t, bad, http.StatusUnauthorized)
	mustContain(t, bad, "This link does not work")
	if !frameable(bad) || strings.Contains(bad.body, `href="/login"`) {
		t.Fatal("a refused portal link is not frameable or offers the sign-in page")
	}
	// A good one: its redirect and the portal's pages are frameable.
	portal := newClient()
	if p := framedGet(portal, path); p.status != http.StatusSeeOther || !frameable(p) {
		t.Fatalf("portal link: %d, CSP %q", p.status, p.header.Get("Content-Security-Policy"))
	}
	if p := framedGet(portal, "/t/acme/deliveries"); p.status != http.StatusOK || !frameable(p) {
		t.Fatalf("portal page: %d, CSP %q", p.status, p.header.Get("Content-Security-Policy"))
	}
	// The operator's pages are not, even framed.
	b.login()
	if p := framedGet(b.client, "/t/acme/"); p.status != http.StatusOK || !refused(p) {
		t.Fatalf("operator page in a frame: %d, CSP %q", p.status, p.header.Get("Content-Security-Policy"))
	}
}

// Without configured origins nothing is frameable, a portal included.
func TestNoPortalOriginsNoFraming(t *testing.T) {
	b := setup(t)
	b.tenant("acme")
	path, _, err := b.portalLink("acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []page{b.get(path), b.get("/t/acme/")} {
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || p.header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("CSP %q, XFO %q: want no framing", csp, p.header.Get("X-Frame-Options"))
		}
	}
}
