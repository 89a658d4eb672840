package domain

import "time"

// DeliveryState is a delivery's place in its life, exactly as seed 000's
// audit list shows it.
type DeliveryState string

// Delivery states.
const (
	// Scheduled waits for its first or next try.
	Scheduled DeliveryState = "scheduled"
	// Succeeded was accepted by the receiver.
	Succeeded DeliveryState = "succeeded"
	// Failed exhausted its retry policy (or its webhook answered 410 Gone).
	Failed DeliveryState = "failed"
	// Canceled was scheduled when its webhook was disabled or deleted.
	Canceled DeliveryState = "canceled"
)

// DeliveryStates lists the states in the order the audit shows them.
var DeliveryStates = []DeliveryState{Scheduled, Succeeded, Failed, Canceled}

// Valid reports whether s is a known state.
func (s DeliveryState) Valid() bool {
	switch s {
	case Scheduled, Succeeded, Failed, Canceled:
		return true
	}
	return false
}

// Delivery is one event to one webhook. Its ID is sent to the receiver as
// webhook-id and never changes across retries.
type Delivery struct {
	ID        string
	TenantID  string
	EventID   string
	WebhookID string
	EventType string
	State     DeliveryState
	// Attempts counts the HTTP tries made so far.
	Attempts int
	// RetryFrom is the value of Attempts when the retry schedule last
	// started over (a recover or resend starts it over); the next wait is
	// schedule[Attempts-RetryFrom-1].
	RetryFrom int
	// NextAttemptAt is when a scheduled delivery is due; zero otherwise.
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	// Ordered is set when the webhook ordered its deliveries as this one
	// was made; OrderingKey is then its key (see Webhook.DeliveryOrderingKey).
	Ordered     bool
	OrderingKey string
	// HoldsKey is set while later deliveries of the key must wait for
	// this one (see Webhook.HoldsKeyAfter).
	HoldsKey bool
	// SkippedAt is when an admin skipped this delivery, letting the ones
	// behind it go; zero if never.
	SkippedAt time.Time
	// BlockedBy names, for a scheduled ordered delivery that is waiting,
	// the delivery of its key it waits for; filled by GetDelivery only.
	BlockedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Job is a delivery claimed for an attempt, with the event it carries.
type Job struct {
	Delivery Delivery
	Event    Event
	// LeaseUntil is when the lease under which the job was handed over
	// expires, if known; past it another node may attempt the delivery.
	LeaseUntil time.Time
}
