package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

const eventCols = `id, tenant_id, type, occurred_at, received_at, data, idempotency_key, ordering_key`

func scanEvent(sc interface{ Scan(...any) error }) (domain.Event, error) {
	var e domain.Event
	var occurred, received int64
	var data []byte
	err := sc.Scan(&e.ID, &e.TenantID, &e.Type, &occurred, &received, &data, &e.IdempotencyKey, &e.OrderingKey)
	e.OccurredAt, e.ReceivedAt = fromMicros(occurred), fromMicros(received)
	e.Data = data
	return e, err
}

// Publish stores events with their deliveries in one transaction (one
// savepoint of a group commit). ENOTFOUND if the tenant is absent; nothing
// is written on any error.
func (s *Store) Publish(ctx context.Context, p store.PublishParams) ([]store.PublishResult, error) {
	// Encode outside the writer: the writer is the bottleneck.
	enc := map[string]*encodedAttempt{}
	for i := range p.Events {
		for _, d := range p.Events[i].Deliveries {
			if d.Attempt != nil {
				var e encodedAttempt
				if err := e.encode(&store.AttemptRecord{Attempt: *d.Attempt}); err != nil {
					return nil, err
				}
				enc[d.Attempt.ID] = &e
			}
		}
	}
	var results []store.PublishResult
	err := s.write(ctx, "publish", func(tx *wtx) error {
		var err error
		results, err = publish(tx, &p, enc)
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func publish(tx *wtx, p *store.PublishParams, enc map[string]*encodedAttempt) ([]store.PublishResult, error) {
	if len(p.Events) == 0 {
		// No insert to trip the foreign key: check the tenant.
		var one int
		err := tx.queryRow(`SELECT 1 FROM tenants WHERE id = ?`, p.TenantID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("tenant", p.TenantID)
		}
		return nil, err
	}
	results := make([]store.PublishResult, len(p.Events))
	for i := range p.Events {
		e := &p.Events[i].Event
		if e.IdempotencyKey != "" {
			r, found, err := replay(tx, p.TenantID, e.IdempotencyKey)
			if err != nil {
				return nil, err
			}
			if found {
				results[i] = r
				continue
			}
		}
		if _, err := tx.exec(`INSERT INTO events (`+eventCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, p.TenantID, e.Type, micros(e.OccurredAt), micros(e.ReceivedAt), []byte(e.Data), e.IdempotencyKey, e.OrderingKey); err != nil {
			switch {
			case isForeignKey(err):
				return nil, domain.NotFound("tenant", p.TenantID)
			case isUnique(err):
				return nil, domain.Errorf(domain.ECONFLICT, "event %q already exists", e.ID)
			}
			return nil, err
		}
		r := store.PublishResult{Event: *e, Deliveries: make([]domain.Delivery, 0, len(p.Events[i].Deliveries))}
		r.Event.TenantID = p.TenantID
		for _, nd := range p.Events[i].Deliveries {
			d := nd.Delivery
			d.TenantID, d.EventID = p.TenantID, e.ID
			if err := insertDelivery(tx, &d, &nd); err != nil {
				return nil, err
			}
			if a := nd.Attempt; a != nil {
				if err := insertAttempt(tx, &d, a, enc[a.ID]); err != nil {
					return nil, err
				}
			}
			r.Deliveries = append(r.Deliveries, d)
		}
		results[i] = r
	}
	return results, nil
}

// insertDelivery inserts d, leased as nd says. An ordered delivery takes
// the next position: the writer commits in the order it assigns them, so
// positions follow commits, and a batch's events come in their order.
func insertDelivery(tx *wtx, d *domain.Delivery, nd *store.NewDelivery) error {
	var seq int64
	if d.Ordered {
		var err error
		if seq, err = tx.nextOrderingSeq(); err != nil {
			return err
		}
	} else {
		d.OrderingKey, d.HoldsKey = "", false
	}
	next := int64(0)
	if d.State == domain.Scheduled {
		next = micros(d.NextAttemptAt)
	}
	// due_at is when the delivery may next be claimed (see the schema).
	owner, leaseUntil, due := "", int64(0), next
	if nd.LeaseOwner != "" && d.State == domain.Scheduled {
		owner, leaseUntil = nd.LeaseOwner, micros(nd.LeaseUntil)
		due = leaseUntil
	}
	_, err := tx.exec(`INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state, attempts, retry_from,
		next_attempt_at, last_status, last_error, created_at, updated_at, lease_owner, lease_until, due_at,
		ordered, ordering_key, ordering_seq, holds_key, skipped_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.TenantID, d.EventID, d.WebhookID, d.EventType, string(d.State), d.Attempts, d.RetryFrom,
		next, d.LastStatus, d.LastError, micros(d.CreatedAt), micros(d.UpdatedAt), owner, leaseUntil, due,
		boolInt(d.Ordered), d.OrderingKey, seq, boolInt(d.HoldsKey), micros(d.SkippedAt))
	if isUnique(err) {
		return domain.Errorf(domain.ECONFLICT, "delivery %q already exists", d.ID)
	}
	return err
}

// insertAttempt inserts an attempt that the fan-out made with delivery d.
func insertAttempt(tx *wtx, d *domain.Delivery, a *domain.Attempt, enc *encodedAttempt) error {
	_, err := tx.exec(`INSERT INTO attempts (`+attemptCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, d.ID, d.TenantID, d.WebhookID, d.EventID, a.Number, string(a.Trigger),
		micros(a.StartedAt), int64(a.Duration), a.RequestURL, enc.reqHeaders, nullBytes(a.RequestBody), a.StatusCode,
		enc.respHeaders, nullBytes(a.ResponseBody), a.Error, boolInt(a.Success))
	if isUnique(err) {
		return domain.Errorf(domain.ECONFLICT, "attempt %q already exists", a.ID)
	}
	return err
}

// replay finds the event a tenant published earlier with key, and its
// deliveries as they are now.
func replay(tx *wtx, tenantID, key string) (store.PublishResult, bool, error) {
	e, err := scanEvent(tx.queryRow(`SELECT `+eventCols+` FROM events WHERE tenant_id = ? AND idempotency_key = ?`, tenantID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return store.PublishResult{}, false, nil
	}
	if err != nil {
		return store.PublishResult{}, false, err
	}
	rows, err := tx.query(`SELECT `+deliveryCols+` FROM deliveries WHERE event_id = ? ORDER BY id`, e.ID)
	if err != nil {
		return store.PublishResult{}, false, err
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return store.PublishResult{}, false, err
	}
	return store.PublishResult{Event: e, Deliveries: ds, Replayed: true}, true, nil
}

// CancelStranded cancels a scheduled delivery whose webhook is disabled or
// deleted, clearing its lease, and reports whether it did.
func (s *Store) CancelStranded(ctx context.Context, deliveryID string, now time.Time) (bool, error) {
	var n int64
	err := s.write(ctx, "cancel stranded delivery", func(tx *wtx) error {
		var err error
		n, err = tx.exec(`UPDATE deliveries SET state = 'canceled', next_attempt_at = 0, due_at = 0, updated_at = ?,
			lease_owner = '', lease_until = 0, holds_key = 0
			WHERE id = ? AND state = 'scheduled'
			AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = deliveries.webhook_id AND w.enabled = 1)`,
			micros(now), deliveryID)
		return err
	})
	return n > 0, err
}

// GetEvent returns one event. ENOTFOUND if absent.
func (s *Store) GetEvent(ctx context.Context, tenantID, eventID string) (*domain.Event, error) {
	e, err := scanEvent(s.rdb.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE id = ? AND tenant_id = ?`, eventID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("event", eventID)
	}
	if err != nil {
		return nil, mapErr("get event", err)
	}
	return &e, nil
}
