package auth

import (
	"strings"
	"testing"
	"time"
)

func testKeyring(t *testing.T, password string) *Keyring {
	t.Helper()
	k, err := NewKeyring(password, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealedSessions(t *testing.T) {
	k := testKeyring(t, "correct horse battery staple")
	other := testKeyring(t, "another operator password")
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

	s := NewSession(OperatorSession, "", now.Add(time.Hour))
	tok, err := k.SealSession(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.OpenSession(tok, now)
	if err != nil || *got != *s || !got.Operator() || !got.CanSee("any") {
		t.Fatalf("opened %+v, %v; sealed %+v", got, err, s)
	}
	if NewSession(OperatorSession, "", now).ID == s.ID {
		t.Fatal("two sessions share an id")
	}
	payload, sig, _ := strings.Cut(tok, ".")
	forged, _ := other.SealSession(s)
	portal, _ := k.SealPortalLink("acme", "epoch", now.Add(time.Hour))
	for name, bad := range map[string]string{
		"expired":     tok,
		"bad mac":     payload + "." + sig[:len(sig)-2] + "AA",
		"other key":   forged,
		"portal link": portal,
		"no dot":      payload,
		"huge":        strings.Repeat("a", 5000) + "." + sig,
	} {
		at := now
		if name == "expired" {
			at = now.Add(time.Hour)
		}
		if _, err := k.OpenSession(bad, at); err != ErrBadToken {
			t.Errorf("%s: err %v, want ErrBadToken", name, err)
		}
	}
	// A portal session needs its tenant and the tenant's portal epoch.
	p := NewPortalSession(PortalLink{ID: "link", Tenant: "acme", Epoch: "epoch"}, now.Add(time.Minute))
	tok, _ = k.SealSession(p)
	if got, err := k.OpenSession(tok, now); err != nil || !got.Portal() || !got.CanSee("acme") || got.CanSee("globex") || got.Epoch != "epoch" || got.Link != "link" {
		t.Fatalf("portal session %+v, %v", got, err)
	}
	soon := now.Add(time.Minute).Unix()
	for _, bad := range []*Session{
		{ID: "x", Kind: PortalSession, Epoch: "epoch", Expires: soon},
		{ID: "x", Kind: PortalSession, Tenant: "acme", Expires: soon}, // from before portal epochs
		{ID: "x", Kind: "admin", Expires: soon},
	} {
		tok, _ := k.SealSession(bad)
		if _, err := k.OpenSession(tok, now); err != ErrBadToken {
			t.Errorf("session %+v opened: %v", bad, err)
		}
	}
	// CSRF tokens differ per session and per keyring.
	if k.CSRFToken(s) == k.CSRFToken(p) || k.CSRFToken(s) == other.CSRFToken(s) || k.CSRFToken(s) != k.CSRFToken(s) {
		t.Fatal("CSRF tokens are not per session and key")
	}
}

func TestPortalLinkTokens(t *testing.T) {
	k := testKeyring(t, "correct horse battery staple")
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	exp := now.Add(10 * time.Minute)
	tok, err := k.SealPortalLink("acme", "epoch-1", exp)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := k.SealPortalLink("acme", "epoch-1", exp)
	if again == tok {
		t.Fatal("two links for the same tenant and time are equal")
	}
	link, err := k.OpenPortalLink(tok, now)
	if err != nil || link.Tenant != "acme" || link.Epoch != "epoch-1" || !link.ExpiresAt().Equal(exp) || len(link.ID) < 20 {
		t.Fatalf("opened %+v, %v", link, err)
	}
	if other, _ := k.OpenPortalLink(again, now); other.ID == link.ID {
		t.Fatal("two links share an id")
	}
	if _, err := k.OpenPortalLink(tok, exp); err != ErrBadToken {
		t.Fatalf("expired link: %v", err)
	}
	session, _ := k.SealSession(NewPortalSession(link, exp))
	forged, _ := testKeyring(t, "another operator password").SealPortalLink("acme", "epoch-1", exp)
	// A link made before portal epochs: {tenant, expiry, nonce} only.
	old, _ := sealJSON(k.portal, map[string]any{"t": "acme", "exp": exp.Unix(), "n": "abcdefgh"})
	for name, bad := range map[string]string{"session": session, "other key": forged, "tampered": tok[:len(tok)-3] + "abc", "without epoch": old} {
		if _, err := k.OpenPortalLink(bad, now); err != ErrBadToken {
			t.Errorf("%s: %v, want ErrBadToken", name, err)
		}
	}
	if NewPortalEpoch() == NewPortalEpoch() || len(NewPortalEpoch()) < 20 {
		t.Fatal("portal epochs are not fresh random values")
	}
}
