package service

import (
	"context"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// EventDetail is a stored event with its deliveries, one per webhook the
// event was fanned out to.
type EventDetail struct {
	Event *domain.Event
	// Deliveries are at most store.MaxListLimit of the event's.
	Deliveries []domain.Delivery
}

// Event returns one event of the tenant with its deliveries; ENOTFOUND if
// the tenant has no such event.
func (s *Deliveries) Event(ctx context.Context, tenantID, eventID string) (*EventDetail, error) {
	ev, err := s.d.Store.GetEvent(ctx, tenantID, eventID)
	if err != nil {
		return nil, err
	}
	ds, _, err := s.d.Store.ListDeliveries(ctx, store.DeliveryFilter{
		TenantID: tenantID, EventID: ev.ID, Page: store.Page{Limit: store.MaxListLimit},
	})
	if err != nil {
		return nil, err
	}
	return &EventDetail{Event: ev, Deliveries: ds}, nil
}

// Latest returns the newest delivery to one of the tenant's webhooks, or
// nil when it has none.
func (s *Deliveries) Latest(ctx context.Context, tenantID, webhookID string) (*domain.Delivery, error) {
	ds, _, err := s.d.Store.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenantID, WebhookID: webhookID, Page: store.Page{Limit: 1}})
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return &ds[0], nil
}
