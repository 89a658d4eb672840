package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

const eventColumns = `id, tenant_id, type, occurred_at, received_at, data, idempotency_key`

func scanEvent(row pgx.Row) (domain.Event, error) {
	var e domain.Event
	var data []byte
	err := row.Scan(&e.ID, &e.TenantID, &e.Type, &e.OccurredAt, &e.ReceivedAt, &data, &e.IdempotencyKey)
	e.Data = data
	e.OccurredAt, e.ReceivedAt = utc(e.OccurredAt), utc(e.ReceivedAt)
	return e, err
}

// GetEvent returns one of a tenant's events. ENOTFOUND if absent.
func (s *Store) GetEvent(ctx context.Context, tenantID, eventID string) (*domain.Event, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	e, err := scanEvent(s.pool.QueryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE id = $1 AND tenant_id = $2`, eventID, tenantID))
	if err != nil {
		return nil, mapErr("get event", notFoundIfNoRows(err, "event", eventID))
	}
	return &e, nil
}

// insertEventsSQL inserts a batch of events from parallel arrays in one
// statement. An event with an idempotency key is stored only if its key
// was new (RETURNING reveals which were); a concurrent publish of the same
// key makes this statement wait for that transaction's outcome, so exactly
// one wins. Keys live in their own table because events is partitioned,
// and a unique index on a partitioned table holds only within a partition.
const insertEventsSQL = `WITH input AS (
		SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[])
			AS e (id, type, occurred_at, received_at, data, idempotency_key)
	), keys AS (
		INSERT INTO idempotency_keys (tenant_id, key, event_id)
		SELECT $1, idempotency_key, id FROM input WHERE idempotency_key <> ''
		ON CONFLICT (tenant_id, key) DO NOTHING
		RETURNING event_id
	)
	INSERT INTO events (` + eventColumns + `)
	SELECT id, $1, type, occurred_at, received_at, data::json, idempotency_key
	FROM input
	WHERE idempotency_key = '' OR id IN (SELECT event_id FROM keys)
	RETURNING id`

// insertDeliveriesSQL inserts a batch of new deliveries, as the fan-out
// built them, from parallel arrays in one statement.
const insertDeliveriesSQL = `INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state, attempts,
		retry_from, next_attempt_at, last_status, last_error, lease_owner, lease_until, created_at, updated_at)
	SELECT id, $1, event_id, webhook_id, event_type, state, attempts,
		retry_from, next_attempt_at, last_status, last_error, NULLIF(lease_owner, ''), lease_until, created_at, updated_at
	FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[],
		$9::timestamptz[], $10::int[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[])
		AS d (id, event_id, webhook_id, event_type, state, attempts,
		retry_from, next_attempt_at, last_status, last_error, lease_owner, lease_until, created_at, updated_at)`

// insertAttemptSQL inserts an attempt made at the fan-out (a delivery
// failed by its filter); they are rare, so one statement each.
const insertAttemptSQL = `INSERT INTO attempts (` + attemptColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14::jsonb, $15, $16, $17)`

// EnabledWebhooks returns a tenant's enabled webhooks, by id, in one round
// trip and outside any transaction. ENOTFOUND if the tenant is absent.
func (s *Store) EnabledWebhooks(ctx context.Context, tenantID string) ([]domain.Webhook, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	b := &pgx.Batch{}
	var exists bool
	b.Queue(`SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)`, tenantID).QueryRow(func(r pgx.Row) error {
		return r.Scan(&exists)
	})
	hooks := []domain.Webhook{}
	b.Queue(`SELECT `+webhookSelect+` FROM webhooks WHERE tenant_id = $1 AND enabled ORDER BY id`, tenantID).
		Query(func(rows pgx.Rows) error {
			var err error
			hooks, err = collectWebhooks(rows)
			return err
		})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, mapErr("enabled webhooks", err)
	}
	if !exists {
		return nil, domain.NotFound("tenant", tenantID)
	}
	return hooks, nil
}

