package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Publishes share transactions: Publish queues its events for the publish
// writer (see grouper), which writes every publish waiting at that
// moment, whatever its tenant, with one statement per table, in one round
// trip (BEGIN, the inserts, COMMIT) and one commit.

// publishWorkers is how many groups of publishes may be in flight at once.
// One makes the largest groups, so the fewest transactions for the
// database's CPU; a group that waits (on another node's transaction
// holding the same idempotency key) waits briefly.
const publishWorkers = 1

// publishMaxRows caps a group's events and deliveries; a publish bigger
// than that (a batch fanned out to many webhooks) is written alone.
const publishMaxRows = 10000

// publishOp is one Publish waiting for its group.
type publishOp struct {
	p       store.PublishParams
	headers map[string]encodedHeaders
	// res is set once the group has committed. A replayed event's result
	// still holds the event given; Publish loads the original.
	res []store.PublishResult
}

func (o *publishOp) rows() int {
	n := len(o.p.Events)
	for i := range o.p.Events {
		n += len(o.p.Events[i].Deliveries)
	}
	return n
}

// insertEventsSQL inserts events from parallel arrays in one statement. An
// event with an idempotency key is stored only if its key was new
// (RETURNING tells which were): a concurrent publish of the same key, here
// or on another node, makes this statement wait for that transaction's
// outcome, so exactly one wins. Keys are inserted in (tenant, key) order,
// so that two groups holding the same keys wait for each other instead of
// deadlocking, and within a key in input order, so that the first of a
// batch's repeats wins. Keys live in their own table because events is
// partitioned, and a unique index on a partitioned table holds only within
// a partition.
const insertEventsSQL = `WITH input AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[],
			$8::text[])
			WITH ORDINALITY AS e (tenant_id, id, type, occurred_at, received_at, data, idempotency_key, ordering_key, ord)
	), keys AS (
		INSERT INTO idempotency_keys (tenant_id, key, event_id)
		SELECT tenant_id, idempotency_key, id FROM input WHERE idempotency_key <> ''
		ORDER BY tenant_id, idempotency_key, ord
		ON CONFLICT (tenant_id, key) DO NOTHING
		RETURNING event_id
	)
	INSERT INTO events (` + eventColumns + `)
	SELECT id, tenant_id, type, occurred_at, received_at, data::json, idempotency_key, ordering_key
	FROM input
	WHERE idempotency_key = '' OR id IN (SELECT event_id FROM keys)
	RETURNING id`

// ownsKey keeps the row of an event stored by insertEventsSQL: one without
// a key, or one whose key the event now owns (its key was new). The rows
// of a replayed event are thus dropped by the same statement that would
// have written them, without a round trip to learn which were replays.
// A correlated scalar subquery, not EXISTS: under an OR, the planner
// would hash the whole idempotency_keys table for an EXISTS.
const ownsKey = `(r.event_key = '' OR r.event_id = (SELECT k.event_id FROM idempotency_keys k
		WHERE k.tenant_id = r.tenant_id AND k.key = r.event_key))`

// insertDeliveriesSQL inserts new deliveries, as the fan-out built them,
// from parallel arrays in one statement. An ordered delivery takes the
// next position of the sequence, in array order (a batch's events in
// their order); see lockOrderedPublish for why positions follow commits.
const insertDeliveriesSQL = `INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state, attempts,
		retry_from, next_attempt_at, last_status, last_error, lease_owner, lease_until, created_at, updated_at,
		ordered, ordering_key, ordering_seq, holds_key, skipped_at)
	SELECT id, tenant_id, event_id, webhook_id, event_type, state, attempts,
		retry_from, next_attempt_at, last_status, last_error, NULLIF(lease_owner, ''), lease_until, created_at, updated_at,
		ordered, ordering_key, CASE WHEN ordered THEN nextval('delivery_ordering_seq') ELSE 0 END, holds_key, skipped_at
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[],
		$9::timestamptz[], $10::int[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[],
		$16::text[], $17::bool[], $18::text[], $19::bool[], $20::timestamptz[])
		AS r (id, tenant_id, event_id, webhook_id, event_type, state, attempts,
		retry_from, next_attempt_at, last_status, last_error, lease_owner, lease_until, created_at, updated_at, event_key,
		ordered, ordering_key, holds_key, skipped_at)
	WHERE ` + ownsKey

