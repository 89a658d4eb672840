package api

import (
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// maxRotationOverlap bounds how long a rotated-out secret may keep signing.
const maxRotationOverlap = 30 * 24 * time.Hour

// secretJSON is the answer of the secret reveal.
type secretJSON struct {
	Secret                  string  `json:"secret"`
	SignatureScheme         string  `json:"signature_scheme"`
	PublicKey               string  `json:"public_key,omitempty"`
	PreviousSecretExpiresAt *string `json:"previous_secret_expires_at,omitempty"`
}

// revealSecret shows the webhook's current signing secret (the console's
// "reveal" button). It is the only read that answers a secret.
func (a *API) revealSecret(w http.ResponseWriter, r *http.Request) error {
	wh, err := a.webhookOf(r)
	if err != nil {
		return err
	}
	out := secretJSON{
		Secret:          wh.Secret,
		SignatureScheme: schemeOf(wh.Secret),
		PublicKey:       publicKeyOf(wh.Secret),
	}
	if now := a.clock.Now(); wh.PreviousSecret != "" && now.Before(wh.PreviousSecretExpiresAt) {
		out.PreviousSecretExpiresAt = tsOrNil(wh.PreviousSecretExpiresAt)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// rotateSecret gives the webhook a new secret of the same scheme. The old
// one keeps signing (deliveries carry both signatures) until the overlap
// ends, so receivers can switch without rejecting deliveries. A rotation
// during an overlap drops the secret before the current one.
func (a *API) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OverlapSeconds *int64 `json:"overlap_seconds"`
	}
	if err := readOptionalJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	overlap := a.overlap
	if in.OverlapSeconds != nil {
		s := *in.OverlapSeconds
		if s < 0 || s > int64(maxRotationOverlap/time.Second) {
			return domain.FieldErrorf("overlap_seconds", "must be between 0 and %d seconds (30 days)", int64(maxRotationOverlap/time.Second))
		}
		overlap = time.Duration(s) * time.Second
	}
	wh, err := a.webhookOf(r)
	if err != nil {
		return err
	}
	secret, err := newSecret(schemeOf(wh.Secret))
	if err != nil {
		return err
	}
	now := a.clock.Now().UTC()
	wh.PreviousSecret, wh.PreviousSecretExpiresAt = "", time.Time{}
	if overlap > 0 {
		wh.PreviousSecret, wh.PreviousSecretExpiresAt = wh.Secret, now.Add(overlap)
	}
	wh.Secret = secret
	wh.UpdatedAt = now
	if _, err := a.store.UpdateWebhook(r.Context(), wh, now); err != nil {
		return err
	}
	a.dispatcher.WebhookChanged(wh.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, withSecret(wh, now))
}
