package client

import (
	"encoding/json"
	"time"
)

// This file holds every request the API takes: JSON bodies (json tags) and
// query parameters (query tags). It holds types only, so that a test can
// walk them by reflection and compare them with the API's description.

// ListParams pages through a list. The zero value asks for the first page
// of the server's default size (100).
type ListParams struct {
	// Cursor is a NextCursor of the same list; "" for the first page.
	Cursor string `query:"cursor"`
	// Limit is the page size, at most 1000; 0 for the server's default.
	Limit int `query:"limit"`
}

// TenantRequest creates a tenant (operator key only).
type TenantRequest struct {
	// ID may be the LMS's own company id; generated (tnt_…) when empty.
	ID   string `json:"id,omitzero"`
	Name string `json:"name"`
	// Environment is EnvironmentProduction (the default) or
	// EnvironmentSandbox.
	Environment string `json:"environment,omitzero"`
	// MaxWebhooks caps the tenant's webhooks; 0 means unlimited.
	MaxWebhooks int `json:"max_webhooks,omitzero"`
	// RetentionDays is how long the tenant's audit is kept, 1–3650; 0
	// means the server's default.
	RetentionDays int `json:"retention_days,omitzero"`
	// AutoDisableAfterHours is how long every attempt to a webhook may
	// fail before it is disabled, 1–8760; 0 means the server's default,
	// -1 never.
	AutoDisableAfterHours int `json:"auto_disable_after_hours,omitzero"`
}

// TenantUpdate changes a tenant: only the fields that are not nil change.
// A tenant key may change Name and AutoDisableAfterHours only.
type TenantUpdate struct {
	Name          *string `json:"name,omitzero"`
	Environment   *string `json:"environment,omitzero"`
	MaxWebhooks   *int    `json:"max_webhooks,omitzero"`
	RetentionDays *int    `json:"retention_days,omitzero"`
	// AutoDisableAfterHours 0 restores the server's default, -1 is never;
	// a tenant key may change it too.
	AutoDisableAfterHours *int `json:"auto_disable_after_hours,omitzero"`
}

// APIKeyRequest creates a tenant key.
type APIKeyRequest struct {
	// Name says who or what uses the key.
	Name string `json:"name"`
}

// WebhookRequest creates a webhook. Zero fields take the server's
// defaults; docs/API.md describes each field.
type WebhookRequest struct {
	Name        string `json:"name"`
	Description string `json:"description,omitzero"`
	URL         string `json:"url"`
	// EventTypes are types or patterns ("user.created", "user.*", "*").
	// Entity with Actions is the other way to subscribe.
	EventTypes []string `json:"event_types,omitzero"`
	Entity     string   `json:"entity,omitzero"`
	Actions    []string `json:"actions,omitzero"`
	// Enabled defaults to true.
	Enabled *bool  `json:"enabled,omitzero"`
	Format  string `json:"format,omitzero"`
	// FormatOptions are the chosen format's settings: any value that
	// encodes to a JSON object.
	FormatOptions any `json:"format_options,omitzero"`
	// Filter is a CEL expression on the event.
	Filter    string            `json:"filter,omitzero"`
	BasicAuth *BasicAuthRequest `json:"basic_auth,omitzero"`
	// SignatureScheme is SchemeHMACSHA256 (the default) or SchemeEd25519.
	SignatureScheme string `json:"signature_scheme,omitzero"`
	// Secret supplies the signing secret (whsec_… or whsk_…); generated
	// when empty.
	Secret string `json:"secret,omitzero"`
	// Headers are added to every request; see HeaderValue for secret
	// (write-only) ones.
	Headers        map[string]HeaderValue `json:"headers,omitzero"`
	TimeoutSeconds int                    `json:"timeout_seconds,omitzero"`
	RetryPolicy    string                 `json:"retry_policy,omitzero"`
	// RetrySchedule is the waits in seconds of a custom retry policy.
	RetrySchedule  []float64 `json:"retry_schedule,omitzero"`
	SuccessStatus  string    `json:"success_status,omitzero"`
	RateLimit      float64   `json:"rate_limit,omitzero"`
	MaxConcurrency int       `json:"max_concurrency,omitzero"`
	// Ordering is OrderingNone (the default), OrderingWebhook or
	// OrderingKey; OrderingFailure FailureBlock (the default) or
	// FailureSkip.
	Ordering        string `json:"ordering,omitzero"`
	OrderingFailure string `json:"ordering_failure,omitzero"`
}

// WebhookUpdate changes a webhook: only the fields that are set (non-nil)
// change. An empty, non-nil Headers removes every header; an empty Filter
// removes the filter; BasicAuth set to NoBasicAuth() removes basic auth.
type WebhookUpdate struct {
	Name            *string                `json:"name,omitzero"`
	Description     *string                `json:"description,omitzero"`
	URL             *string                `json:"url,omitzero"`
	EventTypes      []string               `json:"event_types,omitzero"`
	Entity          *string                `json:"entity,omitzero"`
	Actions         []string               `json:"actions,omitzero"`
	Enabled         *bool                  `json:"enabled,omitzero"`
	Format          *string                `json:"format,omitzero"`
	FormatOptions   any                    `json:"format_options,omitzero"`
	Filter          *string                `json:"filter,omitzero"`
	BasicAuth       *BasicAuthRequest      `json:"basic_auth,omitzero"`
	Headers         map[string]HeaderValue `json:"headers,omitzero"`
	TimeoutSeconds  *int                   `json:"timeout_seconds,omitzero"`
	RetryPolicy     *string                `json:"retry_policy,omitzero"`
	RetrySchedule   []float64              `json:"retry_schedule,omitzero"`
	SuccessStatus   *string                `json:"success_status,omitzero"`
	RateLimit       *float64               `json:"rate_limit,omitzero"`
	MaxConcurrency  *int                   `json:"max_concurrency,omitzero"`
	Ordering        *string                `json:"ordering,omitzero"`
	OrderingFailure *string                `json:"ordering_failure,omitzero"`
}