// insertFailedAttemptsSQL inserts the attempts made at the fan-out
// (deliveries failed by their filter) from parallel arrays.
const insertFailedAttemptsSQL = `INSERT INTO attempts (` + attemptColumns + `)
	SELECT id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at, duration_ns,
		request_url, request_headers::jsonb, request_body, status_code, response_headers::jsonb, response_body, error, success
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[],
		$9::bigint[], $10::text[], $11::text[], $12::bytea[], $13::int[], $14::text[], $15::bytea[], $16::text[],
		$17::bool[], $18::text[])
		AS r (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at, duration_ns,
		request_url, request_headers, request_body, status_code, response_headers, response_body, error, success, event_key)
	WHERE ` + ownsKey

// Publish stores a batch of events and their deliveries in one
// transaction, shared with the publishes of other callers waiting at the
// same moment; see store.PublishParams. It returns once that transaction
// has committed durably. A group takes one round trip; replays take one
// more, after the commit, to read the events they replay. A webhook
// disabled meanwhile may get a delivery: the dispatcher ends it
// (CancelStranded).
func (s *Store) Publish(ctx context.Context, p store.PublishParams) ([]store.PublishResult, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	if len(p.Events) == 0 {
		// Nothing to insert, so no foreign key to say the tenant is absent.
		_, err := s.EnabledWebhooks(ctx, p.TenantID)
		return nil, err
	}
	// Encoded here, not in the writer: the callers are many.
	headers, err := encodeAttempts(p)
	if err != nil {
		return nil, err
	}
	op := &publishOp{p: p, headers: headers}
	if err := s.publishes.do(ctx, op); err != nil {
		return nil, err
	}
	if err := s.loadReplays(ctx, op.res); err != nil {
		return nil, mapErr("publish", err)
	}
	return op.res, nil
}

// writePublishes writes a group of publishes in one pipelined transaction.
func (s *Store) writePublishes(ctx context.Context, ops []*pending[*publishOp]) error {
	var (
		ev    eventArrays
		dlv   deliveryArrays
		fails failedAttemptArrays
		keyed bool
	)
	for _, p := range ops {
		o := p.op
		o.res = make([]store.PublishResult, len(o.p.Events))
		for i := range o.p.Events {
			e := o.p.Events[i].Event
			e.TenantID = o.p.TenantID
			ev.add(&e)
			keyed = keyed || e.IdempotencyKey != ""
			r := &o.res[i]
			r.Event = e
			for _, nd := range o.p.Events[i].Deliveries {
				d := nd.Delivery
				d.TenantID, d.EventID = e.TenantID, e.ID
				dlv.add(&d, &nd, e.IdempotencyKey)
				if nd.Attempt != nil {
					fails.add(&d, nd.Attempt, o.headers[nd.Attempt.ID], e.IdempotencyKey)
				}
				r.Deliveries = append(r.Deliveries, d)
			}
		}
	}

	b := &pgx.Batch{}
	if dlv.ordered {
		s.lockOrderedPublish(b)
	}
	inserted := map[string]bool{}
	q := b.Queue(insertEventsSQL, ev.tenants, ev.ids, ev.types, ev.occurred, ev.received, ev.data, ev.keys, ev.orderingKeys)
	if keyed {
		q.Query(func(rows pgx.Rows) error {
			var id string
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				inserted[id] = true
				return nil
			})
			return err
		})
	}
	if len(dlv.ids) > 0 {
		b.Queue(insertDeliveriesSQL, dlv.ids, dlv.tenants, dlv.eventIDs, dlv.webhookIDs, dlv.types, dlv.states, dlv.attempts,
			dlv.retryFrom, dlv.next, dlv.statuses, dlv.errors, dlv.owners, dlv.leaseUntil, dlv.created, dlv.updated, dlv.keys,
			dlv.ordereds, dlv.orderingKeys, dlv.holds, dlv.skipped)
	}
	if len(fails.ids) > 0 {
		b.Queue(insertFailedAttemptsSQL, fails.ids, fails.deliveryIDs, fails.tenantIDs, fails.webhookIDs, fails.eventIDs,
			fails.numbers, fails.triggers, fails.started, fails.durations, fails.urls, fails.reqHeaders, fails.reqBodies,
			fails.statuses, fails.respHeaders, fails.respBodies, fails.errors, fails.success, fails.keys)
	}
	err := s.withPipeTx(ctx, "publish", func(pt *pipeTx) error { return pt.send(ctx, b, true) })
	if err != nil {
		if len(ops) == 1 {
			return publishInsertErr(err, ops[0].op.p.TenantID)
		}
		return err
	}

	unleased := false
	for _, p := range ops {
		for i := range p.op.res {
			r := &p.op.res[i]
			if r.Event.IdempotencyKey != "" && !inserted[r.Event.ID] {
				r.Replayed, r.Deliveries = true, nil
				continue
			}
			for _, nd := range p.op.p.Events[i].Deliveries {
				unleased = unleased || (nd.Delivery.State == domain.Scheduled && nd.LeaseOwner == "")
			}
		}
	}
	// Leased deliveries go to the publishing node's dispatcher in memory;
	// only unleased ones are news for the other nodes.
	if unleased {
		s.notifier.poke()
	}
	return nil
}

