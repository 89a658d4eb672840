package api

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/signature"
)

func TestWebhookCreateDefaults(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	r := e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "HRIS", "url": "https://hooks.example.com/a", "event_types": []string{"user.created"}})
	var w webhookJSON
	r.ok(201, &w)
	std, _ := retry.Lookup("standard")
	want := webhookJSON{
		ID: w.ID, TenantID: "acme", Name: "HRIS", URL: "https://hooks.example.com/a", EventTypes: []string{"user.created"},
		Enabled: true, Format: "standard", FormatOptions: json.RawMessage(`{}`), SignatureScheme: "hmac-sha256", Secret: w.Secret, Headers: map[string]any{},
		TimeoutSeconds: 15, RetryPolicy: "standard", RetrySchedulePreview: seconds(std.Waits), SuccessStatus: "2xx",
		Ordering: "none", OrderingFailure: "block",
		CreatedAt: "2030-03-04T05:06:07.123Z", UpdatedAt: "2030-03-04T05:06:07.123Z",
	}
	if !strings.HasPrefix(w.ID, "wh_") || !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("id %q secret prefix %q", w.ID, w.Secret[:6])
	}
	if got, _ := json.Marshal(w); !bytes.Equal(got, mustJSON(t, want)) {
		t.Errorf("created\n got %s\nwant %s", got, mustJSON(t, want))
	}
	if len(w.RetrySchedulePreview) == 0 {
		t.Error("no retry_schedule_preview for the standard policy")
	}

	// A read never shows the secret; the reveal does.
	g := e.call("GET", "/api/v1/tenants/acme/webhooks/"+w.ID, key, nil).ok(200, nil)
	if bytes.Contains(g.Body, []byte(w.Secret)) || bytes.Contains(g.Body, []byte(`"secret"`)) {
		t.Errorf("GET shows the secret: %s", g.Body)
	}
	l := e.call("GET", "/api/v1/tenants/acme/webhooks", key, nil).ok(200, nil)
	if bytes.Contains(l.Body, []byte(w.Secret)) {
		t.Errorf("list shows the secret: %s", l.Body)
	}
	var s secretJSON
	rv := e.call("GET", "/api/v1/tenants/acme/webhooks/"+w.ID+"/secret", key, nil).ok(200, &s)
	if s.Secret != w.Secret || s.SignatureScheme != "hmac-sha256" {
		t.Errorf("reveal %+v", s)
	}
	if rv.Header.Get("Cache-Control") != "no-store" {
		t.Error("secret reveal is cacheable")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookCreateAllFields(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{
		"description":     "Sync to HRIS",
		"event_types":     []string{"user.created", "course_enrollment.*", "user.created"},
		"enabled":         false,
		"basic_auth":      m{"username": "lms", "password": "hunter2-very-secret"},
		"headers":         m{"X-Tenant": "acme"},
		"timeout_seconds": 30,
		"retry_schedule":  []float64{5, 60, 0.5},
		"success_status":  "200-308",
		"rate_limit":      2.5,
		"max_concurrency": 4,
		"format":          "standard",
	})
	if w.Description != "Sync to HRIS" || w.Enabled || w.TimeoutSeconds != 30 || w.SuccessStatus != "200-308" ||
		w.RateLimit != 2.5 || w.MaxConcurrency != 4 || w.Headers["X-Tenant"] != "acme" {
		t.Errorf("fields not kept: %+v", w)
	}
	if !slices.Equal(w.EventTypes, []string{"course_enrollment.*", "user.created"}) {
		t.Errorf("event_types %v, want sorted and deduplicated", w.EventTypes)
	}
	if w.RetryPolicy != "custom" || !slices.Equal(w.RetrySchedule, []float64{5, 60, 0.5}) || !slices.Equal(w.RetrySchedulePreview, w.RetrySchedule) {
		t.Errorf("retry %q %v %v", w.RetryPolicy, w.RetrySchedule, w.RetrySchedulePreview)
	}
	if w.BasicAuth == nil || w.BasicAuth.Username != "lms" || !w.BasicAuth.PasswordSet {
		t.Errorf("basic_auth %+v", w.BasicAuth)
	}
	g := e.call("GET", "/api/v1/tenants/acme/webhooks/"+w.ID, key, nil).ok(200, nil)
	if bytes.Contains(g.Body, []byte("hunter2")) {
		t.Errorf("the basic auth password is shown: %s", g.Body)
	}
	stored, err := e.store.GetWebhook(e.ctx, "acme", w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.BasicAuth == nil || stored.BasicAuth.Password != "hunter2-very-secret" || stored.Timeout != 30*time.Second {
		t.Errorf("stored %+v", stored)
	}
}

func TestWebhookEntityAndActions(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"event_types": nil, "entity": "course_enrollment", "actions": []string{"created", "completed"}})
	if !slices.Equal(w.EventTypes, []string{"course_enrollment.completed", "course_enrollment.created"}) {
		t.Errorf("event_types %v", w.EventTypes)
	}
	base := m{"name": "x", "url": "https://example.com/h"}
	with := func(f m) m {
		b := m{}
		for k, v := range base {
			b[k] = v
		}
		for k, v := range f {
			b[k] = v
		}
		return b
	}
	p := "/api/v1/tenants/acme/webhooks"
	e.call("POST", p, key, with(m{"entity": "user", "actions": []string{"created"}, "event_types": []string{"user.created"}})).fails(422, "invalid", "event_types")
	e.call("POST", p, key, with(m{"entity": "user", "actions": []string{}})).fails(422, "invalid", "actions")
	e.call("POST", p, key, with(m{"entity": "user"})).fails(422, "invalid", "actions")
	e.call("POST", p, key, with(m{"actions": []string{"created"}})).fails(422, "invalid", "entity")
	e.call("POST", p, key, with(m{"entity": "user", "actions": []string{"created", "Bad Action"}})).fails(422, "invalid", "actions[1]")
	e.call("POST", p, key, with(m{"entity": "User!", "actions": []string{"created"}})).fails(422, "invalid", "entity")
}

