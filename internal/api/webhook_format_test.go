package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// A vendor format brings its timeout, retry preset and success range;
// whatever the request sets wins.
func TestWebhookFormatDefaults(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"format": "innovative-educators", "event_types": []string{"course_enrollment.completed"}})
	if w.TimeoutSeconds != 15 || w.RetryPolicy != "innovative-educators" || w.SuccessStatus != "200-308" {
		t.Fatalf("defaults = %ds %s %s", w.TimeoutSeconds, w.RetryPolicy, w.SuccessStatus)
	}
	c := e.webhook("acme", key, m{"format": "cypher", "timeout_seconds": 20})
	if c.TimeoutSeconds != 20 || c.RetryPolicy != "cypher" || c.SuccessStatus != "2xx" {
		t.Fatalf("cypher with timeout = %ds %s %s", c.TimeoutSeconds, c.RetryPolicy, c.SuccessStatus)
	}

	// Switching format moves the settings that still had the old format's
	// defaults, and keeps the admin's own (cypher's timeout of 20 s).
	var u webhookJSON
	e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+c.ID, key, m{"format": "standard"}).ok(200, &u)
	if u.TimeoutSeconds != 20 || u.RetryPolicy != "standard" {
		t.Fatalf("after switch to standard: %ds %s", u.TimeoutSeconds, u.RetryPolicy)
	}
	e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+u.ID, key, m{"format": "riseup", "retry_policy": "none"}).ok(200, &u)
	if u.RetryPolicy != "none" || u.Format != "riseup" {
		t.Fatalf("explicit retry policy lost: %s", u.RetryPolicy)
	}
}

// format_options round-trip, are validated by the format, and warnings
// come back without failing the save.
func TestWebhookFormatOptions(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	// Sent as text: parameters keep the order the admin wrote.
	var w webhookJSON
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, `{"name":"c","url":"https://h.example.com","event_types":["course_enrollment.completed"],
		"format":"cypher","format_options":{"parameters": {"email": "@user_email", "course": "@course_name"}}}`).ok(201, &w)
	if string(w.FormatOptions) != `{"parameters":{"email":"@user_email","course":"@course_name"}}` {
		t.Fatalf("format_options = %s", w.FormatOptions)
	}
	var g webhookJSON
	e.call("GET", "/api/v1/tenants/acme/webhooks/"+w.ID, key, nil).ok(200, &g)
	if string(g.FormatOptions) != string(w.FormatOptions) {
		t.Fatalf("read back %s", g.FormatOptions)
	}

	e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "x", "url": "https://h.example.com", "event_types": []string{"*"},
		"format": "cloudevents", "format_options": m{"mode": "batch"}}).fails(422, "invalid", "format_options.mode")
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "x", "url": "https://h.example.com", "event_types": []string{"*"},
		"format": "riseup", "format_options": m{"colour": "red"}}).fails(422, "invalid", "format_options.colour")
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "x", "url": "https://h.example.com", "event_types": []string{"*"},
		"format_options": m{"mode": "binary"}}).fails(422, "invalid", "format_options.mode")
	// Every format, standard included, lets the webhook choose its
	// Content-Type.
	var s webhookJSON
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "ct", "url": "https://h.example.com", "event_types": []string{"*"},
		"format_options": m{"content_type": "application/json; charset=utf-8"}}).ok(201, &s)
	if string(s.FormatOptions) != `{"content_type":"application/json; charset=utf-8"}` {
		t.Fatalf("standard format_options = %s", s.FormatOptions)
	}
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "x", "url": "https://h.example.com", "event_types": []string{"*"},
		"format": "cloudevents", "format_options": m{"content_type": "cloudevents"}}).fails(422, "invalid", "format_options.content_type")

	long := "https://hooks.example.com/" + strings.Repeat("a", 260)
	var c webhookJSON
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "long", "url": long, "event_types": []string{"course_enrollment.completed"},
		"format": "cypher", "format_options": m{"parameters": m{"x": "@no_such_variable"}}}).ok(201, &c)
	if len(c.Warnings) != 2 || !strings.Contains(c.Warnings[0], "256") || !strings.Contains(c.Warnings[1], "@no_such_variable") {
		t.Fatalf("warnings = %q", c.Warnings)
	}

	// null removes the options.
	e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+w.ID, key, m{"format_options": nil}).ok(200, &g)
	if string(g.FormatOptions) != `{}` {
		t.Fatalf("after null: %s", g.FormatOptions)
	}
}

// Formats with a closed set of event types refuse the others at save
// time, naming them.
func TestWebhookFormatRefusesTypes(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	body := func(format string, types ...string) m {
		return m{"name": "x", "url": "https://h.example.com", "format": format, "event_types": types}
	}
	b := e.call("POST", "/api/v1/tenants/acme/webhooks", key, body("xapi", "course_enrollment.completed", "user.created")).fails(422, "invalid", "event_types")
	if !strings.Contains(b.Message, "user.created") || strings.Contains(b.Message, "cannot express course_enrollment.completed") {
		t.Fatalf("message %q", b.Message)
	}
	b = e.call("POST", "/api/v1/tenants/acme/webhooks", key, body("articulate", "course_enrollment.*")).fails(422, "invalid", "event_types")
	if !strings.Contains(b.Message, "course_enrollment.completed, course_enrollment.created") {
		t.Fatalf("wildcard message %q", b.Message)
	}
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, body("articulate", "course_enrollment.completed", "user.created")).ok(201, nil)
	e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "x", "url": "https://h.example.com", "format": "articulate",
		"event_types": []string{"user.created"}, "signature_scheme": "ed25519"}).fails(422, "invalid", "signature_scheme")

	// Changing an open format to a closed one checks the types it has.
	w := e.webhook("acme", key, m{"event_types": []string{"*"}})
	e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+w.ID, key, m{"format": "innovative-educators"}).fails(422, "invalid", "event_types")
}

// The test call sends the saved webhook, format and options included, to
// the dispatcher, which renders the example in that format (proven over
// HTTP by internal/format/receivers_test.go).
func TestTestSendKeepsFormat(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"format": "cloudevents", "format_options": m{"mode": "binary"}, "event_types": []string{"user.created"}})
	e.call("POST", "/api/v1/tenants/acme/webhooks/"+w.ID+"/test", key, nil).ok(200, nil)
	_, _, tests := e.disp.snapshot()
	if len(tests) != 1 || tests[0].Webhook.Format != "cloudevents" || !json.Valid(tests[0].Webhook.FormatOptions) ||
		!strings.Contains(string(tests[0].Webhook.FormatOptions), "binary") {
		t.Fatalf("test sends = %+v", tests)
	}
}
