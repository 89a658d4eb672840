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

// turnSQL is the claim's turn check on a candidate d (see store.Store's
// ClaimDue): an unordered delivery always has its turn; an ordered one
// when no delivery of its webhook and key holding the key comes before
// it, and none other is in flight (leased until after the claim's now,
// its one argument). Each half reads a partial index that holds ordered
// deliveries only.
const turnSQL = `(d.ordered = 0 OR (
		NOT EXISTS (SELECT 1 FROM deliveries o INDEXED BY deliveries_key_order
			WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key AND o.holds_key = 1
			AND o.ordering_seq < d.ordering_seq)
		AND NOT EXISTS (SELECT 1 FROM deliveries o INDEXED BY deliveries_key_leased
			WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key AND o.ordered = 1
			AND o.lease_owner <> '' AND o.lease_until > ? AND o.id <> d.id)))`

// blockedBySQL finds what a scheduled ordered delivery ($1) waits for: an
// earlier delivery of its key that holds it, or else one of the key in
// flight.
const blockedBySQL = `SELECT o.id FROM deliveries d JOIN deliveries o
		ON o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key AND o.ordered = 1 AND o.id <> d.id
	WHERE d.id = ? AND ((o.holds_key = 1 AND o.ordering_seq < d.ordering_seq) OR o.lease_owner <> '')
	ORDER BY o.holds_key = 1 AND o.ordering_seq < d.ordering_seq DESC, o.ordering_seq LIMIT 1`

// blockedBy returns the delivery that the scheduled ordered delivery id
// waits for, or "" when it is its key's turn.
func blockedBy(ctx context.Context, db *sql.DB, id string) (string, error) {
	var other string
	err := db.QueryRowContext(ctx, blockedBySQL, id).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return other, err
}

// SkipDelivery releases the key an ordered delivery holds and sets its
// SkippedAt; a scheduled one is canceled. ENOTFOUND if absent; ECONFLICT
// if it does not hold its key or an attempt of it is in flight.
func (s *Store) SkipDelivery(ctx context.Context, tenantID, id string, now time.Time) (*domain.Delivery, error) {
	var d domain.Delivery
	err := s.write(ctx, "skip delivery", func(tx *wtx) error {
		var holds int
		var owner string
		var until int64
		err := tx.queryRow(`SELECT holds_key, lease_owner, lease_until FROM deliveries WHERE id = ? AND tenant_id = ?`, id, tenantID).
			Scan(&holds, &owner, &until)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("delivery", id)
		}
		if err != nil {
			return err
		}
		if holds == 0 {
			return domain.Errorf(domain.ECONFLICT, "delivery %q does not hold its ordering key: nothing waits for it", id)
		}
		t := micros(now)
		if owner != "" && until > t {
			return domain.Errorf(domain.ECONFLICT, "delivery %q has an attempt in flight; try again when it ends", id)
		}
		d, err = scanDelivery(tx.queryRow(`UPDATE deliveries SET holds_key = 0, skipped_at = ?, updated_at = ?,
			state = CASE WHEN state = 'scheduled' THEN 'canceled' ELSE state END,
			next_attempt_at = CASE WHEN state = 'scheduled' THEN 0 ELSE next_attempt_at END,
			due_at = 0, lease_owner = '', lease_until = 0
			WHERE id = ? RETURNING `+deliveryCols, t, t, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// blockedKeysSQL lists the failed deliveries that hold their key with no
// earlier holder (the heads of blocked keys), and how many scheduled ones
// wait behind each. Filled in with the optional webhook condition.
var blockedKeysSQL = `SELECT ` + headCols + `, (SELECT COUNT(*) FROM deliveries w INDEXED BY deliveries_key_order
			WHERE w.webhook_id = h.webhook_id AND w.ordering_key = h.ordering_key AND w.holds_key = 1
			AND w.ordering_seq > h.ordering_seq AND w.state = 'scheduled')
	FROM deliveries h INDEXED BY deliveries_key_order
	WHERE h.holds_key = 1 AND h.state = 'failed' AND h.tenant_id = ? AND (? = '' OR h.webhook_id = ?)
		AND NOT EXISTS (SELECT 1 FROM deliveries o INDEXED BY deliveries_key_order
			WHERE o.webhook_id = h.webhook_id AND o.ordering_key = h.ordering_key AND o.holds_key = 1
			AND o.ordering_seq < h.ordering_seq)
	ORDER BY h.ordering_seq LIMIT ?`

// headCols is deliveryCols of the head h.
var headCols = qualify("h", deliveryCols)

// BlockedKeys lists a tenant's keys whose earliest holding delivery
// failed, of one webhook when webhookID is set, oldest head first.
func (s *Store) BlockedKeys(ctx context.Context, tenantID, webhookID string, limit int) ([]domain.BlockedKey, error) {
	if limit <= 0 || limit > store.MaxListLimit {
		limit = store.MaxListLimit
	}
	rows, err := s.rdb.QueryContext(ctx, blockedKeysSQL, tenantID, webhookID, webhookID, limit)
	if err != nil {
		return nil, mapErr("blocked keys", err)
	}
	defer rows.Close()
	var out []domain.BlockedKey
	for rows.Next() {
		var k domain.BlockedKey
		var waiting int
		d, err := scanDelivery(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &waiting)...) }))
		if err != nil {
			return nil, mapErr("blocked keys", err)
		}
		k.WebhookID, k.Key, k.Head, k.Waiting = d.WebhookID, d.OrderingKey, d, waiting
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("blocked keys", err)
	}
	return out, nil
}

// scanFunc adapts a function to the Scan of scanDelivery.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// qualify prefixes each column of a column list with alias.
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
