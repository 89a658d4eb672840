package api

import (
	"testing"
	"time"
)

// TestTenantIsolation sends every tenant route with acme's key at globex's
// tenant and resources: each answers 404, exactly like something that does
// not exist, and nothing of globex changes.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme")
	globex := e.tenant("globex")
	gw := e.webhook("globex", globex, nil)
	gev := e.publish("globex", globex, "user.created")
	gd := e.attemptAll(500, time.Millisecond)[0]

	// acme's own webhook, to try globex ids under acme's tenant too.
	e.webhook("acme", acme, nil)
	var gkey apiKeyJSON
	e.call("POST", "/api/v1/tenants/globex/api-keys", globex, m{"name": "second"}).ok(201, &gkey)

	g := "/api/v1/tenants/globex"
	a := "/api/v1/tenants/acme"
	webhookBody := m{"name": "x", "url": "https://example.com", "event_types": []string{"*"}}
	cases := []struct {
		method, path string
		body         any
	}{
		{"GET", g, nil},
		{"PATCH", g, m{"name": "pwned"}},
		{"POST", g + "/api-keys", m{"name": "mine"}},
		{"POST", g + "/webhooks", webhookBody},
		{"GET", g + "/webhooks", nil},
		{"POST", g + "/webhooks/test", webhookBody},
		{"GET", g + "/webhooks/" + gw.ID, nil},
		{"PATCH", g + "/webhooks/" + gw.ID, m{"enabled": false}},
		{"DELETE", g + "/webhooks/" + gw.ID, nil},
		{"GET", g + "/webhooks/" + gw.ID + "/secret", nil},
		{"POST", g + "/webhooks/" + gw.ID + "/rotate-secret", nil},
		{"POST", g + "/webhooks/" + gw.ID + "/test", nil},
		{"POST", g + "/webhooks/" + gw.ID + "/recover", m{"since": "2030-01-01T00:00:00Z"}},
		{"POST", g + "/events", m{"type": "user.created", "data": m{}}},
		{"POST", g + "/events/batch", m{"events": []m{{"type": "user.created", "data": m{}}}}},
		{"GET", g + "/events/" + gev.ID, nil},
		{"GET", g + "/deliveries", nil},
		{"GET", g + "/deliveries/" + gd.ID, nil},
		{"POST", g + "/deliveries/" + gd.ID + "/resend", nil},
		{"GET", g + "/stats", nil},
		{"GET", g + "/api-keys", nil},
		{"DELETE", g + "/api-keys/" + gkey.ID, nil},
		{"POST", g + "/portal-links", nil},
		{"POST", g + "/portal-links/revoke", nil},
		{"GET", g + "/event-types", nil},
		{"GET", g + "/event-types/user.created", nil},
		{"PUT", g + "/event-types/lms.custom", m{"title": "x", "schema": m{"type": "object"}}},
		{"DELETE", g + "/event-types/lms.custom", nil},
		{"POST", g + "/filters/check", m{"filter": "true"}},
		// globex's ids under acme's own tenant are not found either.
		{"GET", a + "/webhooks/" + gw.ID, nil},
		{"PATCH", a + "/webhooks/" + gw.ID, m{"enabled": false}},
		{"DELETE", a + "/webhooks/" + gw.ID, nil},
		{"GET", a + "/webhooks/" + gw.ID + "/secret", nil},
		{"POST", a + "/webhooks/" + gw.ID + "/rotate-secret", nil},
		{"POST", a + "/webhooks/" + gw.ID + "/test", nil},
		{"POST", a + "/webhooks/" + gw.ID + "/recover", m{"since": "2030-01-01T00:00:00Z"}},
		{"GET", a + "/events/" + gev.ID, nil},
		{"GET", a + "/deliveries/" + gd.ID, nil},
		{"POST", a + "/deliveries/" + gd.ID + "/resend", nil},
		{"DELETE", a + "/api-keys/" + gkey.ID, nil},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			e.as(t).call(c.method, c.path, acme, c.body).fails(404, "not_found", "")
		})
	}

	// globex is untouched.
	var w webhookJSON
	e.call("GET", g+"/webhooks/"+gw.ID, globex, nil).ok(200, &w)
	if !w.Enabled || w.UpdatedAt != gw.UpdatedAt {
		t.Errorf("globex's webhook changed: %+v", w)
	}
	var s secretJSON
	e.call("GET", g+"/webhooks/"+gw.ID+"/secret", globex, nil).ok(200, &s)
	if s.Secret != gw.Secret {
		t.Error("globex's secret was rotated")
	}
	var d deliveryDetailJSON
	e.call("GET", g+"/deliveries/"+gd.ID, globex, nil).ok(200, &d)
	if d.Delivery.State != "failed" {
		t.Errorf("globex's delivery was resent or recovered: %s", d.Delivery.State)
	}
	var l list[tenantJSON]
	e.call("GET", "/api/v1/tenants", e.op, nil).ok(200, &l)
	for _, tn := range l.Data {
		if tn.ID == "globex" && tn.Name != "Tenant globex" {
			t.Errorf("globex renamed to %q", tn.Name)
		}
	}
	var keys list[apiKeyInfoJSON]
	e.call("GET", g+"/api-keys", globex, nil).ok(200, &keys)
	if len(keys.Data) != 2 {
		t.Errorf("globex has %d keys, want 2 (none revoked by acme)", len(keys.Data))
	}
	wakes, changed, tests := e.disp.snapshot()
	if wakes != 0 || len(changed) != 0 || len(tests) != 0 {
		t.Errorf("refused requests reached the dispatcher: %d wakes, changed %v, %d tests", wakes, changed, len(tests))
	}
	var dl deliveryListJSON
	e.call("GET", g+"/deliveries?include_counts=true", globex, nil).ok(200, &dl)
	if total := dl.Counts["scheduled"] + dl.Counts["failed"]; total != 1 {
		t.Errorf("globex has %d deliveries, want 1 (no publish went through)", total)
	}
}
