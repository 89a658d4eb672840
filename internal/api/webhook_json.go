package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/internal/service"
)

// webhookJSON is a webhook on the wire. Secrets appear only in the answers
// that create them (Secret is empty otherwise), and the basic auth password
// never does.
type webhookJSON struct {
	ID             string   `json:"id"`
	TenantID       string   `json:"tenant_id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	URL            string   `json:"url"`
	EventTypes     []string `json:"event_types"`
	Enabled        bool     `json:"enabled"`
	DisabledReason string   `json:"disabled_reason"`
	// FailingSince is when the current run of failed attempts began;
	// null while the webhook is not failing.
	FailingSince            *string         `json:"failing_since"`
	Format                  string          `json:"format"`
	FormatOptions           json.RawMessage `json:"format_options"`
	Filter                  string          `json:"filter"`
	BasicAuth               *basicAuthJSON  `json:"basic_auth"`
	SignatureScheme         string          `json:"signature_scheme"`
	Secret                  string          `json:"secret,omitempty"`
	PublicKey               string          `json:"public_key,omitempty"`
	PreviousSecretExpiresAt *string         `json:"previous_secret_expires_at,omitempty"`
	Headers                 map[string]any  `json:"headers"`
	TimeoutSeconds          int             `json:"timeout_seconds"`
	RetryPolicy             string          `json:"retry_policy"`
	RetrySchedule           []float64       `json:"retry_schedule,omitempty"`
	RetrySchedulePreview    []float64       `json:"retry_schedule_preview"`
	SuccessStatus           string          `json:"success_status"`
	RateLimit               float64         `json:"rate_limit"`
	MaxConcurrency          int             `json:"max_concurrency"`
	Ordering                string          `json:"ordering"`
	OrderingFailure         string          `json:"ordering_failure"`
	CreatedAt               string          `json:"created_at"`
	UpdatedAt               string          `json:"updated_at"`
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
	signing := service.SigningOf(w)
	out := webhookJSON{
		ID:              w.ID,
		TenantID:        w.TenantID,
		Name:            w.Name,
		Description:     w.Description,
		URL:             w.URL,
		EventTypes:      w.EventTypes,
		Enabled:         w.Enabled,
		DisabledReason:  w.DisabledReason,
		FailingSince:    tsOrNil(w.FailingSince),
		Format:          w.Format,
		FormatOptions:   formatOptionsOut(w.FormatOptions),
		Filter:          w.Filter,
		SignatureScheme: signing.Scheme,
		PublicKey:       signing.PublicKey,
		Headers:         headersOut(w),
		TimeoutSeconds:  int(w.Timeout / time.Second),
		RetryPolicy:     w.RetryPolicy,
		SuccessStatus:   w.SuccessRule.String(),
		RateLimit:       w.RateLimit,
		MaxConcurrency:  w.MaxConcurrency,
		Ordering:        string(w.Ordering),
		OrderingFailure: string(w.OrderingFailure),
		CreatedAt:       ts(w.CreatedAt),
		UpdatedAt:       ts(w.UpdatedAt),
	}
	if out.EventTypes == nil {
		out.EventTypes = []string{}
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

// secretHeaderJSON stands for a secret header's value, which is
// write-only, as basic auth's password_set does for its password.
type secretHeaderJSON struct {
	Secret bool `json:"secret"`
	Set    bool `json:"set"`
}

// headersOut renders w's headers: a plain header's value, or for a secret
// one {"secret": true, "set": true}.
func headersOut(w *domain.Webhook) map[string]any {
	out := make(map[string]any, len(w.Headers))
	for name, v := range w.Headers {
		if w.SecretHeader(name) {
			out[name] = secretHeaderJSON{Secret: true, Set: true}
			continue
		}
		out[name] = v
	}
	return out
}

// toSavedJSON renders a created or changed webhook with the format's
// warnings and, for the answers that hand a new secret out, its secret.
func toSavedJSON(saved *service.Saved) webhookJSON {
	out := toWebhookJSON(saved.Webhook)
	out.Warnings = saved.Warnings
	if saved.Secret != nil {
		out.Secret = saved.Secret.Secret
		out.PreviousSecretExpiresAt = tsOrNil(saved.Secret.PreviousExpiresAt)
	}
	return out
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
	Entity          *string                    `json:"entity"`
	Actions         *[]string                  `json:"actions"`
	Enabled         *bool                      `json:"enabled"`
	Format          *string                    `json:"format"`
	FormatOptions   json.RawMessage            `json:"format_options"`
	Filter          *string                    `json:"filter"`
	BasicAuth       json.RawMessage            `json:"basic_auth"`
	SignatureScheme *string                    `json:"signature_scheme"`
	Secret          *string                    `json:"secret"`
	Headers         map[string]json.RawMessage `json:"headers"`
	TimeoutSeconds  *int                       `json:"timeout_seconds"`
	RetryPolicy     *string                    `json:"retry_policy"`
	RetrySchedule   *[]float64                 `json:"retry_schedule"`
	SuccessStatus   *string                    `json:"success_status"`
	RateLimit       *float64                   `json:"rate_limit"`
	MaxConcurrency  *int                       `json:"max_concurrency"`
	Ordering        *string                    `json:"ordering"`
	OrderingFailure *string                    `json:"ordering_failure"`
}

// basicAuthInput is the basic_auth object; an absent password keeps the
// current one, since clients never see it to send it back.
type basicAuthInput struct {
	Username *string `json:"username"`
	Password *string `json:"password"`
}

// headerInput is a header given as an object: a secret one, or one kept.
// set is read-only, accepted so that an answer can be sent back as is.
type headerInput struct {
	Value  *string `json:"value"`
	Secret *bool   `json:"secret"`
	Set    *bool   `json:"set"`
}

// headersIn decodes the headers of a body: each a value ("Bearer …") or an
// object {"value"?, "secret"?} (see docs/API.md).
func headersIn(raw map[string]json.RawMessage) (map[string]service.HeaderInput, error) {
	if raw == nil {
		return nil, nil
	}
	out := make(map[string]service.HeaderInput, len(raw))
	for name, r := range raw {
		field := joinPath("headers", name)
		var h headerInput
		switch r = bytes.TrimSpace(r); {
		case len(r) > 0 && r[0] == '"':
			var v string
			if err := json.Unmarshal(r, &v); err != nil {
				return nil, domain.FieldErrorf(field, "is not a valid JSON string")
			}
			h.Value = &v
		case len(r) > 0 && r[0] == '{':
			if err := decodeStrict(r, &h, field+"."); err != nil {
				return nil, err
			}
		default:
			return nil, domain.FieldErrorf(field, "must be a string, or an object {\"value\", \"secret\"}: leave a header out to remove it")
		}
		out[name] = service.HeaderInput{Value: h.Value, Secret: h.Secret}
	}
	return out, nil
}

// readWebhookInput decodes a webhook create or change body into the
// service's input.
func (a *API) readWebhookInput(r *http.Request) (service.WebhookInput, error) {
	var in webhookInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return service.WebhookInput{}, err
	}
	return in.toService()
}

// toService hands the body to the service; only basic_auth, kept raw to
// tell null from absent, is decoded here.
func (in *webhookInput) toService() (service.WebhookInput, error) {
	out := service.WebhookInput{
		Name: in.Name, Description: in.Description, URL: in.URL,
		EventTypes: in.EventTypes, Entity: in.Entity, Actions: in.Actions,
		Enabled: in.Enabled, Format: in.Format, FormatOptions: in.FormatOptions, Filter: in.Filter,
		SignatureScheme: in.SignatureScheme, Secret: in.Secret,
		TimeoutSeconds: in.TimeoutSeconds, RetryPolicy: in.RetryPolicy, RetrySchedule: in.RetrySchedule,
		SuccessStatus: in.SuccessStatus, RateLimit: in.RateLimit, MaxConcurrency: in.MaxConcurrency,
		Ordering: in.Ordering, OrderingFailure: in.OrderingFailure,
	}
	headers, err := headersIn(in.Headers)
	if err != nil {
		return out, err
	}
	out.Headers = headers
	switch {
	case len(in.BasicAuth) == 0:
	case string(in.BasicAuth) == "null":
		out.RemoveBasicAuth = true
	default:
		var ba basicAuthInput
		if err := decodeStrict(in.BasicAuth, &ba, "basic_auth."); err != nil {
			return out, err
		}
		out.BasicAuth = &service.BasicAuthInput{Username: ba.Username, Password: ba.Password}
	}
	return out, nil
}
