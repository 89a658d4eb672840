package client

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// HeaderValue is one custom header of a webhook. A plain header travels as
// its value; a secret one (a credential: the server treats names such as
// Authorization or X-Api-Key as secret, and any header flagged Secret) is
// write-only: answers carry only that it is set, never its value.
type HeaderValue struct {
	// Value is the header's value. In an answer it is empty for a secret
	// header. In a request, a secret header without a value keeps the
	// value stored.
	Value string
	// Secret marks the header write-only.
	Secret bool
	// Set, in an answer, says that a secret header has a value stored.
	Set bool
}

// Plain returns a header sent and shown as is (unless its name makes the
// server treat it as secret).
func Plain(value string) HeaderValue { return HeaderValue{Value: value} }

// SecretHeader returns a write-only header with value; an empty value keeps
// the value already stored.
func SecretHeader(value string) HeaderValue { return HeaderValue{Value: value, Secret: true} }

// MarshalJSON writes a plain header as a string and a secret one as
// {"value": …, "secret": true}.
func (h HeaderValue) MarshalJSON() ([]byte, error) {
	if !h.Secret {
		return json.Marshal(h.Value)
	}
	type secret struct {
		Value  string `json:"value,omitzero"`
		Secret bool   `json:"secret"`
	}
	return json.Marshal(secret{Value: h.Value, Secret: true})
}

// UnmarshalJSON reads either form.
func (h *HeaderValue) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		*h = HeaderValue{}
		return json.Unmarshal(b, &h.Value)
	}
	var v struct {
		Value  string `json:"value"`
		Secret bool   `json:"secret"`
		Set    bool   `json:"set"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("header value: %w", err)
	}
	*h = HeaderValue{Value: v.Value, Secret: v.Secret, Set: v.Set}
	return nil
}
