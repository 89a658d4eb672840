package api

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.call("GET", "/api/v1/tenants", "", nil).fails(401, "unauthorized", "")
	r := e.call("GET", "/api/v1/tenants", "lmsk_not-a-key", nil)
	r.fails(401, "unauthorized", "")
	if r.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}

	// A non-Bearer scheme is refused even with a valid key.
	raw := e.callHeader("GET", "/api/v1/tenants", "Basic "+e.op)
	raw.fails(401, "unauthorized", "")

	e.call("GET", "/api/v1/tenants", e.op, nil).ok(200, nil)
}

func TestCreatedKeyWorksAndIsStoredHashed(t *testing.T) {
	e := newEnv(t)
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "acme", "name": "Acme"}).ok(201, nil)
	var k apiKeyJSON
	e.call("POST", "/api/v1/tenants/acme/api-keys", e.op, m{"name": "LMS backend"}).ok(201, &k)
	if len(k.Key) != len(KeyPrefix)+43 || k.Key[:5] != KeyPrefix {
		t.Fatalf("key %q is not lmsk_ + base64url(32 bytes)", k.Key)
	}
	if k.TenantID != "acme" || k.Name != "LMS backend" || k.Prefix != k.Key[:keyPrefixLen] || k.ID == "" {
		t.Errorf("key answer %+v", k)
	}
	stored, err := e.store.APIKeyByHash(e.ctx, HashKey(k.Key))
	if err != nil {
		t.Fatalf("key not stored by hash: %v", err)
	}
	if stored.Hash == k.Key || stored.TenantID != "acme" {
		t.Errorf("stored key %+v", stored)
	}
	e.call("GET", "/api/v1/tenants/acme", k.Key, nil).ok(200, nil)

	// A tenant key may make more keys for its own tenant.
	e.call("POST", "/api/v1/tenants/acme/api-keys", k.Key, m{"name": "second"}).ok(201, nil)
	e.call("POST", "/api/v1/tenants/acme/api-keys", k.Key, m{}).fails(422, "invalid", "name")
	e.call("POST", "/api/v1/tenants/nope/api-keys", e.op, m{"name": "x"}).fails(404, "not_found", "")
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	e := newEnv(t)
	e.call("GET", "/api/v1/nothing-here", e.op, nil).fails(404, "not_found", "")
	r := e.call("PUT", "/api/v1/tenants", e.op, nil)
	r.fails(405, codeMethodNotAllowed, "")
	if r.Header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
}

func TestKeyCache(t *testing.T) {
	c := clock.NewFake(start)
	kc := newKeyCache(c, 10*time.Second, 3)
	k := &domain.APIKey{ID: "key_1", TenantID: "acme"}
	kc.put("h1", k)
	if kc.get("h1") != k {
		t.Fatal("fresh entry not returned")
	}
	c.Advance(10 * time.Second)
	if kc.get("h1") != nil {
		t.Fatal("expired entry returned")
	}

	// Bounded: the fourth entry does not grow the cache past its size.
	for _, h := range []string{"a", "b", "c", "d"} {
		kc.put(h, &domain.APIKey{ID: h, TenantID: "t"})
	}
	if n := len(kc.entries); n > 3 {
		t.Fatalf("cache holds %d entries, bound is 3", n)
	}
	if kc.get("d") == nil {
		t.Fatal("newest entry missing after eviction")
	}

	kc.put("x", &domain.APIKey{ID: "x", TenantID: "globex"})
	kc.dropTenant("globex")
	if kc.get("x") != nil {
		t.Fatal("dropTenant kept the tenant's key")
	}
	if kc.get("d") == nil {
		t.Fatal("dropTenant dropped another tenant's key")
	}

	off := newKeyCache(c, -1, 3)
	off.put("h", k)
	if off.get("h") != nil {
		t.Fatal("disabled cache returned an entry")
	}
}