// Publish stores a batch of events and their deliveries in one
// transaction; see store.PublishParams. Whatever the batch size it takes
// one round trip (BEGIN, the inserts and COMMIT), two when idempotency
// keys are present (three if some replay). A webhook disabled meanwhile
// may get a delivery: the dispatcher ends it (CancelStranded).
func (s *Store) Publish(ctx context.Context, p store.PublishParams) ([]store.PublishResult, error) {
	if len(p.Events) == 0 {
		// Nothing to insert, so no foreign key to say the tenant is absent.
		_, err := s.EnabledWebhooks(ctx, p.TenantID)
		return nil, err
	}
	n := len(p.Events)
	results := make([]store.PublishResult, n)
	var (
		evIDs, evTypes, evData, evKeys = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		evOccurred, evReceived         = make([]time.Time, 0, n), make([]time.Time, 0, n)
		keyed                          bool
	)
	for i := range p.Events {
		e := p.Events[i].Event
		e.TenantID = p.TenantID
		evIDs, evTypes, evData, evKeys = append(evIDs, e.ID), append(evTypes, e.Type), append(evData, string(e.Data)), append(evKeys, e.IdempotencyKey)
		evOccurred, evReceived = append(evOccurred, e.OccurredAt), append(evReceived, e.ReceivedAt)
		results[i].Event = e
		keyed = keyed || e.IdempotencyKey != ""
	}
	headers, err := encodeAttempts(p)
	if err != nil {
		return nil, err
	}

	unleased := 0
	// queueDeliveries queues the inserts of the deliveries (and their
	// attempts) of the events that are not replays.
	queueDeliveries := func(b *pgx.Batch) {
		var dlv deliveryArrays
		type made struct {
			d *domain.Delivery
			a *domain.Attempt
		}
		var withAttempt []made
		for i := range p.Events {
			if results[i].Replayed {
				continue
			}
			for _, nd := range p.Events[i].Deliveries {
				d := nd.Delivery
				d.TenantID, d.EventID = p.TenantID, results[i].Event.ID
				dlv.add(&d, &nd)
				results[i].Deliveries = append(results[i].Deliveries, d)
				if nd.Attempt != nil {
					withAttempt = append(withAttempt, made{&d, nd.Attempt})
				}
			}
		}
		if len(dlv.ids) > 0 {
			b.Queue(insertDeliveriesSQL, p.TenantID, dlv.ids, dlv.eventIDs, dlv.webhookIDs, dlv.types, dlv.states, dlv.attempts,
				dlv.retryFrom, dlv.next, dlv.statuses, dlv.errors, dlv.owners, dlv.leaseUntil, dlv.created, dlv.updated)
		}
		for _, m := range withAttempt {
			d, a, h := m.d, m.a, headers[m.a.ID]
			b.Queue(insertAttemptSQL, a.ID, d.ID, d.TenantID, d.WebhookID, d.EventID, a.Number, string(a.Trigger),
				a.StartedAt, int64(a.Duration), a.RequestURL, h.req, a.RequestBody, a.StatusCode, h.resp,
				a.ResponseBody, a.Error, a.Success)
		}
		unleased = dlv.unleased
	}

	err = s.withPipeTx(ctx, "publish", func(pt *pipeTx) error {
		if !keyed {
			// Nothing can be replayed. One round trip: BEGIN, the inserts
			// and COMMIT.
			b := &pgx.Batch{}
			b.Queue(insertEventsSQL, p.TenantID, evIDs, evTypes, evOccurred, evReceived, evData, evKeys)
			queueDeliveries(b)
			if err := pt.send(ctx, b, true); err != nil {
				return publishInsertErr(err, p.TenantID)
			}
			return nil
		}

		// The events, learning which keys were new.
		inserted := make(map[string]bool, len(evIDs))
		b := &pgx.Batch{}
		b.Queue(insertEventsSQL, p.TenantID, evIDs, evTypes, evOccurred, evReceived, evData, evKeys).Query(func(rows pgx.Rows) error {
			var id string
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				inserted[id] = true
				return nil
			})
			return err
		})
		if err := pt.send(ctx, b, false); err != nil {
			return publishInsertErr(err, p.TenantID)
		}
		// Events whose key was stored already are replays: drop their
		// deliveries and load the originals.
		var replayKeys []string
		for i := range p.Events {
			if !inserted[p.Events[i].Event.ID] {
				replayKeys = append(replayKeys, p.Events[i].Event.IdempotencyKey)
				results[i].Replayed = true
			}
		}
		if len(replayKeys) > 0 {
			if err := loadReplays(ctx, pt.conn, p.TenantID, replayKeys, results); err != nil {
				return err
			}
		}
		// Last round trip: the deliveries and COMMIT.
		b = &pgx.Batch{}
		queueDeliveries(b)
		if err := pt.send(ctx, b, true); err != nil {
			return fmt.Errorf("insert deliveries: %w", err)
		}
		// A replay of an event of this very batch found it before its
		// deliveries were written: answer them.
		fresh := map[string]int{}
		for i := range results {
			if !results[i].Replayed {
				fresh[results[i].Event.ID] = i
			}
		}
		for i := range results {
			if j, ok := fresh[results[i].Event.ID]; ok && results[i].Replayed {
				results[i].Deliveries = slices.Clone(results[j].Deliveries)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Leased deliveries go to the publishing node's dispatcher in memory;
	// only unleased ones are news for the other nodes.
	if unleased > 0 {
		s.notifier.poke()
	}
	return results, nil
}

// CancelStranded cancels a scheduled delivery whose webhook is disabled or
// deleted, clearing its lease, and reports whether it did.
func (s *Store) CancelStranded(ctx context.Context, deliveryID string, now time.Time) (bool, error) {
	if s.closed.Load() {
		return false, errClosed
	}
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries d SET state = 'canceled', next_attempt_at = NULL,
		lease_owner = NULL, lease_until = NULL, updated_at = $2
		WHERE d.id = $1 AND d.state = 'scheduled'
		AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.enabled)`, deliveryID, now)
	if err != nil {
		return false, mapErr("cancel stranded delivery", err)
	}
	return tag.RowsAffected() > 0, nil
}

// loadReplays fills the results of replayed events with the stored events
// that own their idempotency keys, and those events' deliveries.
func loadReplays(ctx context.Context, tx dbtx, tenantID string, keys []string, results []store.PublishResult) error {
	rows, err := tx.Query(ctx, `SELECT `+qualified("e", eventColumns)+` FROM idempotency_keys k
		JOIN events e ON e.id = k.event_id
		WHERE k.tenant_id = $1 AND k.key = ANY ($2)`, tenantID, keys)
	if err != nil {
		return fmt.Errorf("read replayed events: %w", err)
	}
	originals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Event, error) { return scanEvent(r) })
	if err != nil {
		return fmt.Errorf("read replayed events: %w", err)
	}
	byKey := make(map[string]domain.Event, len(originals))
	ids := make([]string, len(originals))
	for i, e := range originals {
		byKey[e.IdempotencyKey] = e
		ids[i] = e.ID
	}
	rows, err = tx.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE event_id = ANY ($1) ORDER BY id`, ids)
	if err != nil {
		return fmt.Errorf("read replayed deliveries: %w", err)
	}
	dlvs, err := collectDeliveries(rows)
	if err != nil {
		return fmt.Errorf("read replayed deliveries: %w", err)
	}
	byEvent := map[string][]domain.Delivery{}
	for _, d := range dlvs {
		byEvent[d.EventID] = append(byEvent[d.EventID], d)
	}
	for i := range results {
		if !results[i].Replayed {
			continue
		}
		orig, ok := byKey[results[i].Event.IdempotencyKey]
		if !ok {
			// Skipped on conflict yet absent: cannot happen under the
			// unique index, but never answer with an empty event.
			return fmt.Errorf("replayed event for idempotency key of event %s not found", results[i].Event.ID)
		}
		results[i].Event = orig
		results[i].Deliveries = byEvent[orig.ID]
	}
	return nil
}

