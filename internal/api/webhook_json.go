package api

import (
	"encoding/json"
	"maps"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/signature"
)

// Signature schemes, as named on the wire.
const (
	schemeHMAC    = "hmac-sha256"
	schemeEd25519 = "ed25519"
)

// webhookJSON is a webhook on the wire. Secrets appear only in the answers
// that create them (Secret is empty otherwise), and the basic auth password
// never does.
type webhookJSON struct {
	ID                      string            `json:"id"`
	TenantID                string            `json:"tenant_id"`
	Name                    string            `json:"name"`
	Description             string            `json:"description"`
	URL                     string            `json:"url"`
	EventTypes              []string          `json:"event_types"`
	Enabled                 bool              `json:"enabled"`
	DisabledReason          string            `json:"disabled_reason"`
	Format                  string            `json:"format"`
	FormatOptions           json.RawMessage   `json:"format_options"`
	Filter                  string            `json:"filter"`
	BasicAuth               *basicAuthJSON    `json:"basic_auth"`
	SignatureScheme         string            `json:"signature_scheme"`
	Secret                  string            `json:"secret,omitempty"`
	PublicKey               string            `json:"public_key,omitempty"`
	PreviousSecretExpiresAt *string           `json:"previous_secret_expires_at,omitempty"`
	Headers                 map[string]string `json:"headers"`
	TimeoutSeconds          int               `json:"timeout_seconds"`
	RetryPolicy             string            `json:"retry_policy"`
	RetrySchedule           []float64         `json:"retry_schedule,omitempty"`
	RetrySchedulePreview    []float64         `json:"retry_schedule_preview"`
	SuccessStatus           string            `json:"success_status"`
	RateLimit               float64           `json:"rate_limit"`
	MaxConcurrency          int               `json:"max_concurrency"`
	CreatedAt               string            `json:"created_at"`
	UpdatedAt               string            `json:"updated_at"`
	// Warnings are set by create and change: settings that work but look
	// wrong for the format (saved anyway).
	Warnings []string `json:"warnings,omitempty"`
	// CanceledDeliveries is set by PATCH: how many scheduled deliveries
	// disabling the webhook canceled.
	CanceledDeliveries *int `json:"canceled_deliveries,omitempty"`
}

// basicAuthJSON shows basic auth without its password.
type basicAuthJSON struct {
	Username    string `json:"username"`
	PasswordSet bool   `json:"password_set"`
}

// toWebhookJSON renders w without its secret.
func toWebhookJSON(w *domain.Webhook) webhookJSON {
	out := webhookJSON{
		ID:              w.ID,
		TenantID:        w.TenantID,
		Name:            w.Name,
		Description:     w.Description,
		URL:             w.URL,
		EventTypes:      w.EventTypes,
		Enabled:         w.Enabled,
		DisabledReason:  w.DisabledReason,
		Format:          w.Format,
		FormatOptions:   formatOptionsOut(w.FormatOptions),
		Filter:          w.Filter,
		SignatureScheme: schemeOf(w.Secret),
		PublicKey:       publicKeyOf(w.Secret),
		Headers:         w.Headers,
		TimeoutSeconds:  int(w.Timeout / time.Second),
		RetryPolicy:     w.RetryPolicy,
		SuccessStatus:   w.SuccessRule.String(),
		RateLimit:       w.RateLimit,
		MaxConcurrency:  w.MaxConcurrency,
		CreatedAt:       ts(w.CreatedAt),
		UpdatedAt:       ts(w.UpdatedAt),
	}
	if out.EventTypes == nil {
		out.EventTypes = []string{}
	}
	if out.Headers == nil {
		out.Headers = map[string]string{}
	}
	if w.BasicAuth != nil {
		out.BasicAuth = &basicAuthJSON{Username: w.BasicAuth.Username, PasswordSet: w.BasicAuth.Password != ""}
	}
	if w.RetryPolicy == domain.CustomRetryPolicy {
		out.RetrySchedule = seconds(w.RetryWaits)
	}
	out.RetrySchedulePreview = []float64{}
	if p, err := retry.ForWebhook(w); err == nil {
		out.RetrySchedulePreview = seconds(p.Waits)
	}
	return out
}

// withSecret renders w with its current secret, for the answers that hand
// a new secret out.
func withSecret(w *domain.Webhook, now time.Time) webhookJSON {
	out := toWebhookJSON(w)
	out.Secret = w.Secret
	if w.PreviousSecret != "" && now.Before(w.PreviousSecretExpiresAt) {
		out.PreviousSecretExpiresAt = tsOrNil(w.PreviousSecretExpiresAt)
	}
	return out
}

// schemeOf names the signature scheme of a secret.
func schemeOf(secret string) string {
	if strings.HasPrefix(secret, signature.SigningKeyPrefix) {
		return schemeEd25519
	}
	return schemeHMAC
}

// publicKeyOf returns the public key of an ed25519 secret, "" otherwise.
func publicKeyOf(secret string) string {
	if !strings.HasPrefix(secret, signature.SigningKeyPrefix) {
		return ""
	}
	pk, err := signature.PublicKey(secret)
	if err != nil {
		return ""
	}
	return pk
}

