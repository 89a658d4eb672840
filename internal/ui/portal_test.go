package ui

import (
	"net/http"
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
	path, exp, err := b.console.IssuePortalLink("acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("default link lifetime = %s, want 1h", d)
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
}

func TestBadPortalLinks(t *testing.T) {
	b := setup(t)
	b.tenant("acme")
	path, _, err := b.console.IssuePortalLink("acme", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tampered := path[:len(path)-3] + "abc"
	if p := b.get(tampered); p.status != http.StatusUnauthorized {
		t.Fatalf("tampered link: %d", p.status)
	}
	other := setup(t, func(c *Config) { c.Password = "another operator password" })
	otherPath, _, _ := other.console.IssuePortalLink("acme", 0)
	if p := b.get(otherPath); p.status != http.StatusUnauthorized {
		t.Fatalf("link signed by another server key: %d", p.status)
	}
	if _, _, err := b.console.IssuePortalLink("acme", 48*time.Hour); domain.ErrorField(err) != "ttl_seconds" {
		t.Fatalf("48h link: err %v, want a ttl_seconds error", err)
	}
	gone, _, _ := b.console.IssuePortalLink("ghost", 0)
	if p := b.get(gone); p.status != http.StatusUnauthorized {
		t.Fatalf("link of a tenant that does not exist: %d", p.status)
	}
}

func TestPortalLinkAndSessionExpire(t *testing.T) {
	clk := clock.NewFake(time.Now())
	b := setup(t, func(c *Config) { c.Clock = clk })
	b.tenant("acme")
	path, _, err := b.console.IssuePortalLink("acme", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.get(path), http.StatusSeeOther)
	wantStatus(t, b.get("/t/acme/"), 200)
	clk.Advance(11 * time.Minute)
	if p := b.get("/t/acme/"); p.status != http.StatusSeeOther {
		t.Fatalf("portal session after its link expired: %d, want sign-in", p.status)
	}
	if p := b.get(path); p.status != http.StatusUnauthorized {
		t.Fatalf("expired link: %d, want 401", p.status)
	}
}