// BasicAuthRequest sets the credentials sent as Authorization: Basic. In
// a WebhookUpdate an empty Password keeps the current one.
type BasicAuthRequest struct {
	Username string `json:"username"`
	Password string `json:"password,omitzero"`

	remove bool // encodes as null: see NoBasicAuth
}

// NoBasicAuth returns the WebhookUpdate.BasicAuth value that removes a
// webhook's basic auth (JSON null).
func NoBasicAuth() *BasicAuthRequest { return &BasicAuthRequest{remove: true} }

// MarshalJSON encodes b, or null for NoBasicAuth().
func (b BasicAuthRequest) MarshalJSON() ([]byte, error) {
	if b.remove {
		return []byte("null"), nil
	}
	type plain BasicAuthRequest // without this method
	return json.Marshal(plain(b))
}

// RotateSecretRequest rotates a webhook's signing secret.
type RotateSecretRequest struct {
	// OverlapSeconds is how long the old secret keeps signing (0 drops
	// it at once); nil means the server's default (24 hours).
	OverlapSeconds *int `json:"overlap_seconds,omitzero"`
}

// TestRequest says what a test send carries; both fields are optional.
type TestRequest struct {
	// EventType defaults to a type the webhook subscribes to.
	EventType string `json:"event_type,omitzero"`
	// Data defaults to the type's example.
	Data any `json:"data,omitzero"`
}

// UnsavedTestRequest is a webhook, as for a create, plus what the test
// send carries. Nothing is stored.
type UnsavedTestRequest struct {
	WebhookRequest
	EventType string `json:"event_type,omitzero"`
	Data      any    `json:"data,omitzero"`
}

// RecoverRequest re-schedules a webhook's failed and canceled deliveries
// created in [Since, Until).
type RecoverRequest struct {
	Since time.Time `json:"since"`
	// Until defaults to now.
	Until time.Time `json:"until,omitzero"`
}

// PublishRequest is one event to publish.
type PublishRequest struct {
	// Type is an event type of the catalog or of the tenant's own.
	Type string `json:"type"`
	// Data is any value that encodes to a JSON object; a json.RawMessage
	// is sent byte for byte.
	Data any `json:"data"`
	// IdempotencyKey makes retrying the publish safe: a key the tenant
	// used before stores nothing and answers the original event.
	IdempotencyKey string `json:"idempotency_key,omitzero"`
	// OccurredAt is when it happened in the LMS; default: when lmshooks
	// received it.
	OccurredAt time.Time `json:"occurred_at,omitzero"`
	// OrderingKey orders the event's deliveries to webhooks ordered by
	// key (the enrollment or user id, say); without it, the type's
	// default applies.
	OrderingKey string `json:"ordering_key,omitzero"`
}

// BatchRequest publishes up to 1,000 events in one transaction.
type BatchRequest struct {
	Events []PublishRequest `json:"events"`
}

// DeliveryParams filters and pages the audit list. Every field is
// optional.
type DeliveryParams struct {
	ListParams
	State     DeliveryState `query:"state"`
	WebhookID string        `query:"webhook_id"`
	EventType string        `query:"event_type"`
	EventID   string        `query:"event_id"`
	// Since and Until bound the creation time: [Since, Until).
	Since time.Time `query:"since"`
	Until time.Time `query:"until"`
	// IncludeCounts adds the counts per state under the same filters
	// (State aside) to the answer.
	IncludeCounts bool `query:"include_counts"`
}

// BlockedKeyParams filters the blocked keys.
type BlockedKeyParams struct {
	// WebhookID keeps one webhook's keys.
	WebhookID string `query:"webhook_id"`
}

// StatsParams picks the window of the statistics: Window back from now
// (default 24h), or Since to Until (default now); at most 31 days.
type StatsParams struct {
	Window time.Duration `query:"window"`
	Since  time.Time     `query:"since"`
	Until  time.Time     `query:"until"`
}

// PortalLinkRequest asks for a link to a tenant's console pages.
type PortalLinkRequest struct {
	// TTLSeconds is how long the link is valid; 0 means the server's
	// default (3600).
	TTLSeconds int `json:"ttl_seconds,omitzero"`
}

// EventTypeParams narrows a list of event types.
type EventTypeParams struct {
	// Entity keeps the types of one entity ("course_enrollment").
	Entity string `query:"entity"`
}

// EventTypeRequest registers a tenant's own event type.
type EventTypeRequest struct {
	Title       string `json:"title,omitzero"`
	Description string `json:"description,omitzero"`
	// Schema is a self-contained JSON Schema of the type's data; without
	// one, any JSON object is accepted.
	Schema any `json:"schema,omitzero"`
	// Example must follow the schema; test sends and `lmshooks trigger`
	// use it.
	Example any `json:"example,omitzero"`
	// OrderingKey is a JSON Pointer into the data ("/learner/id") whose
	// value is the default ordering key of the type's events.
	OrderingKey string `json:"ordering_key,omitzero"`
}

// FilterCheckRequest tries a filter before saving it.
type FilterCheckRequest struct {
	Filter string `json:"filter"`
	// EventType runs the save-time checks of that type.
	EventType string `json:"event_type,omitzero"`
	// Data is what the filter is evaluated on; default: the type's
	// example.
	Data any `json:"data,omitzero"`
}
