package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/stats"
)

// deleteBatch bounds the rows one DELETE removes, so that row-by-row
// expiry (per-tenant retention, the default partitions) never holds locks
// or bloats WAL in one huge statement.
const deleteBatch = 5000

// SetTenantRetention sets how many days a tenant's events, deliveries and
// attempts are kept; 0 restores the server's default. It is UpdateTenant of
// RetentionDays alone. ENOTFOUND if the tenant is absent; EINVALID outside
// 0–3650.
func (s *Store) SetTenantRetention(ctx context.Context, tenantID string, days int) error {
	if s.closed.Load() {
		return errClosed
	}
	if days < 0 || days > domain.MaxRetentionDays {
		return domain.FieldErrorf("retention_days", "must be between 1 and %d days, or 0 for the server's default", domain.MaxRetentionDays)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE tenants SET retention_days = $2 WHERE id = $1`, tenantID, retentionColumn(days))
	if err != nil {
		return mapErr("set tenant retention", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("tenant", tenantID)
	}
	return nil
}

// TenantRetention returns a tenant's own retention in days, 0 if it uses
// the server's default: GetTenant's RetentionDays. ENOTFOUND if the tenant
// is absent.
func (s *Store) TenantRetention(ctx context.Context, tenantID string) (int, error) {
	t, err := s.GetTenant(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	return t.RetentionDays, nil
}

// ApplyRetention removes events, deliveries and attempts older than their
// tenant's retention (defaultDays unless the tenant sets its own), and
// roll-ups older than about 13 months. It returns how many daily
// partitions were dropped and how many rows were deleted one by one.
//
// A delivery still scheduled is never removed, nor its event nor its
// attempts, however old: a custom retry schedule may outlast any
// retention, and an accepted event is delivered at least once. It goes at
// a later run, once it has succeeded or failed.
//
// The cheap path does almost everything: days older than the longest
// retention of any tenant are dropped a partition at a time. A day that
// still holds a scheduled delivery is kept and its other rows are deleted
// one by one instead. Tenants that keep less than the longest have their
// rows deleted, in batches, from the partitions still kept — at most a few
// days' worth when retentions are close. Rows in the default partitions
// (ids outside every daily range) are deleted by time.
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

	dropped, pinned, err := s.dropPartitionsBefore(ctx, cutoff)
	if err != nil {
		return dropped, 0, err
	}
	for _, d := range pinned {
		n, err := s.expireRows(ctx, "day "+d.Format(time.DateOnly), dayRange(d), "")
		deleted += n
		if err != nil {
			return dropped, deleted, err
		}
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
	if err := s.foldDeliveryCounts(ctx, now); err != nil {
		return dropped, deleted, err
	}
	n, err = s.deleteBatches(ctx, "retention: roll-ups", counted(`DELETE FROM attempt_rollups WHERE (tenant_id, hour, webhook_id) IN
		(SELECT tenant_id, hour, webhook_id FROM attempt_rollups WHERE hour < $1 LIMIT $2)`), now.Add(-stats.RollupRetention))
	return dropped, deleted + n, err
}

// errPinned stops a partition drop whose day turned out to hold a
// scheduled delivery.
var errPinned = errors.New("the day holds a scheduled delivery")

// dropPartitionsBefore drops every daily partition whose whole day ends at
// or before cutoff: a day's attempts, deliveries and events in one
// transaction, after deleting the idempotency keys of the day's events. A
// day that still holds a scheduled delivery (or the event of one) is not
// dropped; it is returned in pinned.
func (s *Store) dropPartitionsBefore(ctx context.Context, cutoff time.Time) (dropped int, pinned []time.Time, err error) {
	set := map[time.Time]bool{}
	for _, pt := range partitionedTables {
		names, err := s.partitions(ctx, pt.table)
		if err != nil {
			return 0, nil, err
		}
		for _, name := range names {
			if d, ok := partitionDay(pt.table, name); ok && !d.AddDate(0, 0, 1).After(cutoff) {
				set[d] = true
			}
		}
	}
	days := slices.SortedFunc(maps.Keys(set), time.Time.Compare)
	for _, d := range days {
		r := dayRange(d)
		busy, err := scheduledIn(ctx, s.pool, r)
		if err != nil {
			return dropped, pinned, mapErr("retention: scheduled deliveries", err)
		}
		if busy {
			pinned = append(pinned, d)
			continue
		}
		// The keys go first, in batches outside the drop's transaction so
		// that it holds its locks for a moment only. Should a resend make
		// one of the day's deliveries scheduled meanwhile, the day is kept
		// below and only those keys are lost.
		_, err = s.deleteBatches(ctx, "retention: idempotency keys", counted(`DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
			(SELECT tenant_id, key FROM idempotency_keys WHERE event_id >= $1 AND event_id < $3 LIMIT $2)`),
			r.evtLo, r.evtHi)
		if err != nil {
			return dropped, pinned, err
		}
		n, err := s.dropDay(ctx, d, r)
		dropped += n
		if errors.Is(err, errPinned) {
			pinned = append(pinned, d)
			continue
		}
		if err != nil {
			return dropped, pinned, err
		}
	}
	return dropped, pinned, nil
}

// dropDay drops day d's partitions — attempts, deliveries, events, in that
// order so that no reader sees a delivery without its event — in one
// transaction that first locks the day's deliveries against changes and
// checks again that none is scheduled (errPinned otherwise). It returns how
// many partitions it dropped.
func (s *Store) dropDay(ctx context.Context, d time.Time, r idRange) (int, error) {
	err := s.ddlTx(ctx, "drop partitions of "+d.Format(time.DateOnly), func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, partitionName("deliveries", d)).Scan(&exists); err != nil {
			return err
		}
		if exists {
			// SHARE blocks a resend or an attempt's update until the drop
			// commits, while readers go on.
			if _, err := tx.Exec(ctx, `LOCK TABLE `+quoteIdent(partitionName("deliveries", d))+` IN SHARE MODE`); err != nil {
				return err
			}
		}
		busy, err := scheduledIn(ctx, tx, r)
		if err != nil {
			return err
		}
		if busy {
			return errPinned
		}
		if exists {
			// A drop fires no trigger: take the day's deliveries out of
			// the counts here, as deleting them would have.
			if _, err := tx.Exec(ctx, subtractCountsSQL(partitionName("deliveries", d))); err != nil {
				return err
			}
		}
		for _, pt := range partitionedTables {
			if _, err := tx.Exec(ctx, `DROP TABLE IF EXISTS `+quoteIdent(partitionName(pt.table, d))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, pt := range partitionedTables {
		s.log.Info("dropped expired partition", "partition", partitionName(pt.table, d), "schema", s.schema)
	}
	return len(partitionedTables), nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// scheduledIn reports whether a delivery of r's range, or of an event of
// r's range (made a moment before midnight, its delivery just after), is
// still scheduled.
func scheduledIn(ctx context.Context, q querier, r idRange) (bool, error) {
	var busy bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries WHERE id >= $1 AND id < $2 AND state = 'scheduled')
		OR EXISTS (SELECT 1 FROM deliveries WHERE event_id >= $3 AND event_id < $4 AND state = 'scheduled')`,
		r.dlvLo, r.dlvHi, r.evtLo, r.evtHi).Scan(&busy)
	return busy, err
}