// publishInsertErr maps insert failures: a tenant deleted meanwhile is
// ENOTFOUND, a reused event id ECONFLICT.
func publishInsertErr(err error, tenantID string) error {
	switch code, _ := pgCode(err); code {
	case codeForeignKeyViolation:
		return domain.NotFound("tenant", tenantID)
	case codeUniqueViolation:
		return domain.Errorf(domain.ECONFLICT, "an event with the same id already exists")
	}
	return fmt.Errorf("insert events: %w", err)
}

// deliveryArrays holds new deliveries as the parallel arrays that
// insertDeliveriesSQL unnests.
type deliveryArrays struct {
	ids, eventIDs, webhookIDs, types, states, errors, owners []string
	attempts, retryFrom, statuses                            []int32
	next, leaseUntil                                         []*time.Time
	created, updated                                         []time.Time
	unleased                                                 int // scheduled without a lease
}

func (a *deliveryArrays) add(d *domain.Delivery, nd *store.NewDelivery) {
	var next, until *time.Time
	owner := ""
	if d.State == domain.Scheduled {
		next = nullTime(d.NextAttemptAt)
		if nd.LeaseOwner != "" {
			owner, until = nd.LeaseOwner, nullTime(nd.LeaseUntil)
		} else {
			a.unleased++
		}
	}
	a.ids = append(a.ids, d.ID)
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
}

// encodedHeaders holds an attempt's header columns as JSON.
type encodedHeaders struct{ req, resp *string }

// encodeAttempts encodes the headers of p's attempts, by attempt id.
func encodeAttempts(p store.PublishParams) (map[string]encodedHeaders, error) {
	var out map[string]encodedHeaders
	for i := range p.Events {
		for _, nd := range p.Events[i].Deliveries {
			a := nd.Attempt
			if a == nil {
				continue
			}
			req, err := jsonOrNull(a.RequestHeaders)
			if err != nil {
				return nil, fmt.Errorf("postgres: publish: request headers: %w", err)
			}
			resp, err := jsonOrNull(a.ResponseHeaders)
			if err != nil {
				return nil, fmt.Errorf("postgres: publish: response headers: %w", err)
			}
			if out == nil {
				out = map[string]encodedHeaders{}
			}
			out[a.ID] = encodedHeaders{req, resp}
		}
	}
	return out, nil
}
