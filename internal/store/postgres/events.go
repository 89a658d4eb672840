package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
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
	b.Queue(`SELECT `+webhookColumns+` FROM webhooks WHERE tenant_id = $1 AND enabled ORDER BY id`, tenantID).
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
