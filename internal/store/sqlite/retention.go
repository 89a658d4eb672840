package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/stats"
)

// defaultRetentionBatch bounds the deliveries (with their attempts) or the
// events one retention transaction deletes. Every write goes through the
// one writer, so a huge delete would stall publishing behind it; small
// chunks let other writes in between.
const defaultRetentionBatch = 5000

// ApplyRetention removes the events, deliveries and attempts older than
// their tenant's retention (defaultDays unless the tenant sets its own),
// judged by the time in their ids (their creation) against now.
// SQLite has no partitions, so dropped is always 0 and deleted counts the
// rows removed.
//
// A delivery still scheduled is never removed, nor its attempts nor its
// event, however old: a custom retry schedule may outlast any retention,
// and an accepted event is delivered at least once. It goes at a later run,
// once it has succeeded or failed. An event goes only once none of its
// deliveries is left, so no reader ever sees a delivery without its event.
//
// Rows go in chunks of at most retentionBatch deliveries (with their
// attempts) or events, each chunk its own write through the writer, so the
// writer is never held for long.
//
// The pass ends by refreshing the planner's statistics (PRAGMA optimize,
// bounded): retention runs hourly on the one process, which is when SQLite
// advises a long-lived connection to do it.
func (s *Store) ApplyRetention(ctx context.Context, now time.Time, defaultDays int) (dropped int, deleted int64, err error) {
	select {
	case <-s.closing:
		return 0, 0, errClosed
	default:
	}
	if defaultDays < 1 {
		return 0, 0, fmt.Errorf("sqlite: retention: default of %d days must be at least 1", defaultDays)
	}
	tenants, err := s.retentions(ctx, defaultDays)
	if err != nil {
		return 0, 0, err
	}
	for _, t := range tenants {
		cut := now.Add(-time.Duration(t.days) * 24 * time.Hour)
		n, err := s.expireTenant(ctx, t.id, idFloor(id.Delivery, cut), idFloor(id.Event, cut))
		deleted += n
		if err != nil {
			return 0, deleted, err
		}
	}
	n, err := s.expireRollups(ctx, now.Add(-stats.RollupRetention))
	if err != nil {
		return 0, deleted + n, err
	}
	return 0, deleted + n, s.optimize(ctx)
}

// expireRollups deletes the roll-ups of the hours before cut: a few rows
// per webhook and hour, in one statement, when there are any (a reader
// finds out without queueing behind the writer).
func (s *Store) expireRollups(ctx context.Context, cut time.Time) (int64, error) {
	var due bool
	if err := s.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM attempt_rollups WHERE hour < ?)`, micros(cut)).Scan(&due); err != nil || !due {
		return 0, mapErr("retention: roll-ups", err)
	}
	var n int64
	err := s.write(ctx, "retention: roll-ups", func(tx *wtx) error {
		var err error
		n, err = tx.exec(`DELETE FROM attempt_rollups WHERE hour < ?`, micros(cut))
		return err
	})
	return n, err
}

// tenantRetention is one tenant's retention in days.
type tenantRetention struct {
	id   string
	days int
}

// retentions lists every tenant with its retention, defaultDays for those
// that keep the server's default.
func (s *Store) retentions(ctx context.Context, defaultDays int) ([]tenantRetention, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, CASE WHEN retention_days > 0 THEN retention_days ELSE ? END
		FROM tenants ORDER BY id`, defaultDays)
	if err != nil {
		return nil, mapErr("retention: tenants", err)
	}
	defer rows.Close()
	var out []tenantRetention
	for rows.Next() {
		var t tenantRetention
		if err := rows.Scan(&t.id, &t.days); err != nil {
			return nil, mapErr("retention: tenants", err)
		}
		out = append(out, t)
	}
	return out, mapErr("retention: tenants", rows.Err())
}

// expireTenant deletes, chunk by chunk, a tenant's deliveries (with their
// attempts) whose ids sort before dlvBefore and are not scheduled, then
// its events before evtBefore that have no delivery left.
func (s *Store) expireTenant(ctx context.Context, tenantID, dlvBefore, evtBefore string) (int64, error) {
	// Most tenants have nothing to expire at most runs: a reader finds
	// that out without queueing behind the writer.
	var due bool
	if err := s.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries WHERE tenant_id = ? AND id < ? AND state <> 'scheduled')
		OR EXISTS (SELECT 1 FROM events WHERE tenant_id = ? AND id < ?)`, tenantID, dlvBefore, tenantID, evtBefore).Scan(&due); err != nil {
		return 0, mapErr("retention: probe", err)
	}
	if !due {
		return 0, nil
	}
	var total int64
	for more := true; more; {
		n, full, err := s.expireDeliveries(ctx, tenantID, dlvBefore)
		total += n
		if err != nil {
			return total, err
		}
		more = full
	}
	for {
		var n int64
		err := s.write(ctx, "retention: events", func(tx *wtx) error {
			var err error
			n, err = tx.exec(`DELETE FROM events WHERE id IN (SELECT e.id FROM events e
				WHERE e.tenant_id = ? AND e.id < ?
				AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT ?)`,
				tenantID, evtBefore, s.retentionBatch)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < int64(s.retentionBatch) {
			return total, nil
		}
	}
}

// expireDeliveries deletes one chunk of a tenant's expired deliveries and
// their attempts in one write; more reports that the chunk was full, so
// there may be more.
func (s *Store) expireDeliveries(ctx context.Context, tenantID, before string) (deleted int64, more bool, err error) {
	err = s.write(ctx, "retention: deliveries", func(tx *wtx) error {
		rows, err := tx.query(`SELECT id FROM deliveries WHERE tenant_id = ? AND id < ? AND state <> 'scheduled'
			ORDER BY id LIMIT ?`, tenantID, before, s.retentionBatch)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			deleted, more = 0, false
			return nil
		}
		// One JSON array parameter instead of thousands of placeholders.
		list, err := json.Marshal(ids)
		if err != nil {
			return fmt.Errorf("encode ids: %w", err)
		}
		na, err := tx.exec(`DELETE FROM attempts WHERE delivery_id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return err
		}
		nd, err := tx.exec(`DELETE FROM deliveries WHERE id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return err
		}
		deleted, more = na+nd, len(ids) == s.retentionBatch
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return deleted, more, nil
}

// idFloor returns the smallest id with prefix made at t or later: the
// prefix and t's milliseconds in internal/id's encoding, so every id made
// before t sorts before it.
func idFloor(prefix string, t time.Time) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz" // internal/id's
	ms := t.UnixMilli()
	b := make([]byte, 0, len(prefix)+10)
	b = append(b, prefix...)
	for i := 9; i >= 0; i-- {
		b = append(b, alphabet[(ms>>(5*uint(i)))&31])
	}
	return string(b)
}
