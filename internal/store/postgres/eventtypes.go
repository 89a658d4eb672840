package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
)

const eventTypeColumns = `tenant_id, type, title, description, schema, example, ordering_key, created_at, updated_at`

// PutEventType creates or replaces a tenant's own event type, keeping its
// creation time. ENOTFOUND if the tenant is absent.
func (s *Store) PutEventType(ctx context.Context, et *domain.CustomEventType) error {
	if s.closed.Load() {
		return errClosed
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO event_types (`+eventTypeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tenant_id, type) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description,
			schema = EXCLUDED.schema, example = EXCLUDED.example, ordering_key = EXCLUDED.ordering_key, updated_at = EXCLUDED.updated_at`,
		et.TenantID, et.Type, et.Title, et.Description, string(et.Schema), string(et.Example), et.OrderingKey, et.CreatedAt, et.UpdatedAt)
	if code, _ := pgCode(err); code == codeForeignKeyViolation {
		return domain.NotFound("tenant", et.TenantID)
	}
	return mapErr("put event type", err)
}

// ListEventTypes returns a tenant's own event types, sorted by type.
func (s *Store) ListEventTypes(ctx context.Context, tenantID string) ([]domain.CustomEventType, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT `+eventTypeColumns+` FROM event_types WHERE tenant_id = $1 ORDER BY type`, tenantID)
	if err != nil {
		return nil, mapErr("list event types", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.CustomEventType, error) {
		var et domain.CustomEventType
		var schema, example string
		err := r.Scan(&et.TenantID, &et.Type, &et.Title, &et.Description, &schema, &example, &et.OrderingKey, &et.CreatedAt, &et.UpdatedAt)
		if schema != "" {
			et.Schema = []byte(schema)
		}
		if example != "" {
			et.Example = []byte(example)
		}
		et.CreatedAt, et.UpdatedAt = utc(et.CreatedAt), utc(et.UpdatedAt)
		return et, err
	})
	if err != nil {
		return nil, mapErr("list event types", err)
	}
	return out, nil
}

// DeleteEventType removes one of a tenant's event types. ENOTFOUND if
// absent.
func (s *Store) DeleteEventType(ctx context.Context, tenantID, eventType string) error {
	if s.closed.Load() {
		return errClosed
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM event_types WHERE tenant_id = $1 AND type = $2`, tenantID, eventType)
	if err != nil {
		return mapErr("delete event type", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("event type", eventType)
	}
	return nil
}
