package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

const deliveryColumns = `id, tenant_id, event_id, webhook_id, event_type, state, attempts, retry_from,
	next_attempt_at, last_status, last_error, created_at, updated_at, ordered, ordering_key, holds_key, skipped_at`

// qualified prefixes every column of a column list with a table alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// deliveryDest returns scan destinations for deliveryColumns; finish
// completes d once scanned.
func deliveryDest(d *domain.Delivery) (dest []any, finish func()) {
	var state string
	var next, skipped *time.Time
	dest = []any{&d.ID, &d.TenantID, &d.EventID, &d.WebhookID, &d.EventType, &state, &d.Attempts, &d.RetryFrom,
		&next, &d.LastStatus, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &d.Ordered, &d.OrderingKey, &d.HoldsKey, &skipped}
	return dest, func() {
		d.State = domain.DeliveryState(state)
		d.NextAttemptAt, d.SkippedAt = fromNullTime(next), fromNullTime(skipped)
		d.CreatedAt, d.UpdatedAt = utc(d.CreatedAt), utc(d.UpdatedAt)
	}
}

func scanDelivery(row pgx.Row) (domain.Delivery, error) {
	var d domain.Delivery
	dest, finish := deliveryDest(&d)
	err := row.Scan(dest...)
	finish()
	return d, err
}

func collectDeliveries(rows pgx.Rows) ([]domain.Delivery, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Delivery, error) { return scanDelivery(r) })
}

// where accumulates SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

// add appends a condition whose one "?" stands for arg.
func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1))
}

func (w *where) String() string { return strings.Join(w.conds, " AND ") }

// deliveryWhere translates a filter, but not its state or page.
func deliveryWhere(f store.DeliveryFilter) *where {
	w := &where{}
	w.add("tenant_id = ?", f.TenantID)
	if f.WebhookID != "" {
		w.add("webhook_id = ?", f.WebhookID)
	}
	if f.EventType != "" {
		w.add("event_type = ?", f.EventType)
	}
	if f.EventID != "" {
		w.add("event_id = ?", f.EventID)
	}
	if !f.Since.IsZero() {
		w.add("created_at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		w.add("created_at < ?", f.Until)
	}
	return w
}

// ListDeliveries lists a tenant's deliveries, newest first.
func (s *Store) ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]domain.Delivery, string, error) {
	if s.closed.Load() {
		return nil, "", errClosed
	}
	limit := pageLimit(f.Page)
	w := deliveryWhere(f)
	if f.State != "" {
		w.add("state = ?", string(f.State))
	}
	if f.Cursor != "" {
		w.add("id < ?", f.Cursor)
	}
	w.args = append(w.args, limit+1)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT %s FROM deliveries WHERE %s ORDER BY id DESC LIMIT $%d`,
		deliveryColumns, w, len(w.args)), w.args...)
	if err != nil {
		return nil, "", mapErr("list deliveries", err)
	}
	ds, err := collectDeliveries(rows)
	if err != nil {
		return nil, "", mapErr("list deliveries", err)
	}
	ds, next := trimPage(ds, limit, func(d *domain.Delivery) string { return d.ID })
	return ds, next, nil
}

// CountDeliveries counts a tenant's deliveries per state under f (f.Page
// ignored), only the newest upTo of them when upTo > 0. States with no
// delivery are absent.
func (s *Store) CountDeliveries(ctx context.Context, f store.DeliveryFilter, upTo int) (map[domain.DeliveryState]int, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	w := deliveryWhere(f)
	if f.State != "" {
		w.add("state = ?", string(f.State))
	}
	from := `deliveries WHERE ` + w.String()
	if upTo > 0 {
		// The newest upTo, on the filter's index walked backwards from
		// its end: the walk stops there.
		w.args = append(w.args, upTo)
		from = fmt.Sprintf(`(SELECT state FROM %s ORDER BY id DESC LIMIT $%d) newest`, from, len(w.args))
	}
	rows, err := s.pool.Query(ctx, `SELECT state, count(*) FROM `+from+` GROUP BY state`, w.args...)
	if err != nil {
		return nil, mapErr("count deliveries", err)
	}
	counts := map[domain.DeliveryState]int{}
	var state string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&state, &n}, func() error {
		counts[domain.DeliveryState(state)] = n
		return nil
	})
	if err != nil {
		return nil, mapErr("count deliveries", err)
	}
	return counts, nil
}

// GetDelivery returns one of a tenant's deliveries. ENOTFOUND if absent.
func (s *Store) GetDelivery(ctx context.Context, tenantID, deliveryID string) (*domain.Delivery, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	d, err := scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1 AND tenant_id = $2`,
		deliveryID, tenantID))
	if err != nil {
		return nil, mapErr("get delivery", notFoundIfNoRows(err, "delivery", deliveryID))
	}
	if d.Ordered && d.State == domain.Scheduled {
		if d.BlockedBy, err = s.blockedBy(ctx, d.ID); err != nil {
			return nil, mapErr("get delivery", err)
		}
	}
	return &d, nil
}

