package api

import (
	"strings"
	"testing"
)

// Text that PostgreSQL cannot store (NUL characters, bytes that are not
// UTF-8) is refused at the door with a 4xx naming where it is; otherwise it
// would reach the database and come back as a 500.
func TestTextThatNoStoreKeepsIsRefused(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	hook := m{"name": "h", "url": "https://hooks.example.com", "event_types": []string{"*"}}
	with := func(k string, v any) m {
		b := m{}
		for x, y := range hook {
			b[x] = y
		}
		b[k] = v
		return b
	}
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"tenant name", "PATCH", "/api/v1/tenants/acme", m{"name": "Acme\x00"}, 422, "invalid", "name"},
		{"webhook name", "POST", "/api/v1/tenants/acme/webhooks", with("name", "a\x00b"), 422, "invalid", "name"},
		{"header value", "POST", "/api/v1/tenants/acme/webhooks", with("headers", m{"X-A": "a\x00"}), 422, "invalid", "headers.X-A"},
		{"header name", "POST", "/api/v1/tenants/acme/webhooks", with("headers", m{"X-\x00": "a"}), 422, "invalid", "headers"},
		{"basic auth password", "PATCH", "/api/v1/tenants/acme/webhooks/" + w.ID, m{"basic_auth": m{"username": "u", "password": "p\x00"}}, 422, "invalid", "basic_auth.password"},
		{"event type list", "PATCH", "/api/v1/tenants/acme/webhooks/" + w.ID, m{"event_types": []string{"user.*", "\x00"}}, 422, "invalid", "event_types[1]"},
		{"idempotency key", "POST", "/api/v1/tenants/acme/events", m{"type": "user.created", "data": m{}, "idempotency_key": "k\x00"}, 422, "invalid", "idempotency_key"},
		{"batch idempotency key", "POST", "/api/v1/tenants/acme/events/batch", m{"events": []m{
			{"type": "user.created", "data": m{}},
			{"type": "user.created", "data": m{}, "idempotency_key": "k\x00"},
		}}, 422, "invalid", "events[1].idempotency_key"},
		{"api key name", "POST", "/api/v1/tenants/acme/api-keys", m{"name": "lms\x00"}, 422, "invalid", "name"},
		{"body not UTF-8", "POST", "/api/v1/tenants/acme/events", []byte("{\"type\":\"user.created\",\"data\":{\"id\":\"\xff\xfe\"}}"), 400, "malformed", ""},
		{"NUL in the path", "GET", "/api/v1/tenants/acme/webhooks/wh_%00", nil, 400, "malformed", ""},
		{"non-UTF-8 in the path", "GET", "/api/v1/tenants/ac%ffme", nil, 400, "malformed", ""},
		{"NUL in a filter", "GET", "/api/v1/tenants/acme/deliveries?event_type=user%00", nil, 422, "invalid", "event_type"},
		{"non-UTF-8 in a filter", "GET", "/api/v1/tenants/acme/deliveries?webhook_id=%ff", nil, 422, "invalid", "webhook_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eb := e.as(t).call(c.method, c.path, key, c.body).fails(c.status, c.code, c.field)
			if c.code == "invalid" && !strings.Contains(eb.Message, "NUL") && !strings.Contains(eb.Message, "UTF-8") {
				t.Errorf("message %q does not say what is wrong", eb.Message)
			}
		})
	}
	// NUL inside event data is the receiver's business: data is kept byte
	// for byte, and the JSON escape is plain ASCII.
	e.call("POST", "/api/v1/tenants/acme/events", key, `{"type":"user.created","data":{"note":"a\u0000b"}}`).ok(202, nil)

	// Nothing of the refused requests was written.
	var l list[webhookJSON]
	e.call("GET", "/api/v1/tenants/acme/webhooks", key, nil).ok(200, &l)
	if len(l.Data) != 1 || l.Data[0].BasicAuth != nil {
		t.Errorf("webhooks after refused requests: %+v", l.Data)
	}
	var dl deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries", key, nil).ok(200, &dl)
	if len(dl.Data) != 1 {
		t.Errorf("deliveries = %d, want 1 (only the accepted event)", len(dl.Data))
	}
}

