package domain

import (
	"strings"
	"testing"
)

// Text no store can keep is refused by the domain itself, so that the
// console (which does not go through the API's decoder) refuses it too.
func TestValidateRefusesTextNoStoreKeeps(t *testing.T) {
	for _, s := range []string{"a\x00b", "caf\xe9"} {
		if ValidText(s) {
			t.Errorf("ValidText(%q) = true", s)
		}
	}
	if !ValidText("Ana López — Ünïcode ✓") {
		t.Error("ValidText refuses ordinary Unicode")
	}
	webhook := func(change func(*Webhook)) *Webhook {
		w := &Webhook{Name: "HRIS", URL: "https://hooks.example.com", EventTypes: []string{"*"}}
		w.Normalize()
		change(w)
		return w
	}
	cases := []struct {
		field string
		err   error
	}{
		{"name", webhook(func(w *Webhook) { w.Name = "a\x00" }).Validate()},
		{"description", webhook(func(w *Webhook) { w.Description = "\xff" }).Validate()},
		{"filter", webhook(func(w *Webhook) { w.Filter = "true\x00" }).Validate()},
		{"headers.X-A", webhook(func(w *Webhook) { w.Headers = map[string]string{"X-A": "\x00"} }).Validate()},
		{"basic_auth.password", webhook(func(w *Webhook) { w.BasicAuth = &BasicAuth{Username: "u", Password: "p\x00"} }).Validate()},
		{"basic_auth.password", webhook(func(w *Webhook) { w.BasicAuth = &BasicAuth{Username: "u"} }).Validate()},
		{"basic_auth.username", webhook(func(w *Webhook) { w.BasicAuth = &BasicAuth{Username: "\xff", Password: "p"} }).Validate()},
		{"name", (&Tenant{Name: "Acme\x00", Environment: Production}).Validate()},
		{"events[2].idempotency_key", (&Event{Type: "user.created", Data: []byte("{}"), IdempotencyKey: "k\x00"}).Validate("events[2].")},
		{"events[1].ordering_key", (&Event{Type: "user.created", Data: []byte("{}"), OrderingKey: "k\x00"}).Validate("events[1].")},
		{"ordering_key", (&Event{Type: "user.created", Data: []byte("{}"), OrderingKey: strings.Repeat("k", MaxOrderingKeyLength+1)}).Validate("")},
	}
	for _, c := range cases {
		if ErrorCode(c.err) != EINVALID || ErrorField(c.err) != c.field {
			t.Errorf("error %v, want invalid on %s", c.err, c.field)
		}
	}
	if err := webhook(func(w *Webhook) { w.BasicAuth = &BasicAuth{Username: "u", Password: "p"} }).Validate(); err != nil {
		t.Errorf("a valid webhook is refused: %v", err)
	}
}
