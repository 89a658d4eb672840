package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Webhook limits and defaults.
const (
	MaxURLLength          = 2048
	DefaultTimeout        = 15 * time.Second
	MinTimeout            = 1 * time.Second
	MaxTimeout            = 60 * time.Second
	DefaultMaxConcurrency = 16
	MaxMaxConcurrency     = 256
	DefaultFormat         = "standard"
	DefaultRetryPolicy    = "standard"
	CustomRetryPolicy     = "custom"
)

// BasicAuth is sent as "Authorization: Basic base64(username:password)"
// (seed 000's "Enable Authentication").
type BasicAuth struct {
	Username string
	Password string
}

// Webhook is one subscriber endpoint configured by a tenant admin.
type Webhook struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	URL         string
	// EventTypes lists the subscribed types; each may be a wildcard
	// ("course_enrollment.*", "*.completed", "*").
	EventTypes []string
	Enabled    bool
	// DisabledReason says why lmshooks disabled the webhook by itself (for
	// example after a 410 Gone); empty when an admin disabled it.
	DisabledReason string
	Format         string
	// FormatOptions holds settings of the chosen format (a JSON object
	// that the format validates), e.g. CYPHER's form parameters.
	FormatOptions json.RawMessage
	// Filter is an optional expression on the event that must hold for a
	// delivery to be made (evaluated at fan-out).
	Filter    string
	BasicAuth *BasicAuth
	// Secret signs deliveries: "whsec_…" (HMAC-SHA256) or "whsk_…" (ed25519).
	Secret string
	// PreviousSecret keeps signing until PreviousSecretExpiresAt after a
	// rotation, so receivers can switch without dropping deliveries.
	PreviousSecret          string
	PreviousSecretExpiresAt time.Time
	// Headers are extra request headers, by name.
	Headers map[string]string
	// SecretHeaders names the headers that the admin flagged as secret
	// although their names do not say so (SecretHeaderName): a secret
	// header's value is write-only and masked in the audit log.
	SecretHeaders []string
	Timeout       time.Duration
	// RetryPolicy names a preset, or "custom" with RetryWaits.
	RetryPolicy string
	RetryWaits  []time.Duration
	SuccessRule SuccessRule
	// RateLimit is the most deliveries per second; 0 means no limit.
	RateLimit float64
	// MaxConcurrency is the most requests in flight at once; 0 means the
	// default.
	MaxConcurrency int
	// Ordering says whether deliveries keep the events' order (default
	// none), and OrderingFailure what a finally failed delivery does to
	// the ones behind it (default block); see ordering.go.
	Ordering        Ordering
	OrderingFailure OrderingFailure
	// FailingSince is when the first failed attempt after the last success
	// (or since creation) started; zero while the webhook is not failing.
	// The store keeps it as it records attempts.
	FailingSince time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ActiveSecrets returns the secrets that sign a delivery at now: the current
// one and, during a rotation's overlap window, the previous one.
func (w *Webhook) ActiveSecrets(now time.Time) []string {
	s := []string{w.Secret}
	if w.PreviousSecret != "" && now.Before(w.PreviousSecretExpiresAt) {
		s = append(s, w.PreviousSecret)
	}
	return s
}

// Concurrency returns the effective maximum of requests in flight.
func (w *Webhook) Concurrency() int {
	if w.MaxConcurrency <= 0 {
		return DefaultMaxConcurrency
	}
	return w.MaxConcurrency
}

// SuccessRule is the inclusive range of HTTP status codes that count as a
// successful delivery. Redirects are never followed, so a 3xx outside the
// range is a failure.
type SuccessRule struct {
	Min, Max int
}

// DefaultSuccessRule counts only 2xx as success (Standard Webhooks).
var DefaultSuccessRule = SuccessRule{Min: 200, Max: 299}

// Accepts reports whether status counts as a success.
func (r SuccessRule) Accepts(status int) bool { return status >= r.Min && status <= r.Max }

// String renders the rule as "2xx" or "200-308".
func (r SuccessRule) String() string {
	if r == DefaultSuccessRule {
		return "2xx"
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}

// ParseSuccessRule parses "2xx" or an inclusive range such as "200-308".
func ParseSuccessRule(s string) (SuccessRule, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "2xx" {
		return DefaultSuccessRule, nil
	}
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		return SuccessRule{}, fmt.Errorf("must be \"2xx\" or a range like \"200-308\"")
	}
	min, err1 := strconv.Atoi(strings.TrimSpace(lo))
	max, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || min < 200 || max > 399 || min > max {
		return SuccessRule{}, fmt.Errorf("must be a range of status codes within 200-399 like \"200-308\"")
	}
	return SuccessRule{Min: min, Max: max}, nil
}

