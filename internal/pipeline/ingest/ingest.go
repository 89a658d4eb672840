// Package ingest turns published events into stored events with their
// deliveries, in one direction: it validates the input, reads the tenant's
// enabled webhooks, fans the events out to them (internal/pipeline/fanout: later
// repeats of an idempotency key in the batch collapsed onto the first,
// subscriptions matched, filters evaluated once per delivery, every
// delivery built whole), and hands the store the events with their
// deliveries; the store resolves idempotency keys against what it holds
// and writes. Nothing of ingest runs inside the store's transaction. Once
// the commit is durable, the deliveries leased to this node go to its
// dispatcher in memory; ordered deliveries (see docs/ORDERING.md) are
// stored unleased instead, and the dispatcher woken to claim them, so
// that the store's turn-taking applies to them from the first attempt.
//
// A webhook disabled (or deleted) between the read and the write may thus
// get a delivery; the dispatcher ends it without sending it
// (store.Store.CancelStranded).
package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/fanout"
	"github.com/lmshooks/lmshooks/internal/store"
)

// MaxBatch is the most events one batch publish may carry.
const MaxBatch = 1000

// Input is one event as the LMS publishes it.
type Input struct {
	Type           string
	Data           json.RawMessage
	IdempotencyKey string
	// OrderingKey orders the event's deliveries to webhooks ordered by
	// key; when empty, the event's type may name a default in its data
	// (see Config.OrderingKey).
	OrderingKey string
	// OccurredAt defaults to the time of receipt.
	OccurredAt time.Time
}

// Validator checks an event's type and data beyond their shape (the event
// catalog plugs in here). It returns a *domain.Error with field "type" or
// "data…".
type Validator func(ctx context.Context, tenantID, eventType string, data json.RawMessage) error

// KeyResolver returns an event's ordering key: given, the key published
// with it, when set, else its type's default taken from data (the event
// catalog plugs in here: catalog.Views.OrderingKey).
type KeyResolver func(ctx context.Context, tenantID, eventType, given string, data json.RawMessage) (string, error)

// Config wires a Service.
type Config struct {
	Store store.Store
	Clock clock.Clock
	// Owner names this node; fresh deliveries are created leased to it for
	// LeaseFor so that Handoff owns them. Empty disables the handoff (the
	// dispatcher then finds the work by polling).
	Owner    string
	LeaseFor time.Duration
	// Handoff receives the jobs of every committed publish.
	Handoff func([]domain.Job)
	// AcceptingFor reports whether the dispatcher has room in memory for
	// more of one webhook's work: n deliveries whose events' data add up
	// to data bytes, at most what one publish gives a webhook (the
	// dispatcher's memory budget is in bytes). A webhook it has no room
	// for (its queue is full, or memory is) gets its fresh deliveries
	// stored unleased and
	// Wake is called: the dispatcher, or any other node, claims them from
	// the store as room appears, so a burst never grows memory without
	// bound and one hot webhook never piles up in the memory of the node
	// that happened to ingest it. Nil means room for everything.
	AcceptingFor func(webhookID string, n int, data int64) bool
	// Wake tells the dispatcher that unleased work was stored.
	Wake     func()
	Validate Validator
	// OrderingKey resolves each event's ordering key once the event is
	// valid; nil means the key given at publish, if any.
	OrderingKey KeyResolver
	// Matcher decides which webhooks get a delivery of an event; nil means
	// one with its own filter engine.
	Matcher *fanout.Matcher
	// IDs makes the ids of events, deliveries and attempts; nil means a
	// generator on Clock.
	IDs *id.Generator
	// Metrics counts what is published; nil counts nothing.
	Metrics Metrics
	Logger  *slog.Logger
}

// Metrics hears what each publish stored. *metrics.Metrics satisfies it.
type Metrics interface {
	// Published counts stored events and their deliveries.
	Published(events, deliveries int)
	// Finished counts a delivery that reached a final state.
	Finished(state string)
}

// Service publishes events.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.IDs == nil {
		cfg.IDs = id.NewGenerator(cfg.Clock)
	}
	if cfg.Matcher == nil {
		eng, err := filter.NewEngine(filter.Options{})
		if err != nil {
			// The filter environment is fixed at build time: only a bug
			// can break it, and every test would show it.
			panic(fmt.Sprintf("ingest: %v", err))
		}
		cfg.Matcher = fanout.New(eng)
	}
	return &Service{cfg: cfg}
}

// Publish validates, fans out and stores events of one tenant in one
// transaction, and returns one result per input. When batch is true, field
// names in errors are prefixed with "events[i]." so the caller knows which
// event is wrong. Nothing is stored on any error.
//
// Publish refuses lmshooks' own event types (domain.IsOperational):
// PublishOperational publishes those.
func (s *Service) Publish(ctx context.Context, tenantID string, in []Input, batch bool) ([]store.PublishResult, error) {
	return s.publish(ctx, tenantID, in, batch, false)
}

// PublishOperational publishes one of lmshooks' own events into tenantID
// the way Publish publishes the LMS's: validated against the catalog,
// fanned out (never to the webhook it is about: domain.Webhook.Receives),
// stored, delivered.
func (s *Service) PublishOperational(ctx context.Context, tenantID string, in Input) (store.PublishResult, error) {
	if !domain.IsOperational(in.Type) {
		return store.PublishResult{}, domain.FieldErrorf("type", "%q is not an operational event type", in.Type)
	}
	res, err := s.publish(ctx, tenantID, []Input{in}, false, true)
	if err != nil {
		return store.PublishResult{}, err
	}
	return res[0], nil
}

