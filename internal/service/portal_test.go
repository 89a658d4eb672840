package service

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// token returns the token of a link's path.
func token(l PortalLink) string { return strings.TrimPrefix(l.Path, "/portal/") }

func TestPortalLinkLifetimes(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	f.clock.Advance(300 * time.Millisecond)

	link, err := f.portal.Issue(f.ctx, "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.Path, "/portal/") || !link.ExpiresAt.Equal(accessStart.Add(DefaultPortalLinkTTL)) || link.ExpiresAt.Location() != time.UTC {
		t.Fatalf("default link %+v, want one ending 15 minutes from now (to the second)", link)
	}
	long, err := f.portal.Issue(f.ctx, "acme", new(int64(86400)))
	if err != nil || !long.ExpiresAt.Equal(accessStart.Add(MaxPortalLinkTTL)) {
		t.Fatalf("24h link %+v, %v", long, err)
	}
	for _, bad := range []int64{0, -1, 86401, 1 << 62} {
		_, err := f.portal.Issue(f.ctx, "acme", &bad)
		wantAccessError(t, err, domain.EINVALID, "ttl_seconds")
		if domain.ErrorMessage(err) != "must be between 1 and 86400 seconds (24 hours)" {
			t.Fatalf("message %q", domain.ErrorMessage(err))
		}
	}
	_, err = f.portal.Issue(f.ctx, "nope", nil)
	wantAccessError(t, err, domain.ENOTFOUND, "")

	// The session keeps its own lifetime, whatever the link's.
	s, err := f.portal.Open(f.ctx, token(link), nil)
	if err != nil || !s.ExpiresAt().Equal(f.clock.Now().Add(DefaultPortalSessionTTL).Truncate(time.Second)) {
		t.Fatalf("session %+v, %v; want one ending in an hour", s, err)
	}

	// Configured lifetimes.
	keys, _ := accessKeyring()
	p := newPortal(f.portal.d, PortalConfig{Keys: keys, LinkTTL: 2 * time.Minute, SessionTTL: 3 * time.Hour})
	link, err = p.Issue(f.ctx, "acme", nil)
	if err != nil || !link.ExpiresAt.Equal(f.clock.Now().Add(2*time.Minute).Truncate(time.Second)) {
		t.Fatalf("configured link %+v, %v", link, err)
	}
	if s, err := p.Open(f.ctx, token(link), nil); err != nil || !s.ExpiresAt().Equal(f.clock.Now().Add(3*time.Hour).Truncate(time.Second)) {
		t.Fatalf("configured session %+v, %v", s, err)
	}
}

