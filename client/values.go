package client

// The values the API's enumerated fields take.

// DeliveryState is where a delivery stands.
type DeliveryState string

// The states of a delivery.
const (
	// Scheduled waits for its first or next attempt.
	Scheduled DeliveryState = "scheduled"
	Succeeded DeliveryState = "succeeded"
	// Failed ran out of retries, or the receiver answered 410 Gone.
	Failed DeliveryState = "failed"
	// Canceled: its webhook was disabled or deleted.
	Canceled DeliveryState = "canceled"
)

// A webhook's orderings (Webhook.Ordering; see docs/ORDERING.md).
const (
	// OrderingNone sends each delivery as soon as it is due (the default).
	OrderingNone = "none"
	// OrderingWebhook sends one delivery of the webhook at a time, in order.
	OrderingWebhook = "webhook"
	// OrderingKey sends the deliveries of each ordering key one at a time,
	// in order, and different keys in parallel.
	OrderingKey = "key"
)

// What an ordered delivery that finally failed does to the deliveries of
// its key behind it (Webhook.OrderingFailure).
const (
	// FailureBlock makes them wait until an admin resends or skips it
	// (the default).
	FailureBlock = "block"
	// FailureSkip lets the next one go.
	FailureSkip = "skip"
)

// A tenant's environments.
const (
	EnvironmentProduction = "production"
	EnvironmentSandbox    = "sandbox"
)

// A webhook's signature schemes.
const (
	SchemeHMACSHA256 = "hmac-sha256"
	SchemeEd25519    = "ed25519"
)

// What made an attempt (Attempt.Trigger).
const (
	// TriggerScheduled is a first try or an automatic retry.
	TriggerScheduled = "scheduled"
	// TriggerManual is a resend or a recover.
	TriggerManual = "manual"
)

// The codes of Error.Code.
const (
	CodeMalformed        = "malformed"          // 400: the body is not JSON, or not a JSON object
	CodeUnauthorized     = "unauthorized"       // 401: missing or unknown API key
	CodeForbidden        = "forbidden"          // 403: the key may not do this
	CodeNotFound         = "not_found"          // 404: no such resource, or not visible to this key
	CodeMethodNotAllowed = "method_not_allowed" // 405
	CodeConflict         = "conflict"           // 409: exists already, at a limit, or busy
	CodeTooLarge         = "too_large"          // 413: the body is over the limit
	CodeInvalid          = "invalid"            // 422: a field or parameter has a bad value
	CodeTooManyRequests  = "too_many_requests"  // 429: wait before trying again
	CodeInternal         = "internal_error"     // 500: a bug; the server logged the details
	CodeUnavailable      = "unavailable"        // 503: the database cannot be reached; retry later
)
