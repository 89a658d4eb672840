package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

// deleteBatch bounds the rows one DELETE removes, so that row-by-row
// expiry (per-tenant retention, the default partitions) never holds locks
// or bloats WAL in one huge statement.
const deleteBatch = 5000

// rollupRetention is how long hourly roll-ups are kept: they are a few
// rows per webhook per hour, so a year of trends costs little.
const rollupRetention = 400 * 24 * time.Hour

// SetTenantRetention sets how many days a tenant's events, deliveries and
// attempts are kept; 0 restores the server's default. ENOTFOUND if the
// tenant is absent; EINVALID outside 0–3650.
func (s *Store) SetTenantRetention(ctx context.Context, tenantID string, days int) error {
	if s.closed.Load() {
		return errClosed
	}
	if days < 0 || days > 3650 {
		return domain.FieldErrorf("retention_days", "must be between 1 and 3650 days, or 0 for the server's default")
	}
	var v *int
	if days > 0 {
		v = &days
	}
	tag, err := s.pool.Exec(ctx, `UPDATE tenants SET retention_days = $2 WHERE id = $1`, tenantID, v)
	if err != nil {
		return mapErr("set tenant retention", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("tenant", tenantID)
	}
	return nil
}

// TenantRetention returns a tenant's own retention in days, 0 if it uses
// the server's default. ENOTFOUND if the tenant is absent.
func (s *Store) TenantRetention(ctx context.Context, tenantID string) (int, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	var v *int
	err := s.pool.QueryRow(ctx, `SELECT retention_days FROM tenants WHERE id = $1`, tenantID).Scan(&v)
	if err != nil {
		return 0, mapErr("tenant retention", notFoundIfNoRows(err, "tenant", tenantID))
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// ApplyRetention removes events, deliveries and attempts older than their
// tenant's retention (defaultDays unless the tenant sets its own), and
// roll-ups older than about 13 months. It returns how many daily
// partitions were dropped and how many rows were deleted one by one.
//
// The cheap path does almost everything: days older than the longest
// retention of any tenant are dropped a partition at a time. Tenants that
// keep less than that have their rows deleted, in batches, from the
// partitions still kept — at most a few days' worth when retentions are
// close. Rows in the default partitions (ids outside every daily range)
// are deleted by time.
func (s *Store) ApplyRetention(ctx context.Context, now time.Time, defaultDays int) (dropped int, deleted int64, err error) {
	if s.closed.Load() {
		return 0, 0, errClosed
	}
	if defaultDays < 1 {
		return 0, 0, fmt.Errorf("postgres: retention: default of %d days must be at least 1", defaultDays)
	}
	var maxDays int
	if err := s.pool.QueryRow(ctx, `SELECT greatest($1::int, coalesce(max(retention_days), 0)) FROM tenants`, defaultDays).Scan(&maxDays); err != nil {
		return 0, 0, mapErr("retention: longest", err)
	}
	cutoff := now.Add(-time.Duration(maxDays) * 24 * time.Hour)

	if dropped, err = s.dropPartitionsBefore(ctx, cutoff); err != nil {
		return dropped, 0, err
	}
	n, err := s.expireShorterTenants(ctx, now, defaultDays, maxDays)
	deleted += n
	if err != nil {
		return dropped, deleted, err
	}
	n, err = s.expireDefaultPartitions(ctx, cutoff)
	deleted += n
	if err != nil {
		return dropped, deleted, err
	}
	n, err = s.deleteBatches(ctx, "retention: roll-ups", counted(`DELETE FROM attempt_rollups WHERE (tenant_id, hour, webhook_id) IN
		(SELECT tenant_id, hour, webhook_id FROM attempt_rollups WHERE hour < $1 LIMIT $2)`), now.Add(-rollupRetention))
	return dropped, deleted + n, err
}

// dropPartitionsBefore drops every daily partition whose whole day ends at
// or before cutoff: a day's attempts, deliveries and events (in that order,
// so a reader never sees a delivery without its event), after deleting the
// idempotency keys of the day's events.
func (s *Store) dropPartitionsBefore(ctx context.Context, cutoff time.Time) (int, error) {
	days := map[time.Time]bool{}
	for _, pt := range partitionedTables {
		names, err := s.partitions(ctx, pt.table)
		if err != nil {
			return 0, err
		}
		for _, name := range names {
			if d, ok := partitionDay(pt.table, name); ok && !d.AddDate(0, 0, 1).After(cutoff) {
				days[d] = true
			}
		}
	}
	dropped := 0
	for d := range days {
		_, err := s.deleteBatches(ctx, "retention: idempotency keys", counted(`DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
			(SELECT tenant_id, key FROM idempotency_keys WHERE event_id >= $1 AND event_id < $3 LIMIT $2)`),
			idFloor(id.Event, d), idFloor(id.Event, d.AddDate(0, 0, 1)))
		if err != nil {
			return dropped, err
		}
		for _, pt := range partitionedTables {
			name := partitionName(pt.table, d)
			err := s.ddlTx(ctx, "drop partition "+name, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `DROP TABLE IF EXISTS `+quoteIdent(name))
				return err
			})
			if err != nil {
				return dropped, err
			}
			dropped++
			s.log.Info("dropped expired partition", "partition", name, "schema", s.schema)
		}
	}
	return dropped, nil
}

// expireShorterTenants deletes, row by row in batches, what tenants whose
// retention is shorter than maxDays no longer keep.
func (s *Store) expireShorterTenants(ctx context.Context, now time.Time, defaultDays, maxDays int) (int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(retention_days, $1) FROM tenants
		WHERE coalesce(retention_days, $1) < $2 ORDER BY id`, defaultDays, maxDays)
	if err != nil {
		return 0, mapErr("retention: tenants", err)
	}
	type tenantDays struct {
		id   string
		days int
	}
	tenants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tenantDays, error) {
		var t tenantDays
		err := r.Scan(&t.id, &t.days)
		return t, err
	})
	if err != nil {
		return 0, mapErr("retention: tenants", err)
	}
	var total int64
	for _, t := range tenants {
		cut := now.Add(-time.Duration(t.days) * 24 * time.Hour)
		dlv, evt := idFloor(id.Delivery, cut), idFloor(id.Event, cut)
		for _, step := range []struct{ op, sql, bound string }{
			{"attempts", `DELETE FROM attempts WHERE (delivery_id, id) IN
				(SELECT delivery_id, id FROM attempts WHERE tenant_id = $3 AND delivery_id < $1 LIMIT $2)`, dlv},
			{"deliveries", `DELETE FROM deliveries WHERE id IN
				(SELECT id FROM deliveries WHERE tenant_id = $3 AND id < $1 LIMIT $2)`, dlv},
			{"idempotency keys", `DELETE FROM idempotency_keys WHERE tenant_id = $3 AND key IN
				(SELECT key FROM idempotency_keys WHERE tenant_id = $3 AND event_id < $1 LIMIT $2)`, evt},
			{"events", `DELETE FROM events WHERE id IN
				(SELECT id FROM events WHERE tenant_id = $3 AND id < $1 LIMIT $2)`, evt},
		} {
			n, err := s.deleteBatches(ctx, "retention: tenant "+step.op, counted(step.sql), step.bound, t.id)
			total += n
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// expireDefaultPartitions deletes rows older than cutoff from the default
// partitions, by their timestamps (their ids may not encode one).
func (s *Store) expireDefaultPartitions(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for _, step := range []struct{ op, sql string }{
		{"idempotency keys", `DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
			(SELECT k.tenant_id, k.key FROM idempotency_keys k JOIN events_default e ON e.id = k.event_id
			WHERE e.received_at < $1 LIMIT $2)`},
		{"attempts", `DELETE FROM attempts_default WHERE (delivery_id, id) IN
			(SELECT delivery_id, id FROM attempts_default WHERE started_at < $1 LIMIT $2)`},
		{"deliveries", `DELETE FROM deliveries_default WHERE id IN
			(SELECT id FROM deliveries_default WHERE created_at < $1 LIMIT $2)`},
		{"events", `DELETE FROM events_default WHERE id IN
			(SELECT id FROM events_default WHERE received_at < $1 LIMIT $2)`},
	} {
		n, err := s.deleteBatches(ctx, "retention: default "+step.op, counted(step.sql), cutoff)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// counted turns a DELETE into a statement that answers how many rows it
// deleted, as deleteBatches wants.
func counted(del string) string {
	return `WITH gone AS (` + del + ` RETURNING 1) SELECT count(*) FROM gone`
}

// deleteBatches runs a statement that deletes at most a batch and answers
// how many rows it deleted ($1 is bound, $2 the batch size, $3… extra)
// until a run deletes less than a batch. It returns the rows deleted.
func (s *Store) deleteBatches(ctx context.Context, op, sql string, bound any, extra ...any) (int64, error) {
	args := append([]any{bound, deleteBatch}, extra...)
	var total int64
	for {
		if s.closed.Load() {
			return total, errClosed
		}
		var n int64
		if err := s.pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			return total, mapErr(op, err)
		}
		total += n
		if n < deleteBatch {
			return total, nil
		}
	}
}