func TestOpenPortalLink(t *testing.T) {
	f := newAccessFixture(t)
	acme := f.tenant("acme")
	f.tenant("globex")
	link, err := f.portal.Issue(f.ctx, "acme", new(int64(600)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.portal.Open(f.ctx, token(link), nil)
	if err != nil || !s.Portal() || s.Tenant != "acme" || s.Epoch != acme.PortalEpoch || !f.portal.Current(s, acme) {
		t.Fatalf("opened %+v, %v", s, err)
	}

	other, err := auth.NewKeyring("another operator password", nil)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := other.SealPortalLink("acme", acme.PortalEpoch, link.ExpiresAt)
	gone, err := f.portal.Issue(f.ctx, "globex", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tenants.Delete(f.ctx, "globex"); err != nil {
		t.Fatal(err)
	}
	unused, err := f.portal.Issue(f.ctx, "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := token(unused)
	for name, c := range map[string]struct {
		token string
		err   error
	}{
		"tampered":       {tok[:len(tok)-3] + "abc", errLinkInvalid},
		"other key":      {forged, errLinkInvalid},
		"deleted tenant": {token(gone), errLinkVoid},
		"empty":          {"", errLinkInvalid},
		"used":           {token(link), errLinkUsed},
	} {
		if _, err := f.portal.Open(f.ctx, c.token, nil); err != c.err {
			t.Errorf("%s link: err %v, want %v", name, err, c.err)
		}
	}
	f.clock.Advance(16 * time.Minute)
	_, err = f.portal.Open(f.ctx, tok, nil)
	wantAccessError(t, err, domain.EUNAUTHORIZED, "")
}

// A used link followed again by the browser whose session it opened goes
// back to that session; from anywhere else it is refused.
func TestPortalLinkFollowedAgain(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	f.tenant("globex")
	link, _ := f.portal.Issue(f.ctx, "acme", nil)
	s, err := f.portal.Open(f.ctx, token(link), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := f.portal.Open(f.ctx, token(link), s); err != nil || again != s {
		t.Fatalf("the same browser again: %+v, %v; want its session back", again, err)
	}
	other, _ := f.portal.Issue(f.ctx, "acme", nil)
	otherSession, _ := f.portal.Open(f.ctx, token(other), nil)
	globexLink, _ := f.portal.Issue(f.ctx, "globex", nil)
	globexSession, _ := f.portal.Open(f.ctx, token(globexLink), nil)
	operator := auth.NewSession(auth.OperatorSession, "", f.clock.Now().Add(time.Hour))
	for name, current := range map[string]*auth.Session{"no session": nil, "another link's session": otherSession, "another tenant's session": globexSession, "the operator": operator} {
		if _, err := f.portal.Open(f.ctx, token(link), current); err != errLinkUsed {
			t.Errorf("%s: err %v, want the link refused as used", name, err)
		}
	}
	// Revoked, the session it opened is no way back in either.
	if err := f.portal.Revoke(f.ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.portal.Open(f.ctx, token(link), s); err != errLinkVoid {
		t.Fatalf("after a revocation: err %v, want the link void", err)
	}
}

func TestPortalLinkOpensOneSessionAtOnce(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	link, _ := f.portal.Issue(f.ctx, "acme", nil)
	const browsers = 16
	errs := make([]error, browsers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range browsers {
		wg.Go(func() {
			<-start
			_, errs[i] = f.portal.Open(f.ctx, token(link), nil)
		})
	}
	close(start)
	wg.Wait()
	opened := 0
	for _, err := range errs {
		switch err {
		case nil:
			opened++
		case errLinkUsed:
		default:
			t.Fatalf("Open: %v", err)
		}
	}
	if opened != 1 {
		t.Fatalf("%d sessions opened from one link at once; want 1", opened)
	}
}

// Sessions and unused links die with their tenant's incarnation and with
// a revocation; other tenants' do not.
func TestPortalSessionsDie(t *testing.T) {
	f := newAccessFixture(t)
	acme := f.tenant("acme")
	globex := f.tenant("globex")
	open := func(tenant string) *auth.Session {
		t.Helper()
		link, err := f.portal.Issue(f.ctx, tenant, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.portal.Open(f.ctx, token(link), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s, g := open("acme"), open("globex")
	if f.portal.Current(s, globex) || f.portal.Current(g, acme) {
		t.Fatal("a session holds for another tenant")
	}
	unused, _ := f.portal.Issue(f.ctx, "acme", nil)

	// Deleted and created again with the same id: a new tenant.
	if err := f.tenants.Delete(f.ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	again := f.tenant("acme")
	if again.PortalEpoch == acme.PortalEpoch || f.portal.Current(s, again) {
		t.Fatal("the old tenant's session holds for the new one")
	}
	if _, err := f.portal.Open(f.ctx, token(unused), nil); err != errLinkVoid {
		t.Fatalf("the old tenant's link: err %v, want it void", err)
	}

	// Revoked.
	s = open("acme")
	unused, _ = f.portal.Issue(f.ctx, "acme", nil)
	if err := f.portal.Revoke(f.ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	now, err := f.tenants.Get(f.ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if f.portal.Current(s, now) {
		t.Fatal("a session holds after its tenant's portal access was revoked")
	}
	if _, err := f.portal.Open(f.ctx, token(unused), nil); err != errLinkVoid {
		t.Fatalf("an unused link after a revocation: err %v, want it void", err)
	}
	if s := open("acme"); !f.portal.Current(s, now) {
		t.Fatal("a session opened after the revocation does not hold")
	}
	globexNow, _ := f.tenants.Get(f.ctx, "globex")
	if !f.portal.Current(g, globexNow) {
		t.Fatal("revoking acme ended globex's session")
	}
	wantAccessError(t, f.portal.Revoke(f.ctx, "nope"), domain.ENOTFOUND, "")
}
