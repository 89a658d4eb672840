package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
)

func TestSignInOutAndCookies(t *testing.T) {
	b := setup(t)
	p := b.get("/tenants")
	wantStatus(t, p, http.StatusSeeOther)
	if loc := p.header.Get("Location"); loc != "/login?next=%2Ftenants" {
		t.Fatalf("unsigned request redirects to %q", loc)
	}
	// The generated password is printed once and kept, not renewed.
	form := b.get("/login")
	mustContain(t, form, "generated and printed on its first start, kept across restarts")
	if strings.Contains(form.body, "each time it starts") {
		t.Fatal("the sign-in page says a new password is printed at each start")
	}
	wrong := b.do(b.client, "POST", "/login", url.Values{"password": {"not it"}})
	wantStatus(t, wrong, http.StatusUnauthorized)
	mustContain(t, wrong, "That password is not right.")

	ok := b.do(b.client, "POST", "/login", url.Values{"password": {testPassword}, "next": {"/tenants"}})
	wantStatus(t, ok, http.StatusSeeOther)
	if ok.header.Get("Location") != "/tenants" {
		t.Fatalf("after sign-in: Location %q", ok.header.Get("Location"))
	}
	ck := ok.header.Get("Set-Cookie")
	for _, want := range []string{sessionCookie + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Fatalf("session cookie %q lacks %q", ck, want)
		}
	}
	page := b.get("/tenants")
	wantStatus(t, page, 200)
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("operator page CSP = %q", csp)
	}

	// A next pointing elsewhere is ignored.
	other := b.do(newClient(), "POST", "/login", url.Values{"password": {testPassword}, "next": {"//evil.example"}})
	if other.header.Get("Location") != "/" {
		t.Fatalf("open redirect: %q", other.header.Get("Location"))
	}

	// Sign-out ends the session even if the browser kept the cookie.
	stolen := b.client.Jar.Cookies(mustURL(t, b.srv.URL))
	wantStatus(t, b.post("/logout", nil), http.StatusSeeOther)
	replay := newClient()
	replay.Jar.SetCookies(mustURL(t, b.srv.URL), stolen)
	if p := b.do(replay, "GET", "/tenants", nil); p.status != http.StatusSeeOther {
		t.Fatalf("signed-out cookie still works: %d", p.status)
	}
}

func TestSecureCookies(t *testing.T) {
	b := setup(t, func(c *Config) { c.SecureCookies = true })
	p := b.do(b.client, "POST", "/login", url.Values{"password": {testPassword}})
	if ck := p.header.Get("Set-Cookie"); !strings.Contains(ck, "Secure") {
		t.Fatalf("cookie %q is not Secure", ck)
	}
}

func TestTamperedAndExpiredSessionsAreRefused(t *testing.T) {
	b := setup(t)
	s := &auth.Session{ID: "abc", Kind: auth.OperatorSession, Expires: time.Now().Add(-time.Minute).Unix()}
	expired, err := b.console.keys.SealSession(s)
	if err != nil {
		t.Fatal(err)
	}
	s.Expires = time.Now().Add(time.Hour).Unix()
	valid, _ := b.console.keys.SealSession(s)
	payload, sig, _ := strings.Cut(valid, ".")
	forged, _ := keyring(t, "another key", nil).SealSession(s)
	for name, v := range map[string]string{"expired": expired, "bad mac": payload + "." + sig[:len(sig)-2] + "AA", "other key": forged} {
		c := newClient()
		c.Jar.SetCookies(mustURL(t, b.srv.URL), []*http.Cookie{{Name: sessionCookie, Value: v}})
		if p := b.do(c, "GET", "/tenants", nil); p.status != http.StatusSeeOther {
			t.Errorf("%s session: status %d, want a redirect to sign-in", name, p.status)
		}
	}
	c := newClient()
	c.Jar.SetCookies(mustURL(t, b.srv.URL), []*http.Cookie{{Name: sessionCookie, Value: valid}})
	if p := b.do(c, "GET", "/tenants", nil); p.status != 200 {
		t.Fatalf("valid session: status %d", p.status)
	}
}

func TestEveryPostNeedsTheSessionCSRFToken(t *testing.T) {
	b := setup(t)
	b.login()
	form := url.Values{"name": {"Acme"}, "environment": {"production"}}
	for name, token := range map[string]string{"missing": "", "wrong": "xyz"} {
		f := url.Values{"csrf": {token}}
		for k, v := range form {
			f[k] = v
		}
		p := b.post("/tenants", f)
		if p.status != http.StatusForbidden {
			t.Fatalf("%s token: status %d, want 403", name, p.status)
		}
	}
	// Another session's token does not work either.
	other := setup(t)
	other.console = b.console
	otherClient := newClient()
	b2 := &bundle{t: t, console: b.console, store: b.store, srv: b.srv, client: otherClient}
	b2.login()
	f := url.Values{"csrf": {b2.csrf()}}
	for k, v := range form {
		f[k] = v
	}
	if p := b.post("/tenants", f); p.status != http.StatusForbidden {
		t.Fatalf("another session's token: status %d, want 403", p.status)
	}
	// Sign-in from another site is refused.
	req, _ := http.NewRequest("POST", b.srv.URL+"/login", strings.NewReader("password="+url.QueryEscape(testPassword)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := newClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", resp.StatusCode)
	}
	if p := b.post("/tenants", form); p.status != http.StatusSeeOther {
		t.Fatalf("with the right token: status %d:\n%s", p.status, p.body)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
