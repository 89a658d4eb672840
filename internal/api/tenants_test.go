package api

import (
	"fmt"
	"strings"
	"testing"
)

func TestTenantLifecycle(t *testing.T) {
	e := newEnv(t)

	var created tenantJSON
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "acme", "name": " Acme Corp ", "environment": "sandbox", "max_webhooks": 5}).ok(201, &created)
	if created.ID != "acme" || created.Name != "Acme Corp" || created.Environment != "sandbox" || created.MaxWebhooks != 5 {
		t.Fatalf("created %+v", created)
	}
	if created.CreatedAt != "2030-03-04T05:06:07.123Z" {
		t.Errorf("created_at %q, want RFC 3339 UTC with milliseconds", created.CreatedAt)
	}

	var gen tenantJSON
	e.call("POST", "/api/v1/tenants", e.op, m{"name": "Generated"}).ok(201, &gen)
	if !strings.HasPrefix(gen.ID, "tnt_") || gen.Environment != "production" {
		t.Errorf("generated tenant %+v: want a tnt_ id and environment production", gen)
	}

	var got tenantJSON
	e.call("GET", "/api/v1/tenants/acme", e.op, nil).ok(200, &got)
	if got != created {
		t.Errorf("GET = %+v, want %+v", got, created)
	}

	var patched tenantJSON
	e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"name": "Acme Inc"}).ok(200, &patched)
	if patched.Name != "Acme Inc" || patched.Environment != "sandbox" || patched.MaxWebhooks != 5 {
		t.Errorf("PATCH name changed more than the name: %+v", patched)
	}

	e.call("DELETE", "/api/v1/tenants/acme", e.op, nil).ok(204, nil)
	e.call("GET", "/api/v1/tenants/acme", e.op, nil).fails(404, "not_found", "")
	e.call("DELETE", "/api/v1/tenants/acme", e.op, nil).fails(404, "not_found", "")
}

func TestTenantErrors(t *testing.T) {
	e := newEnv(t)
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "acme", "name": "Acme"}).ok(201, nil)

	e.call("POST", "/api/v1/tenants", e.op, m{"id": "acme", "name": "Again"}).fails(409, "conflict", "id")
	e.call("POST", "/api/v1/tenants", e.op, m{"name": ""}).fails(422, "invalid", "name")
	e.call("POST", "/api/v1/tenants", e.op, m{"name": "X", "environment": "staging"}).fails(422, "invalid", "environment")
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "no spaces", "name": "X"}).fails(422, "invalid", "id")
	e.call("POST", "/api/v1/tenants", e.op, m{"name": "X", "max_webhooks": -1}).fails(422, "invalid", "max_webhooks")
	e.call("POST", "/api/v1/tenants", e.op, m{"name": "X", "colour": "red"}).fails(422, "invalid", "colour")
	e.call("POST", "/api/v1/tenants", e.op, m{"name": 7}).fails(422, "invalid", "name")
	e.call("POST", "/api/v1/tenants", e.op, m{"name": "X", "max_webhooks": 1.5}).fails(422, "invalid", "max_webhooks")
	e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"id": "other"}).fails(422, "invalid", "id")
	e.call("PATCH", "/api/v1/tenants/nope", e.op, m{"name": "X"}).fails(404, "not_found", "")

	// Nothing was written by the failed requests.
	var l list[tenantJSON]
	e.call("GET", "/api/v1/tenants", e.op, nil).ok(200, &l)
	if len(l.Data) != 1 {
		t.Errorf("after failed creates there are %d tenants, want 1", len(l.Data))
	}
}

