package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

const deliveryCols = `id, tenant_id, event_id, webhook_id, event_type, state, attempts, retry_from,
	next_attempt_at, last_status, last_error, created_at, updated_at, ordered, ordering_key, holds_key, skipped_at`

func scanDelivery(sc interface{ Scan(...any) error }) (domain.Delivery, error) {
	var d domain.Delivery
	var state string
	var next, created, updated, skipped int64
	var ordered, holds int
	err := sc.Scan(&d.ID, &d.TenantID, &d.EventID, &d.WebhookID, &d.EventType, &state, &d.Attempts, &d.RetryFrom,
		&next, &d.LastStatus, &d.LastError, &created, &updated, &ordered, &d.OrderingKey, &holds, &skipped)
	d.State = domain.DeliveryState(state)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	d.Ordered, d.HoldsKey, d.SkippedAt = ordered != 0, holds != 0, fromMicros(skipped)
	return d, err
}

// scanDeliveries reads and closes rows.
func scanDeliveries(rows *sql.Rows) ([]domain.Delivery, error) {
	defer rows.Close()
	var out []domain.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// deliveryWhere builds the WHERE clause of the audit queries. Each filter
// adds an equality or range the indexes (tenant_id, id), (tenant_id, state,
// id), (tenant_id, event_type, id), (webhook_id, id) and (event_id) serve,
// so that SQLite walks one index in id order and stops at the page's end.
func deliveryWhere(f *store.DeliveryFilter, withState, withCursor bool) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 8)
	b.WriteString(` WHERE tenant_id = ?`)
	args = append(args, f.TenantID)
	if withState && f.State != "" {
		b.WriteString(` AND state = ?`)
		args = append(args, string(f.State))
	}
	if f.WebhookID != "" {
		b.WriteString(` AND webhook_id = ?`)
		args = append(args, f.WebhookID)
	}
	if f.EventType != "" {
		b.WriteString(` AND event_type = ?`)
		args = append(args, f.EventType)
	}
	if f.EventID != "" {
		b.WriteString(` AND event_id = ?`)
		args = append(args, f.EventID)
	}
	if !f.Since.IsZero() {
		b.WriteString(` AND created_at >= ?`)
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		b.WriteString(` AND created_at < ?`)
		args = append(args, micros(f.Until))
	}
	if withCursor && f.Cursor != "" {
		b.WriteString(` AND id < ?`)
		args = append(args, f.Cursor)
	}
	return b.String(), args
}

// deliveriesFrom names the table of an audit query. An event has a handful
// of deliveries, but without statistics SQLite prefers walking the tenant's
// index in id order (no sort) and checking event_id on each row: among
// 100,000 deliveries that is a full scan. Name the event index instead.
func deliveriesFrom(f *store.DeliveryFilter) string {
	if f.EventID != "" {
		return `deliveries INDEXED BY deliveries_event`
	}
	return `deliveries`
}

// ListDeliveries lists a tenant's deliveries, newest first.
func (s *Store) ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]domain.Delivery, string, error) {
	limit := pageLimit(f.Limit)
	where, args := deliveryWhere(&f, true, true)
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+deliveryCols+` FROM `+deliveriesFrom(&f)+where+` ORDER BY id DESC LIMIT ?`,
		append(args, limit+1)...)
	if err != nil {
		return nil, "", mapErr("list deliveries", err)
	}
	out, err := scanDeliveries(rows)
	if err != nil {
		return nil, "", mapErr("list deliveries", err)
	}
	out, next := paginate(out, limit, func(d domain.Delivery) string { return d.ID })
	return out, next, nil
}

