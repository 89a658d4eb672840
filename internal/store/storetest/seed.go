package storetest

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/fanout"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Seed is a publish as a test that fills a store directly describes it.
// Its Publish reads the tenant's enabled webhooks and fans the events out
// with the real fan-out (internal/pipeline/fanout), Match standing in for
// subscriptions and filters, so the rows are those ingest would write.
type Seed struct {
	TenantID string
	Events   []domain.Event
	// Now stamps the deliveries' creation and makes them due.
	Now time.Time
	// Match says which webhooks get a delivery of an event (nil: those
	// subscribed to its type).
	Match func(w *domain.Webhook, e *domain.Event) bool
	// LeaseOwner and LeaseUntil, when set, create the deliveries leased.
	LeaseOwner string
	LeaseUntil time.Time
	// IDs makes the deliveries' ids (nil: a generator of this call's own,
	// so ids of separate calls made in one millisecond are not ordered).
	IDs *id.Generator
}

// Publish stores s in st and returns the store's results, one per event.
func (s Seed) Publish(ctx context.Context, st store.Store) ([]store.PublishResult, error) {
	hooks, err := st.EnabledWebhooks(ctx, s.TenantID)
	if err != nil {
		return nil, err
	}
	match := s.Match
	if match == nil {
		match = func(w *domain.Webhook, e *domain.Event) bool { return w.Subscribes(e.Type) }
	}
	ids := s.IDs
	if ids == nil {
		ids = id.NewGenerator(nil)
	}
	b := fanout.Build(fanout.Plan{
		TenantID: s.TenantID, Events: s.Events, Webhooks: hooks, Now: s.Now, IDs: ids,
		LeaseOwner: s.LeaseOwner, LeaseUntil: s.LeaseUntil,
		Decide: func(w *domain.Webhook, e *domain.Event) fanout.Verdict { return fanout.Verdict{Deliver: match(w, e)} },
	})
	res, err := st.Publish(ctx, b.Params)
	if err != nil {
		return nil, err
	}
	return b.Results(res), nil
}

// Succeeded is the record of a first attempt of d, started at at, that the
// receiver accepted: what a store's own tests record to move a delivery on.
func Succeeded(d *domain.Delivery, attemptID string, at time.Time) store.AttemptRecord {
	return store.AttemptRecord{State: domain.Succeeded, Attempt: domain.Attempt{ID: attemptID, DeliveryID: d.ID,
		TenantID: d.TenantID, WebhookID: d.WebhookID, EventID: d.EventID, Number: 1, Trigger: domain.TriggerScheduled,
		StartedAt: at, StatusCode: 200, Success: true}}
}
