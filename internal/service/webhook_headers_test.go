package service_test

import (
	"slices"
	"testing"

	"github.com/lmshooks/lmshooks/internal/service"
)

// A secret header's value is write-only: a change that names it without a
// value keeps it, one that leaves it out removes it, and a value is never
// moved to another name nor made plain unseen.
func TestSecretHeadersKeepTheirValues(t *testing.T) {
	e := newEnv(t, true)
	in := valid()
	in.Headers = map[string]service.HeaderInput{
		"Authorization": {Value: ptr("Bearer tok-1")},
		"X-Shared":      {Value: ptr("s3cret"), Secret: ptr(true)},
		"X-Tenant":      {Value: ptr("acme")},
	}
	w := e.create(in)
	if !slices.Equal(w.SecretHeaders, []string{"X-Shared"}) || !w.SecretHeader("authorization") || w.SecretHeader("X-Tenant") {
		t.Fatalf("secret headers %v", w.SecretHeaders)
	}

	// Named without a value (in any case): kept, and still secret.
	saved, err := e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{Headers: map[string]service.HeaderInput{
		"authorization": {}, "X-Shared": {Secret: ptr(true)}, "X-Tenant": {Value: ptr("acme-2")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := saved.Webhook.Headers
	if got["authorization"] != "Bearer tok-1" || got["X-Shared"] != "s3cret" || got["X-Tenant"] != "acme-2" || !saved.Webhook.SecretHeader("X-Shared") {
		t.Fatalf("after a change that keeps the secrets: %v, flags %v", got, saved.Webhook.SecretHeaders)
	}
	for _, c := range []struct {
		name  string
		in    map[string]service.HeaderInput
		field string
	}{
		{"a plain header without a value", map[string]service.HeaderInput{"X-Tenant": {}}, "headers.X-Tenant"},
		{"a new name without a value", map[string]service.HeaderInput{"X-Other": {Secret: ptr(true)}}, "headers.X-Other"},
		{"a kept value made plain", map[string]service.HeaderInput{"X-Shared": {Secret: ptr(false)}}, "headers.X-Shared.secret"},
	} {
		_, err := e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{Headers: c.in})
		wantField(t, err, c.field)
	}
	// Left out: removed.
	saved, err = e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{Headers: map[string]service.HeaderInput{"X-Tenant": {Value: ptr("acme")}}})
	if err != nil || len(saved.Webhook.Headers) != 1 || len(saved.Webhook.SecretHeaders) != 0 {
		t.Fatalf("after removing the secrets: %v %v, %v", saved.Webhook.Headers, saved.Webhook.SecretHeaders, err)
	}
}
