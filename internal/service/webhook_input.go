package service

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
)

// WebhookInput is a webhook create or change as the surfaces decoded it,
// with the API's field names (docs/API.md). A nil field was not given:
// a change keeps its value, a create takes the default. Errors name the
// fields as the API does ("event_types[2]", "headers.X-Key", …).
type WebhookInput struct {
	Name        *string
	Description *string
	URL         *string
	// EventTypes are types and patterns, in the order the caller sent them
	// (errors point at an element by its place).
	EventTypes *[]string
	// Entity and Actions are the other way to subscribe: one entity and
	// some of its actions ("*" for all), stored as "entity.action".
	Entity  *string
	Actions *[]string
	Enabled *bool
	Format  *string
	// FormatOptions is a JSON object; null or {} removes the options.
	FormatOptions json.RawMessage
	Filter        *string
	// BasicAuth sets or changes basic auth; RemoveBasicAuth drops it.
	BasicAuth       *BasicAuthInput
	RemoveBasicAuth bool
	// SignatureScheme and Secret are for a create only: "hmac-sha256"
	// (the default) or "ed25519", and a secret of the caller's own.
	SignatureScheme *string
	Secret          *string
	// Headers replace the extra request headers when not nil: a header
	// left out is removed.
	Headers        map[string]HeaderInput
	TimeoutSeconds *int
	RetryPolicy    *string
	// RetrySchedule is a custom schedule: waits in seconds. Giving only a
	// schedule implies the "custom" policy.
	RetrySchedule  *[]float64
	SuccessStatus  *string
	RateLimit      *float64
	MaxConcurrency *int
	// Ordering and OrderingFailure are the ordering settings by their API
	// names ("none", "webhook", "key"; "block", "skip"); the domain's
	// Validate refuses unknown ones.
	Ordering        *string
	OrderingFailure *string
	// AskBeforeCanceling makes a change that would disable the webhook
	// and cancel scheduled deliveries fail with a *CancelPending instead.
	AskBeforeCanceling bool
}

// HeaderInput is one extra request header as given. A secret header's
// value is write-only (callers never see it to send it back), so a nil
// Value keeps the value stored for a secret header of that name, and the
// header stays secret. Secret, when given, flags the header as secret or
// not; a header whose name says it holds a credential is secret anyway
// (domain.SecretHeaderName).
type HeaderInput struct {
	Value  *string
	Secret *bool
}

// BasicAuthInput is basic auth as given; a nil password keeps the stored
// one, since callers never see it to send it back.
type BasicAuthInput struct {
	Username *string
	Password *string
}

// maxWait bounds one wait of a custom retry schedule (as the domain does).
const maxWait = 7 * 24 * time.Hour

// apply copies the present fields of in onto w and checks what the
// domain's Validate cannot see (entity and actions, ranges of values
// before they become durations). Secrets are handled by the callers,
// since only create accepts them.
func (in *WebhookInput) apply(w *domain.Webhook) error {
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
			// Re-enabling starts afresh: no reason, and no failing streak
			// that would disable the webhook again at once.
			w.DisabledReason = ""
			w.FailingSince = time.Time{}
		}
	}
	if in.Format != nil {
		w.Format = strings.TrimSpace(*in.Format)
	}
	if len(in.FormatOptions) > 0 {
		opts, err := normalizeFormatOptions(in.FormatOptions)
		if err != nil {
			return err
		}
		w.FormatOptions = opts
	}
	if in.Filter != nil {
		w.Filter = strings.TrimSpace(*in.Filter)
	}
	if err := in.applyBasicAuth(w); err != nil {
		return err
	}
	if err := in.applyHeaders(w); err != nil {
		return err
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
	if in.Ordering != nil {
		w.Ordering = domain.Ordering(strings.TrimSpace(*in.Ordering))
	}
	if in.OrderingFailure != nil {
		w.OrderingFailure = domain.OrderingFailure(strings.TrimSpace(*in.OrderingFailure))
	}
	return nil
}

// typesSent says whether in touches the subscription.
func (in *WebhookInput) typesSent() bool {
	return in.EventTypes != nil || in.Entity != nil || in.Actions != nil
}

