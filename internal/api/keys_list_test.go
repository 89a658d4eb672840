package api

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
)

// keyList is the answer of GET .../api-keys.
type keyList struct {
	Data []apiKeyInfoJSON `json:"data"`
}

func TestListAndRevokeAPIKeys(t *testing.T) {
	e := newEnv(t)
	first := e.tenant("acme") // creates the key "lms"
	var second apiKeyJSON
	e.clock.Advance(time.Second)
	e.call("POST", "/api/v1/tenants/acme/api-keys", e.op, m{"name": "reporting"}).ok(201, &second)

	// Newest first; the operator key is not listed; no secret on the wire.
	for _, key := range []string{e.op, first} {
		r := e.call("GET", "/api/v1/tenants/acme/api-keys", key, nil)
		var l keyList
		r.ok(200, &l)
		if len(l.Data) != 2 || l.Data[0].ID != second.ID || l.Data[1].Name != "lms" {
			t.Fatalf("list = %+v, want reporting then lms", l.Data)
		}
		got := l.Data[0]
		if got.TenantID != "acme" || got.Name != "reporting" || got.Prefix != second.Prefix || got.CreatedAt != second.CreatedAt {
			t.Errorf("listed key %+v, created %+v", got, second)
		}
		body := string(r.Body)
		if strings.Contains(body, second.Key) || strings.Contains(body, auth.HashKey(second.Key)) ||
			strings.Contains(body, `"key"`) || strings.Contains(body, `"hash"`) {
			t.Errorf("list leaks a key or hash: %s", body)
		}
	}

	// The key works (and is now cached); once revoked it is refused at
	// once, although the cache's TTL has not passed on the fake clock.
	e.call("GET", "/api/v1/tenants/acme", second.Key, nil).ok(200, nil)
	e.call("DELETE", "/api/v1/tenants/acme/api-keys/"+second.ID, first, nil).ok(204, nil)
	e.call("GET", "/api/v1/tenants/acme", second.Key, nil).fails(401, "unauthorized", "")
	e.call("DELETE", "/api/v1/tenants/acme/api-keys/"+second.ID, e.op, nil).fails(404, "not_found", "")
	var l keyList
	e.call("GET", "/api/v1/tenants/acme/api-keys", e.op, nil).ok(200, &l)
	if len(l.Data) != 1 || l.Data[0].Name != "lms" {
		t.Fatalf("list after revoke = %+v", l.Data)
	}

	// A key may revoke itself; the request that does it still succeeds.
	e.call("GET", "/api/v1/tenants/acme", first, nil).ok(200, nil)
	e.call("DELETE", "/api/v1/tenants/acme/api-keys/"+l.Data[0].ID, first, nil).ok(204, nil)
	e.call("GET", "/api/v1/tenants/acme/api-keys", first, nil).fails(401, "unauthorized", "")

	// Unknown tenants are 404, not an empty list.
	e.call("GET", "/api/v1/tenants/nope/api-keys", e.op, nil).fails(404, "not_found", "")
	e.call("DELETE", "/api/v1/tenants/nope/api-keys/key_x", e.op, nil).fails(404, "not_found", "")
}

func TestRevokeNeverReachesOperatorKey(t *testing.T) {
	e := newEnv(t)
	e.tenant("acme")
	op, err := e.store.APIKeyByHash(e.ctx, auth.HashKey(e.op))
	if err != nil {
		t.Fatal(err)
	}
	e.call("DELETE", "/api/v1/tenants/acme/api-keys/"+op.ID, e.op, nil).fails(404, "not_found", "")
	e.call("GET", "/api/v1/tenants", e.op, nil).ok(200, nil)
}

func TestAPIKeysTenantIsolation(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme")
	globex := e.tenant("globex")
	var gl keyList
	e.call("GET", "/api/v1/tenants/globex/api-keys", globex, nil).ok(200, &gl)
	if len(gl.Data) != 1 {
		t.Fatalf("globex keys = %+v", gl.Data)
	}
	gid := gl.Data[0].ID

	e.call("GET", "/api/v1/tenants/globex/api-keys", acme, nil).fails(404, "not_found", "")
	e.call("DELETE", "/api/v1/tenants/globex/api-keys/"+gid, acme, nil).fails(404, "not_found", "")
	// globex's key id under acme's own tenant is not found either.
	e.call("DELETE", "/api/v1/tenants/acme/api-keys/"+gid, acme, nil).fails(404, "not_found", "")

	e.call("GET", "/api/v1/tenants/globex", globex, nil).ok(200, nil)
	var al keyList
	e.call("GET", "/api/v1/tenants/acme/api-keys", acme, nil).ok(200, &al)
	if len(al.Data) != 1 || al.Data[0].TenantID != "acme" {
		t.Fatalf("acme lists %+v, want only its own key", al.Data)
	}
}
