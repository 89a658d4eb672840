package client

import (
	"encoding/json"
	"time"
)

// This file holds every answer the API gives, as JSON. It holds types
// only, so that a test can walk them by reflection and compare them with
// the API's description. A field without omitzero is always present.

// Page is one page of a list, newest first.
type Page[T any] struct {
	Data []T `json:"data"`
	// NextCursor fetches the next page (ListParams.Cursor); "" on the
	// last page.
	NextCursor string `json:"next_cursor"`
}

// ErrorResponse is the body of every error answer; Error is what the
// client returns for it.
type ErrorResponse struct {
	Error ErrorObject `json:"error"`
}

// ErrorObject says what went wrong.
type ErrorObject struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitzero"`
}

// Tenant is one customer company or portal of the LMS.
type Tenant struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Environment   string `json:"environment"`
	MaxWebhooks   int    `json:"max_webhooks"`
	RetentionDays int    `json:"retention_days"`
	// AutoDisableAfterHours is 0 for the server's default, -1 for never.
	AutoDisableAfterHours int       `json:"auto_disable_after_hours"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// APIKey is a tenant key as listed: what tells keys apart, never the key.
type APIKey struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	Name      string    `json:"name"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
}

// APIKeyList answers the list of a tenant's keys (not paginated).
type APIKeyList struct {
	Data []APIKey `json:"data"`
}

// CreatedAPIKey is a new tenant key: Key is shown in this answer only.
type CreatedAPIKey struct {
	APIKey
	Key string `json:"key"`
}

// Webhook is one receiver endpoint and what it subscribes to. It never
// holds the signing secret nor the basic auth password.
type Webhook struct {
	ID             string   `json:"id"`
	TenantID       string   `json:"tenant_id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	URL            string   `json:"url"`
	EventTypes     []string `json:"event_types"`
	Enabled        bool     `json:"enabled"`
	DisabledReason string   `json:"disabled_reason"`
	// FailingSince is when the current run of failed attempts began; nil
	// while the webhook is not failing.
	FailingSince *time.Time `json:"failing_since"`
	Format       string     `json:"format"`
	// FormatOptions is a JSON object ({} when there are none).
	FormatOptions   json.RawMessage `json:"format_options"`
	Filter          string          `json:"filter"`
	BasicAuth       *BasicAuth      `json:"basic_auth"`
	SignatureScheme string          `json:"signature_scheme"`
	PublicKey       string          `json:"public_key,omitzero"`
	// Headers shows secret headers without their value.
	Headers        map[string]HeaderValue `json:"headers"`
	TimeoutSeconds int                    `json:"timeout_seconds"`
	RetryPolicy    string                 `json:"retry_policy"`
	// RetrySchedule is set for a custom retry policy.
	RetrySchedule        []float64 `json:"retry_schedule,omitzero"`
	RetrySchedulePreview []float64 `json:"retry_schedule_preview"`
	SuccessStatus        string    `json:"success_status"`
	RateLimit            float64   `json:"rate_limit"`
	MaxConcurrency       int       `json:"max_concurrency"`
	// Ordering is OrderingNone, OrderingWebhook or OrderingKey, and
	// OrderingFailure FailureBlock or FailureSkip.
	Ordering        string    `json:"ordering"`
	OrderingFailure string    `json:"ordering_failure"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// BasicAuth shows a webhook's basic auth without its password.
type BasicAuth struct {
	Username    string `json:"username"`
	PasswordSet bool   `json:"password_set"`
}

// WebhookWithSecret answers a create and a secret rotation: the webhook
// with its new signing secret.
type WebhookWithSecret struct {
	Webhook
	Secret string `json:"secret"`
	// PreviousSecretExpiresAt is when the rotated-out secret stops
	// signing; nil when none does.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitzero"`
	// Warnings are settings that work but look wrong for the format.
	Warnings []string `json:"warnings,omitzero"`
}

// UpdatedWebhook answers a change.
type UpdatedWebhook struct {
	Webhook
	Warnings []string `json:"warnings,omitzero"`
	// CanceledDeliveries is how many scheduled deliveries disabling the
	// webhook canceled.
	CanceledDeliveries int `json:"canceled_deliveries"`
}

// WebhookSecret is a webhook's current signing secret.
type WebhookSecret struct {
	Secret          string `json:"secret"`
	SignatureScheme string `json:"signature_scheme"`
	// PublicKey is set for ed25519 webhooks: what receivers verify with.
	PublicKey               string     `json:"public_key,omitzero"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitzero"`
}

// TestResult is what a test send did: the receiver's answer and exactly
// what was sent.
type TestResult struct {
	Success bool `json:"success"`
	// Status is 0 when no response arrived (see Error).
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	DurationMS float64           `json:"duration_ms"`
	Error      string            `json:"error"`
	Request    AttemptRequest    `json:"request"`
	Event      TestEvent         `json:"event"`
}

// TestEvent is the event a test send carried.
type TestEvent struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Recovered answers a recover: how many deliveries were scheduled again.
type Recovered struct {
	Recovered int `json:"recovered"`
}

// PublishedEvent answers a publish.
type PublishedEvent struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	ReceivedAt time.Time `json:"received_at"`
	// Deliveries is how many webhooks the event was scheduled to.
	Deliveries int `json:"deliveries"`
	// Replayed is true when the idempotency key was used before: ID is
	// then the original event's, and nothing new was stored.
	Replayed bool `json:"replayed"`
}

// BatchResponse answers a batch publish: one item per event, in order.
type BatchResponse struct {
	Data []BatchItem `json:"data"`
}

