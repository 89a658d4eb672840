package api

import (
	"testing"

	"github.com/lmshooks/lmshooks/internal/auth"
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
	if len(k.Key) != len(auth.KeyPrefix)+43 || k.Key[:5] != auth.KeyPrefix {
		t.Fatalf("key %q is not lmsk_ + base64url(32 bytes)", k.Key)
	}
	if k.TenantID != "acme" || k.Name != "LMS backend" || k.Prefix != k.Key[:auth.PrefixLen] || k.ID == "" {
		t.Errorf("key answer %+v", k)
	}
	stored, err := e.store.APIKeyByHash(e.ctx, auth.HashKey(k.Key))
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