func TestMalformedBodies(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, body, want string
	}{
		{"syntax", `{"name": "x",}`, "byte offset 14"},
		{"truncated", `{"name": "x"`, "ends before"},
		{"empty", ``, "empty"},
		{"not an object", `["x"]`, "JSON object"},
		{"trailing data", `{"name":"x"} {"name":"y"}`, "after the JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eb := e.as(t).call("POST", "/api/v1/tenants", e.op, c.body).fails(400, "malformed", "")
			if !strings.Contains(eb.Message, c.want) {
				t.Errorf("message %q does not say %q", eb.Message, c.want)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	big := fmt.Sprintf(`{"name": %q}`, strings.Repeat("x", DefaultMaxBodyBytes))
	eb := e.call("POST", "/api/v1/tenants", e.op, big).fails(413, "too_large", "")
	if !strings.Contains(eb.Message, fmt.Sprint(DefaultMaxBodyBytes)) {
		t.Errorf("413 message %q does not name the limit", eb.Message)
	}
}

func TestTenantPagination(t *testing.T) {
	e := newEnv(t)
	for i := range 5 {
		e.call("POST", "/api/v1/tenants", e.op, m{"id": fmt.Sprintf("t%d", i), "name": "T"}).ok(201, nil)
	}
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		var l list[tenantJSON]
		e.call("GET", "/api/v1/tenants?limit=2&cursor="+cursor, e.op, nil).ok(200, &l)
		pages++
		for _, tn := range l.Data {
			if seen[tn.ID] {
				t.Fatalf("tenant %s on two pages", tn.ID)
			}
			seen[tn.ID] = true
		}
		if len(l.Data) > 2 {
			t.Fatalf("page of %d with limit 2", len(l.Data))
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 5 || pages != 3 {
		t.Errorf("saw %d tenants on %d pages, want 5 on 3", len(seen), pages)
	}
	e.call("GET", "/api/v1/tenants?limit=1001", e.op, nil).fails(422, "invalid", "limit")
	e.call("GET", "/api/v1/tenants?limit=0", e.op, nil).fails(422, "invalid", "limit")
	e.call("GET", "/api/v1/tenants?limit=ten", e.op, nil).fails(422, "invalid", "limit")
	e.call("GET", "/api/v1/tenants?limit=1000", e.op, nil).ok(200, nil)
}

func TestTenantKeyOnTenantRoutes(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.tenant("globex")

	// Operator-only routes.
	e.call("POST", "/api/v1/tenants", key, m{"name": "Mine"}).fails(403, "forbidden", "")
	e.call("GET", "/api/v1/tenants", key, nil).fails(403, "forbidden", "")
	e.call("DELETE", "/api/v1/tenants/acme", key, nil).fails(403, "forbidden", "")

	// Its own tenant: read and rename, but not raise its own cap.
	e.call("GET", "/api/v1/tenants/acme", key, nil).ok(200, nil)
	e.call("PATCH", "/api/v1/tenants/acme", key, m{"name": "Acme 2"}).ok(200, nil)
	e.call("PATCH", "/api/v1/tenants/acme", key, m{"max_webhooks": 0}).fails(403, "forbidden", "max_webhooks")
	e.call("PATCH", "/api/v1/tenants/acme", key, m{"environment": "sandbox"}).fails(403, "forbidden", "environment")

	// Another tenant does not exist for it.
	e.call("GET", "/api/v1/tenants/globex", key, nil).fails(404, "not_found", "")
	e.call("PATCH", "/api/v1/tenants/globex", key, m{"name": "Mine now"}).fails(404, "not_found", "")
	var g tenantJSON
	e.call("GET", "/api/v1/tenants/globex", e.op, nil).ok(200, &g)
	if g.Name != "Tenant globex" {
		t.Errorf("globex was changed through acme's key: %+v", g)
	}
}

func TestDeletingTenantRevokesItsKeysAtOnce(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.call("GET", "/api/v1/tenants/acme", key, nil).ok(200, nil) // now cached
	e.call("DELETE", "/api/v1/tenants/acme", e.op, nil).ok(204, nil)
	e.call("GET", "/api/v1/tenants/acme", key, nil).fails(401, "unauthorized", "")
}

func TestTenantRetentionDays(t *testing.T) {
	e := newEnv(t)

	var tn tenantJSON
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "acme", "name": "Acme", "retention_days": 90}).ok(201, &tn)
	if tn.RetentionDays != 90 {
		t.Fatalf("created with retention_days %d, want 90", tn.RetentionDays)
	}
	var dflt tenantJSON
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "globex", "name": "Globex"}).ok(201, &dflt)
	if dflt.RetentionDays != 0 {
		t.Fatalf("created without retention_days: %d, want 0 (the server's default)", dflt.RetentionDays)
	}
	if raw := e.call("GET", "/api/v1/tenants/globex", e.op, nil).ok(200, nil); !strings.Contains(string(raw.Body), `"retention_days":0`) {
		t.Fatalf("retention_days missing from %s", raw.Body)
	}

	e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"retention_days": 7}).ok(200, &tn)
	e.call("GET", "/api/v1/tenants/acme", e.op, nil).ok(200, &tn)
	if tn.RetentionDays != 7 {
		t.Fatalf("retention_days %d after PATCH, want 7", tn.RetentionDays)
	}
	e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"name": "Acme Inc"}).ok(200, &tn)
	if tn.RetentionDays != 7 {
		t.Fatalf("a rename changed retention_days to %d", tn.RetentionDays)
	}

	for _, bad := range []any{-1, 3651, 1.5, "30"} {
		e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"retention_days": bad}).fails(422, "invalid", "retention_days")
		e.call("POST", "/api/v1/tenants", e.op, m{"name": "X", "retention_days": bad}).fails(422, "invalid", "retention_days")
	}

	// A tenant's own key reads it but may not change it.
	var k apiKeyJSON
	e.call("POST", "/api/v1/tenants/acme/api-keys", e.op, m{"name": "lms"}).ok(201, &k)
	key := k.Key
	e.call("GET", "/api/v1/tenants/acme", key, nil).ok(200, &tn)
	if tn.RetentionDays != 7 {
		t.Fatalf("tenant key reads retention_days %d, want 7", tn.RetentionDays)
	}
	e.call("PATCH", "/api/v1/tenants/acme", key, m{"retention_days": 3650}).fails(403, "forbidden", "retention_days")
	e.call("PATCH", "/api/v1/tenants/acme", key, m{"name": "Mine", "retention_days": 7}).fails(403, "forbidden", "retention_days")

	e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"retention_days": 0}).ok(200, &tn)
	if tn.RetentionDays != 0 || tn.Name != "Acme Inc" {
		t.Fatalf("after reset to the default: %+v", tn)
	}
}