func TestWebhookValidation(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	hmac := "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	cases := []struct {
		name  string
		body  m
		field string
	}{
		{"no name", m{"name": ""}, "name"},
		{"no url", m{"url": nil}, "url"},
		{"ftp url", m{"url": "ftp://example.com"}, "url"},
		{"url with credentials", m{"url": "https://u:p@example.com/"}, "url"},
		{"no event types", m{"event_types": []string{}}, "event_types"},
		{"bad event type", m{"event_types": []string{"user.created", "course.completed", "NOPE"}}, "event_types[2]"},
		{"event types not a list", m{"event_types": "user.created"}, "event_types"},
		{"reserved header", m{"headers": m{"Webhook-Id": "x"}}, "headers.Webhook-Id"},
		{"header not a string", m{"headers": m{"X-A": 1}}, "headers.X-A"},
		{"header null", m{"headers": m{"X-A": nil}}, "headers.X-A"},
		{"header object with an unknown field", m{"headers": m{"X-A": m{"value": "v", "Secret": true}}}, "headers.X-A.Secret"},
		{"timeout zero", m{"timeout_seconds": 0}, "timeout_seconds"},
		{"timeout too long", m{"timeout_seconds": 61}, "timeout_seconds"},
		{"timeout fraction", m{"timeout_seconds": 1.5}, "timeout_seconds"},
		{"unknown format", m{"format": "soap"}, "format"},
		{"unknown retry policy", m{"retry_policy": "forever"}, "retry_policy"},
		{"custom without schedule", m{"retry_policy": "custom"}, "retry_schedule"},
		{"negative wait", m{"retry_schedule": []float64{10, -1}}, "retry_schedule[1]"},
		{"schedule with preset", m{"retry_policy": "standard", "retry_schedule": []float64{10}}, "retry_schedule"},
		{"bad success status", m{"success_status": "500-599"}, "success_status"},
		{"negative rate limit", m{"rate_limit": -1}, "rate_limit"},
		{"too much concurrency", m{"max_concurrency": 100000}, "max_concurrency"},
		{"basic auth without username", m{"basic_auth": m{"password": "x"}}, "basic_auth.username"},
		{"basic auth unknown field", m{"basic_auth": m{"username": "u", "pass": "x"}}, "basic_auth.pass"},
		{"basic auth not an object", m{"basic_auth": "u:p"}, "basic_auth"},
		{"unknown scheme", m{"signature_scheme": "rsa"}, "signature_scheme"},
		{"short secret", m{"secret": "whsec_c2hvcnQ="}, "secret"},
		{"secret of another scheme", m{"secret": hmac, "signature_scheme": "ed25519"}, "secret"},
		{"enabled not a bool", m{"enabled": "yes"}, "enabled"},
		{"unknown field", m{"callback": "x"}, "callback"},
		{"long name", m{"name": strings.Repeat("n", 201)}, "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.as(t)
			body := m{"name": "HRIS", "url": "https://hooks.example.com/lms", "event_types": []string{"*"}}
			for k, v := range c.body {
				body[k] = v
			}
			e.call("POST", "/api/v1/tenants/acme/webhooks", key, body).fails(422, "invalid", c.field)
			// The same body is refused by the unsaved test, which never sends.
			e.call("POST", "/api/v1/tenants/acme/webhooks/test", key, body).fails(422, "invalid", c.field)
		})
	}
	var l list[webhookJSON]
	e.call("GET", "/api/v1/tenants/acme/webhooks", key, nil).ok(200, &l)
	if len(l.Data) != 0 {
		t.Errorf("refused creates stored %d webhooks", len(l.Data))
	}
	if _, _, tests := e.disp.snapshot(); len(tests) != 0 {
		t.Errorf("refused unsaved tests sent %d requests", len(tests))
	}
}

