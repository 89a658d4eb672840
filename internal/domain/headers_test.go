package domain

import (
	"slices"
	"strings"
	"testing"
)

// Which headers are secret is decided by their name, in any case, or by
// the admin's flag.
func TestSecretHeaders(t *testing.T) {
	for _, n := range []string{"Authorization", "authorization", "Proxy-Authorization", "X-Api-Key", "x-api-key", "Api-Key", "X-APIKEY",
		"X-Auth-Token", "token", "X-Client-Secret", "Cookie", "X-Session-Cookie", "X-Password", "X-Hub-Signature", "X-Access-Key", "X-Credentials", "x_api_key",
		" X-Api-Key ", "X-Api-\u212aey", "X-" + strings.Repeat("Very-", 20) + "Long-Token"} {
		if !SecretHeaderName(n) {
			t.Errorf("SecretHeaderName(%q) = false", n)
		}
	}
	for _, n := range []string{"X-Tenant", "User-Agent", "Accept", "X-Request-Id", "X-Keyboard", "X-Tokenizer-Mode", "Monkey", "X-" + strings.Repeat("Very-", 20) + "Long-Name", "X-Ümlaut"} {
		if SecretHeaderName(n) {
			t.Errorf("SecretHeaderName(%q) = true", n)
		}
	}
	w := &Webhook{Name: "h", URL: "https://h.example.com", EventTypes: []string{"*"},
		Headers:       map[string]string{"X-Tenant": "acme", "X-Shared": "s3cret", "X-Api-Key": "k"},
		SecretHeaders: []string{"x-shared", "X-Api-Key", "X-Gone"}}
	w.Normalize()
	if !slices.Equal(w.SecretHeaders, []string{"X-Shared"}) {
		t.Errorf("flags after Normalize %v, want [X-Shared] (spelled as the header; the name rule and absent headers need none)", w.SecretHeaders)
	}
	for name, want := range map[string]bool{"X-Tenant": false, "x-shared": true, "X-API-KEY": true, "Authorization": true} {
		if w.SecretHeader(name) != want {
			t.Errorf("SecretHeader(%q) = %v", name, !want)
		}
	}
	got := MaskedHeaders(map[string][]string{
		"Authorization": {"Bearer abc.def"}, "X-Shared": {"s3cret"}, "X-Tenant": {"acme"}, "Cookie": {"a=b", "c=d"},
	}, w.SecretHeader)
	want := map[string][]string{
		"Authorization": {"Bearer [redacted]"}, "X-Shared": {"[redacted]"}, "X-Tenant": {"acme"}, "Cookie": {"[redacted]", "[redacted]"},
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("masked %s = %q, want %q", k, got[k], v)
		}
	}
	if MaskHeaderValue("Authorization", "opaque") != Redacted {
		t.Error("an Authorization value without a scheme is not masked whole")
	}
}

// Two headers that differ only in case are one HTTP header.
func TestHeaderNamesAreCaseInsensitive(t *testing.T) {
	w := &Webhook{Name: "h", URL: "https://h.example.com", EventTypes: []string{"*"}, Headers: map[string]string{"X-A": "1", "x-a": "2"}}
	w.Normalize()
	if err := w.Validate(); ErrorField(err) != "headers.x-a" {
		t.Errorf("Validate = %v, want an error on headers.x-a", err)
	}
}

// The audit asks SecretHeaderName of every header of every attempt.
func TestSecretHeaderNameDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		SecretHeaderName("Content-Type")
		SecretHeaderName("X-Api-Key")
	}); n != 0 {
		t.Errorf("%v allocations a call, want 0", n)
	}
}
