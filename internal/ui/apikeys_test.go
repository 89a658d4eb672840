package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

// storeKey stores a key of tenantID as the API would, and returns it.
func (b *bundle) storeKey(tenantID, name, prefix string) *domain.APIKey {
	b.t.Helper()
	k := &domain.APIKey{ID: testIDs.New(id.APIKey), TenantID: tenantID, Name: name, Prefix: prefix, Hash: hashKey(prefix + "-secret"), CreatedAt: time.Now().UTC()}
	if err := b.store.CreateAPIKey(context.Background(), k); err != nil {
		b.t.Fatal(err)
	}
	return k
}

func TestRevokeAPIKey(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	b.tenant("globex")
	lms := b.storeKey("acme", "LMS prod", "lmsk_AAAAAA")
	script := b.storeKey("acme", "Nightly script", "lmsk_BBBBBB")
	other := b.storeKey("globex", "Globex LMS", "lmsk_CCCCCC")
	ctx := context.Background()
	// The API of this node shares the console's keys service: it has
	// looked both keys up, so they are in its cache.
	for _, k := range []*domain.APIKey{lms, script} {
		if _, err := b.console.apiKeys.Authenticate(ctx, k.Prefix+"-secret"); err != nil {
			t.Fatal(err)
		}
	}

	// The tenants page links to each tenant's keys.
	mustContain(t, b.get("/tenants"), `href="/tenants/acme/api-keys"`)

	list := b.get("/tenants/acme/api-keys")
	wantStatus(t, list, 200)
	mustContain(t, list, "LMS prod", "lmsk_AAAAAA", "Nightly script", "lmsk_BBBBBB",
		`action="/tenants/acme/api-keys/`+lms.ID+`/revoke"`)
	if strings.Contains(list.body, "Globex LMS") || strings.Contains(list.body, lms.Hash) {
		t.Fatal("the keys page shows another tenant's key or a hash")
	}

	// Without confirm=yes the console only asks.
	ask := b.post("/tenants/acme/api-keys/"+lms.ID+"/revoke", nil)
	wantStatus(t, ask, 200)
	mustContain(t, ask, "Revoke “LMS prod”?", `id="confirm-revoke"`, `name="confirm" value="yes"`)
	if _, err := b.store.APIKeyByHash(ctx, lms.Hash); err != nil {
		t.Fatalf("asking revoked the key: %v", err)
	}

	// Without the session's CSRF token nothing happens.
	bad := b.post("/tenants/acme/api-keys/"+lms.ID+"/revoke", url.Values{"csrf": {"nope"}, "confirm": {"yes"}})
	wantStatus(t, bad, http.StatusForbidden)

	// Another tenant's key is not found under acme.
	wantStatus(t, b.post("/tenants/acme/api-keys/"+other.ID+"/revoke", url.Values{"confirm": {"yes"}}), http.StatusNotFound)
	if _, err := b.store.APIKeyByHash(ctx, other.Hash); err != nil {
		t.Fatalf("globex's key after a revoke under acme: %v", err)
	}

	done := b.post("/tenants/acme/api-keys/"+lms.ID+"/revoke", url.Values{"confirm": {"yes"}})
	wantStatus(t, done, http.StatusSeeOther)
	if loc := done.header.Get("Location"); loc != "/tenants/acme/api-keys" {
		t.Fatalf("revoke redirects to %q", loc)
	}
	_, err := b.store.APIKeyByHash(ctx, lms.Hash)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("revoked key still stored: %v", err)
	}
	if _, err := b.store.APIKeyByHash(ctx, script.Hash); err != nil {
		t.Fatalf("the other key was revoked too: %v", err)
	}
	// The API's cache forgot exactly the revoked key.
	if _, err := b.console.apiKeys.Authenticate(ctx, lms.Prefix+"-secret"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("the API still accepts the revoked key: %v", err)
	}
	if _, err := b.console.apiKeys.Authenticate(ctx, script.Prefix+"-secret"); err != nil {
		t.Fatalf("the API forgot the other key: %v", err)
	}
	after := b.get("/tenants/acme/api-keys")
	mustContain(t, after, "was revoked", "Nightly script")
	if strings.Contains(after.body, "lmsk_AAAAAA…</td>") {
		t.Fatal("the revoked key is still listed")
	}
	wantStatus(t, b.post("/tenants/acme/api-keys/"+lms.ID+"/revoke", url.Values{"confirm": {"yes"}}), http.StatusNotFound)
	wantStatus(t, b.get("/tenants/nope/api-keys"), http.StatusNotFound)
}

func TestAPIKeysPageIsOperatorOnly(t *testing.T) {
	b := setup(t)
	b.tenant("acme")
	k := b.storeKey("acme", "LMS prod", "lmsk_AAAAAA")
	path, _, err := b.portalLink("acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.get(path), http.StatusSeeOther)
	wantStatus(t, b.get("/tenants/acme/api-keys"), http.StatusNotFound)
	wantStatus(t, b.post("/tenants/acme/api-keys/"+k.ID+"/revoke", url.Values{"confirm": {"yes"}}), http.StatusNotFound)
	if _, err := b.store.APIKeyByHash(context.Background(), k.Hash); err != nil {
		t.Fatalf("a portal session revoked a key: %v", err)
	}
}
