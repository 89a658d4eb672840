package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

const eventCols = `id, tenant_id, type, occurred_at, received_at, data, idempotency_key`

func scanEvent(sc interface{ Scan(...any) error }) (domain.Event, error) {
	var e domain.Event
	var occurred, received int64
	var data []byte
	err := sc.Scan(&e.ID, &e.TenantID, &e.Type, &occurred, &received, &data, &e.IdempotencyKey)
	e.OccurredAt, e.ReceivedAt = fromMicros(occurred), fromMicros(received)
	e.Data = data
	return e, err
}

// Publish stores events with their deliveries in one transaction (one
// savepoint of a group commit). ENOTFOUND if the tenant is absent; nothing
// is written on any error.
func (s *Store) Publish(ctx context.Context, p store.PublishParams) ([]store.PublishResult, error) {
	var results []store.PublishResult
	err := s.write(ctx, "publish", func(tx *wtx) error {
		var err error
		results, err = publish(tx, &p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func publish(tx *wtx, p *store.PublishParams) ([]store.PublishResult, error) {
	th, err := tx.tenantHooks(p.TenantID)
	if err != nil {
		return nil, err
	}
	// Match gets copies: whatever it does to them cannot reach the cache.
	hooks := slices.Clone(th.hooks)

	now := micros(p.Now)
	results := make([]store.PublishResult, len(p.Events))
	var seen map[string]int // idempotency key → index of its first event in this batch
	for i := range p.Events {
		e := &p.Events[i]
		if e.IdempotencyKey != "" {
			if j, ok := seen[e.IdempotencyKey]; ok {
				results[i] = store.PublishResult{Event: results[j].Event, Deliveries: slices.Clone(results[j].Deliveries), Replayed: true}
				continue
			}
			if seen == nil {
				seen = map[string]int{}
			}
			seen[e.IdempotencyKey] = i
			r, found, err := replay(tx, p.TenantID, e.IdempotencyKey)
			if err != nil {
				return nil, err
			}
			if found {
				results[i] = r
				continue
			}
		}
		if _, err := tx.exec(`INSERT INTO events (`+eventCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.ID, p.TenantID, e.Type, micros(e.OccurredAt), micros(e.ReceivedAt), []byte(e.Data), e.IdempotencyKey); err != nil {
			if isUnique(err) {
				return nil, domain.Errorf(domain.ECONFLICT, "event %q already exists", e.ID)
			}
			return nil, err
		}
		r := store.PublishResult{Event: *e}
		r.Event.TenantID = p.TenantID
		for j := range hooks {
			if !p.Match(&hooks[j], e) {
				continue
			}
			d := domain.Delivery{
				ID: id.New(id.Delivery), TenantID: p.TenantID, EventID: e.ID, WebhookID: hooks[j].ID,
				EventType: e.Type, State: domain.Scheduled, NextAttemptAt: p.Now, CreatedAt: p.Now, UpdatedAt: p.Now,
			}
			owner, leaseUntil, due := "", int64(0), now
			if p.Leased(d.WebhookID) {
				owner, leaseUntil = p.LeaseOwner, micros(p.LeaseUntil)
				due = leaseUntil
			}
			if _, err := tx.exec(`INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state,
				next_attempt_at, created_at, updated_at, lease_owner, lease_until, due_at)
				VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?)`,
				d.ID, d.TenantID, d.EventID, d.WebhookID, d.EventType, now, now, now, owner, leaseUntil, due); err != nil {
				return nil, err
			}
			r.Deliveries = append(r.Deliveries, d)
		}
		results[i] = r
	}
	return results, nil
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

// tenantHooks returns the tenant's enabled webhooks from the writer's
// cache, loading them on a miss. ENOTFOUND if the tenant is absent.
func (tx *wtx) tenantHooks(tenantID string) (*tenantHooks, error) {
	if th, ok := tx.hooks[tenantID]; ok {
		return th, nil
	}
	var one int
	err := tx.queryRow(`SELECT 1 FROM tenants WHERE id = ?`, tenantID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("tenant", tenantID)
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(`SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = ? AND enabled = 1 ORDER BY id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	th := &tenantHooks{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		th.hooks = append(th.hooks, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(tx.hooks) >= maxCachedTenants {
		clear(tx.hooks)
	}
	tx.hooks[tenantID] = th
	return th, nil
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