// seconds renders waits as (fractional) seconds.
func seconds(waits []time.Duration) []float64 {
	out := make([]float64, len(waits))
	for i, d := range waits {
		out[i] = d.Seconds()
	}
	return out
}

// webhookInput is the body of a webhook create or change. A nil field was
// absent and keeps its value; basic_auth is kept raw so that null (remove)
// and absent (keep) can be told apart.
type webhookInput struct {
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	URL         *string   `json:"url"`
	EventTypes  *[]string `json:"event_types"`
	// Entity and Actions are seed 000's way to subscribe: one entity and
	// some of its actions, stored as event types "entity.action".
	Entity          *string           `json:"entity"`
	Actions         *[]string         `json:"actions"`
	Enabled         *bool             `json:"enabled"`
	Format          *string           `json:"format"`
	FormatOptions   json.RawMessage   `json:"format_options"`
	Filter          *string           `json:"filter"`
	BasicAuth       json.RawMessage   `json:"basic_auth"`
	SignatureScheme *string           `json:"signature_scheme"`
	Secret          *string           `json:"secret"`
	Headers         map[string]string `json:"headers"`
	TimeoutSeconds  *int              `json:"timeout_seconds"`
	RetryPolicy     *string           `json:"retry_policy"`
	RetrySchedule   *[]float64        `json:"retry_schedule"`
	SuccessStatus   *string           `json:"success_status"`
	RateLimit       *float64          `json:"rate_limit"`
	MaxConcurrency  *int              `json:"max_concurrency"`
}

// basicAuthInput is the basic_auth object; an absent password keeps the
// current one, since clients never see it to send it back.
type basicAuthInput struct {
	Username *string `json:"username"`
	Password *string `json:"password"`
}

// maxWait bounds one wait of a custom retry schedule (as the domain does).
const maxWait = 7 * 24 * time.Hour

// apply copies the present fields of in onto w. It checks what only the
// wire format knows (entity/actions, types of values); w.Validate checks
// the rest afterwards. Secrets are handled by the callers, since only
// create accepts them.
func (in *webhookInput) apply(w *domain.Webhook) error {
	if in.Name != nil {
		w.Name = *in.Name
	}
	if in.Description != nil {
		w.Description = *in.Description
	}
	if in.URL != nil {
		w.URL = *in.URL
	}
	if err := in.applyEventTypes(w); err != nil {
		return err
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
		if w.Enabled {
			w.DisabledReason = ""
		}
	}
	if in.Format != nil {
		w.Format = *in.Format
	}
	if len(in.FormatOptions) > 0 {
		w.FormatOptions = formatOptionsIn(in.FormatOptions)
	}
	if in.Filter != nil {
		w.Filter = strings.TrimSpace(*in.Filter)
	}
	if err := in.applyBasicAuth(w); err != nil {
		return err
	}
	if in.Headers != nil {
		w.Headers = maps.Clone(in.Headers)
	}
	if in.TimeoutSeconds != nil {
		s := *in.TimeoutSeconds
		if s < int(domain.MinTimeout/time.Second) || s > int(domain.MaxTimeout/time.Second) {
			return domain.FieldErrorf("timeout_seconds", "must be between %d and %d seconds", int(domain.MinTimeout/time.Second), int(domain.MaxTimeout/time.Second))
		}
		w.Timeout = time.Duration(s) * time.Second
	}
	if err := in.applyRetry(w); err != nil {
		return err
	}
	if in.SuccessStatus != nil {
		rule, err := domain.ParseSuccessRule(*in.SuccessStatus)
		if err != nil {
			return domain.FieldErrorf("success_status", "%v", err)
		}
		w.SuccessRule = rule
	}
	if in.RateLimit != nil {
		w.RateLimit = *in.RateLimit
	}
	if in.MaxConcurrency != nil {
		w.MaxConcurrency = *in.MaxConcurrency
	}
	return nil
}

// applyEventTypes takes either event_types or seed 000's entity + actions.
func (in *webhookInput) applyEventTypes(w *domain.Webhook) error {
	if in.Entity == nil && in.Actions == nil {
		if in.EventTypes == nil {
			return nil
		}
		// Checked here, in the order given, because Normalize sorts the
		// list and the error must point at the element the client sent.
		for i, t := range *in.EventTypes {
			if !domain.ValidEventPattern(strings.TrimSpace(t)) {
				return domain.FieldErrorf(fieldAt("event_types", i), "%q is not an event type pattern: use <entity>.<action> with lowercase letters, digits and '_', or '*' for a whole part", t)
			}
		}
		w.EventTypes = append([]string(nil), (*in.EventTypes)...)
		return nil
	}
	if in.EventTypes != nil {
		return domain.FieldErrorf("event_types", "give either event_types or entity with actions, not both")
	}
	if in.Entity == nil || strings.TrimSpace(*in.Entity) == "" {
		return domain.FieldErrorf("entity", "is required with actions")
	}
	entity := strings.TrimSpace(*in.Entity)
	if !domain.ValidEventPattern(entity + ".x") {
		return domain.FieldErrorf("entity", "%q is not an entity: use lowercase letters, digits and '_' (for example \"course_enrollment\")", entity)
	}
	if in.Actions == nil || len(*in.Actions) == 0 {
		return domain.FieldErrorf("actions", "must list at least one action (for example [\"created\", \"completed\"], or [\"*\"] for all)")
	}
	types := make([]string, len(*in.Actions))
	for i, act := range *in.Actions {
		act = strings.TrimSpace(act)
		if act == "" || !domain.ValidEventPattern(entity+"."+act) {
			return domain.FieldErrorf(fieldAt("actions", i), "%q is not an action: use lowercase letters, digits and '_', or '*'", act)
		}
		types[i] = entity + "." + act
	}
	w.EventTypes = types
	return nil
}

