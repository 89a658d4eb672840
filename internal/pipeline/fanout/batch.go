package fanout

import (
	"slices"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Plan is one publish to fan out: a tenant's events, validated and with
// their ids and times set, and the tenant's enabled webhooks.
type Plan struct {
	TenantID string
	Events   []domain.Event
	Webhooks []domain.Webhook
	// Decide says what a webhook makes of an event (Matcher.Decide).
	Decide func(w *domain.Webhook, e *domain.Event) Verdict
	// Now stamps the deliveries' creation and makes them due.
	Now time.Time
	IDs *id.Generator
	// LeaseOwner and LeaseUntil, when set, create the scheduled deliveries
	// of unordered webhooks leased to that node. Leased, when set too, is
	// asked once per such webhook whether its deliveries are leased (nil:
	// all are). Ordered deliveries are never leased here: they wait their
	// turn in the store, which only a claim can check (store.Store.ClaimDue).
	LeaseOwner string
	LeaseUntil time.Time
	Leased     func(webhookID string) bool
}

// Batch is what a fan-out built: the publish for the store, and how the
// events of the Plan map onto it.
type Batch struct {
	// Params holds the first event of each idempotency key (and every
	// event without one), each with its deliveries.
	Params store.PublishParams
	// of[i] is the index in Params.Events of the Plan's event i; dup[i]
	// is set when event i repeats the key of an earlier one.
	of  []int
	dup []bool
}

// Build fans p out: each event gets a delivery to each webhook that Decide
// says gets one, built whole (id, state, times, lease); a later event
// with the idempotency key of an earlier one of the batch is collapsed
// onto it, so it makes no deliveries of its own (see Batch.Results).
func Build(p Plan) Batch {
	b := Batch{
		Params: store.PublishParams{TenantID: p.TenantID, Events: make([]store.PublishEvent, 0, len(p.Events))},
		of:     make([]int, len(p.Events)),
	}
	var first map[string]int // idempotency key → index in b.Params.Events
	// leased[j] caches the answer for webhook j: 0 not asked, 1 leased,
	// -1 not, so that each webhook is asked once per publish.
	leased := make([]int8, len(p.Webhooks))
	for i := range p.Events {
		if k := p.Events[i].IdempotencyKey; k != "" {
			if j, ok := first[k]; ok {
				if b.dup == nil {
					b.dup = make([]bool, len(p.Events))
				}
				b.of[i], b.dup[i] = j, true
				continue
			}
			if first == nil {
				first = map[string]int{}
			}
			first[k] = len(b.Params.Events)
		}
		b.of[i] = len(b.Params.Events)
		pe := store.PublishEvent{Event: p.Events[i]}
		pe.Event.TenantID = p.TenantID
		for j := range p.Webhooks {
			w := &p.Webhooks[j]
			v := p.Decide(w, &pe.Event)
			if !v.Deliver {
				continue
			}
			pe.Deliveries = append(pe.Deliveries, p.delivery(w, &pe.Event, v.Failure, &leased[j]))
		}
		b.Params.Events = append(b.Params.Events, pe)
	}
	return b
}

// delivery builds the delivery of e to w: scheduled and due now, or, when
// the filter failed, failed at once with one attempt recording why (as the
// dispatcher records an attempt that sent nothing; it is not retried). A
// delivery of an ordered webhook gets its ordering key and holds it (a
// failed one as a failure leaves it: domain.Webhook.HoldsKeyAfter).
func (p *Plan) delivery(w *domain.Webhook, e *domain.Event, failure error, leased *int8) store.NewDelivery {
	d := domain.Delivery{
		ID: p.IDs.New(id.Delivery), TenantID: p.TenantID, EventID: e.ID, WebhookID: w.ID, EventType: e.Type,
		State: domain.Scheduled, NextAttemptAt: p.Now, CreatedAt: p.Now, UpdatedAt: p.Now,
	}
	d.OrderingKey, d.Ordered = w.DeliveryOrderingKey(e.OrderingKey)
	var att *domain.Attempt
	if failure != nil {
		a := domain.RefusedAttempt(p.IDs.New(id.Attempt), &d, w.URL, p.Now, failure)
		d.State, d.NextAttemptAt, d.Attempts, d.LastError = domain.Failed, time.Time{}, a.Number, a.Error
		att = &a
	}
	d.HoldsKey = w.DeliveryHoldsKeyAfter(&d, d.State)
	nd := store.NewDelivery{Delivery: d, Attempt: att}
	if att == nil && p.LeaseOwner != "" && !d.Ordered {
		if *leased == 0 {
			*leased = -1
			if p.Leased == nil || p.Leased(w.ID) {
				*leased = 1
			}
		}
		if *leased == 1 {
			nd.LeaseOwner, nd.LeaseUntil = p.LeaseOwner, p.LeaseUntil
		}
	}
	return nd
}

// Results maps the store's results, one per Params.Events, onto the Plan's
// events: an event collapsed onto an earlier one of its key gets that
// one's result, marked Replayed.
func (b *Batch) Results(stored []store.PublishResult) []store.PublishResult {
	out := make([]store.PublishResult, len(b.of))
	for i, j := range b.of {
		out[i] = stored[j]
		if b.dup != nil && b.dup[i] {
			out[i].Deliveries = slices.Clone(stored[j].Deliveries)
			out[i].Replayed = true
		}
	}
	return out
}
