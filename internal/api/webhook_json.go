package api

import (
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
	FailingSince            *string           `json:"failing_since"`
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
		SignatureScheme: in.SignatureScheme, Secret: in.Secret, Headers: in.Headers,
		TimeoutSeconds: in.TimeoutSeconds, RetryPolicy: in.RetryPolicy, RetrySchedule: in.RetrySchedule,
		SuccessStatus: in.SuccessStatus, RateLimit: in.RateLimit, MaxConcurrency: in.MaxConcurrency,
	}
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
