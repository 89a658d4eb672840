package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
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

// insertDeliveriesSQL inserts a batch of new deliveries from parallel
// arrays in one statement.
const insertDeliveriesSQL = `INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state,
		next_attempt_at, lease_owner, lease_until, created_at, updated_at)
	SELECT id, $1, event_id, webhook_id, event_type, 'scheduled', $2,
		CASE WHEN leased THEN $3 END, CASE WHEN leased THEN $4::timestamptz END, $2, $2
	FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::bool[]) AS d (id, event_id, webhook_id, event_type, leased)`

// Publish stores a batch of events and their deliveries in one
// transaction; see store.PublishParams. Whatever the batch size it takes
// two round trips (read the tenant's webhooks; insert and commit), three
// when idempotency keys are present.
func (s *Store) Publish(ctx context.Context, p store.PublishParams) ([]store.PublishResult, error) {
	match := p.Match
	if match == nil {
		match = func(w *domain.Webhook, e *domain.Event) bool { return w.Subscribes(e.Type) }
	}
	results := make([]store.PublishResult, len(p.Events))
	// firstOf[i] is the index of the earlier event of the batch with i's
	// idempotency key, or i itself.
	firstOf := make([]int, len(p.Events))
	byKey := map[string]int{}
	keyed := false
	for i := range p.Events {
		firstOf[i] = i
		if k := p.Events[i].IdempotencyKey; k != "" {
			keyed = true
			if j, ok := byKey[k]; ok {
				firstOf[i] = j
			} else {
				byKey[k] = i
			}
		}
	}

	var leaseOwner *string
	if p.LeaseOwner != "" {
		leaseOwner = &p.LeaseOwner
	}
	unleased := 0
	err := s.withPipeTx(ctx, "publish", func(pt *pipeTx) error {
		// Round trip 1: BEGIN, the tenant and its webhooks.
		hooks, err := lockTenantWebhooks(ctx, pt, p.TenantID)
		if err != nil {
			return err
		}

		// Events and deliveries as parallel arrays, first occurrences only.
		n := len(p.Events)
		var (
			evIDs, evTypes, evData, evKeys = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
			evOccurred, evReceived         = make([]time.Time, 0, n), make([]time.Time, 0, n)
			dlv                            deliveryArrays
		)
		for i := range p.Events {
			if firstOf[i] != i {
				continue
			}
			e := p.Events[i]
			e.TenantID = p.TenantID
			evIDs, evTypes, evData, evKeys = append(evIDs, e.ID), append(evTypes, e.Type), append(evData, string(e.Data)), append(evKeys, e.IdempotencyKey)
			evOccurred, evReceived = append(evOccurred, e.OccurredAt), append(evReceived, e.ReceivedAt)
			results[i].Event = e
			for j := range hooks {
				if match(&hooks[j], &e) {
					d := newDelivery(p, &e, &hooks[j])
					results[i].Deliveries = append(results[i].Deliveries, d)
					dlv.add(i, &d, p.Leased(d.WebhookID))
				}
			}
		}
		queueDeliveries := func(b *pgx.Batch) {
			if len(dlv.ids) > 0 {
				b.Queue(insertDeliveriesSQL, p.TenantID, p.Now, leaseOwner, nullTime(p.LeaseUntil), dlv.ids, dlv.eventIDs, dlv.webhookIDs, dlv.types, dlv.leased)
			}
		}

		if !keyed {
			// Nothing can be skipped. Round trip 2: both inserts and COMMIT.
			b := &pgx.Batch{}
			b.Queue(insertEventsSQL, p.TenantID, evIDs, evTypes, evOccurred, evReceived, evData, evKeys)
			queueDeliveries(b)
			if err := pt.send(ctx, b, true); err != nil {
				return publishInsertErr(err, p.TenantID)
			}
			unleased = dlv.unleased()
			return nil
		}

		// Round trip 2: the events, learning which keys were new.
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
		// Events whose key was seen in an earlier publish are replays:
		// drop their would-be deliveries and load the originals.
		var replayKeys []string
		for i := range p.Events {
			if firstOf[i] == i && !inserted[p.Events[i].ID] {
				replayKeys = append(replayKeys, p.Events[i].IdempotencyKey)
				results[i].Deliveries = nil
				results[i].Replayed = true
			}
		}
		if len(replayKeys) > 0 {
			dlv = dlv.keep(func(i int) bool { return !results[i].Replayed })
			if err := loadReplays(ctx, pt.conn, p.TenantID, replayKeys, p.Events, results); err != nil {
				return err
			}
		}
		// Last round trip: the deliveries and COMMIT.
		b = &pgx.Batch{}
		queueDeliveries(b)
		if err := pt.send(ctx, b, true); err != nil {
			return fmt.Errorf("insert deliveries: %w", err)
		}
		unleased = dlv.unleased()
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Later duplicates within the batch replay their first occurrence.
	for i := range p.Events {
		if j := firstOf[i]; j != i {
			results[i] = results[j]
			results[i].Deliveries = append([]domain.Delivery(nil), results[j].Deliveries...)
			results[i].Replayed = true
		}
	}
	// Leased deliveries go to the publishing node's dispatcher in memory;
	// only unleased ones are news for the other nodes.
	if unleased > 0 {
		s.notifier.poke()
	}
	return results, nil
}

// lockTenantWebhooks checks that the tenant exists and returns its enabled
// webhooks, share-locked until commit: a concurrent disable or delete
// waits for this publish and then cancels the deliveries it made, instead
// of missing them.
func lockTenantWebhooks(ctx context.Context, pt *pipeTx, tenantID string) ([]domain.Webhook, error) {
	b := &pgx.Batch{}
	var exists bool
	b.Queue(`SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)`, tenantID).QueryRow(func(r pgx.Row) error {
		return r.Scan(&exists)
	})
	var hooks []domain.Webhook
	b.Queue(`SELECT `+webhookColumns+` FROM webhooks WHERE tenant_id = $1 AND enabled ORDER BY id FOR SHARE`, tenantID).
		Query(func(rows pgx.Rows) error {
			var err error
			hooks, err = collectWebhooks(rows)
			return err
		})
	if err := pt.send(ctx, b, false); err != nil {
		return nil, fmt.Errorf("read webhooks: %w", err)
	}
	if !exists {
		return nil, domain.NotFound("tenant", tenantID)
	}
	return hooks, nil
}

// loadReplays fills the results of replayed events with the stored events
// that own their idempotency keys, and those events' deliveries.
func loadReplays(ctx context.Context, tx dbtx, tenantID string, keys []string, events []domain.Event, results []store.PublishResult) error {
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
		orig, ok := byKey[events[i].IdempotencyKey]
		if !ok {
			// Skipped on conflict yet absent: cannot happen under the
			// unique index, but never answer with an empty event.
			return fmt.Errorf("replayed event for idempotency key of event %s not found", events[i].ID)
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

// newDelivery makes the scheduled delivery of e to w.
func newDelivery(p store.PublishParams, e *domain.Event, w *domain.Webhook) domain.Delivery {
	return domain.Delivery{
		ID:            id.New(id.Delivery),
		TenantID:      p.TenantID,
		EventID:       e.ID,
		WebhookID:     w.ID,
		EventType:     e.Type,
		State:         domain.Scheduled,
		NextAttemptAt: p.Now,
		CreatedAt:     p.Now,
		UpdatedAt:     p.Now,
	}
}

// deliveryArrays holds new deliveries as the parallel arrays that
// insertDeliveriesSQL unnests; event is the index of each one's event in
// the batch.
type deliveryArrays struct {
	event                            []int
	ids, eventIDs, webhookIDs, types []string
	leased                           []bool
}

func (a *deliveryArrays) add(event int, d *domain.Delivery, leased bool) {
	a.event = append(a.event, event)
	a.leased = append(a.leased, leased)
	a.ids = append(a.ids, d.ID)
	a.eventIDs = append(a.eventIDs, d.EventID)
	a.webhookIDs = append(a.webhookIDs, d.WebhookID)
	a.types = append(a.types, d.EventType)
}

// keep returns the deliveries whose event index passes ok.
func (a deliveryArrays) keep(ok func(event int) bool) deliveryArrays {
	var out deliveryArrays
	for i, e := range a.event {
		if ok(e) {
			out.event = append(out.event, e)
			out.ids = append(out.ids, a.ids[i])
			out.eventIDs = append(out.eventIDs, a.eventIDs[i])
			out.webhookIDs = append(out.webhookIDs, a.webhookIDs[i])
			out.types = append(out.types, a.types[i])
			out.leased = append(out.leased, a.leased[i])
		}
	}
	return out
}

// unleased counts the deliveries created without a lease.
func (a deliveryArrays) unleased() int {
	n := 0
	for _, l := range a.leased {
		if !l {
			n++
		}
	}
	return n
}
