package ui

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
)

// TestSignInWithStoredCredential signs in over HTTP on a console built
// from a stored credential, and uses that session on a second console
// (another node) built from the same credential.
func TestSignInWithStoredCredential(t *testing.T) {
	password, cred, err := auth.GenerateCredential(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fromCredential := func(c *Config) { c.Keys = keyring(t, "", cred) }
	b := setup(t, fromCredential)
	wrong := b.do(b.client, "POST", "/login", url.Values{"password": {testPassword}})
	wantStatus(t, wrong, http.StatusUnauthorized)
	ok := b.do(b.client, "POST", "/login", url.Values{"password": {password}})
	wantStatus(t, ok, http.StatusSeeOther)
	wantStatus(t, b.get("/tenants"), http.StatusOK)

	node2 := setup(t, fromCredential)
	c := newClient()
	c.Jar.SetCookies(mustURL(t, node2.srv.URL), b.client.Jar.Cookies(mustURL(t, b.srv.URL)))
	if p := node2.do(c, "GET", "/tenants", nil); p.status != http.StatusOK {
		t.Fatalf("the other node refused the session: %d", p.status)
	}

	// A console on a configured password refuses that session.
	configured := setup(t)
	c = newClient()
	c.Jar.SetCookies(mustURL(t, configured.srv.URL), b.client.Jar.Cookies(mustURL(t, b.srv.URL)))
	if p := configured.do(c, "GET", "/tenants", nil); p.status != http.StatusSeeOther {
		t.Fatalf("a console on another password accepted the session: %d", p.status)
	}
}