// applyEventTypes takes either event_types or entity + actions.
func (in *WebhookInput) applyEventTypes(w *domain.Webhook) error {
	if in.Entity == nil && in.Actions == nil {
		if in.EventTypes == nil {
			return nil
		}
		// Checked here, in the order given, because Normalize sorts the
		// list and the error must point at the element the caller sent.
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
	types, err := in.entityTypes()
	if err != nil {
		return err
	}
	w.EventTypes = types
	return nil
}

// entityTypes turns entity + actions into "entity.action" types.
func (in *WebhookInput) entityTypes() ([]string, error) {
	if in.Entity == nil || strings.TrimSpace(*in.Entity) == "" {
		return nil, domain.FieldErrorf("entity", "is required with actions")
	}
	entity := strings.TrimSpace(*in.Entity)
	if !domain.ValidEventPattern(entity + ".x") {
		return nil, domain.FieldErrorf("entity", "%q is not an entity: use lowercase letters, digits and '_' (for example \"course_enrollment\")", entity)
	}
	if in.Actions == nil || len(*in.Actions) == 0 {
		return nil, domain.FieldErrorf("actions", "must list at least one action (for example [\"created\", \"completed\"], or [\"*\"] for all)")
	}
	types := make([]string, len(*in.Actions))
	for i, act := range *in.Actions {
		act = strings.TrimSpace(act)
		if act == "" || !domain.ValidEventPattern(entity+"."+act) {
			return nil, domain.FieldErrorf(fieldAt("actions", i), "%q is not an action: use lowercase letters, digits and '_', or '*'", act)
		}
		types[i] = entity + "." + act
	}
	return types, nil
}

// applyBasicAuth sets, changes (keeping an unsent password) or removes
// basic auth.
func (in *WebhookInput) applyBasicAuth(w *domain.Webhook) error {
	if in.RemoveBasicAuth {
		w.BasicAuth = nil
		return nil
	}
	if in.BasicAuth == nil {
		return nil
	}
	next := &domain.BasicAuth{}
	if w.BasicAuth != nil {
		*next = *w.BasicAuth
	}
	if in.BasicAuth.Username != nil {
		next.Username = strings.TrimSpace(*in.BasicAuth.Username)
	}
	if in.BasicAuth.Password != nil {
		next.Password = *in.BasicAuth.Password
	}
	if strings.ContainsAny(next.Password, "\r\n") {
		return domain.FieldErrorf("basic_auth.password", "must not contain line breaks")
	}
	w.BasicAuth = next
	return nil
}

// applyHeaders replaces the extra request headers and which of them are
// secret, keeping the stored values of secret headers given without one.
func (in *WebhookInput) applyHeaders(w *domain.Webhook) error {
	if in.Headers == nil {
		return nil
	}
	headers := make(map[string]string, len(in.Headers))
	var flagged []string
	for name, h := range in.Headers {
		field := "headers." + name
		if h.Value != nil {
			headers[name] = *h.Value
			if h.Secret != nil && *h.Secret {
				flagged = append(flagged, name)
			}
			continue
		}
		stored, ok := storedSecretHeader(w, name)
		if !ok {
			return domain.FieldErrorf(field, "needs a value: only a secret header already saved keeps its value when none is given")
		}
		if h.Secret != nil && !*h.Secret {
			return domain.FieldErrorf(field+".secret", "cannot be false while the value is kept: give the value to make the header plain")
		}
		headers[name] = stored
		flagged = append(flagged, name)
	}
	w.Headers, w.SecretHeaders = headers, flagged
	return nil
}

// storedSecretHeader returns the value of w's secret header name, in any
// case.
func storedSecretHeader(w *domain.Webhook, name string) (string, bool) {
	for k, v := range w.Headers {
		if strings.EqualFold(k, name) && w.SecretHeader(k) {
			return v, true
		}
	}
	return "", false
}

// applyRetry sets the retry policy: a preset name, or "custom" with a
// schedule (giving only a schedule implies "custom").
func (in *WebhookInput) applyRetry(w *domain.Webhook) error {
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

// checkRetry checks the retry policy's name and schedule.
func checkRetry(w *domain.Webhook) error {
	_, err := retry.ForWebhook(w)
	return err
}

// fieldAt returns "prefix[i]" for error fields of list elements.
func fieldAt(prefix string, i int) string { return fmt.Sprintf("%s[%d]", prefix, i) }