func (s *Service) publish(ctx context.Context, tenantID string, in []Input, batch, operational bool) ([]store.PublishResult, error) {
	if batch && len(in) == 0 {
		return nil, domain.FieldErrorf("events", "must hold at least one event")
	}
	if len(in) > MaxBatch {
		return nil, domain.FieldErrorf("events", "holds %d events; the most a batch may hold is %d", len(in), MaxBatch)
	}
	now := s.cfg.Clock.Now().UTC()
	events := make([]domain.Event, len(in))
	for i, x := range in {
		prefix := ""
		if batch {
			prefix = fmt.Sprintf("events[%d].", i)
		}
		e := domain.Event{
			ID:             s.cfg.IDs.NewAt(id.Event, now),
			TenantID:       tenantID,
			Type:           x.Type,
			OccurredAt:     x.OccurredAt.UTC(),
			ReceivedAt:     now,
			IdempotencyKey: x.IdempotencyKey,
			OrderingKey:    x.OrderingKey,
		}
		if e.OccurredAt.IsZero() {
			e.OccurredAt = now
		}
		if len(x.Data) > 0 {
			var buf bytes.Buffer
			if err := json.Compact(&buf, x.Data); err != nil {
				return nil, domain.FieldErrorf(prefix+"data", "is not valid JSON: %v", err)
			}
			e.Data = buf.Bytes()
		}
		if err := e.Validate(prefix); err != nil {
			return nil, err
		}
		if domain.IsOperational(e.Type) && !operational {
			return nil, domain.FieldErrorf(prefix+"type", "%q is one of lmshooks' own operational events: only lmshooks publishes it (subscribe a webhook to it instead)", e.Type)
		}
		if s.cfg.Validate != nil {
			if err := s.cfg.Validate(ctx, tenantID, e.Type, e.Data); err != nil {
				return nil, prefixField(err, prefix)
			}
		}
		if s.cfg.OrderingKey != nil {
			k, err := s.cfg.OrderingKey(ctx, tenantID, e.Type, e.OrderingKey, e.Data)
			if err != nil {
				return nil, fmt.Errorf("publish: ordering key of %s: %w", e.Type, err)
			}
			e.OrderingKey = k
		}
		events[i] = e
	}
	hooks, err := s.cfg.Store.EnabledWebhooks(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	plan := fanout.Plan{
		TenantID: tenantID, Events: events, Webhooks: hooks, Decide: s.cfg.Matcher.Decide,
		Now: now, IDs: s.cfg.IDs,
	}
	if s.cfg.Owner != "" && s.cfg.Handoff != nil {
		// The fan-out asks once per webhook of this publish, which may
		// give the webhook one delivery of every event.
		plan.LeaseOwner, plan.LeaseUntil = s.cfg.Owner, now.Add(s.cfg.LeaseFor)
		if s.cfg.AcceptingFor != nil {
			data := dataBytes(events)
			plan.Leased = func(webhookID string) bool { return s.cfg.AcceptingFor(webhookID, len(events), data) }
		}
	}
	b := fanout.Build(plan)
	res, err := s.cfg.Store.Publish(ctx, b.Params)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	s.handOver(b.Params, res)
	out := b.Results(res)
	s.count(out)
	return out, nil
}

// count tells Metrics what a publish stored; replays stored nothing.
func (s *Service) count(res []store.PublishResult) {
	if s.cfg.Metrics == nil {
		return
	}
	events, deliveries := 0, 0
	for _, r := range res {
		if r.Replayed {
			continue
		}
		events++
		deliveries += len(r.Deliveries)
		for _, d := range r.Deliveries {
			if d.State == domain.Failed {
				// Failed at the fan-out (its filter errored): it ends
				// here, not in the dispatcher.
				s.cfg.Metrics.Finished(string(domain.Failed))
			}
		}
	}
	s.cfg.Metrics.Published(events, deliveries)
}

// handOver gives the dispatcher the fresh deliveries leased to this node,
// and wakes it for those stored unleased (ordered deliveries always are:
// the store decides when it is their turn). Replays hand over nothing; a
// delivery failed at the fan-out has nothing left to do.
func (s *Service) handOver(p store.PublishParams, res []store.PublishResult) {
	var jobs []domain.Job
	unleased := false
	for i, r := range res {
		if r.Replayed {
			continue
		}
		for _, nd := range p.Events[i].Deliveries {
			switch {
			case nd.Delivery.State != domain.Scheduled:
			case nd.LeaseOwner == "":
				unleased = true
			default:
				jobs = append(jobs, domain.Job{Delivery: nd.Delivery, Event: r.Event, LeaseUntil: nd.LeaseUntil})
			}
		}
	}
	if len(jobs) > 0 {
		s.cfg.Handoff(jobs)
	}
	if unleased && s.cfg.Wake != nil {
		s.cfg.Wake()
	}
}

// dataBytes is the size of the events' data.
func dataBytes(events []domain.Event) int64 {
	var n int64
	for i := range events {
		n += int64(len(events[i].Data))
	}
	return n
}

// prefixField puts a batch prefix in front of a validator's field name.
func prefixField(err error, prefix string) error {
	if prefix == "" {
		return err
	}
	if e, ok := err.(*domain.Error); ok && e.Field != "" {
		c := *e
		c.Field = prefix + e.Field
		return &c
	}
	return err
}
