package service

import (
	"context"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/signature"
)

// Signature schemes, as the API names them.
const (
	SchemeHMAC    = "hmac-sha256"
	SchemeEd25519 = "ed25519"
)

// MaxRotationOverlap bounds how long a rotated-out secret may keep signing.
const MaxRotationOverlap = 30 * 24 * time.Hour

// Signing says how a webhook signs, without its secret: what every read
// of a webhook may show.
type Signing struct {
	// Scheme is SchemeHMAC or SchemeEd25519.
	Scheme string
	// PublicKey is an ed25519 webhook's public key, for its receiver.
	PublicKey string
}

// SigningOf returns how w signs.
func SigningOf(w *domain.Webhook) Signing {
	return Signing{Scheme: schemeOf(w.Secret), PublicKey: publicKeyOf(w.Secret)}
}

// Secret is a webhook's signing secret, for the few answers that show it
// (create, rotation, reveal).
type Secret struct {
	Signing
	Secret string
	// PreviousExpiresAt is when the rotated-out secret stops signing;
	// zero when none signs any more.
	PreviousExpiresAt time.Time
}

// secretOf returns w's secret as shown at now.
func secretOf(w *domain.Webhook, now time.Time) Secret {
	s := Secret{Signing: SigningOf(w), Secret: w.Secret}
	if w.PreviousSecret != "" && now.Before(w.PreviousSecretExpiresAt) {
		s.PreviousExpiresAt = w.PreviousSecretExpiresAt
	}
	return s
}

// Secret reveals the webhook's current signing secret: the only read that
// answers one.
func (s *Webhooks) Secret(ctx context.Context, tenantID, webhookID string) (*domain.Webhook, *Secret, error) {
	w, err := s.d.Store.GetWebhook(ctx, tenantID, webhookID)
	if err != nil {
		return nil, nil, err
	}
	sec := secretOf(w, s.now())
	return w, &sec, nil
}

// RotateSecret gives the webhook a new secret of the same scheme. The old
// one keeps signing (deliveries carry both signatures) for overlapSeconds,
// or the configured overlap when nil, so that receivers can switch
// without rejecting deliveries. A rotation during an overlap drops the
// secret before the current one.
func (s *Webhooks) RotateSecret(ctx context.Context, tenantID, webhookID string, overlapSeconds *int64) (*Saved, error) {
	overlap := s.cfg.RotationOverlap
	if overlapSeconds != nil {
		sec := *overlapSeconds
		if sec < 0 || sec > int64(MaxRotationOverlap/time.Second) {
			return nil, domain.FieldErrorf("overlap_seconds", "must be between 0 and %d seconds (30 days)", int64(MaxRotationOverlap/time.Second))
		}
		overlap = time.Duration(sec) * time.Second
	}
	w, err := s.d.Store.GetWebhook(ctx, tenantID, webhookID)
	if err != nil {
		return nil, err
	}
	secret, err := newSecret(schemeOf(w.Secret))
	if err != nil {
		return nil, err
	}
	now := s.now()
	w.PreviousSecret, w.PreviousSecretExpiresAt = "", time.Time{}
	if overlap > 0 {
		w.PreviousSecret, w.PreviousSecretExpiresAt = w.Secret, now.Add(overlap)
	}
	w.Secret = secret
	w.UpdatedAt = now
	if _, err := s.d.Store.UpdateWebhook(ctx, w, now); err != nil {
		return nil, err
	}
	s.d.Notify.WebhookChanged(w.ID)
	sec := secretOf(w, now)
	return &Saved{Webhook: w, Secret: &sec}, nil
}

// scheme validates signature_scheme; "" when absent.
func (in *WebhookInput) scheme() (string, error) {
	if in.SignatureScheme == nil {
		return "", nil
	}
	switch s := strings.TrimSpace(*in.SignatureScheme); s {
	case SchemeHMAC, SchemeEd25519:
		return s, nil
	default:
		return "", domain.FieldErrorf("signature_scheme", "%q is not a signature scheme: use %q or %q", s, SchemeHMAC, SchemeEd25519)
	}
}

// initialSecret picks a new webhook's secret: the one the caller supplied
// (validated, in padded base64, and matching signature_scheme if both are
// given), or a fresh
// one of the asked scheme (HMAC-SHA256 by default).
func (in *WebhookInput) initialSecret() (string, error) {
	scheme, err := in.scheme()
	if err != nil {
		return "", err
	}
	if in.Secret == nil {
		return newSecret(scheme)
	}
	// Stored padded: receivers' libraries that decode strictly would
	// refuse the secret as handed out otherwise.
	s, err := signature.NormalizeSecret(strings.TrimSpace(*in.Secret))
	if err != nil {
		// The signature package never puts key material in messages.
		return "", domain.FieldErrorf("secret", "%s", strings.TrimPrefix(err.Error(), "invalid key: "))
	}
	if scheme != "" && schemeOf(s) != scheme {
		return "", domain.FieldErrorf("secret", "is a %s secret but signature_scheme is %q", schemeOf(s), scheme)
	}
	return s, nil
}

// newSecret returns a fresh secret of the scheme.
func newSecret(scheme string) (string, error) {
	if scheme == SchemeEd25519 {
		s, _, err := signature.NewKeyPair()
		return s, err
	}
	return signature.NewSecret()
}

// schemeOf names the signature scheme of a secret.
func schemeOf(secret string) string {
	if strings.HasPrefix(secret, signature.SigningKeyPrefix) {
		return SchemeEd25519
	}
	return SchemeHMAC
}

// publicKeyOf returns the public key of an ed25519 secret, "" otherwise.
func publicKeyOf(secret string) string {
	if schemeOf(secret) != SchemeEd25519 {
		return ""
	}
	pk, err := signature.PublicKey(secret)
	if err != nil {
		return ""
	}
	return pk
}