func TestWebhookSuppliedSecretAndEd25519(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	mine := "whsec_" + base64.StdEncoding.EncodeToString(raw)
	w := e.webhook("acme", key, m{"secret": mine})
	if w.Secret != mine || w.SignatureScheme != "hmac-sha256" {
		t.Errorf("supplied secret not kept: %+v", w)
	}

	ed := e.webhook("acme", key, m{"signature_scheme": "ed25519"})
	if !strings.HasPrefix(ed.Secret, "whsk_") || ed.SignatureScheme != "ed25519" {
		t.Fatalf("ed25519 webhook %+v", ed)
	}
	pk, err := signature.PublicKey(ed.Secret)
	if err != nil || ed.PublicKey != pk || !strings.HasPrefix(pk, "whpk_") {
		t.Errorf("public_key %q, want %q (%v)", ed.PublicKey, pk, err)
	}
	var g webhookJSON
	e.call("GET", "/api/v1/tenants/acme/webhooks/"+ed.ID, key, nil).ok(200, &g)
	if g.PublicKey != pk || g.Secret != "" {
		t.Errorf("GET of ed25519 webhook: public_key %q secret %q", g.PublicKey, g.Secret)
	}
}

func TestWebhookPatch(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"basic_auth": m{"username": "lms", "password": "pw"}, "headers": m{"X-A": "1"}})
	p := "/api/v1/tenants/acme/webhooks/" + w.ID

	e.clock.Advance(time.Second)
	var got webhookJSON
	e.call("PATCH", p, key, m{"name": "Renamed"}).ok(200, &got)
	if got.Name != "Renamed" || got.URL != w.URL || !slices.Equal(got.EventTypes, w.EventTypes) || got.Headers["X-A"] != "1" ||
		got.BasicAuth == nil || !got.BasicAuth.PasswordSet || got.Secret != "" {
		t.Errorf("PATCH name changed other fields: %+v", got)
	}
	if got.UpdatedAt != "2030-03-04T05:06:08.123Z" || got.CreatedAt != w.CreatedAt {
		t.Errorf("times after PATCH: created %s updated %s", got.CreatedAt, got.UpdatedAt)
	}
	if got.CanceledDeliveries == nil || *got.CanceledDeliveries != 0 {
		t.Errorf("canceled_deliveries %v, want 0", got.CanceledDeliveries)
	}

	// Changing the username keeps the password nobody can read back.
	e.call("PATCH", p, key, m{"basic_auth": m{"username": "lms2"}}).ok(200, nil)
	stored, _ := e.store.GetWebhook(e.ctx, "acme", w.ID)
	if stored.BasicAuth == nil || stored.BasicAuth.Username != "lms2" || stored.BasicAuth.Password != "pw" {
		t.Errorf("basic auth after username change: %+v", stored.BasicAuth)
	}
	e.call("PATCH", p, key, m{"basic_auth": nil}).ok(200, &got)
	if got.BasicAuth != nil {
		t.Errorf("basic_auth null did not remove it: %+v", got.BasicAuth)
	}

	e.call("PATCH", p, key, m{"retry_schedule": []float64{1, 2}}).ok(200, &got)
	if got.RetryPolicy != "custom" || !slices.Equal(got.RetrySchedule, []float64{1, 2}) {
		t.Errorf("schedule PATCH: %q %v", got.RetryPolicy, got.RetrySchedule)
	}
	got = webhookJSON{}
	e.call("PATCH", p, key, m{"retry_policy": "standard"}).ok(200, &got)
	if got.RetryPolicy != "standard" || got.RetrySchedule != nil {
		t.Errorf("preset PATCH: %q %v", got.RetryPolicy, got.RetrySchedule)
	}

	e.call("PATCH", p, key, m{"secret": "whsec_x"}).fails(422, "invalid", "secret")
	e.call("PATCH", p, key, m{"signature_scheme": "ed25519"}).fails(422, "invalid", "signature_scheme")
	e.call("PATCH", p, key, m{"signature_scheme": "hmac-sha256"}).ok(200, nil)
	e.call("PATCH", p, key, m{"url": "mailto:x"}).fails(422, "invalid", "url")
	e.call("PATCH", p, key, m{"url": 5}).fails(422, "invalid", "url")
	e.call("PATCH", "/api/v1/tenants/acme/webhooks/wh_nope", key, m{"name": "x"}).fails(404, "not_found", "")

	// The refused PATCHes changed nothing.
	var after webhookJSON
	e.call("GET", p, key, nil).ok(200, &after)
	if after.URL != w.URL || after.SignatureScheme != "hmac-sha256" {
		t.Errorf("refused PATCH wrote: %+v", after)
	}
	if _, changed, _ := e.disp.snapshot(); len(changed) < 5 || changed[0] != w.ID {
		t.Errorf("WebhookChanged calls %v, want one per successful PATCH", changed)
	}
}

