package domain

import "fmt"

// Ordering says whether and how a webhook's deliveries keep the order in
// which their events were accepted (see docs/ORDERING.md).
type Ordering string

// Orderings.
const (
	// OrderingNone sends deliveries as soon as they are due, up to the
	// webhook's max_concurrency: a retry may arrive after later events.
	OrderingNone Ordering = "none"
	// OrderingWebhook is strict FIFO: at most one delivery of the webhook
	// in flight, the next one waiting until the previous one ended.
	OrderingWebhook Ordering = "webhook"
	// OrderingKey is FIFO per ordering key: deliveries of one key go one
	// at a time in order, different keys in parallel.
	OrderingKey Ordering = "key"
)

// OrderingFailure says what a delivery that finally failed does to the
// deliveries of its key behind it.
type OrderingFailure string

// Ordering failure modes.
const (
	// FailureBlock keeps the key blocked behind a failed delivery until an
	// admin resends or skips it.
	FailureBlock OrderingFailure = "block"
	// FailureSkip lets the next delivery of the key go once the failing
	// one has exhausted its retries.
	FailureSkip OrderingFailure = "skip"
)

// MaxOrderingKeyLength bounds ordering keys.
const MaxOrderingKeyLength = 255

// Valid reports whether o is a known ordering ("" counts as none).
func (o Ordering) Valid() bool {
	switch o {
	case "", OrderingNone, OrderingWebhook, OrderingKey:
		return true
	}
	return false
}

// Valid reports whether f is a known failure mode ("" counts as block).
func (f OrderingFailure) Valid() bool {
	switch f {
	case "", FailureBlock, FailureSkip:
		return true
	}
	return false
}

// Ordered reports whether the webhook orders its deliveries.
func (w *Webhook) Ordered() bool {
	return w.Ordering == OrderingWebhook || w.Ordering == OrderingKey
}

// DeliveryOrderingKey returns the key that orders w's delivery of an event
// whose ordering key (given at publish, or its type's default) is eventKey,
// and whether the delivery is ordered at all. A webhook ordered as a whole
// puts every delivery under one key (""); a webhook ordered by key uses the
// event's, and events without one share the key "".
func (w *Webhook) DeliveryOrderingKey(eventKey string) (key string, ordered bool) {
	switch w.Ordering {
	case OrderingWebhook:
		return "", true
	case OrderingKey:
		return eventKey, true
	}
	return "", false
}

// HoldsKeyAfter reports whether an ordered delivery that moves to state
// keeps holding its key: later deliveries of the key wait while it does.
// A scheduled delivery (waiting for its first or next try) holds it; a
// succeeded or canceled one releases it; a failed one holds it under
// FailureBlock until an admin resends or skips it.
func (w *Webhook) HoldsKeyAfter(state DeliveryState) bool {
	if !w.Ordered() {
		return false
	}
	switch state {
	case Scheduled:
		return true
	case Failed:
		return w.OrderingFailure != FailureSkip
	}
	return false
}

// DeliveryHoldsKeyAfter reports whether w's delivery dl holds its key
// once it moves to state: HoldsKeyAfter for an ordered delivery; one made
// while w was unordered never holds a key, whatever w's ordering now.
func (w *Webhook) DeliveryHoldsKeyAfter(dl *Delivery, state DeliveryState) bool {
	return dl.Ordered && w.HoldsKeyAfter(state)
}

// normalizeOrdering fills the ordering defaults.
func (w *Webhook) normalizeOrdering() {
	if w.Ordering == "" {
		w.Ordering = OrderingNone
	}
	if w.OrderingFailure == "" {
		w.OrderingFailure = FailureBlock
	}
}

// validateOrdering checks the ordering settings.
func (w *Webhook) validateOrdering() error {
	if !w.Ordering.Valid() {
		return FieldErrorf("ordering", "%q is not an ordering: use \"none\", \"webhook\" (one delivery at a time, in order) or \"key\" (in order per ordering key)", w.Ordering)
	}
	if !w.OrderingFailure.Valid() {
		return FieldErrorf("ordering_failure", "%q is not a failure mode: use \"block\" (later deliveries of the key wait for an admin) or \"skip\" (the next one goes once a delivery finally fails)", w.OrderingFailure)
	}
	return nil
}

// ValidateOrderingKey checks an ordering key given at publish.
func ValidateOrderingKey(field, key string) error {
	if len(key) > MaxOrderingKeyLength {
		return FieldErrorf(field, "must be at most %d characters", MaxOrderingKeyLength)
	}
	if !ValidText(key) {
		return textError(field)
	}
	return nil
}

// BlockedKey is an ordering key of a webhook whose earliest unfinished
// delivery failed and holds it (FailureBlock): the key's later deliveries
// wait until an admin resends or skips Head.
type BlockedKey struct {
	WebhookID string
	Key       string
	// Head is the failed delivery that blocks the key.
	Head Delivery
	// Waiting counts the key's scheduled deliveries behind Head.
	Waiting int
}

// String names the key for messages ("" is the webhook's shared key).
func (k BlockedKey) String() string {
	if k.Key == "" {
		return fmt.Sprintf("webhook %s (no key)", k.WebhookID)
	}
	return fmt.Sprintf("key %q of webhook %s", k.Key, k.WebhookID)
}
