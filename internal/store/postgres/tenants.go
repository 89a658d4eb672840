package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// tenantColumns are read and written together; retention_days is NULL when
// the tenant uses the server's default (RetentionDays 0).
const tenantColumns = `id, name, environment, max_webhooks, retention_days, portal_epoch, created_at, updated_at, auto_disable_after_hours`

func scanTenant(row pgx.Row) (domain.Tenant, error) {
	var t domain.Tenant
	var env string
	var retention, autoDisable *int
	err := row.Scan(&t.ID, &t.Name, &env, &t.MaxWebhooks, &retention, &t.PortalEpoch, &t.CreatedAt, &t.UpdatedAt, &autoDisable)
	t.Environment = domain.Environment(env)
	if retention != nil {
		t.RetentionDays = *retention
	}
	if autoDisable != nil {
		t.AutoDisableAfterHours = *autoDisable
	}
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	return t, err
}

// CreateTenant stores t. ECONFLICT if the id is taken.
func (s *Store) CreateTenant(ctx context.Context, t *domain.Tenant) error {
	if s.closed.Load() {
		return errClosed
	}
	if err := store.RequireID("tenant", t.ID); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO tenants (`+tenantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		t.ID, t.Name, string(t.Environment), t.MaxWebhooks, retentionColumn(t.RetentionDays), t.PortalEpoch, t.CreatedAt, t.UpdatedAt,
		retentionColumn(t.AutoDisableAfterHours))
	if code, _ := pgCode(err); code == codeUniqueViolation {
		return domain.Errorf(domain.ECONFLICT, "tenant %q already exists", t.ID)
	}
	return mapErr("create tenant", err)
}

// GetTenant returns a tenant. ENOTFOUND if absent.
func (s *Store) GetTenant(ctx context.Context, tenantID string) (*domain.Tenant, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	t, err := scanTenant(s.pool.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, tenantID))
	if err != nil {
		return nil, mapErr("get tenant", notFoundIfNoRows(err, "tenant", tenantID))
	}
	return &t, nil
}

// UpdateTenant replaces a tenant's name, environment, webhook cap,
// retention and update time. ENOTFOUND if absent.
func (s *Store) UpdateTenant(ctx context.Context, t *domain.Tenant) error {
	if s.closed.Load() {
		return errClosed
	}
	tag, err := s.pool.Exec(ctx, `UPDATE tenants SET name = $2, environment = $3, max_webhooks = $4,
		retention_days = $5, updated_at = $6, auto_disable_after_hours = $7 WHERE id = $1`,
		t.ID, t.Name, string(t.Environment), t.MaxWebhooks, retentionColumn(t.RetentionDays), t.UpdatedAt,
		retentionColumn(t.AutoDisableAfterHours))
	if err != nil {
		return mapErr("update tenant", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("tenant", t.ID)
	}
	return nil
}

// SetPortalEpoch replaces a tenant's portal epoch. ENOTFOUND if absent.
func (s *Store) SetPortalEpoch(ctx context.Context, tenantID, epoch string) error {
	if s.closed.Load() {
		return errClosed
	}
	tag, err := s.pool.Exec(ctx, `UPDATE tenants SET portal_epoch = $2 WHERE id = $1`, tenantID, epoch)
	if err != nil {
		return mapErr("set portal epoch", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("tenant", tenantID)
	}
	return nil
}

// retentionColumn encodes a tenant's retention or auto-disable period:
// NULL (the server's default) for 0, as the columns' CHECK wants.
func retentionColumn(days int) *int {
	if days == 0 {
		return nil
	}
	return &days
}

// DeleteTenant removes a tenant and everything it owns, in one
// transaction: foreign keys cascade to its keys, webhooks, events and
// idempotency keys; deliveries, attempts, roll-ups and delivery counts
// (partitioned or denormalised, without foreign keys) are deleted here,
// the counts last: deleting the deliveries adds to them. ENOTFOUND if
// absent.
func (s *Store) DeleteTenant(ctx context.Context, tenantID string) error {
	return s.inTx(ctx, "delete tenant", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, tenantID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.NotFound("tenant", tenantID)
		}
		for _, table := range []string{"attempts", "deliveries", "attempt_rollups", "delivery_counts"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1`, tenantID); err != nil {
				return fmt.Errorf("delete %s: %w", table, err)
			}
		}
		return nil
	})
}

// ListTenants lists tenants, newest first (by id).
func (s *Store) ListTenants(ctx context.Context, p store.Page) ([]domain.Tenant, string, error) {
	if s.closed.Load() {
		return nil, "", errClosed
	}
	limit := pageLimit(p)
	rows, err := s.pool.Query(ctx, `SELECT `+tenantColumns+` FROM tenants
		WHERE ($1 = '' OR id < $1) ORDER BY id DESC LIMIT $2`, p.Cursor, limit+1)
	if err != nil {
		return nil, "", mapErr("list tenants", err)
	}
	tenants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Tenant, error) { return scanTenant(r) })
	if err != nil {
		return nil, "", mapErr("list tenants", err)
	}
	tenants, next := trimPage(tenants, limit, func(t *domain.Tenant) string { return t.ID })
	return tenants, next, nil
}
