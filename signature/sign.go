package signature

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Signature versions as they appear in the webhook-signature header.
const (
	versionHMAC    = "v1"
	versionEd25519 = "v1a"
)

// Sign returns the webhook-signature header value for one delivery: one
// entry per secret, in the given order, separated by spaces. A "whsec_"
// secret yields a "v1," HMAC-SHA256 entry and a "whsk_" secret a "v1a,"
// ed25519 entry. During a rotation pass the new and the old secret, so
// receivers holding either one accept the delivery.
//
// body must be the exact bytes sent: re-encoding JSON after signing breaks
// every signature. The webhook-timestamp header must carry ts.Unix().
func Sign(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", fmt.Errorf("signature: sign: %w", ErrNoKeys)
	}
	if msgID == "" || strings.Contains(msgID, ".") {
		// The id is followed by '.' in the signed content; a dot inside it
		// would let "a.b" + "c" collide with "a" + "b.c".
		return "", fmt.Errorf("signature: sign: %w: must be non-empty and contain no '.'", ErrInvalidMessageID)
	}
	unix := ts.Unix()
	if unix < 0 {
		return "", fmt.Errorf("signature: sign: %w: before 1970", ErrTimestamp)
	}
	content := signedContent(msgID, strconv.FormatInt(unix, 10), body)
	entries := make([]string, 0, len(secrets))
	for i, s := range secrets {
		e, err := signOne(s, content)
		if err != nil {
			return "", fmt.Errorf("signature: sign with secret %d: %w", i+1, err)
		}
		entries = append(entries, e)
	}
	return strings.Join(entries, " "), nil
}

// signOne returns one "version,base64" header entry for secret.
func signOne(secret string, content []byte) (string, error) {
	switch {
	case strings.HasPrefix(secret, SecretPrefix):
		key, err := decodeHMACSecret(secret)
		if err != nil {
			return "", err
		}
		return versionHMAC + "," + base64.StdEncoding.EncodeToString(computeHMAC(key, content)), nil
	case strings.HasPrefix(secret, SigningKeyPrefix):
		priv, err := decodeSigningKey(secret)
		if err != nil {
			return "", err
		}
		return versionEd25519 + "," + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, content)), nil
	default:
		return "", fmt.Errorf("%w: a signing secret must start with %q or %q", ErrInvalidKey, SecretPrefix, SigningKeyPrefix)
	}
}

// signedContent builds "<id>.<timestamp>.<body>", the bytes both schemes sign.
func signedContent(msgID, timestamp string, body []byte) []byte {
	b := make([]byte, 0, len(msgID)+len(timestamp)+len(body)+2)
	b = append(b, msgID...)
	b = append(b, '.')
	b = append(b, timestamp...)
	b = append(b, '.')
	return append(b, body...)
}

func computeHMAC(key, content []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(content)
	return m.Sum(nil)
}