func TestDisablingWebhookCancelsScheduledDeliveries(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	other := e.webhook("acme", key, m{"name": "Other"})
	for range 3 {
		e.publish("acme", key, "user.created")
	}
	p := "/api/v1/tenants/acme/webhooks/" + w.ID
	var got webhookJSON
	e.call("PATCH", p, key, m{"enabled": false}).ok(200, &got)
	if got.Enabled || got.CanceledDeliveries == nil || *got.CanceledDeliveries != 3 {
		t.Fatalf("disable: enabled %v canceled %v, want false and 3", got.Enabled, got.CanceledDeliveries)
	}
	var l deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries?include_counts=true&webhook_id="+w.ID, key, nil).ok(200, &l)
	if l.Counts[domain.Canceled] != 3 || l.Counts[domain.Scheduled] != 0 {
		t.Errorf("counts after disable: %v", l.Counts)
	}
	e.call("GET", "/api/v1/tenants/acme/deliveries?include_counts=true&webhook_id="+other.ID, key, nil).ok(200, &l)
	if l.Counts[domain.Scheduled] != 3 {
		t.Errorf("the other webhook's deliveries were touched: %v", l.Counts)
	}

	// lmshooks disabled it by itself (410 Gone); re-enabling clears why.
	if err := e.store.DisableWebhook(e.ctx, other.ID, "the receiver answered 410 Gone", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.call("GET", "/api/v1/tenants/acme/webhooks/"+other.ID, key, nil).ok(200, &got)
	if got.Enabled || got.DisabledReason == "" {
		t.Fatalf("after DisableWebhook: %+v", got)
	}
	e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+other.ID, key, m{"enabled": true}).ok(200, &got)
	if !got.Enabled || got.DisabledReason != "" {
		t.Errorf("re-enabled: enabled %v reason %q", got.Enabled, got.DisabledReason)
	}
}

