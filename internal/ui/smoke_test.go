package ui

import (
	"strings"
	"testing"
)

func TestEveryPageRenders(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	for _, path := range []string{"/tenants", "/t/acme/", "/t/acme/?range=7d", "/t/acme/webhooks", "/t/acme/webhooks/new", "/t/acme/deliveries", "/t/acme/event-types", "/t/acme/event-types/user.created"} {
		p := b.get(path)
		wantStatus(t, p, 200)
	}
}

// A path below a tenant that names no page is a 404 that keeps the
// tenant's navigation; one below nothing keeps only the operator's.
func TestNotFoundKeepsTheTenantsNavigation(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	p := b.get("/t/acme/no-such-page")
	wantStatus(t, p, 404)
	mustContain(t, p, "Not found", `<nav class="nav" aria-label="Tenant">`, `href="/t/acme/webhooks"`)
	p = b.get("/no-such-page")
	wantStatus(t, p, 404)
	if strings.Contains(p.body, `aria-label="Tenant"`) {
		t.Fatal("a page under no tenant shows a tenant's navigation")
	}
	wantStatus(t, b.get("/t/nope/no-such-page"), 404)
}
