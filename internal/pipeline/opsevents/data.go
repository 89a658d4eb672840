package opsevents

import (
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// The data of the operational events, as the catalog's webhook.json and
// delivery.json describe it.

type webhookRef struct {
	ID       string `json:"id"`
	TenantID string `json:"tenant_id"`
	Name     string `json:"name,omitempty"`
	URL      string `json:"url,omitempty"`
}

type attemptRef struct {
	DeliveryID string    `json:"delivery_id"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type,omitempty"`
	Number     int       `json:"number"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error,omitempty"`
	At         time.Time `json:"at"`
}

// webhookData is the data of webhook.failing, webhook.recovered and
// webhook.disabled.
type webhookData struct {
	ID             string      `json:"id"`
	Webhook        webhookRef  `json:"webhook"`
	FailingSince   *time.Time  `json:"failing_since,omitempty"`
	LastAttempt    *attemptRef `json:"last_attempt,omitempty"`
	RecoveredAt    *time.Time  `json:"recovered_at,omitempty"`
	DisabledReason string      `json:"disabled_reason,omitempty"`
	DisabledAt     *time.Time  `json:"disabled_at,omitempty"`
	Actor          actor       `json:"actor"`
}

// deliveryData is the data of delivery.exhausted.
type deliveryData struct {
	ID          string      `json:"id"`
	Webhook     webhookRef  `json:"webhook"`
	EventID     string      `json:"event_id"`
	EventType   string      `json:"event_type,omitempty"`
	Attempts    int         `json:"attempts"`
	LastAttempt *attemptRef `json:"last_attempt,omitempty"`
	Actor       actor       `json:"actor"`
}

// actor is always lmshooks itself.
type actor struct {
	Type string `json:"type"`
}

var system = actor{Type: "system"}

func refOf(w *domain.Webhook) webhookRef {
	return webhookRef{ID: w.ID, TenantID: w.TenantID, Name: w.Name, URL: w.URL}
}

func attemptOf(a *domain.Attempt, eventType string) *attemptRef {
	return &attemptRef{
		DeliveryID: a.DeliveryID, EventID: a.EventID, EventType: eventType, Number: a.Number,
		StatusCode: a.StatusCode, Error: a.Error, At: a.StartedAt.UTC(),
	}
}

// timePtr returns &t in UTC, nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
