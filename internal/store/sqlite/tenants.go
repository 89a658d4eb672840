package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

const tenantCols = `id, name, environment, max_webhooks, retention_days, portal_epoch, created_at, updated_at, auto_disable_after_hours`

func scanTenant(sc interface{ Scan(...any) error }) (domain.Tenant, error) {
	var t domain.Tenant
	var env string
	var created, updated int64
	err := sc.Scan(&t.ID, &t.Name, &env, &t.MaxWebhooks, &t.RetentionDays, &t.PortalEpoch, &created, &updated, &t.AutoDisableAfterHours)
	t.Environment = domain.Environment(env)
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, err
}

// CreateTenant stores t. ECONFLICT if the id is taken.
func (s *Store) CreateTenant(ctx context.Context, t *domain.Tenant) error {
	if err := store.RequireID("tenant", t.ID); err != nil {
		return err
	}
	return s.write(ctx, "create tenant", func(tx *wtx) error {
		_, err := tx.exec(`INSERT INTO tenants (`+tenantCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Name, string(t.Environment), t.MaxWebhooks, t.RetentionDays, t.PortalEpoch, micros(t.CreatedAt), micros(t.UpdatedAt),
			t.AutoDisableAfterHours)
		if isUnique(err) {
			return domain.Errorf(domain.ECONFLICT, "tenant %q already exists", t.ID)
		}
		return err
	})
}

// GetTenant returns a tenant. ENOTFOUND if absent.
func (s *Store) GetTenant(ctx context.Context, tenantID string) (*domain.Tenant, error) {
	t, err := scanTenant(s.rdb.QueryRowContext(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("tenant", tenantID)
	}
	if err != nil {
		return nil, mapErr("get tenant", err)
	}
	return &t, nil
}

// UpdateTenant replaces a tenant's name, environment, webhook cap,
// retention and update time. ENOTFOUND if absent.
func (s *Store) UpdateTenant(ctx context.Context, t *domain.Tenant) error {
	return s.write(ctx, "update tenant", func(tx *wtx) error {
		n, err := tx.exec(`UPDATE tenants SET name = ?, environment = ?, max_webhooks = ?, retention_days = ?, updated_at = ?,
			auto_disable_after_hours = ? WHERE id = ?`,
			t.Name, string(t.Environment), t.MaxWebhooks, t.RetentionDays, micros(t.UpdatedAt), t.AutoDisableAfterHours, t.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("tenant", t.ID)
		}
		return nil
	})
}

// SetPortalEpoch replaces a tenant's portal epoch. ENOTFOUND if absent.
func (s *Store) SetPortalEpoch(ctx context.Context, tenantID, epoch string) error {
	return s.write(ctx, "set portal epoch", func(tx *wtx) error {
		n, err := tx.exec(`UPDATE tenants SET portal_epoch = ? WHERE id = ?`, epoch, tenantID)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("tenant", tenantID)
		}
		return nil
	})
}

// DeleteTenant removes a tenant and everything it owns, children first so
// that each delete walks an index instead of cascading row by row.
// ENOTFOUND if absent.
func (s *Store) DeleteTenant(ctx context.Context, tenantID string) error {
	return s.write(ctx, "delete tenant", func(tx *wtx) error {
		tx.invalidate()
		for _, q := range []string{
			`DELETE FROM attempts WHERE tenant_id = ?`,
			`DELETE FROM deliveries WHERE tenant_id = ?`,
			`DELETE FROM events WHERE tenant_id = ?`,
			`DELETE FROM webhooks WHERE tenant_id = ?`,
			`DELETE FROM api_keys WHERE tenant_id = ?`,
			`DELETE FROM attempt_rollups WHERE tenant_id = ?`,
			`DELETE FROM delivery_counts WHERE tenant_id = ?`,
			`DELETE FROM render_configs WHERE tenant_id = ?`,
		} {
			if _, err := tx.exec(q, tenantID); err != nil {
				return err
			}
		}
		n, err := tx.exec(`DELETE FROM tenants WHERE id = ?`, tenantID)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("tenant", tenantID)
		}
		return nil
	})
}

// ListTenants lists tenants, by id descending.
func (s *Store) ListTenants(ctx context.Context, p store.Page) ([]domain.Tenant, string, error) {
	limit := pageLimit(p.Limit)
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+tenantCols+` FROM tenants
		WHERE (? = '' OR id < ?) ORDER BY id DESC LIMIT ?`, p.Cursor, p.Cursor, limit+1)
	if err != nil {
		return nil, "", mapErr("list tenants", err)
	}
	defer rows.Close()
	var out []domain.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, "", mapErr("list tenants", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr("list tenants", err)
	}
	out, next := paginate(out, limit, func(t domain.Tenant) string { return t.ID })
	return out, next, nil
}

// pageLimit applies the default and the maximum page size.
func pageLimit(n int) int {
	switch {
	case n <= 0:
		return store.DefaultListLimit
	case n > store.MaxListLimit:
		return store.MaxListLimit
	}
	return n
}

// paginate trims a list fetched with limit+1 rows and returns the cursor of
// the next page: the last id shown, when there is more.
func paginate[T any](list []T, limit int, idOf func(T) string) ([]T, string) {
	if len(list) <= limit {
		return list, ""
	}
	list = list[:limit]
	return list, idOf(list[limit-1])
}
