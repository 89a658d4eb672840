package domain

import "time"

// MaxResponseBody is how much of a receiver's answer the attempt log keeps.
const MaxResponseBody = 4096

// AttemptTrigger says what started an attempt.
type AttemptTrigger string

// Attempt triggers.
const (
	TriggerScheduled AttemptTrigger = "scheduled" // first try or automatic retry
	TriggerManual    AttemptTrigger = "manual"    // a resend
)

// Attempt is one HTTP try of a delivery. Attempts are append-only.
type Attempt struct {
	ID         string
	DeliveryID string
	TenantID   string
	WebhookID  string
	EventID    string
	// Number counts from 1 within the delivery.
	Number    int
	Trigger   AttemptTrigger
	StartedAt time.Time
	Duration  time.Duration
	// Request is what was sent, exactly (signature included).
	RequestURL     string
	RequestHeaders map[string][]string
	RequestBody    []byte
	// StatusCode is 0 when no response arrived (see Error).
	StatusCode      int
	ResponseHeaders map[string][]string
	// ResponseBody holds at most MaxResponseBody bytes.
	ResponseBody []byte
	// Error explains a failure that has no status code (timeout, refused
	// target, connection reset…) or why a status counted as a failure.
	Error   string
	Success bool
}
