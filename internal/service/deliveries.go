package service

import (
	"context"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/format"
)

// Deliveries reads the audit log and acts on deliveries: resend one, or
// recover a webhook's failed ones. After either it tells Deps.Notify that
// work is due, so no surface has to.
type Deliveries struct {
	d       Deps
	formats *format.Registry
}

// NewDeliveries returns the deliveries service; formats renders the
// bodies the store keeps as references (nil means format.Default()).
func NewDeliveries(d Deps, formats *format.Registry) *Deliveries {
	if formats == nil {
		formats = format.Default()
	}
	return &Deliveries{d: d.withDefaults(), formats: formats}
}

// Resend makes a delivery due now with a fresh retry schedule, whatever
// its state. ECONFLICT while an attempt of it is in flight; ENOTFOUND if
// the tenant has no such delivery.
func (s *Deliveries) Resend(ctx context.Context, tenantID, id string) (*domain.Delivery, error) {
	d, err := s.d.Store.Resend(ctx, tenantID, id, s.d.Clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	s.d.Notify.WorkDue()
	return d, nil
}

// Detail is one delivery with its attempts, and what a page about it may
// also show.
type Detail struct {
	Delivery *domain.Delivery
	// Attempts are oldest first.
	Attempts []domain.Attempt
	// Event is the delivery's event, with Include.Event.
	Event *domain.Event
	// Webhook is the delivery's webhook, with Include.Webhook; nil when
	// the webhook was deleted since.
	Webhook *domain.Webhook
}

// Include says what Get reads besides the delivery and its attempts.
type Include struct {
	Event   bool
	Webhook bool
}

// Get returns one delivery of the tenant with its attempts (ENOTFOUND if
// absent), and its event and webhook as asked.
func (s *Deliveries) Get(ctx context.Context, tenantID, id string, with Include) (*Detail, error) {
	d, err := s.d.Store.GetDelivery(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	out := &Detail{Delivery: d}
	if with.Event {
		if out.Event, err = s.d.Store.GetEvent(ctx, tenantID, d.EventID); err != nil {
			return nil, err
		}
	}
	if out.Attempts, err = s.d.Store.ListAttempts(ctx, tenantID, d.ID); err != nil {
		return nil, err
	}
	if err := s.fillBodies(ctx, d, out.Event, out.Attempts); err != nil {
		return nil, err
	}
	wh, err := s.d.Store.GetWebhook(ctx, tenantID, d.WebhookID)
	switch {
	case err == nil:
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		wh = nil
	default:
		return nil, err
	}
	// Attempts are recorded with their secret headers masked; those
	// recorded before a header was made secret are masked here, the one
	// place the audit is read from.
	secret := domain.SecretHeaderName
	if wh != nil {
		secret = wh.SecretHeader
	}
	for i := range out.Attempts {
		out.Attempts[i].MaskSecrets(secret)
	}
	if with.Webhook {
		out.Webhook = wh
	}
	return out, nil
}
