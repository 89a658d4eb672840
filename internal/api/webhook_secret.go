package api

import (
	"net/http"
)

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
	_, sec, err := a.svc.Webhooks.Secret(r.Context(), r.PathValue("tenant"), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, secretJSON{
		Secret:                  sec.Secret,
		SignatureScheme:         sec.Scheme,
		PublicKey:               sec.PublicKey,
		PreviousSecretExpiresAt: tsOrNil(sec.PreviousExpiresAt),
	})
}

// rotateSecret gives the webhook a new secret of the same scheme; the old
// one keeps signing for overlap_seconds (default: the configured overlap).
func (a *API) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OverlapSeconds *int64 `json:"overlap_seconds"`
	}
	if err := readOptionalJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	saved, err := a.svc.Webhooks.RotateSecret(r.Context(), r.PathValue("tenant"), r.PathValue("id"), in.OverlapSeconds)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, toSavedJSON(saved))
}
