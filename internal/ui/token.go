package ui

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// errBadToken is returned for any token that does not verify; callers never
// learn which check failed.
var errBadToken = errors.New("invalid or expired token")

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
	if !ok || len(token) > 4096 {
		return errBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, payload)) {
		return errBadToken
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return errBadToken
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errBadToken
	}
	return nil
}
