package api

import (
	"strings"
	"testing"
)

// Field names are matched exactly, as documented: encoding/json alone
// matches them case-insensitively, so {"Type": …} was accepted and, with
// both "type" and "TYPE", the later one silently won.
func TestFieldNamesAreCaseExact(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	cases := []struct {
		name, method, path, body string
		field, says              string
	}{
		{"event type", "POST", "/api/v1/tenants/acme/events", `{"Type": "user.created", "data": {}}`, "Type", `"type"`},
		{"both spellings", "POST", "/api/v1/tenants/acme/events", `{"type": "user.created", "TYPE": "user.deleted", "data": {}}`, "TYPE", `"type"`},
		{"same key twice", "POST", "/api/v1/tenants/acme/events", `{"type": "user.created", "type": "user.deleted", "data": {}}`, "type", "more than once"},
		{"batch event", "POST", "/api/v1/tenants/acme/events/batch", `{"events": [{"type": "user.created", "data": {}}, {"type": "user.created", "Data": {}}]}`, "events[1].Data", `"data"`},
		{"batch wrapper", "POST", "/api/v1/tenants/acme/events/batch", `{"Events": []}`, "Events", `"events"`},
		{"tenant", "POST", "/api/v1/tenants", `{"id": "t2", "Name": "x"}`, "Name", `"name"`},
		{"webhook", "PATCH", "/api/v1/tenants/acme/webhooks/" + w.ID, `{"URL": "https://other.example.com"}`, "URL", `"url"`},
		{"basic auth", "PATCH", "/api/v1/tenants/acme/webhooks/" + w.ID, `{"basic_auth": {"username": "u", "Password": "p"}}`, "basic_auth.Password", `"password"`},
		{"test before saving", "POST", "/api/v1/tenants/acme/webhooks/test", `{"name": "h", "url": "https://h.example.com", "event_types": ["*"], "Event_Type": "user.created"}`, "Event_Type", `"event_type"`},
		{"test twice", "POST", "/api/v1/tenants/acme/webhooks/test", `{"name": "h", "name": "g", "url": "https://h.example.com", "event_types": ["*"]}`, "name", "more than once"},
		{"api key", "POST", "/api/v1/tenants/acme/api-keys", `{"NAME": "lms"}`, "NAME", `"name"`},
		{"recover", "POST", "/api/v1/tenants/acme/webhooks/" + w.ID + "/recover", `{"Since": "2030-01-01T00:00:00Z"}`, "Since", `"since"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eb := e.as(t).call(c.method, c.path, e.op, c.body).fails(422, "invalid", c.field)
			if !strings.Contains(eb.Message, c.says) {
				t.Errorf("message %q does not say %s", eb.Message, c.says)
			}
		})
	}
	// Nothing was written by the refused requests.
	var dl deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries", key, nil).ok(200, &dl)
	if len(dl.Data) != 0 {
		t.Errorf("refused publishes made %d deliveries", len(dl.Data))
	}
	// An escaped key is the name it spells; keys inside data are the
	// receiver's, however they look.
	e.call("POST", "/api/v1/tenants/acme/events", key, `{"\u0074ype": "user.created", "data": {"Type": 1, "a": "}\"{", "b": [1, {"c": "]"}], "a": 2}}`).ok(202, nil)
	e.call("POST", "/api/v1/tenants/acme/events", key, `{"\u0054ype": "user.created", "data": {}}`).fails(422, "invalid", "Type")
	var got webhookJSON
	e.call("GET", "/api/v1/tenants/acme/webhooks/"+w.ID, key, nil).ok(200, &got)
	if got.URL != w.URL || got.BasicAuth != nil {
		t.Errorf("refused changes were saved: %+v", got)
	}
}

// null is not a value of any field but those documented to take it
// (basic_auth, format_options, data of a test), and a body of null is not a
// JSON object.
func TestNullIsRefused(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"basic_auth": m{"username": "u", "password": "p"}})
	wp := "/api/v1/tenants/acme/webhooks/" + w.ID
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/v1/tenants"},
		{"PATCH", "/api/v1/tenants/acme"},
		{"POST", "/api/v1/tenants/acme/events"},
		{"POST", "/api/v1/tenants/acme/events/batch"},
		{"PATCH", wp},
		{"POST", wp + "/test"},
		{"POST", wp + "/rotate-secret"},
	} {
		t.Run("body "+c.method+" "+c.path, func(t *testing.T) {
			eb := e.as(t).call(c.method, c.path, e.op, "null").fails(400, "malformed", "")
			if !strings.Contains(eb.Message, "null") {
				t.Errorf("message %q does not say null", eb.Message)
			}
		})
	}
	for _, c := range []struct{ name, method, path, body, field string }{
		{"tenant name", "PATCH", "/api/v1/tenants/acme", `{"name": null}`, "name"},
		{"webhook name", "PATCH", wp, `{"name": null}`, "name"},
		{"webhook url", "PATCH", wp, `{"url": null}`, "url"},
		{"event types", "PATCH", wp, `{"event_types": null}`, "event_types"},
		{"an event type", "PATCH", wp, `{"event_types": ["user.*", null]}`, "event_types[1]"},
		{"basic auth password", "PATCH", wp, `{"basic_auth": {"username": "u", "password": null}}`, "basic_auth.password"},
		{"event type", "POST", "/api/v1/tenants/acme/events", `{"type": null, "data": {}}`, "type"},
		{"batch event", "POST", "/api/v1/tenants/acme/events/batch", `{"events": [{"type": "user.created", "data": {}}, null]}`, "events[1]"},
		{"batch", "POST", "/api/v1/tenants/acme/events/batch", `{"events": null}`, "events"},
		{"test event type", "POST", wp + "/test", `{"event_type": null}`, "event_type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			eb := e.as(t).call(c.method, c.path, key, c.body).fails(422, "invalid", c.field)
			if !strings.Contains(eb.Message, "null") {
				t.Errorf("message %q does not say null", eb.Message)
			}
		})
	}
	var tn tenantJSON
	e.call("GET", "/api/v1/tenants/acme", key, nil).ok(200, &tn)
	if tn.Name != "Tenant acme" {
		t.Errorf("tenant name after refused changes: %q", tn.Name)
	}
	// The documented nulls still work: null removes basic auth.
	var got webhookJSON
	e.call("PATCH", wp, key, `{"basic_auth": null, "format_options": null}`).ok(200, &got)
	if got.BasicAuth != nil {
		t.Errorf("basic_auth null kept %+v", got.BasicAuth)
	}
}

// The body's idempotency_key and the Idempotency-Key header name the same
// thing: two different keys are a mistake, not a choice.
func TestIdempotencyKeyHeaderAndBodyMustAgree(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	p := "/api/v1/tenants/acme/events"
	e.sendWithHeader("POST", p, key, "Idempotency-Key", "hdr-1", m{"type": "user.created", "data": m{}, "idempotency_key": "body-1"}).
		fails(422, "invalid", "idempotency_key")
	var a, b publishedJSON
	e.sendWithHeader("POST", p, key, "Idempotency-Key", "same", m{"type": "user.created", "data": m{}, "idempotency_key": "same"}).ok(202, &a)
	e.sendWithHeader("POST", p, key, "Idempotency-Key", "same", m{"type": "user.created", "data": m{}}).ok(200, &b)
	if a.ID != b.ID {
		t.Errorf("the same key in header and body made two events: %s, %s", a.ID, b.ID)
	}
}

// A cursor of another list is refused on /tenants as on every list, rather
// than answering a page that silently skips tenants.
func TestForeignTenantCursorIsRefused(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.tenant("bravo")
	w := e.webhook("acme", key, nil)
	for _, c := range []string{w.ID, "acme", "dlv_01j9x2k7m3", "not a cursor"} {
		e.call("GET", "/api/v1/tenants?cursor="+strings.ReplaceAll(c, " ", "%20"), e.op, nil).fails(422, "invalid", "cursor")
	}
	var first, second list[tenantJSON]
	e.call("GET", "/api/v1/tenants?limit=1", e.op, nil).ok(200, &first)
	if len(first.Data) != 1 || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	e.call("GET", "/api/v1/tenants?limit=1&cursor="+first.NextCursor, e.op, nil).ok(200, &second)
	if len(second.Data) != 1 || second.Data[0].ID == first.Data[0].ID || second.NextCursor != "" {
		t.Fatalf("second page %+v after %+v", second, first)
	}
}

// A test send of a type that exists nowhere would send the receiver an
// event lmshooks never publishes.
func TestTestSendOfUnknownTypeIsRefused(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	eb := e.call("POST", "/api/v1/tenants/acme/webhooks/"+w.ID+"/test", key, m{"event_type": "user.creatd"}).fails(422, "invalid", "event_type")
	if !strings.Contains(eb.Message, "user.created") {
		t.Errorf("message %q does not suggest user.created", eb.Message)
	}
	e.call("POST", "/api/v1/tenants/acme/webhooks/test", key, m{"name": "h", "url": "https://h.example.com", "event_types": []string{"*"}, "event_type": "nope.nothing"}).
		fails(422, "invalid", "event_type")
	if _, _, tests := e.disp.snapshot(); len(tests) != 0 {
		t.Errorf("%d test sends went out", len(tests))
	}
	e.call("POST", "/api/v1/tenants/acme/webhooks/"+w.ID+"/test", key, m{"event_type": "user.created"}).ok(200, nil)
}

// URLs that no request can reach are refused when saved, on url.
func TestUnreachableURLsAreRefused(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	for _, u := range []string{
		"http://hooks.example.com:0/x",
		"http://hooks.example.com:65536/x",
		"http://hooks.example.com:99999999999/x",
		"http://-/",
		"http://a..b/",
		"http://hooks.example.com/a b",
		"http://hooks.example.com/?q=a b",
		"http://.example.com/",
		"http://exa_mple-.com/",
	} {
		t.Run(u, func(t *testing.T) {
			e := e.as(t)
			e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "h", "url": u, "event_types": []string{"*"}}).fails(422, "invalid", "url")
			e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+w.ID, key, m{"url": u}).fails(422, "invalid", "url")
		})
	}
	for _, u := range []string{
		"http://hooks.example.com:65535/x",
		"https://hooks.example.com./x",
		"https://bücher.example/x",
		"http://[2001:db8::1]:8080/x",
		"https://hooks.example.com/a%20b?q=a+b",
	} {
		e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+w.ID, key, m{"url": u}).ok(200, nil)
	}
}
