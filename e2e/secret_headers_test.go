package e2e

import (
	"encoding/json"
	"github.com/lmshooks/lmshooks/client"
	"strings"
	"testing"
	"time"
)

// Credentials in custom headers reach the receiver and nothing else: the
// API never answers them (create, read, list, change, test), a change that
// leaves them alone keeps them, and the audit log holds them masked — in
// the store itself, not only in what the API shows.
func TestSecretHeadersReachOnlyTheReceiver(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	const bearer, shared, apiKey = "Bearer tok-e2e-0123456789", "shared-e2e-secret-42", "key-e2e-9876543210"
	secrets := []string{"tok-e2e-0123456789", shared, apiKey}
	noSecret := func(what string, raw []byte) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(string(raw), sec) {
				t.Errorf("%s shows a secret header value: %s", what, raw)
			}
		}
	}
	var created json.RawMessage
	s.mustCall(201, "POST", "/api/v1/tenants/acme/webhooks", map[string]any{
		"name": "HRIS", "url": rc.URL + "/hook", "event_types": []string{"user.*"},
		"headers": map[string]any{
			"Authorization": bearer,
			"X-Shared":      map[string]any{"value": shared, "secret": true},
			"X-Api-Key":     apiKey,
			"X-Tenant":      "acme",
		},
	}, &created)
	noSecret("create", created)
	var w struct {
		ID      string                     `json:"id"`
		Headers map[string]json.RawMessage `json:"headers"`
	}
	if err := json.Unmarshal(created, &w); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"Authorization": `{"secret":true,"set":true}`, "X-Shared": `{"secret":true,"set":true}`, "X-Api-Key": `{"secret":true,"set":true}`, "X-Tenant": `"acme"`} {
		if string(w.Headers[name]) != want {
			t.Errorf("headers.%s = %s, want %s", name, w.Headers[name], want)
		}
	}
	path := "/api/v1/tenants/acme/webhooks/" + w.ID
	var raw json.RawMessage
	s.mustCall(200, "GET", path, nil, &raw)
	noSecret("read", raw)
	s.mustCall(200, "GET", "/api/v1/tenants/acme/webhooks", nil, &raw)
	noSecret("list", raw)

	// A change that does not touch the headers keeps them; so does one
	// that sends back what a read answered.
	s.mustCall(200, "PATCH", path, map[string]any{"name": "HRIS sync"}, &raw)
	noSecret("change", raw)
	s.mustCall(200, "PATCH", path, map[string]any{"headers": w.Headers}, &raw)
	noSecret("change sending back the headers read", raw)

	publish := func(n int) received {
		t.Helper()
		s.mustCall(202, "POST", "/api/v1/tenants/acme/events", map[string]any{"type": "user.created", "data": map[string]any{"id": "u1", "email": "ana@acme.com"}}, nil)
		eventually(t, 10*time.Second, "delivery to the receiver", func() bool { return rc.count() >= n })
		got, _ := rc.snapshot()
		return got[n-1]
	}
	got := publish(1)
	for name, want := range map[string]string{"Authorization": bearer, "X-Shared": shared, "X-Api-Key": apiKey, "X-Tenant": "acme"} {
		if v := got.Header.Get(name); v != want {
			t.Errorf("the receiver got %s: %q, want %q", name, v, want)
		}
	}

	// The audit log, as the API shows it and as it is stored.
	l := s.deliveries("acme", client.DeliveryParams{})
	if len(l.Data) != 1 {
		t.Fatalf("deliveries: %+v", l.Data)
	}
	eventually(t, 10*time.Second, "the attempt recorded", func() bool { return len(s.delivery("acme", l.Data[0].ID).Attempts) == 1 })
	s.mustCall(200, "GET", "/api/v1/tenants/acme/deliveries/"+l.Data[0].ID, nil, &raw)
	noSecret("the audit log", raw)
	hs := s.delivery("acme", l.Data[0].ID).Attempts[0].Request.Headers
	if hs["Authorization"] != "Bearer [redacted]" || hs["X-Shared"] != "[redacted]" || hs["X-Api-Key"] != "[redacted]" || hs["X-Tenant"] != "acme" {
		t.Errorf("audit request headers %v", hs)
	}
	stored, err := s.app.Store.ListAttempts(t.Context(), "acme", l.Data[0].ID)
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored attempts %v, %v", stored, err)
	}
	b, _ := json.Marshal(stored[0].RequestHeaders)
	noSecret("the stored attempt", b)

	// A test send answers what was sent, masked.
	s.mustCall(200, "POST", path+"/test", map[string]any{}, &raw)
	noSecret("a test send", raw)
	if got := lastRequest(t, rc); got.Header.Get("X-Shared") != shared {
		t.Errorf("the test send carried X-Shared %q", got.Header.Get("X-Shared"))
	}

	// Replacing the headers without the secret ones removes them.
	s.mustCall(200, "PATCH", path, map[string]any{"headers": map[string]any{"X-Tenant": "acme"}}, nil)
	got = publish(rc.count() + 1)
	if got.Header.Get("Authorization") != "" || got.Header.Get("X-Shared") != "" || got.Header.Get("X-Tenant") != "acme" {
		t.Errorf("after removing the secret headers the receiver got %v", got.Header)
	}
}

// lastRequest returns the last request the receiver got.
func lastRequest(t *testing.T, rc *receiver) received {
	t.Helper()
	got, _ := rc.snapshot()
	if len(got) == 0 {
		t.Fatal("the receiver got nothing")
	}
	return got[len(got)-1]
}