func TestWebhookCap(t *testing.T) {
	e := newEnv(t)
	e.call("POST", "/api/v1/tenants", e.op, m{"id": "acme", "name": "Acme", "max_webhooks": 1}).ok(201, nil)
	e.webhook("acme", e.op, nil)
	eb := e.call("POST", "/api/v1/tenants/acme/webhooks", e.op, m{"name": "2", "url": "https://example.com", "event_types": []string{"*"}}).fails(409, "conflict", "")
	if !strings.Contains(eb.Message, "maximum of 1") {
		t.Errorf("cap message %q does not name the limit", eb.Message)
	}
}

func TestWebhookListAndDelete(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	var ids []string
	for i := range 3 {
		ids = append(ids, e.webhook("acme", key, m{"name": fmt.Sprint(i)}).ID)
	}
	var page1, page2 list[webhookJSON]
	e.call("GET", "/api/v1/tenants/acme/webhooks?limit=2", key, nil).ok(200, &page1)
	if len(page1.Data) != 2 || page1.NextCursor == "" || page1.Data[0].ID != ids[2] {
		t.Fatalf("page 1: %d items, cursor %q, first %s (want newest %s)", len(page1.Data), page1.NextCursor, page1.Data[0].ID, ids[2])
	}
	e.call("GET", "/api/v1/tenants/acme/webhooks?limit=2&cursor="+page1.NextCursor, key, nil).ok(200, &page2)
	if len(page2.Data) != 1 || page2.NextCursor != "" || page2.Data[0].ID != ids[0] {
		t.Fatalf("page 2: %+v", page2)
	}
	e.call("GET", "/api/v1/tenants/nope/webhooks", e.op, nil).fails(404, "not_found", "")

	e.call("DELETE", "/api/v1/tenants/acme/webhooks/"+ids[1], key, nil).ok(204, nil)
	e.call("GET", "/api/v1/tenants/acme/webhooks/"+ids[1], key, nil).fails(404, "not_found", "")
	e.call("DELETE", "/api/v1/tenants/acme/webhooks/"+ids[1], key, nil).fails(404, "not_found", "")
	if _, changed, _ := e.disp.snapshot(); !slices.Equal(changed, []string{ids[1]}) {
		t.Errorf("WebhookChanged %v, want [%s]", changed, ids[1])
	}
}

func TestRotateSecret(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	p := "/api/v1/tenants/acme/webhooks/" + w.ID

	var rot webhookJSON
	e.call("POST", p+"/rotate-secret", key, nil).ok(200, &rot)
	if rot.Secret == w.Secret || !strings.HasPrefix(rot.Secret, "whsec_") {
		t.Fatalf("rotated secret %q (old %q)", rot.Secret[:8], w.Secret[:8])
	}
	if rot.PreviousSecretExpiresAt == nil || *rot.PreviousSecretExpiresAt != "2030-03-05T05:06:07.123Z" {
		t.Errorf("previous_secret_expires_at %v, want now + 24h", rot.PreviousSecretExpiresAt)
	}
	stored, _ := e.store.GetWebhook(e.ctx, "acme", w.ID)
	if stored.Secret != rot.Secret || stored.PreviousSecret != w.Secret {
		t.Errorf("stored secrets: current is new %v, previous is old %v", stored.Secret == rot.Secret, stored.PreviousSecret == w.Secret)
	}
	var s secretJSON
	e.call("GET", p+"/secret", key, nil).ok(200, &s)
	if s.Secret != rot.Secret {
		t.Error("reveal after rotation does not show the new secret")
	}

	e.call("POST", p+"/rotate-secret", key, m{"overlap_seconds": 60}).ok(200, &rot)
	if rot.PreviousSecretExpiresAt == nil || *rot.PreviousSecretExpiresAt != "2030-03-04T05:07:07.123Z" {
		t.Errorf("overlap 60s: %v", rot.PreviousSecretExpiresAt)
	}
	rot = webhookJSON{}
	e.call("POST", p+"/rotate-secret", key, m{"overlap_seconds": 0}).ok(200, &rot)
	if rot.PreviousSecretExpiresAt != nil {
		t.Errorf("overlap 0 still has a previous secret until %v", *rot.PreviousSecretExpiresAt)
	}
	e.call("POST", p+"/rotate-secret", key, m{"overlap_seconds": -5}).fails(422, "invalid", "overlap_seconds")
	e.call("POST", p+"/rotate-secret", key, m{"overlap": 5}).fails(422, "invalid", "overlap")

	ed := e.webhook("acme", key, m{"signature_scheme": "ed25519"})
	e.call("POST", "/api/v1/tenants/acme/webhooks/"+ed.ID+"/rotate-secret", key, nil).ok(200, &rot)
	if !strings.HasPrefix(rot.Secret, "whsk_") || rot.Secret == ed.Secret || rot.PublicKey == ed.PublicKey {
		t.Errorf("ed25519 rotation did not keep the scheme or did not change the key")
	}
	if _, changed, _ := e.disp.snapshot(); len(changed) != 4 {
		t.Errorf("WebhookChanged called %d times for 4 rotations", len(changed))
	}
}

