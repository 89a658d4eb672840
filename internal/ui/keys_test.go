package ui

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestCredentialKeyring(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	password, cred, err := GenerateCredential(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(password) < 20 {
		t.Fatalf("generated password %q is short", password)
	}
	if err := cred.Validate(); err != nil {
		t.Fatalf("generated credential: %v", err)
	}
	if !cred.CreatedAt.Equal(now) || cred.Iterations != passwordIterations {
		t.Fatalf("credential created %v with %d iterations", cred.CreatedAt, cred.Iterations)
	}
	// The credential holds neither the password nor anything that derives
	// the keys from it.
	for name, b := range map[string][]byte{"salt": cred.Salt, "verifier": cred.Verifier, "seed": cred.KeySeed} {
		if bytes.Contains(b, []byte(password)) {
			t.Fatalf("the credential's %s holds the password", name)
		}
	}

	k, err := newKeyring("", cred)
	if err != nil {
		t.Fatal(err)
	}
	if !k.checkPassword(password) {
		t.Fatal("the generated password is refused")
	}
	for _, wrong := range []string{"", password + "x", strings.ToUpper(password), password[:len(password)-1]} {
		if k.checkPassword(wrong) {
			t.Fatalf("%q is accepted", wrong)
		}
	}

	// Another node with the same stored credential has the same keys.
	other, err := newKeyring("", cred)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.session, other.session) || !bytes.Equal(k.csrf, other.csrf) || !bytes.Equal(k.portal, other.portal) {
		t.Fatal("two keyrings from one credential differ")
	}
	// Each key is its own, and none is the configured password's.
	byPassword, err := newKeyring(password, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := [][]byte{k.session, k.csrf, k.portal, byPassword.session, byPassword.csrf, byPassword.portal, cred.KeySeed, cred.Verifier}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if bytes.Equal(keys[i], keys[j]) {
				t.Fatalf("keys %d and %d are equal", i, j)
			}
		}
	}
	// A reset (a new credential, even for the same password) changes them.
	again, err := newCredential(password, now)
	if err != nil {
		t.Fatal(err)
	}
	reset, err := newKeyring("", again)
	if err != nil {
		t.Fatal(err)
	}
	if !reset.checkPassword(password) || bytes.Equal(reset.session, k.session) || bytes.Equal(reset.verifier, k.verifier) {
		t.Fatal("a new credential for the same password kept the old keys or verifier")
	}
}

func TestKeyringNeedsExactlyOneSource(t *testing.T) {
	_, cred, err := GenerateCredential(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newKeyring("", nil); err == nil {
		t.Fatal("a keyring without password or credential was built")
	}
	if _, err := newKeyring(testPassword, cred); err == nil {
		t.Fatal("a keyring with both a password and a credential was built")
	}
	damaged := *cred
	damaged.KeySeed = damaged.KeySeed[:8]
	if _, err := newKeyring("", &damaged); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("damaged credential: err = %v, want EINVALID", err)
	}
}

// TestSignInWithStoredCredential signs in over HTTP on a console built
// from a stored credential, and uses that session on a second console
// (another node) built from the same credential.
func TestSignInWithStoredCredential(t *testing.T) {
	password, cred, err := GenerateCredential(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fromCredential := func(c *Config) { c.Password, c.Credential = "", cred }
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