func TestTenantAutoDisableAfterHours(t *testing.T) {
	e := newEnv(t)
	var tn tenantJSON
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "acme", "name": "Acme", "auto_disable_after_hours": 48}).ok(201, &tn)
	if tn.AutoDisableAfterHours != 48 {
		t.Fatalf("created with auto_disable_after_hours %d, want 48", tn.AutoDisableAfterHours)
	}
	// The tenant decides for its own webhooks: its key may set never.
	var k apiKeyJSON
	e.call("POST", "/api/v1/tenants/acme/api-keys", e.op, m{"name": "lms"}).ok(201, &k)
	e.call("PATCH", "/api/v1/tenants/acme", k.Key, m{"auto_disable_after_hours": -1}).ok(200, &tn)
	if tn.AutoDisableAfterHours != -1 {
		t.Fatalf("after PATCH -1: %d, want -1 (never)", tn.AutoDisableAfterHours)
	}
	for _, bad := range []any{-2, 8761, "48"} {
		e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"auto_disable_after_hours": bad}).fails(422, "invalid", "auto_disable_after_hours")
	}
	e.call("PATCH", "/api/v1/tenants/acme", e.op, m{"auto_disable_after_hours": 0}).ok(200, &tn)
	if raw := e.call("GET", "/api/v1/tenants/acme", e.op, nil).ok(200, nil); !strings.Contains(string(raw.Body), `"auto_disable_after_hours":0`) {
		t.Fatalf("auto_disable_after_hours 0 (server default) missing from %s", raw.Body)
	}
}
