package sqlite

import (
	"context"

	"github.com/lmshooks/lmshooks/internal/domain"
)

const eventTypeCols = `tenant_id, type, title, description, schema, example, ordering_key, created_at, updated_at`

// PutEventType creates or replaces a tenant's own event type, keeping its
// creation time. ENOTFOUND if the tenant is absent.
func (s *Store) PutEventType(ctx context.Context, et *domain.CustomEventType) error {
	return s.write(ctx, "put event type", func(tx *wtx) error {
		_, err := tx.exec(`INSERT INTO event_types (`+eventTypeCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, type) DO UPDATE SET title = excluded.title, description = excluded.description,
				schema = excluded.schema, example = excluded.example, ordering_key = excluded.ordering_key, updated_at = excluded.updated_at`,
			et.TenantID, et.Type, et.Title, et.Description, string(et.Schema), string(et.Example), et.OrderingKey,
			micros(et.CreatedAt), micros(et.UpdatedAt))
		if isForeignKey(err) {
			return domain.NotFound("tenant", et.TenantID)
		}
		return err
	})
}

// ListEventTypes returns a tenant's own event types, sorted by type.
func (s *Store) ListEventTypes(ctx context.Context, tenantID string) ([]domain.CustomEventType, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+eventTypeCols+` FROM event_types WHERE tenant_id = ? ORDER BY type`, tenantID)
	if err != nil {
		return nil, mapErr("list event types", err)
	}
	defer rows.Close()
	var out []domain.CustomEventType
	for rows.Next() {
		var et domain.CustomEventType
		var schema, example string
		var created, updated int64
		if err := rows.Scan(&et.TenantID, &et.Type, &et.Title, &et.Description, &schema, &example, &et.OrderingKey, &created, &updated); err != nil {
			return nil, mapErr("list event types", err)
		}
		if schema != "" {
			et.Schema = []byte(schema)
		}
		if example != "" {
			et.Example = []byte(example)
		}
		et.CreatedAt, et.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, et)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list event types", err)
	}
	return out, nil
}

// DeleteEventType removes one of a tenant's event types. ENOTFOUND if
// absent.
func (s *Store) DeleteEventType(ctx context.Context, tenantID, eventType string) error {
	return s.write(ctx, "delete event type", func(tx *wtx) error {
		n, err := tx.exec(`DELETE FROM event_types WHERE tenant_id = ? AND type = ?`, tenantID, eventType)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("event type", eventType)
		}
		return nil
	})
}
