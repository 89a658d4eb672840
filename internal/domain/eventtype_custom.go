package domain

import (
	"encoding/json"
	"time"
)

// CustomEventType is an event type a tenant registered for itself, next to
// the built-in catalog, with its own JSON Schema.
type CustomEventType struct {
	TenantID    string
	Type        string
	Title       string
	Description string
	// Schema is a JSON Schema (draft 2020-12) of the event's data.
	Schema json.RawMessage
	// Example is a realistic data object, used by test sends.
	Example json.RawMessage
	// OrderingKey, when set, is the JSON Pointer into the event's data of
	// the default ordering key of events published without one.
	OrderingKey string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
