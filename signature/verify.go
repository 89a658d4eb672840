package signature

import (
	"crypto/ed25519"
	"crypto/hmac"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names defined by Standard Webhooks.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far webhook-timestamp may lie from now, in either
// direction, before Verify rejects the delivery. It matches the reference
// libraries and Stripe.
const DefaultTolerance = 5 * time.Minute

// maxTimestampDigits bounds webhook-timestamp so parsing cannot overflow.
const maxTimestampDigits = 18

// Verify checks one delivery. keys are the receiver's trusted keys:
// "whsec_" secrets for v1 entries and "whpk_" public keys for v1a entries
// (a "whsk_" secret is accepted too and stands for its public key). Pass
// both the old and the new key while a sender rotates. msgID, timestamp and
// signatureHeader are the raw webhook-id, webhook-timestamp and
// webhook-signature header values, and body the raw request body.
//
// The timestamp must lie within tolerance of now, in either direction;
// tolerance <= 0 means DefaultTolerance. Signatures are compared in
// constant time. Entries of unknown versions are ignored, so senders can
// add new schemes without breaking receivers.
//
// The error wraps ErrMissingHeader, ErrInvalidKey, ErrNoKeys, ErrTimestamp
// or ErrNoMatch.
func Verify(keys []string, msgID, timestamp, signatureHeader string, body []byte, now time.Time, tolerance time.Duration) error {
	for _, h := range [...]struct{ name, value string }{
		{HeaderID, msgID}, {HeaderTimestamp, timestamp}, {HeaderSignature, signatureHeader},
	} {
		if h.value == "" {
			return fmt.Errorf("signature: %w %s", ErrMissingHeader, h.name)
		}
	}
	ks, err := parseVerifyKeys(keys)
	if err != nil {
		return err
	}
	if err := checkTimestamp(timestamp, now, tolerance); err != nil {
		return err
	}

	content := signedContent(msgID, timestamp, body)
	macs := make([][]byte, len(ks.hmac))
	for i, k := range ks.hmac {
		macs[i] = computeHMAC(k, content)
	}
	// Fields, not Split: tolerate doubled or trailing spaces between entries.
	for _, entry := range strings.Fields(signatureHeader) {
		version, value, ok := strings.Cut(entry, ",")
		if !ok {
			continue
		}
		sig, err := decodeBase64(value)
		if err != nil {
			continue
		}
		switch version {
		case versionHMAC:
			for _, m := range macs {
				if hmac.Equal(m, sig) {
					return nil
				}
			}
		case versionEd25519:
			if len(sig) != ed25519.SignatureSize {
				continue
			}
			for _, pub := range ks.ed25519 {
				if ed25519.Verify(pub, content, sig) {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("signature: %w (tried %d secret(s) and %d public key(s))",
		ErrNoMatch, len(ks.hmac), len(ks.ed25519))
}

// VerifyRequest is Verify with the three values read from h, the request's
// headers. body must be the raw request body, read before any JSON decoding.
func VerifyRequest(keys []string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	return Verify(keys, h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature), body, now, tolerance)
}

// verifyKeys are the decoded keys a receiver trusts, by scheme.
type verifyKeys struct {
	hmac    [][]byte
	ed25519 []ed25519.PublicKey
}

func parseVerifyKeys(keys []string) (verifyKeys, error) {
	var ks verifyKeys
	if len(keys) == 0 {
		return ks, fmt.Errorf("signature: verify: %w", ErrNoKeys)
	}
	for i, k := range keys {
		switch {
		case strings.HasPrefix(k, SecretPrefix):
			b, err := decodeHMACSecret(k)
			if err != nil {
				return ks, fmt.Errorf("signature: key %d: %w", i+1, err)
			}
			ks.hmac = append(ks.hmac, b)
		case strings.HasPrefix(k, PublicKeyPrefix):
			pub, err := decodePublicKey(k)
			if err != nil {
				return ks, fmt.Errorf("signature: key %d: %w", i+1, err)
			}
			ks.ed25519 = append(ks.ed25519, pub)
		case strings.HasPrefix(k, SigningKeyPrefix):
			priv, err := decodeSigningKey(k)
			if err != nil {
				return ks, fmt.Errorf("signature: key %d: %w", i+1, err)
			}
			ks.ed25519 = append(ks.ed25519, priv.Public().(ed25519.PublicKey))
		default:
			return ks, fmt.Errorf("signature: key %d: %w: must start with %q or %q",
				i+1, ErrInvalidKey, SecretPrefix, PublicKeyPrefix)
		}
	}
	return ks, nil
}

// checkTimestamp accepts only plain decimal digits, so the string that was
// signed is the one that was parsed.
func checkTimestamp(timestamp string, now time.Time, tolerance time.Duration) error {
	if len(timestamp) > maxTimestampDigits || strings.Trim(timestamp, "0123456789") != "" {
		return fmt.Errorf("signature: %w: %s must be unix seconds", ErrTimestamp, HeaderTimestamp)
	}
	n, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("signature: %w: %s must be unix seconds", ErrTimestamp, HeaderTimestamp)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts := time.Unix(n, 0)
	switch {
	case now.Sub(ts) > tolerance:
		return fmt.Errorf("signature: %w: too old (%s before now, tolerance %s)",
			ErrTimestamp, now.Sub(ts).Truncate(time.Second), tolerance)
	case ts.Sub(now) > tolerance:
		return fmt.Errorf("signature: %w: too new (%s after now, tolerance %s)",
			ErrTimestamp, ts.Sub(now).Truncate(time.Second), tolerance)
	}
	return nil
}