// BatchItem is one event of a batch answer.
type BatchItem struct {
	ID         string `json:"id"`
	Replayed   bool   `json:"replayed"`
	Deliveries int    `json:"deliveries"`
}

// Event is a stored event with its deliveries.
type Event struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"tenant_id"`
	Type           string    `json:"type"`
	OccurredAt     time.Time `json:"occurred_at"`
	ReceivedAt     time.Time `json:"received_at"`
	IdempotencyKey string    `json:"idempotency_key,omitzero"`
	// OrderingKey is the key that orders the event's deliveries: given
	// at publish, or the type's default; "" when neither.
	OrderingKey string          `json:"ordering_key"`
	Data        json.RawMessage `json:"data"`
	Deliveries  []Delivery      `json:"deliveries"`
}

// Delivery is one event to one webhook. ID is the webhook-id the receiver
// sees, the same on every retry.
type Delivery struct {
	ID        string        `json:"id"`
	EventID   string        `json:"event_id"`
	WebhookID string        `json:"webhook_id"`
	EventType string        `json:"event_type"`
	State     DeliveryState `json:"state"`
	// Attempts is how many attempts were made.
	Attempts int `json:"attempts"`
	// NextAttemptAt is nil unless the delivery is scheduled.
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	LastStatus    int        `json:"last_status"`
	LastError     string     `json:"last_error"`
	// Ordered says the delivery keeps the order of its OrderingKey
	// (docs/ORDERING.md); HoldsKey that later deliveries of the key wait
	// for it.
	Ordered     bool   `json:"ordered"`
	OrderingKey string `json:"ordering_key,omitzero"`
	HoldsKey    bool   `json:"holds_key"`
	// SkippedAt is when an admin skipped it; nil if never.
	SkippedAt *time.Time `json:"skipped_at,omitzero"`
	// BlockedBy, set by GetDelivery on a waiting delivery, is the
	// delivery of its key it waits for.
	BlockedBy string    `json:"blocked_by,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BlockedKey is an ordering key whose earliest unfinished delivery, Head,
// finally failed under FailureBlock: Waiting deliveries of the key wait
// until it is resent or skipped.
type BlockedKey struct {
	WebhookID string   `json:"webhook_id"`
	Key       string   `json:"key"`
	Head      Delivery `json:"head"`
	Waiting   int      `json:"waiting"`
}

// DeliveryPage is a page of the audit list.
type DeliveryPage struct {
	Page[Delivery]
	// Counts is set when DeliveryParams.IncludeCounts asked for it.
	Counts map[DeliveryState]int `json:"counts,omitzero"`
}

// DeliveryDetail is one delivery with every attempt, oldest first.
type DeliveryDetail struct {
	Delivery Delivery  `json:"delivery"`
	Attempts []Attempt `json:"attempts"`
}

// Attempt is one HTTP try of a delivery.
type Attempt struct {
	Number     int            `json:"number"`
	Trigger    string         `json:"trigger"`
	StartedAt  time.Time      `json:"started_at"`
	DurationMS float64        `json:"duration_ms"`
	Request    AttemptRequest `json:"request"`
	// Response is nil when no response arrived (see Error).
	Response *AttemptResponse `json:"response"`
	Error    string           `json:"error"`
	Success  bool             `json:"success"`
}

// AttemptRequest is what was sent, credentials masked.
type AttemptRequest struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// AttemptResponse is what the receiver answered; Body keeps at most 4 KiB.
type AttemptResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// Stats are a tenant's numbers per webhook over a window.
type Stats struct {
	Since time.Time      `json:"since"`
	Until time.Time      `json:"until"`
	Data  []WebhookStats `json:"data"`
}

// WebhookStats are one webhook's numbers. SuccessRate, P50MS and P95MS
// are nil when it had no calls in the window.
type WebhookStats struct {
	WebhookID string `json:"webhook_id"`
	// Name is "" for a webhook deleted since.
	Name        string   `json:"name"`
	Calls       int      `json:"calls"`
	Errors      int      `json:"errors"`
	SuccessRate *float64 `json:"success_rate"`
	P50MS       *float64 `json:"p50_ms"`
	P95MS       *float64 `json:"p95_ms"`
}

// PortalLink is a signed, expiring link to a tenant's console pages.
type PortalLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// EventTypeSummary is an event type as listed: without schema and
// example.
type EventTypeSummary struct {
	Type        string     `json:"type"`
	Entity      string     `json:"entity"`
	Action      string     `json:"action"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Variables   []Variable `json:"variables"`
	// OrderingKey is the JSON Pointer into the data of the type's default
	// ordering key; "" when it names none.
	OrderingKey string `json:"ordering_key"`
	// Custom is true for a tenant's own type.
	Custom bool `json:"custom"`
}

// Variable is a template variable of form-encoded formats.
type Variable struct {
	// Name is the variable as an admin types it: "@user_email".
	Name string `json:"name"`
	// Path is the JSON Pointer of its value in the event's data.
	Path        string `json:"path"`
	Description string `json:"description"`
}

// EventType is one event type with the JSON Schema of its data and an
// example (JSON null when it has none).
type EventType struct {
	EventTypeSummary
	Schema  json.RawMessage `json:"schema"`
	Example json.RawMessage `json:"example"`
}

// FilterCheck answers a filter check.
type FilterCheck struct {
	Valid bool `json:"valid"`
	// Result is nil when nothing was evaluated or the evaluation failed.
	Result *bool `json:"result"`
	// Error says why Valid is false.
	Error *string `json:"error"`
}
