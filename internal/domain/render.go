package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"time"
)

// RenderConfig is what rendering a request body reads from its webhook:
// the format, its options and the webhook's identity. An attempt whose
// body rendering the event again with this config gives back exactly keeps
// the config's key instead of the body (see BodyRef); the config itself is
// stored once, under its key, so later changes to the webhook do not
// change what the audit shows.
type RenderConfig struct {
	WebhookID     string
	TenantID      string
	Format        string
	FormatOptions json.RawMessage
}

// RenderConfigOf returns w's render config.
func RenderConfigOf(w *Webhook) RenderConfig {
	return RenderConfig{WebhookID: w.ID, TenantID: w.TenantID, Format: w.Format, FormatOptions: w.FormatOptions}
}

// Key identifies c by its content: the first 16 bytes of the SHA-256 of
// its fields, each prefixed by its length (so that no two configs share an
// encoding).
func (c RenderConfig) Key() []byte {
	h := sha256.New()
	var n [8]byte
	for _, f := range [][]byte{[]byte(c.WebhookID), []byte(c.TenantID), []byte(c.Format), c.FormatOptions} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write(f)
	}
	return h.Sum(nil)[:16]
}

// Webhook returns the webhook as far as rendering sees it: no secret, so a
// format that signs does not sign (the signature is in the headers, kept
// as sent; a body that depends on the secret is never a reference).
func (c RenderConfig) Webhook() *Webhook {
	return &Webhook{ID: c.WebhookID, TenantID: c.TenantID, Format: c.Format, FormatOptions: c.FormatOptions}
}

// BodyRef stands for an attempt's request body in the store: the body is
// what rendering the attempt's event again gives with Config, at the
// attempt's start time. Digest (the first 16 bytes of the body's SHA-256)
// lets the audit tell a body rendered again from the one sent, should a
// later version render differently.
type BodyRef struct {
	Config RenderConfig
	Digest []byte
}

// BodyDigest returns the digest a BodyRef keeps of body.
func BodyDigest(body []byte) []byte {
	s := sha256.Sum256(body)
	return s[:16]
}

// StoredTime is t as the stores keep it: UTC, to the microsecond. A body
// rendered again is rendered from stored times, so the check that decides
// whether a reference reproduces the body uses them too.
func StoredTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