// An unknown tenant is a 404 on every route, whatever else is wrong with
// the request; the same bad request on a real tenant keeps its own answer.
func TestUnknownTenantWinsOverBadInput(t *testing.T) {
	e := newEnv(t)
	e.tenant("acme")
	cases := []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{"POST", "/events", m{"type": "nope"}, 422, "type"},
		{"POST", "/events", `{"type":`, 400, ""},
		{"POST", "/events/batch", m{}, 422, "events"},
		{"POST", "/webhooks", m{}, 422, "name"},
		{"POST", "/webhooks/test", m{"url": "ftp://x"}, 422, "name"},
		{"POST", "/api-keys", m{}, 422, "name"},
		{"PATCH", "", m{"environment": "moon"}, 422, "environment"},
		{"POST", "/events", m{"type": "user.created", "data": m{"x": strings.Repeat("a", DefaultMaxBodyBytes)}}, 413, ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			e := e.as(t)
			e.call(c.method, "/api/v1/tenants/nope"+c.path, e.op, c.body).fails(404, "not_found", "")
			code := map[int]string{400: "malformed", 413: "too_large", 422: "invalid"}[c.status]
			e.call(c.method, "/api/v1/tenants/acme"+c.path, e.op, c.body).fails(c.status, code, c.field)
		})
	}
}

// A cursor is the last id of the previous page: anything else would
// silently answer an empty or wrong page.
func TestForeignCursorIsRefused(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, nil)
	e.webhook("acme", key, nil)
	e.call("GET", "/api/v1/tenants/acme/webhooks?cursor=garbage", key, nil).fails(422, "invalid", "cursor")
	e.call("GET", "/api/v1/tenants/acme/deliveries?cursor=wh_01j9x2k7m3", key, nil).fails(422, "invalid", "cursor")

	var first, second list[webhookJSON]
	e.call("GET", "/api/v1/tenants/acme/webhooks?limit=1", key, nil).ok(200, &first)
	if len(first.Data) != 1 || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	e.call("GET", "/api/v1/tenants/acme/webhooks?limit=1&cursor="+first.NextCursor, key, nil).ok(200, &second)
	if len(second.Data) != 1 || second.Data[0].ID == first.Data[0].ID {
		t.Fatalf("second page %+v after %+v", second.Data, first.Data)
	}
}

// Seed 000's authentication is a user and a password: a password left out
// is refused on create, and kept on a change that sends only the user.
func TestBasicAuthNeedsAPassword(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	hook := m{"name": "h", "url": "https://hooks.example.com", "event_types": []string{"*"}}
	hook["basic_auth"] = m{"username": "lms"}
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, hook).fails(422, "invalid", "basic_auth.password")
	hook["basic_auth"] = m{"username": "lms", "password": ""}
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, hook).fails(422, "invalid", "basic_auth.password")

	w := e.webhook("acme", key, nil)
	p := "/api/v1/tenants/acme/webhooks/" + w.ID
	e.call("PATCH", p, key, m{"basic_auth": m{"username": "lms"}}).fails(422, "invalid", "basic_auth.password")
	e.call("PATCH", p, key, m{"basic_auth": m{"username": "lms", "password": "pw"}}).ok(200, nil)
	var got webhookJSON
	e.call("PATCH", p, key, m{"basic_auth": m{"username": "lms2"}}).ok(200, &got)
	if got.BasicAuth == nil || got.BasicAuth.Username != "lms2" || !got.BasicAuth.PasswordSet {
		t.Fatalf("basic_auth after changing the user only: %+v", got.BasicAuth)
	}
}