// Normalize trims and defaults the webhook's fields.
func (w *Webhook) Normalize() {
	w.Name = strings.TrimSpace(w.Name)
	w.Description = strings.TrimSpace(w.Description)
	w.URL = strings.TrimSpace(w.URL)
	if w.Format == "" {
		w.Format = DefaultFormat
	}
	if w.RetryPolicy == "" {
		if len(w.RetryWaits) > 0 {
			w.RetryPolicy = CustomRetryPolicy
		} else {
			w.RetryPolicy = DefaultRetryPolicy
		}
	}
	if w.Timeout == 0 {
		w.Timeout = DefaultTimeout
	}
	if w.SuccessRule == (SuccessRule{}) {
		w.SuccessRule = DefaultSuccessRule
	}
	types := make([]string, 0, len(w.EventTypes))
	seen := map[string]bool{}
	for _, t := range w.EventTypes {
		t = strings.TrimSpace(t)
		if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	sort.Strings(types)
	w.EventTypes = types
	w.normalizeSecretHeaders()
	w.normalizeOrdering()
}

// Validate checks every field that does not need outside knowledge (the
// retry preset and format names are checked by their own packages).
func (w *Webhook) Validate() error {
	if w.Name == "" {
		return FieldErrorf("name", "is required")
	}
	if len(w.Name) > 200 {
		return FieldErrorf("name", "must be at most 200 characters")
	}
	for _, f := range []struct{ name, value string }{{"name", w.Name}, {"description", w.Description}, {"filter", w.Filter}} {
		if !ValidText(f.value) {
			return textError(f.name)
		}
	}
	if len(w.Filter) > 4096 {
		return FieldErrorf("filter", "must be at most 4096 characters")
	}
	if len(w.FormatOptions) > 0 && !json.Valid(w.FormatOptions) {
		return FieldErrorf("format_options", "must be a JSON object")
	}
	if len(w.Description) > 2000 {
		return FieldErrorf("description", "must be at most 2000 characters")
	}
	if err := ValidateURL(w.URL); err != nil {
		return err
	}
	if len(w.EventTypes) == 0 {
		return FieldErrorf("event_types", "must list at least one event type or pattern (\"*\" for all)")
	}
	for i, t := range w.EventTypes {
		if !ValidEventPattern(t) {
			return FieldErrorf(fmt.Sprintf("event_types[%d]", i), "%q is not an event type pattern: use <entity>.<action> with lowercase letters, digits and '_', or '*' for a whole part", t)
		}
	}
	if w.BasicAuth != nil {
		if w.BasicAuth.Username == "" {
			return FieldErrorf("basic_auth.username", "is required when basic auth is set")
		}
		if strings.Contains(w.BasicAuth.Username, ":") {
			return FieldErrorf("basic_auth.username", "must not contain ':'")
		}
		// Seed 000 sends "the user password you mention": without one the
		// header would authenticate nobody, which is a forgotten field.
		if w.BasicAuth.Password == "" {
			return FieldErrorf("basic_auth.password", "is required when basic auth is set")
		}
		if !ValidText(w.BasicAuth.Username) {
			return textError("basic_auth.username")
		}
		if !ValidText(w.BasicAuth.Password) {
			return textError("basic_auth.password")
		}
	}
	if w.Secret != "" && !strings.HasPrefix(w.Secret, "whsec_") && !strings.HasPrefix(w.Secret, "whsk_") {
		return FieldErrorf("secret", "must start with \"whsec_\" (HMAC-SHA256) or \"whsk_\" (ed25519)")
	}
	if err := w.validateHeaders(); err != nil {
		return err
	}
	if w.Timeout < MinTimeout || w.Timeout > MaxTimeout {
		return FieldErrorf("timeout_seconds", "must be between %d and %d seconds", int(MinTimeout/time.Second), int(MaxTimeout/time.Second))
	}
	if w.RetryPolicy == CustomRetryPolicy {
		if len(w.RetryWaits) == 0 || len(w.RetryWaits) > 50 {
			return FieldErrorf("retry_schedule", "a custom policy needs 1 to 50 waits")
		}
		for i, d := range w.RetryWaits {
			if d < 0 || d > 7*24*time.Hour {
				return FieldErrorf(fmt.Sprintf("retry_schedule[%d]", i), "must be between 0 and 7 days")
			}
		}
	} else if len(w.RetryWaits) > 0 {
		return FieldErrorf("retry_schedule", "is only allowed with retry_policy \"custom\"")
	}
	if w.RateLimit < 0 || w.RateLimit > 100000 {
		return FieldErrorf("rate_limit", "must be between 0 (unlimited) and 100000 per second")
	}
	if w.MaxConcurrency < 0 || w.MaxConcurrency > MaxMaxConcurrency {
		return FieldErrorf("max_concurrency", "must be between 0 (default %d) and %d", DefaultMaxConcurrency, MaxMaxConcurrency)
	}
	return w.validateOrdering()
}
