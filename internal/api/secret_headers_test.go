package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// A secret header's value is write-only, as basic auth's password is: no
// answer carries it, a change that names it without a value or leaves the
// headers alone keeps it, and the audit masks it.
func TestSecretHeadersAreWriteOnly(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	const token, shared = "tok-api-0123456789", "shared-api-secret-42"
	noSecret := func(what string, r *response) {
		t.Helper()
		if strings.Contains(string(r.Body), token) || strings.Contains(string(r.Body), shared) {
			t.Errorf("%s shows a secret header value: %s", what, r.Body)
		}
	}
	r := e.call("POST", "/api/v1/tenants/acme/webhooks", key, m{"name": "h", "url": "https://hooks.example.com", "event_types": []string{"*"},
		"headers": m{"Authorization": "Bearer " + token, "X-Shared": m{"value": shared, "secret": true}, "X-Tenant": "acme"}})
	var w struct {
		ID      string                     `json:"id"`
		Headers map[string]json.RawMessage `json:"headers"`
	}
	r.ok(201, &w)
	noSecret("create", r)
	if string(w.Headers["Authorization"]) != `{"secret":true,"set":true}` || string(w.Headers["X-Shared"]) != `{"secret":true,"set":true}` || string(w.Headers["X-Tenant"]) != `"acme"` {
		t.Fatalf("headers answered %s", w.Headers)
	}
	p := "/api/v1/tenants/acme/webhooks/" + w.ID
	noSecret("read", e.call("GET", p, key, nil).ok(200, nil))
	noSecret("list", e.call("GET", "/api/v1/tenants/acme/webhooks", key, nil).ok(200, nil))
	noSecret("change", e.call("PATCH", p, key, m{"name": "renamed"}).ok(200, nil))
	// What a read answered, sent back with a plain header changed.
	w.Headers["X-Tenant"] = json.RawMessage(`"acme-2"`)
	noSecret("change with the headers read", e.call("PATCH", p, key, m{"headers": w.Headers}).ok(200, nil))
	stored, err := e.store.GetWebhook(e.ctx, "acme", w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Headers["Authorization"] != "Bearer "+token || stored.Headers["X-Shared"] != shared || stored.Headers["X-Tenant"] != "acme-2" {
		t.Fatalf("stored headers %v", stored.Headers)
	}

	// What cannot be kept, or would show a kept value, is refused.
	e.call("PATCH", p, key, m{"headers": m{"X-New": m{"secret": true}}}).fails(422, "invalid", "headers.X-New")
	e.call("PATCH", p, key, m{"headers": m{"X-Shared": m{"secret": false}}}).fails(422, "invalid", "headers.X-Shared.secret")
	e.call("PATCH", p, key, m{"headers": m{"X-Shared": m{"value": 5}}}).fails(422, "invalid", "headers.X-Shared.value")
	e.call("PATCH", p, key, `{"headers": {"X-A": "1", "X-A": "2"}}`).fails(422, "invalid", "headers.X-A")
	e.call("PATCH", p, key, m{"headers": m{"X-A": "1", "x-a": "2"}}).fails(422, "invalid", "headers.x-a")

	// The audit masks them, in attempts recorded before they were secret
	// too.
	e.publish("acme", key, "user.created")
	now := e.clock.Now()
	jobs, err := e.store.ClaimDue(e.ctx, claim(now))
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %d, %v", len(jobs), err)
	}
	d := jobs[0].Delivery
	at := domain.Attempt{ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: "acme", WebhookID: d.WebhookID, EventID: d.EventID,
		Number: 1, Trigger: domain.TriggerScheduled, StartedAt: now, Duration: time.Millisecond, RequestURL: "https://hooks.example.com",
		RequestHeaders: map[string][]string{"Authorization": {"Bearer " + token}, "X-Shared": {shared}, "X-Tenant": {"acme-2"}},
		StatusCode:     200, ResponseHeaders: map[string][]string{"Set-Cookie": {"session=" + token}}, Success: true}
	if err := e.store.RecordAttempts(e.ctx, []store.AttemptRecord{{Attempt: at, State: domain.Succeeded}}); err != nil {
		t.Fatal(err)
	}
	var detail struct {
		Attempts []attemptJSON `json:"attempts"`
	}
	r = e.call("GET", "/api/v1/tenants/acme/deliveries/"+d.ID, key, nil).ok(200, &detail)
	noSecret("the audit", r)
	hs := detail.Attempts[0].Request.Headers
	if hs["Authorization"] != "Bearer [redacted]" || hs["X-Shared"] != "[redacted]" || hs["X-Tenant"] != "acme-2" {
		t.Errorf("audit request headers %v", hs)
	}
}