func TestWebhookTestSend(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"event_types": []string{"course_enrollment.*", "course_enrollment.completed"}})
	p := "/api/v1/tenants/acme/webhooks/" + w.ID + "/test"

	var res testResultJSON
	e.call("POST", p, key, nil).ok(200, &res)
	if !res.Success || res.Status != 200 || res.Body != "ok" || res.DurationMS != 42 || res.Headers["Content-Type"] != "text/plain" {
		t.Errorf("result %+v", res)
	}
	if res.Request.URL != w.URL || res.Request.Headers["Authorization"] != "Basic [redacted]" || res.Request.Headers["Webhook-Id"] != "msg_1" {
		t.Errorf("request %+v", res.Request)
	}
	_, _, tests := e.disp.snapshot()
	if len(tests) != 1 {
		t.Fatalf("%d test sends, want 1", len(tests))
	}
	ev := tests[0].Event
	if ev.Type != "course_enrollment.completed" || !strings.HasPrefix(ev.ID, "evt_test_") || ev.TenantID != "acme" || !json.Valid(ev.Data) || ev.Data[0] != '{' {
		t.Errorf("test event %+v", ev)
	}
	if res.Event.ID != ev.ID || res.Request.Body != string(ev.Data) {
		t.Errorf("answer does not describe what was sent: %+v", res.Event)
	}

	e.call("POST", p, key, m{"event_type": "user.updated", "data": m{"user": m{"id": "u9"}}}).ok(200, &res)
	_, _, tests = e.disp.snapshot()
	if got := tests[1].Event; got.Type != "user.updated" || string(got.Data) != `{"user":{"id":"u9"}}` {
		t.Errorf("chosen event sent as %s %s", got.Type, got.Data)
	}
	e.call("POST", p, key, m{"event_type": "Nope"}).fails(422, "invalid", "event_type")
	e.call("POST", p, key, m{"data": []int{1}}).fails(422, "invalid", "data")

	// Test sends are not events: nothing reaches the audit log.
	var l list[deliveryJSON]
	e.call("GET", "/api/v1/tenants/acme/deliveries", key, nil).ok(200, &l)
	if len(l.Data) != 0 {
		t.Errorf("test sends made %d deliveries", len(l.Data))
	}

	// Without an event catalog (this API has none) no type is made up for
	// a pattern: the request names one.
	star := e.webhook("acme", key, m{"event_types": []string{"*"}})
	b := e.call("POST", "/api/v1/tenants/acme/webhooks/"+star.ID+"/test", key, m{}).fails(422, "invalid", "event_type")
	if !strings.Contains(b.Message, "without an event catalog") {
		t.Errorf("message %q", b.Message)
	}
	e.call("POST", "/api/v1/tenants/acme/webhooks/"+star.ID+"/test", key, m{"event_type": "user.created"}).ok(200, nil)
	_, _, tests = e.disp.snapshot()
	if got := tests[len(tests)-1].Event; got.Type != "user.created" || string(got.Data) != `{}` {
		t.Errorf("wildcard webhook tested with %s %s, want user.created and no invented data", got.Type, got.Data)
	}
}

