package domain

import (
	"encoding/json"
	"time"
)

// MaxIdempotencyKeyLength bounds idempotency keys.
const MaxIdempotencyKeyLength = 255

// Event is one occurrence published by the LMS. It never changes once stored.
type Event struct {
	ID       string
	TenantID string
	Type     string
	// OccurredAt is when it happened in the LMS (defaults to ReceivedAt).
	OccurredAt time.Time
	ReceivedAt time.Time
	// Data is the event's JSON object, stored as received (compacted).
	Data           json.RawMessage
	IdempotencyKey string
	// OrderingKey orders the event's deliveries to webhooks ordered by
	// key: given at publish, or else taken from the data where its type
	// names a default (see catalog); "" when neither.
	OrderingKey string
}

// Validate checks the event's fields. Index, when ≥ 0, prefixes field names
// with "events[i]." so that batch errors say where they are.
func (e *Event) Validate(fieldPrefix string) error {
	if e.Type == "" {
		return FieldErrorf(fieldPrefix+"type", "is required")
	}
	if !ValidEventType(e.Type) {
		return FieldErrorf(fieldPrefix+"type", "%q must have the form <entity>.<action> in lowercase letters, digits and '_' (for example \"course_enrollment.completed\")", e.Type)
	}
	if len(e.Data) == 0 {
		return FieldErrorf(fieldPrefix+"data", "is required and must be a JSON object")
	}
	if e.Data[0] != '{' {
		return FieldErrorf(fieldPrefix+"data", "must be a JSON object")
	}
	if len(e.IdempotencyKey) > MaxIdempotencyKeyLength {
		return FieldErrorf(fieldPrefix+"idempotency_key", "must be at most %d characters", MaxIdempotencyKeyLength)
	}
	if !ValidText(e.IdempotencyKey) {
		return textError(fieldPrefix + "idempotency_key")
	}
	return ValidateOrderingKey(fieldPrefix+"ordering_key", e.OrderingKey)
}

// IdempotencyKeyOf returns the idempotency key of a publish that can carry
// it twice: in its body and in an Idempotency-Key header (what HTTP clients
// with retry middleware send). Either alone is the key; both must agree,
// since picking one would silently drop the other.
func IdempotencyKeyOf(body, header string) (string, error) {
	switch {
	case header == "":
		return body, nil
	case body == "" || body == header:
		return header, nil
	}
	return "", FieldErrorf("idempotency_key", "%q differs from the Idempotency-Key header %q: send the key once, or the same in both", body, header)
}