// CountDeliveries counts a tenant's deliveries per state under f (Cursor
// and Limit ignored), only the newest upTo of them when upTo > 0. Every
// state is present in the map.
func (s *Store) CountDeliveries(ctx context.Context, f store.DeliveryFilter, upTo int) (map[domain.DeliveryState]int, error) {
	where, args := deliveryWhere(&f, true, false)
	from := deliveriesFrom(&f) + where
	if upTo > 0 {
		// The newest upTo, on the filter's index walked backwards from
		// its end: the walk stops there.
		from = `(SELECT state FROM ` + from + ` ORDER BY id DESC LIMIT ?)`
		args = append(args, upTo)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT state, COUNT(*) FROM `+from+` GROUP BY state`, args...)
	if err != nil {
		return nil, mapErr("count deliveries", err)
	}
	defer rows.Close()
	counts := make(map[domain.DeliveryState]int, len(domain.DeliveryStates))
	for _, st := range domain.DeliveryStates {
		counts[st] = 0
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, mapErr("count deliveries", err)
		}
		counts[domain.DeliveryState(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("count deliveries", err)
	}
	return counts, nil
}

// GetDelivery returns one delivery. ENOTFOUND if absent.
func (s *Store) GetDelivery(ctx context.Context, tenantID, deliveryID string) (*domain.Delivery, error) {
	d, err := scanDelivery(s.rdb.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE id = ? AND tenant_id = ?`, deliveryID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("delivery", deliveryID)
	}
	if err != nil {
		return nil, mapErr("get delivery", err)
	}
	if d.Ordered && d.State == domain.Scheduled {
		if d.BlockedBy, err = blockedBy(ctx, s.rdb, d.ID); err != nil {
			return nil, mapErr("get delivery", err)
		}
	}
	return &d, nil
}

// Resend makes a delivery due now with a fresh retry schedule, whatever its
// state. ENOTFOUND if absent; ECONFLICT while an attempt is in flight (its
// lease has not expired).
func (s *Store) Resend(ctx context.Context, tenantID, deliveryID string, now time.Time) (*domain.Delivery, error) {
	var d domain.Delivery
	err := s.write(ctx, "resend", func(tx *wtx) error {
		var owner string
		var until int64
		err := tx.queryRow(`SELECT lease_owner, lease_until FROM deliveries WHERE id = ? AND tenant_id = ?`, deliveryID, tenantID).
			Scan(&owner, &until)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("delivery", deliveryID)
		}
		if err != nil {
			return err
		}
		if owner != "" && until > micros(now) {
			return domain.Errorf(domain.ECONFLICT, "delivery %q has an attempt in flight; try again when it ends", deliveryID)
		}
		t := micros(now)
		// An ordered delivery takes its place in its key's order back.
		d, err = scanDelivery(tx.queryRow(`UPDATE deliveries SET state = 'scheduled', retry_from = attempts,
			next_attempt_at = ?, due_at = ?, updated_at = ?, lease_owner = '', lease_until = 0, holds_key = ordered
			WHERE id = ? RETURNING `+deliveryCols, t, t, t, deliveryID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Recover re-schedules a webhook's failed and canceled deliveries created
// in [Since, Until), due now with a fresh retry schedule. ENOTFOUND if the
// webhook is absent.
func (s *Store) Recover(ctx context.Context, p store.RecoverParams) (int, error) {
	until := p.Until
	if until.IsZero() {
		until = p.Now
	}
	var n int64
	err := s.write(ctx, "recover", func(tx *wtx) error {
		var one int
		err := tx.queryRow(`SELECT 1 FROM webhooks WHERE id = ? AND tenant_id = ?`, p.WebhookID, p.TenantID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("webhook", p.WebhookID)
		}
		if err != nil {
			return err
		}
		t := micros(p.Now)
		n, err = tx.exec(`UPDATE deliveries SET state = 'scheduled', retry_from = attempts, next_attempt_at = ?, holds_key = ordered,
			due_at = CASE WHEN lease_owner <> '' AND lease_until > ? THEN lease_until ELSE ? END, updated_at = ?
			WHERE webhook_id = ? AND tenant_id = ? AND state IN ('failed', 'canceled') AND created_at >= ? AND created_at < ?`,
			t, t, t, t, p.WebhookID, p.TenantID, micros(p.Since), micros(until))
		return err
	})
	return int(n), err
}