func TestUnsavedWebhookTestSend(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.disp.answer = domain.Attempt{Error: "connection refused", Duration: time.Millisecond}
	var res testResultJSON
	e.call("POST", "/api/v1/tenants/acme/webhooks/test", key, m{
		"name": "Draft", "url": "https://draft.example.com/in", "entity": "user", "actions": []string{"deleted"},
		"headers": m{"X-Draft": "1"},
	}).ok(200, &res)
	if res.Success || res.Status != 0 || res.Error != "connection refused" {
		t.Errorf("failed test send reported as %+v", res)
	}
	_, _, tests := e.disp.snapshot()
	if len(tests) != 1 || tests[0].Webhook.URL != "https://draft.example.com/in" || tests[0].Event.Type != "user.deleted" ||
		tests[0].Webhook.Headers["X-Draft"] != "1" || !strings.HasPrefix(tests[0].Webhook.Secret, "whsec_") {
		t.Fatalf("test sends %+v", tests)
	}
	e.call("POST", "/api/v1/tenants/acme/webhooks/test", key, m{
		"name": "Draft", "url": "https://draft.example.com/in", "event_types": []string{"*"}, "event_type": 5,
	}).fails(422, "invalid", "event_type")
	e.call("POST", "/api/v1/tenants/acme/webhooks/test", key, `["not", "an", "object"]`).fails(400, "malformed", "")

	var l list[webhookJSON]
	e.call("GET", "/api/v1/tenants/acme/webhooks", key, nil).ok(200, &l)
	if len(l.Data) != 0 {
		t.Errorf("the unsaved test stored %d webhooks", len(l.Data))
	}
}

func TestRecover(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	e.publish("acme", key, "user.created")
	e.publish("acme", key, "user.updated")
	if n := len(e.attemptAll(500, 10*time.Millisecond)); n != 2 {
		t.Fatalf("attempted %d deliveries, want 2", n)
	}
	e.clock.Advance(time.Hour)
	p := "/api/v1/tenants/acme/webhooks/" + w.ID + "/recover"

	e.call("POST", p, key, m{}).fails(422, "invalid", "since")
	e.call("POST", p, key, m{"since": "yesterday"}).fails(422, "invalid", "since")
	e.call("POST", p, key, m{"since": "2030-03-04T00:00:00Z", "until": "2030-03-03T00:00:00Z"}).fails(422, "invalid", "until")
	e.call("POST", p, key, m{"since": "2031-01-01T00:00:00Z"}).fails(422, "invalid", "since")
	e.call("POST", "/api/v1/tenants/acme/webhooks/wh_nope/recover", key, m{"since": "2030-03-04T00:00:00Z"}).fails(404, "not_found", "")
	if wakes, _, _ := e.disp.snapshot(); wakes != 0 {
		t.Fatalf("refused recovers woke the dispatcher %d times", wakes)
	}

	// The range is [since, until): a range that ends before the
	// deliveries were created recovers none of them.
	var out struct{ Recovered int }
	e.call("POST", p, key, m{"since": "2030-03-01T00:00:00Z", "until": "2030-03-04T05:06:07Z"}).ok(202, &out)
	if out.Recovered != 0 {
		t.Errorf("recovered %d before the deliveries existed, want 0", out.Recovered)
	}
	e.call("POST", p, key, m{"since": "2030-03-04T00:00:00Z"}).ok(202, &out)
	if out.Recovered != 2 {
		t.Errorf("recovered %d, want 2", out.Recovered)
	}
	if wakes, _, _ := e.disp.snapshot(); wakes != 1 {
		t.Errorf("Wake called %d times, want 1", wakes)
	}
	var l deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries?state=scheduled", key, nil).ok(200, &l)
	if len(l.Data) != 2 || l.Data[0].NextAttemptAt == nil {
		t.Errorf("after recover: %+v", l.Data)
	}
}
