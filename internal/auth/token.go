package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// ErrBadToken is returned for any token that does not verify; callers never
// learn which check failed.
var ErrBadToken = errors.New("invalid or expired token")

// maxTokenLen bounds what is verified at all: real tokens are far shorter.
const maxTokenLen = 4096

// sealJSON encodes v and appends its MAC: base64url(json) "." base64url(mac).
// The payload is readable but cannot be changed without the key.
func sealJSON(key []byte, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	sig := base64.RawURLEncoding.EncodeToString(mac(key, payload))
	return payload + "." + sig, nil
}

// openJSON verifies a sealed token and decodes its payload into v.
func openJSON(key []byte, token string, v any) error {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > maxTokenLen {
		return ErrBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, payload)) {
		return ErrBadToken
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ErrBadToken
	}
	if err := json.Unmarshal(b, v); err != nil {
		return ErrBadToken
	}
	return nil
}

// randomString returns n random bytes, base64url.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
