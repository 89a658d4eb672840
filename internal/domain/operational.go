package domain

import "encoding/json"

// Operational event types: lmshooks publishes them itself, into the
// tenant of the webhook they are about, so that tenants subscribe
// webhooks to them like to any type.
const (
	// EventWebhookDisabled: lmshooks disabled a webhook (auto-disable, or
	// a 410 Gone).
	EventWebhookDisabled = "webhook.disabled"
	// EventWebhookFailing: the first failed attempt after a success; once
	// per failing streak.
	EventWebhookFailing = "webhook.failing"
	// EventWebhookRecovered: the first success after a failing streak.
	EventWebhookRecovered = "webhook.recovered"
	// EventDeliveryExhausted: a delivery failed for good, its retries used
	// up.
	EventDeliveryExhausted = "delivery.exhausted"
)

// IsOperational reports whether t is one of lmshooks' own event types.
// Only lmshooks publishes them (an LMS that could would forge them), and
// deliveries of them never cause further operational events, so that a
// failing receiver of them cannot start a loop of announcements.
func IsOperational(t string) bool {
	switch t {
	case EventWebhookDisabled, EventWebhookFailing, EventWebhookRecovered, EventDeliveryExhausted:
		return true
	}
	return false
}

// AnnouncesAttempt reports whether an attempt at delivering an event of
// type t may cause operational events: only when t is not one itself.
func AnnouncesAttempt(t string) bool { return !IsOperational(t) }

// Receives reports whether webhook w may get a delivery of event e as far
// as operational events go: an operational event about a webhook is never
// delivered to that webhook, which is failing, disabled or done with the
// delivery concerned. Other events always may.
func (w *Webhook) Receives(e *Event) bool {
	if !IsOperational(e.Type) {
		return true
	}
	return OperationalSubject(e.Data) != w.ID
}

// OperationalSubject returns the id of the webhook an operational event's
// data is about (data.webhook.id), "" when it has none.
func OperationalSubject(data json.RawMessage) string {
	var d struct {
		Webhook struct {
			ID string `json:"id"`
		} `json:"webhook"`
	}
	if json.Unmarshal(data, &d) != nil {
		return ""
	}
	return d.Webhook.ID
}