// Resend makes a delivery due now with a fresh retry schedule, whatever
// its state. ENOTFOUND if absent; ECONFLICT if an attempt is in flight
// (the delivery is leased and the lease has not expired).
func (s *Store) Resend(ctx context.Context, tenantID, deliveryID string, now time.Time) (*domain.Delivery, error) {
	var d domain.Delivery
	err := s.inTx(ctx, "resend", func(tx pgx.Tx) error {
		// An ordered delivery takes its place in its key's order back (see
		// holdKeys): the lock first, before the row's, as Recover takes
		// them, so that the two never wait for each other. ordered never
		// changes, so it is read without a lock.
		var ordered bool
		err := tx.QueryRow(ctx, `SELECT ordered FROM deliveries WHERE id = $1 AND tenant_id = $2`, deliveryID, tenantID).Scan(&ordered)
		if err != nil {
			return notFoundIfNoRows(err, "delivery", deliveryID)
		}
		if ordered {
			if err := s.holdKeys(ctx, tx); err != nil {
				return err
			}
		}
		var inFlight bool
		err = tx.QueryRow(ctx, `SELECT lease_owner IS NOT NULL AND lease_until > $3 FROM deliveries
			WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, deliveryID, tenantID, now).Scan(&inFlight)
		if err != nil {
			return notFoundIfNoRows(err, "delivery", deliveryID)
		}
		if inFlight {
			return domain.Errorf(domain.ECONFLICT, "delivery %q has an attempt in flight; try again when it ends", deliveryID)
		}
		d, err = scanDelivery(tx.QueryRow(ctx, `UPDATE deliveries SET state = 'scheduled', next_attempt_at = $2,
			retry_from = attempts, lease_owner = NULL, lease_until = NULL, updated_at = $2, holds_key = ordered
			WHERE id = $1 RETURNING `+deliveryColumns, deliveryID, now))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.notifier.poke()
	return &d, nil
}

// Recover re-schedules a webhook's failed and canceled deliveries created
// in [Since, Until), due now with a fresh retry schedule, and returns how
// many. A delivery whose attempt is in flight keeps its lease, so it is
// claimed again only once that attempt is recorded or its lease runs out.
// ENOTFOUND if the webhook is absent.
func (s *Store) Recover(ctx context.Context, p store.RecoverParams) (int, error) {
	until := p.Until
	if until.IsZero() {
		until = p.Now
	}
	var n int
	err := s.inTx(ctx, "recover", func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhooks WHERE id = $1 AND tenant_id = $2)`,
			p.WebhookID, p.TenantID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return domain.NotFound("webhook", p.WebhookID)
		}
		if err := s.holdKeys(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'scheduled', next_attempt_at = $5,
			retry_from = attempts, updated_at = $5, holds_key = ordered
			WHERE tenant_id = $1 AND webhook_id = $2 AND state IN ('failed', 'canceled')
			AND created_at >= $3 AND created_at < $4`, p.TenantID, p.WebhookID, p.Since, until, p.Now)
		n = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.notifier.poke()
	}
	return n, nil
}
