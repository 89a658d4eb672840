package domain

import (
	"strings"
	"time"
)

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
	// RequestBodyRef, when set, stands for RequestBody in the store (which
	// then keeps no body); the audit renders the body again from it.
	RequestBodyRef *BodyRef
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

// ProxyFailurePrefix starts the error of an attempt that failed at the
// egress proxy itself (unreachable, credentials refused, no valid answer)
// and so never reached the receiver. Such an attempt is in the audit like
// any other, but it does not use up the delivery's retry schedule: the
// fault is the operator's, and it would hit every delivery alike.
const ProxyFailurePrefix = "egress proxy: "

// ProxyRetryWait is how long a delivery waits after an attempt that failed
// at the egress proxy: fixed and short, because the wait does not depend on
// the receiver and the proxy's return should be noticed soon.
const ProxyRetryWait = 30 * time.Second

// FailedAtProxy reports whether a failed at the egress proxy (see
// ProxyFailurePrefix).
func (a *Attempt) FailedAtProxy() bool {
	return !a.Success && a.StatusCode == 0 && strings.HasPrefix(a.Error, ProxyFailurePrefix)
}

// RetryPosition returns how many attempts of d's current retry schedule
// are used once its attempt number n has failed: the attempts numbered
// after d.RetryFrom up to n, less those that failed at the egress proxy.
// earlier holds d's attempts before n, in any order (those of an earlier
// schedule are ignored); nil when none of them can have failed at a proxy.
func RetryPosition(d *Delivery, n int, earlier []Attempt) int {
	pos := n - d.RetryFrom
	for i := range earlier {
		if a := &earlier[i]; a.Number > d.RetryFrom && a.Number < n && a.FailedAtProxy() {
			pos--
		}
	}
	return pos
}

// NextTrigger says what starts d's next attempt: a resend or recover (which
// set RetryFrom to Attempts) makes it manual, anything else scheduled.
func (d *Delivery) NextTrigger() AttemptTrigger {
	if d.Attempts > 0 && d.Attempts == d.RetryFrom {
		return TriggerManual
	}
	return TriggerScheduled
}

// RefusedAttempt is d's next attempt when nothing could be sent: its
// webhook's filter cannot be decided on the event, so retrying would fail
// the same way. It records why, with no request and no duration; the
// delivery fails with it. The fan-out makes it for a fresh delivery, the
// dispatcher for one whose webhook changed since.
func RefusedAttempt(id string, d *Delivery, webhookURL string, at time.Time, cause error) Attempt {
	return Attempt{
		ID:         id,
		DeliveryID: d.ID,
		TenantID:   d.TenantID,
		WebhookID:  d.WebhookID,
		EventID:    d.EventID,
		Number:     d.Attempts + 1,
		Trigger:    d.NextTrigger(),
		StartedAt:  at,
		RequestURL: webhookURL,
		Error:      cause.Error(),
	}
}

// MaskSecrets masks the values of the secret headers of the attempt's
// request and response (MaskedHeaders): the audit log is for reading, not
// for recovering credentials. The dispatcher records attempts masked with
// their webhook's rule; the audit view masks again, for attempts recorded
// before a header became secret.
func (a *Attempt) MaskSecrets(secret func(name string) bool) {
	a.RequestHeaders = MaskedHeaders(a.RequestHeaders, secret)
	a.ResponseHeaders = MaskedHeaders(a.ResponseHeaders, secret)
}
