package service

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// testEventPrefix starts the ids of test events, so receivers and people
// can tell them from real ones.
const testEventPrefix = "evt_test_"

// emptyData is what a test send carries for a type without an example: an
// invented payload would only mislead the receiver's developer.
const emptyData = `{}`

// TestInput says what a test send carries; both fields are optional.
type TestInput struct {
	// EventType is the type to send; nil picks one the webhook subscribes
	// to (catalog.TestEvent).
	EventType *string
	// Data is the event's data; empty or null sends the type's example.
	Data json.RawMessage
}

// TestResult is what a test send did: the event sent and the attempt.
type TestResult struct {
	Event   *domain.Event
	Attempt domain.Attempt
	// Warnings are the format's notes on the webhook tested.
	Warnings []string
}

// Test sends an example event to a stored webhook now, outside the audit
// log.
func (s *Webhooks) Test(ctx context.Context, tenantID, webhookID string, t TestInput) (*TestResult, error) {
	w, err := s.d.Store.GetWebhook(ctx, tenantID, webhookID)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, w, t, nil)
}

// TestUnsaved sends an example event to the webhook that in describes,
// validated like a create (webhookID "") or like a change of the stored
// webhookID, but never stored: a test before saving.
func (s *Webhooks) TestUnsaved(ctx context.Context, tenantID, webhookID string, in WebhookInput, t TestInput) (*TestResult, error) {
	var (
		w        *domain.Webhook
		warnings []string
		err      error
	)
	if webhookID == "" {
		if w, warnings, err = s.draft(ctx, tenantID, &in, s.now()); err != nil {
			return nil, err
		}
		if _, err := s.d.Store.GetTenant(ctx, tenantID); err != nil {
			return nil, err
		}
	} else if w, warnings, _, err = s.change(ctx, tenantID, webhookID, &in); err != nil {
		return nil, err
	}
	return s.send(ctx, w, t, warnings)
}

func (s *Webhooks) send(ctx context.Context, w *domain.Webhook, t TestInput, warnings []string) (*TestResult, error) {
	ev, err := s.testEvent(ctx, w, t)
	if err != nil {
		return nil, err
	}
	at := s.cfg.Tester.Test(ctx, w, ev)
	at.MaskSecrets(w.SecretHeader)
	return &TestResult{Event: ev, Attempt: at, Warnings: warnings}, nil
}

// testEvent builds the event of a test send: the asked type and data, or
// an example that fits the webhook's subscriptions.
func (s *Webhooks) testEvent(ctx context.Context, w *domain.Webhook, t TestInput) (*domain.Event, error) {
	typ := ""
	if t.EventType != nil {
		typ = strings.TrimSpace(*t.EventType)
		if !domain.ValidEventType(typ) {
			return nil, domain.FieldErrorf("event_type", "%q must have the form <entity>.<action> (for example \"user.created\")", typ)
		}
	}
	data := t.Data
	if strings.TrimSpace(string(data)) == "null" {
		data = nil
	}
	if typ == "" || len(data) == 0 {
		et, ex, err := s.example(ctx, w.TenantID, w.EventTypes, typ)
		if err != nil {
			return nil, err
		}
		typ = et
		if len(data) == 0 {
			data = ex
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil || buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return nil, domain.FieldErrorf("data", "must be a JSON object")
	}
	now := s.now().Truncate(time.Millisecond)
	return &domain.Event{
		ID:         s.d.IDs.NewAt(testEventPrefix, now),
		TenantID:   w.TenantID,
		Type:       typ,
		OccurredAt: now,
		ReceivedAt: now,
		Data:       buf.Bytes(),
	}, nil
}

// example picks the event a test send carries when the caller leaves it
// open. typ is the asked type, or "" to pick one that the webhook's
// patterns select: the example of the tenant's catalog (builtin and its
// own types, catalog.TestEvent), else a selected type with no data.
func (s *Webhooks) example(ctx context.Context, tenantID string, patterns []string, typ string) (string, json.RawMessage, error) {
	if s.cfg.Catalogs == nil {
		if typ != "" {
			return typ, json.RawMessage(emptyData), nil
		}
		// Without a catalog only a plain type can be sent, with empty data.
		for _, p := range patterns {
			if domain.ValidEventType(p) {
				return p, json.RawMessage(emptyData), nil
			}
		}
		return "", nil, domain.FieldErrorf("event_type", "is required: this server runs without an event catalog to pick a type matching %s", strings.Join(patterns, ", "))
	}
	cat, err := s.cfg.Catalogs.Tenant(ctx, tenantID)
	if err != nil {
		return "", nil, err
	}
	if typ != "" {
		et, ok := cat.Lookup(typ)
		if !ok {
			// lmshooks would never publish it: the receiver's developer
			// would test for an event that does not come.
			return "", nil, unknownEventType(cat, typ)
		}
		if len(et.Example) > 0 {
			return typ, et.Example, nil
		}
		return typ, json.RawMessage(emptyData), nil
	}
	if t, data, ok := cat.TestEvent(patterns); ok {
		return t, data, nil
	}
	return "", nil, domain.FieldErrorf("event_type", "is required: the webhook's event types (%s) match no event type of the catalog", strings.Join(patterns, ", "))
}