// applyBasicAuth sets, changes (keeping an unsent password) or removes
// (null) basic auth.
func (in *webhookInput) applyBasicAuth(w *domain.Webhook) error {
	if len(in.BasicAuth) == 0 {
		return nil
	}
	if string(in.BasicAuth) == "null" {
		w.BasicAuth = nil
		return nil
	}
	var ba basicAuthInput
	if err := decodeStrict(in.BasicAuth, &ba, "basic_auth."); err != nil {
		return err
	}
	next := &domain.BasicAuth{}
	if w.BasicAuth != nil {
		*next = *w.BasicAuth
	}
	if ba.Username != nil {
		next.Username = strings.TrimSpace(*ba.Username)
	}
	if ba.Password != nil {
		next.Password = *ba.Password
	}
	if strings.ContainsAny(next.Password, "\r\n") {
		return domain.FieldErrorf("basic_auth.password", "must not contain line breaks")
	}
	w.BasicAuth = next
	return nil
}

// applyRetry sets the retry policy: a preset name, or "custom" with
// retry_schedule (giving only a schedule implies "custom").
func (in *webhookInput) applyRetry(w *domain.Webhook) error {
	if in.RetrySchedule != nil {
		waits := make([]time.Duration, len(*in.RetrySchedule))
		for i, s := range *in.RetrySchedule {
			if s < 0 || s > maxWait.Seconds() {
				return domain.FieldErrorf(fieldAt("retry_schedule", i), "must be between 0 and %d seconds (7 days)", int(maxWait.Seconds()))
			}
			waits[i] = time.Duration(s * float64(time.Second))
		}
		w.RetryWaits = waits
		if in.RetryPolicy == nil {
			w.RetryPolicy = domain.CustomRetryPolicy
		}
	}
	if in.RetryPolicy != nil {
		w.RetryPolicy = strings.TrimSpace(*in.RetryPolicy)
		if w.RetryPolicy != domain.CustomRetryPolicy && in.RetrySchedule == nil {
			w.RetryWaits = nil
		}
	}
	return nil
}

// scheme validates signature_scheme; "" when absent.
func (in *webhookInput) scheme() (string, error) {
	if in.SignatureScheme == nil {
		return "", nil
	}
	switch s := strings.TrimSpace(*in.SignatureScheme); s {
	case schemeHMAC, schemeEd25519:
		return s, nil
	default:
		return "", domain.FieldErrorf("signature_scheme", "%q is not a signature scheme: use %q or %q", s, schemeHMAC, schemeEd25519)
	}
}

// newSecret returns a fresh secret of the scheme.
func newSecret(scheme string) (string, error) {
	if scheme == schemeEd25519 {
		s, _, err := signature.NewKeyPair()
		return s, err
	}
	return signature.NewSecret()
}

// initialSecret picks a new webhook's secret: the one the admin supplied
// (validated, and matching signature_scheme if both are given), or a fresh
// one of the asked scheme (HMAC-SHA256 by default).
func (in *webhookInput) initialSecret() (string, error) {
	scheme, err := in.scheme()
	if err != nil {
		return "", err
	}
	if in.Secret == nil {
		return newSecret(scheme)
	}
	s := strings.TrimSpace(*in.Secret)
	if err := signature.ValidateSecret(s); err != nil {
		// The signature package never puts key material in messages.
		return "", domain.FieldErrorf("secret", "%s", strings.TrimPrefix(err.Error(), "invalid key: "))
	}
	if scheme != "" && schemeOf(s) != scheme {
		return "", domain.FieldErrorf("secret", "is a %s secret but signature_scheme is %q", schemeOf(s), scheme)
	}
	return s, nil
}

// validateWebhook normalizes w and checks it completely: the domain rules,
// then the format and retry policy names, which need outside knowledge.
func (a *API) validateWebhook(w *domain.Webhook) error {
	w.Normalize()
	if err := w.Validate(); err != nil {
		return err
	}
	if err := a.formats.Check(w.Format); err != nil {
		return err
	}
	if _, err := retry.ForWebhook(w); err != nil {
		return err
	}
	return a.checkFilterSyntax(w)
}
