package service

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestPortalLinkLifetimes(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	f.clock.Advance(300 * time.Millisecond)

	link, err := f.portal.Issue(f.ctx, "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.Path, "/portal/") || !link.ExpiresAt.Equal(accessStart.Add(DefaultPortalTTL)) || link.ExpiresAt.Location() != time.UTC {
		t.Fatalf("default link %+v, want one ending an hour from now (to the second)", link)
	}
	long, err := f.portal.Issue(f.ctx, "acme", new(int64(86400)))
	if err != nil || !long.ExpiresAt.Equal(accessStart.Add(MaxPortalTTL)) {
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
}

func TestOpenPortalLink(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	f.tenant("globex")
	link, err := f.portal.Issue(f.ctx, "acme", new(int64(600)))
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(link.Path, "/portal/")
	tenant, exp, err := f.portal.Open(f.ctx, token)
	if err != nil || tenant != "acme" || !exp.Equal(link.ExpiresAt) {
		t.Fatalf("opened %q until %v, %v", tenant, exp, err)
	}

	other, err := auth.NewKeyring("another operator password", nil)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := other.SealPortalLink("acme", link.ExpiresAt)
	gone, err := f.portal.Issue(f.ctx, "globex", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tenants.Delete(f.ctx, "globex"); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{
		"tampered":       token[:len(token)-3] + "abc",
		"other key":      forged,
		"deleted tenant": strings.TrimPrefix(gone.Path, "/portal/"),
		"empty":          "",
	} {
		if _, _, err := f.portal.Open(f.ctx, tok); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Errorf("%s link: err %v, want EUNAUTHORIZED", name, err)
		}
	}
	f.clock.Advance(10 * time.Minute)
	_, _, err = f.portal.Open(f.ctx, token)
	wantAccessError(t, err, domain.EUNAUTHORIZED, "")
}
