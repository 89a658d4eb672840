package format

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Vendor HMAC keys. A webhook's secret is shown to the admin once, as
// "whsec_<base64>"; vendor receivers are told to HMAC with "the shared
// secret" as a string, so by default the key is the bytes of that whole
// string, prefix included — paste it into the receiver as it is.
// "secret_bytes" uses the base64-decoded bytes after "whsec_" instead (the
// key Standard Webhooks signs with), for receivers that already hold a
// raw key: an admin can then bring that key as secret "whsec_" +
// base64(key) when creating the webhook.
const (
	keySecret      = "secret"
	keySecretBytes = "secret_bytes"
)

// hmacOptions choose how a vendor signature header is computed.
type hmacOptions struct {
	// Algorithm is "sha1", "sha256" or "sha512".
	Algorithm string `json:"signature_algorithm"`
	// Encoding is "hex" (lowercase) or "base64" (standard, padded).
	Encoding string `json:"signature_encoding"`
	// Key is keySecret or keySecretBytes.
	Key string `json:"signing_key"`
}

// check validates the options.
func (o hmacOptions) check() error {
	if err := oneOf("signature_algorithm", o.Algorithm, "sha1", "sha256", "sha512"); err != nil {
		return err
	}
	if err := oneOf("signature_encoding", o.Encoding, "hex", "base64"); err != nil {
		return err
	}
	return oneOf("signing_key", o.Key, keySecret, keySecretBytes)
}

// errEd25519 explains why a vendor HMAC format cannot use an ed25519 key.
var errEd25519 = errors.New("signs with an HMAC of a shared secret: use an hmac-sha256 (whsec_) secret, not an ed25519 key")

// checkSecret refuses an ed25519 secret for a format that signs with a
// vendor HMAC.
func checkSecret(format string, w *domain.Webhook) error {
	if strings.HasPrefix(w.Secret, "whsk_") {
		return domain.FieldErrorf("signature_scheme", "the %s format %v", format, errEd25519)
	}
	return nil
}

// sign returns the signature of body with the webhook's current secret.
// During a rotation's overlap window vendor headers carry one signature
// only, made with the new secret: receivers should accept either secret
// until the old one expires.
func (o hmacOptions) sign(secret string, body []byte) (string, error) {
	var key []byte
	switch {
	case strings.HasPrefix(secret, "whsk_"):
		return "", errEd25519
	case o.Key == keySecretBytes:
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		if err != nil || len(b) == 0 {
			return "", errors.New("the webhook secret is not \"whsec_\" followed by base64")
		}
		key = b
	default:
		key = []byte(secret)
	}
	var h func() hash.Hash
	switch o.Algorithm {
	case "sha1":
		h = sha1.New
	case "sha512":
		h = sha512.New
	case "sha256":
		h = sha256.New
	default:
		return "", fmt.Errorf("unknown signature algorithm %q", o.Algorithm)
	}
	m := hmac.New(h, key)
	m.Write(body)
	sum := m.Sum(nil)
	if o.Encoding == "base64" {
		return base64.StdEncoding.EncodeToString(sum), nil
	}
	return hex.EncodeToString(sum), nil
}
