package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
)

const eventColumns = `id, tenant_id, type, occurred_at, received_at, data, idempotency_key, ordering_key`

func scanEvent(row pgx.Row) (domain.Event, error) {
	var e domain.Event
	var data []byte
	err := row.Scan(&e.ID, &e.TenantID, &e.Type, &e.OccurredAt, &e.ReceivedAt, &data, &e.IdempotencyKey, &e.OrderingKey)
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

// Reads of enabled webhooks are grouped too: every publish reads its
// tenant's webhooks before its fan-out, and the reads waiting at one moment
// (of any tenants) take one round trip instead of one each.

// hookReadWorkers is how many groups of reads may be in flight at once.
const hookReadWorkers = 1

// hookReadMaxTenants caps the calls of a group of reads.
const hookReadMaxTenants = 1000

// hooksOp is one EnabledWebhooks call waiting for its group.
type hooksOp struct {
	tenantID string
	// Set once the group has run: whether the tenant exists, and its
	// enabled webhooks (shared with the group's other calls for the
	// tenant: read only, as EnabledWebhooks says).
	found bool
	hooks []domain.Webhook
}

func (*hooksOp) rows() int { return 1 }

// EnabledWebhooks returns a tenant's enabled webhooks, by id, outside any
// transaction, in one round trip shared with the calls waiting at the same
// moment. ENOTFOUND if the tenant is absent.
func (s *Store) EnabledWebhooks(ctx context.Context, tenantID string) ([]domain.Webhook, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	op := &hooksOp{tenantID: tenantID}
	if err := s.hookReads.do(ctx, op); err != nil {
		return nil, err
	}
	if !op.found {
		return nil, domain.NotFound("tenant", tenantID)
	}
	return op.hooks, nil
}

// readHooks reads the enabled webhooks of a group of EnabledWebhooks calls.
func (s *Store) readHooks(ctx context.Context, ops []*pending[*hooksOp]) error {
	ids := make([]string, 0, len(ops))
	found := make(map[string]bool, len(ops))
	for _, p := range ops {
		if _, ok := found[p.op.tenantID]; !ok {
			found[p.op.tenantID] = false
			ids = append(ids, p.op.tenantID)
		}
	}
	byTenant := map[string][]domain.Webhook{}
	b := &pgx.Batch{}
	b.Queue(`SELECT id FROM tenants WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		var id string
		_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
			found[id] = true
			return nil
		})
		return err
	})
	b.Queue(`SELECT `+webhookSelect+` FROM webhooks WHERE tenant_id = ANY($1) AND enabled ORDER BY tenant_id, id`, ids).
		Query(func(rows pgx.Rows) error {
			hooks, err := collectWebhooks(rows)
			for _, w := range hooks {
				byTenant[w.TenantID] = append(byTenant[w.TenantID], w)
			}
			return err
		})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return mapErr("enabled webhooks", err)
	}
	for _, p := range ops {
		p.op.found = found[p.op.tenantID]
		if p.op.hooks = byTenant[p.op.tenantID]; p.op.hooks == nil {
			p.op.hooks = []domain.Webhook{}
		}
	}
	return nil
}

// CancelStranded cancels a scheduled delivery whose webhook is disabled or
// deleted, clearing its lease, and reports whether it did.
func (s *Store) CancelStranded(ctx context.Context, deliveryID string, now time.Time) (bool, error) {
	if s.closed.Load() {
		return false, errClosed
	}
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries d SET state = 'canceled', next_attempt_at = NULL,
		lease_owner = NULL, lease_until = NULL, updated_at = $2, holds_key = false
		WHERE d.id = $1 AND d.state = 'scheduled'
		AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.enabled)`, deliveryID, now)
	if err != nil {
		return false, mapErr("cancel stranded delivery", err)
	}
	return tag.RowsAffected() > 0, nil
}