// idRange bounds delivery ids (and so their attempts) and event ids:
// [lo, hi); an empty lo has no lower bound.
type idRange struct {
	dlvLo, dlvHi string
	evtLo, evtHi string
}

// dayRange is the ids of the UTC day starting at d.
func dayRange(d time.Time) idRange {
	next := d.AddDate(0, 0, 1)
	return idRange{
		dlvLo: idFloor(id.Delivery, d), dlvHi: idFloor(id.Delivery, next),
		evtLo: idFloor(id.Event, d), evtHi: idFloor(id.Event, next),
	}
}

// before is every id made before t.
func before(t time.Time) idRange {
	return idRange{dlvHi: idFloor(id.Delivery, t), evtHi: idFloor(id.Event, t)}
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
		n, err := s.expireRows(ctx, "tenant", before(now.Add(-time.Duration(t.days)*24*time.Hour)), t.id)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// expireRows deletes, in batches, the attempts, deliveries, idempotency
// keys and events of r (of one tenant, or of all when tenantID is ""),
// except scheduled deliveries with their attempts and events. An event
// goes only once none of its deliveries is left, so no reader sees a
// delivery without its event.
func (s *Store) expireRows(ctx context.Context, what string, r idRange, tenantID string) (int64, error) {
	tenant := func(alias string) string {
		if tenantID == "" {
			return ""
		}
		return ` AND ` + alias + `.tenant_id = $4`
	}
	var extra []any
	if tenantID != "" {
		extra = append(extra, tenantID)
	}
	var total int64
	for _, step := range []struct {
		op, sql string
		lo, hi  string
	}{
		{"attempts", `DELETE FROM attempts WHERE (delivery_id, id) IN
			(SELECT a.delivery_id, a.id FROM attempts a WHERE a.delivery_id >= $3 AND a.delivery_id < $1` + tenant("a") + `
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id AND d.id >= $3 AND d.id < $1 AND d.state = 'scheduled')
			LIMIT $2)`, r.dlvLo, r.dlvHi},
		{"deliveries", `DELETE FROM deliveries WHERE id IN
			(SELECT d.id FROM deliveries d WHERE d.id >= $3 AND d.id < $1` + tenant("d") + ` AND d.state <> 'scheduled' LIMIT $2)`,
			r.dlvLo, r.dlvHi},
		{"idempotency keys", `DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
			(SELECT k.tenant_id, k.key FROM idempotency_keys k WHERE k.event_id >= $3 AND k.event_id < $1` + tenant("k") + `
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = k.event_id) LIMIT $2)`, r.evtLo, r.evtHi},
		{"events", `DELETE FROM events WHERE id IN
			(SELECT e.id FROM events e WHERE e.id >= $3 AND e.id < $1` + tenant("e") + `
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT $2)`, r.evtLo, r.evtHi},
	} {
		n, err := s.deleteBatches(ctx, "retention: "+what+" "+step.op, counted(step.sql), step.hi, append([]any{step.lo}, extra...)...)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// expireDefaultPartitions deletes rows older than cutoff from the default
// partitions, by their timestamps (their ids may not encode one), keeping
// scheduled deliveries with their attempts and events as expireRows does.
func (s *Store) expireDefaultPartitions(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for _, step := range []struct{ op, sql string }{
		{"attempts", `DELETE FROM attempts_default WHERE (delivery_id, id) IN
			(SELECT a.delivery_id, a.id FROM attempts_default a WHERE a.started_at < $1
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id AND d.state = 'scheduled') LIMIT $2)`},
		// Through the parent table, whose triggers keep the delivery
		// counts (a statement on a partition fires none of them).
		{"deliveries", `DELETE FROM deliveries WHERE id IN
			(SELECT id FROM deliveries_default WHERE created_at < $1 AND state <> 'scheduled' LIMIT $2)`},
		{"idempotency keys", `DELETE FROM idempotency_keys WHERE (tenant_id, key) IN
			(SELECT k.tenant_id, k.key FROM idempotency_keys k JOIN events_default e ON e.id = k.event_id
			WHERE e.received_at < $1 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT $2)`},
		{"events", `DELETE FROM events_default WHERE id IN
			(SELECT e.id FROM events_default e WHERE e.received_at < $1
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT $2)`},
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

// subtractCountsSQL takes the deliveries of partition out of the delivery
// counts (see migration 0014), as the delete trigger would.
func subtractCountsSQL(partition string) string {
	return `INSERT INTO delivery_counts AS c (tenant_id, hour, state, backend, n)
		SELECT tenant_id, delivery_hour(created_at), state, pg_backend_pid(), -count(*)
		FROM ` + quoteIdent(partition) + ` GROUP BY 1, 2, 3
		ON CONFLICT (tenant_id, hour, state, backend) DO UPDATE SET n = c.n + excluded.n`
}

// foldDeliveryCounts sums the per-backend delivery counts of the hours
// that ended an hour or more before now into one row per tenant, hour and
// state (backend 0), and drops the sums that came to zero (their
// deliveries are gone), so that the rows an hour holds stay few however
// many connections wrote it. Rows a transaction has locked are left for
// the next run: the fold never waits on one, so it cannot deadlock with
// the triggers.
func (s *Store) foldDeliveryCounts(ctx context.Context, now time.Time) error {
	cut := now.Truncate(time.Hour).Add(-time.Hour)
	return s.inTx(ctx, "retention: fold delivery counts", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH gone AS (
				DELETE FROM delivery_counts WHERE (tenant_id, hour, state, backend) IN
					(SELECT tenant_id, hour, state, backend FROM delivery_counts
					WHERE hour < $1 AND backend <> 0 FOR UPDATE SKIP LOCKED)
				RETURNING tenant_id, hour, state, n)
			INSERT INTO delivery_counts AS c (tenant_id, hour, state, backend, n)
				SELECT tenant_id, hour, state, 0, sum(n) FROM gone GROUP BY 1, 2, 3
				ON CONFLICT (tenant_id, hour, state, backend) DO UPDATE SET n = c.n + excluded.n
			RETURNING c.tenant_id, c.hour, c.state, c.n`, cut)
		if err != nil {
			return err
		}
		var tenants, states []string
		var hours []time.Time
		var tenant, state string
		var hour time.Time
		var n int64
		_, err = pgx.ForEachRow(rows, []any{&tenant, &hour, &state, &n}, func() error {
			if n == 0 {
				tenants, hours, states = append(tenants, tenant), append(hours, hour), append(states, state)
			}
			return nil
		})
		if err != nil || len(tenants) == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM delivery_counts WHERE backend = 0 AND n = 0
			AND (tenant_id, hour, state) IN (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[]))`,
			tenants, hours, states)
		return err
	})
}