// replayKey names an idempotency key.
type replayKey struct{ tenantID, key string }

// loadReplays fills the results of replayed events with the stored events
// that own their idempotency keys, and those events' deliveries as they
// are now, in one round trip (none if nothing was replayed).
func (s *Store) loadReplays(ctx context.Context, results []store.PublishResult) error {
	var tenants, keys []string
	for i := range results {
		if results[i].Replayed {
			tenants, keys = append(tenants, results[i].Event.TenantID), append(keys, results[i].Event.IdempotencyKey)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	const owners = `SELECT k.event_id FROM unnest($1::text[], $2::text[]) AS i (tenant_id, key)
		JOIN idempotency_keys k ON k.tenant_id = i.tenant_id AND k.key = i.key`
	originals := map[replayKey]domain.Event{}
	byEvent := map[string][]domain.Delivery{}
	b := &pgx.Batch{}
	b.Queue(`SELECT `+eventColumns+` FROM events WHERE id IN (`+owners+`)`, tenants, keys).Query(func(rows pgx.Rows) error {
		evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Event, error) { return scanEvent(r) })
		for _, e := range evs {
			originals[replayKey{e.TenantID, e.IdempotencyKey}] = e
		}
		return err
	})
	b.Queue(`SELECT `+deliveryColumns+` FROM deliveries WHERE event_id IN (`+owners+`) ORDER BY id`, tenants, keys).Query(func(rows pgx.Rows) error {
		dlvs, err := collectDeliveries(rows)
		for _, d := range dlvs {
			byEvent[d.EventID] = append(byEvent[d.EventID], d)
		}
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("read replayed events: %w", err)
	}
	for i := range results {
		r := &results[i]
		if !r.Replayed {
			continue
		}
		orig, ok := originals[replayKey{r.Event.TenantID, r.Event.IdempotencyKey}]
		if !ok {
			// Skipped on conflict yet absent: only retention deleting the
			// original right now could do it; never answer with an empty
			// event.
			return fmt.Errorf("replayed event for idempotency key of event %s not found", r.Event.ID)
		}
		r.Event, r.Deliveries = orig, byEvent[orig.ID]
	}
	return nil
}

// publishInsertErr maps the failure of a lone publish: a tenant deleted
// meanwhile is ENOTFOUND, a reused event id ECONFLICT.
func publishInsertErr(err error, tenantID string) error {
	var table string
	if pgErr := pgError(err); pgErr != nil {
		table = pgErr.TableName
	}
	switch code, _ := pgCode(err); {
	case code == codeForeignKeyViolation:
		return domain.NotFound("tenant", tenantID)
	case code == codeUniqueViolation && strings.HasPrefix(table, "events"):
		return domain.Errorf(domain.ECONFLICT, "an event with the same id already exists")
	case code == codeUniqueViolation && strings.HasPrefix(table, "deliveries"):
		return domain.Errorf(domain.ECONFLICT, "a delivery with the same id already exists")
	}
	return err
}

// eventArrays holds events as the parallel arrays insertEventsSQL unnests.
type eventArrays struct {
	tenants, ids, types, data, keys, orderingKeys []string
	occurred, received                            []time.Time
}

func (a *eventArrays) add(e *domain.Event) {
	a.tenants = append(a.tenants, e.TenantID)
	a.ids = append(a.ids, e.ID)
	a.types = append(a.types, e.Type)
	a.data = append(a.data, string(e.Data))
	a.keys = append(a.keys, e.IdempotencyKey)
	a.orderingKeys = append(a.orderingKeys, e.OrderingKey)
	a.occurred = append(a.occurred, e.OccurredAt)
	a.received = append(a.received, e.ReceivedAt)
}

// deliveryArrays holds new deliveries as the parallel arrays that
// insertDeliveriesSQL unnests.
type deliveryArrays struct {
	ids, tenants, eventIDs, webhookIDs, types, states, errors, owners, keys []string
	attempts, retryFrom, statuses                                           []int32
	next, leaseUntil                                                        []*time.Time
	created, updated                                                        []time.Time
	ordereds, holds                                                         []bool
	orderingKeys                                                            []string
	skipped                                                                 []*time.Time
	// ordered is set when any delivery is.
	ordered bool
}

// add appends d, created as nd says, of an event with idempotency key key.
func (a *deliveryArrays) add(d *domain.Delivery, nd *store.NewDelivery, key string) {
	var next, until *time.Time
	owner := ""
	if d.State == domain.Scheduled {
		next = nullTime(d.NextAttemptAt)
		if nd.LeaseOwner != "" {
			owner, until = nd.LeaseOwner, nullTime(nd.LeaseUntil)
		}
	}
	a.ids = append(a.ids, d.ID)
	a.tenants = append(a.tenants, d.TenantID)
	a.eventIDs = append(a.eventIDs, d.EventID)
	a.webhookIDs = append(a.webhookIDs, d.WebhookID)
	a.types = append(a.types, d.EventType)
	a.states = append(a.states, string(d.State))
	a.attempts = append(a.attempts, int32(d.Attempts))
	a.retryFrom = append(a.retryFrom, int32(d.RetryFrom))
	a.statuses = append(a.statuses, int32(d.LastStatus))
	a.next = append(a.next, next)
	a.errors = append(a.errors, d.LastError)
	a.owners = append(a.owners, owner)
	a.leaseUntil = append(a.leaseUntil, until)
	a.created = append(a.created, d.CreatedAt)
	a.updated = append(a.updated, d.UpdatedAt)
	a.keys = append(a.keys, key)
	if !d.Ordered {
		d.OrderingKey, d.HoldsKey = "", false
	}
	a.ordereds = append(a.ordereds, d.Ordered)
	a.orderingKeys = append(a.orderingKeys, d.OrderingKey)
	a.holds = append(a.holds, d.HoldsKey)
	a.skipped = append(a.skipped, nullTime(d.SkippedAt))
	a.ordered = a.ordered || d.Ordered
}

// failedAttemptArrays holds the attempts of deliveries failed at the
// fan-out as the parallel arrays insertFailedAttemptsSQL unnests.
type failedAttemptArrays struct {
	attemptArrays
	keys []string
}

func (a *failedAttemptArrays) add(d *domain.Delivery, at *domain.Attempt, h encodedHeaders, key string) {
	fill := *at
	fill.DeliveryID, fill.TenantID, fill.WebhookID, fill.EventID = d.ID, d.TenantID, d.WebhookID, d.EventID
	a.attemptArrays.add(&fill, h)
	a.keys = append(a.keys, key)
}

// encodedHeaders holds an attempt's header columns as JSON.
type encodedHeaders struct{ req, resp *string }

// encode encodes an attempt's headers.
func encodeHeaders(a *domain.Attempt) (encodedHeaders, error) {
	req, err := jsonOrNull(a.RequestHeaders)
	if err != nil {
		return encodedHeaders{}, fmt.Errorf("request headers: %w", err)
	}
	resp, err := jsonOrNull(a.ResponseHeaders)
	if err != nil {
		return encodedHeaders{}, fmt.Errorf("response headers: %w", err)
	}
	return encodedHeaders{req, resp}, nil
}

// encodeAttempts encodes the headers of p's attempts, by attempt id.
func encodeAttempts(p store.PublishParams) (map[string]encodedHeaders, error) {
	var out map[string]encodedHeaders
	for i := range p.Events {
		for _, nd := range p.Events[i].Deliveries {
			if nd.Attempt == nil {
				continue
			}
			h, err := encodeHeaders(nd.Attempt)
			if err != nil {
				return nil, fmt.Errorf("postgres: publish: %w", err)
			}
			if out == nil {
				out = map[string]encodedHeaders{}
			}
			out[nd.Attempt.ID] = h
		}
	}
	return out, nil
}
