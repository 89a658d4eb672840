package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/stats"
)

// The maintenance_state rows of the roll-ups: the first hour not rolled up
// yet, and the first hour ever rolled up (every hour from it to the
// watermark is rolled up, so a missing roll-up row there means "no
// attempts").
const (
	rollupWatermark = "attempt_rollups"
	rollupStart     = "attempt_rollups_start"
)

// rollupSQL sums one tenant's attempts of [from, to) per webhook and hour.
// It reads the covering index attempts_tenant_started only.
var rollupSQL = func() string {
	var buckets []string
	lower := int64(0)
	for i, b := range stats.RollupBounds {
		upper := b.Nanoseconds()
		if i == 0 {
			// The first bucket also takes zero and (never expected)
			// negative durations.
			buckets = append(buckets, fmt.Sprintf("SUM(duration_ns <= %d)", upper))
		} else {
			buckets = append(buckets, fmt.Sprintf("SUM(duration_ns > %d AND duration_ns <= %d)", lower, upper))
		}
		lower = upper
	}
	buckets = append(buckets, fmt.Sprintf("SUM(duration_ns > %d)", lower))
	return `SELECT webhook_id, started_at / 3600000000 * 3600000000 AS hour, COUNT(*), SUM(success = 0),
		SUM(duration_ns), MAX(duration_ns), json_array(` + strings.Join(buckets, ", ") + `)
		FROM attempts WHERE tenant_id = ? AND started_at >= ? AND started_at < ?
		GROUP BY webhook_id, hour`
}()

// rollupRow is one webhook's hour, computed and waiting to be written.
type rollupRow struct {
	tenantID, webhookID string
	hour, calls, errors int64
	sumNS, maxNS        int64
	buckets             string
}

// RollUpAttempts rolls up the attempts of every hour that ended a few
// minutes before now and was not rolled up yet (a day's worth per call at
// most; the first call starts a day back), and returns how many hours it
// covered. The sums are read from a reader's snapshot, tenant by tenant
// on the covering index, so that the writer only stores a few rows per
// webhook and hour: publishes never wait behind a scan of an hour of
// attempts. Rolling an hour up again replaces its rows.
func (s *Store) RollUpAttempts(ctx context.Context, now time.Time) (int, error) {
	watermark, _, err := s.rollupState(ctx, s.rdb)
	if err != nil {
		return 0, mapErr("roll up: watermark", err)
	}
	first := watermark.IsZero()
	var oldest time.Time
	if first {
		// A database that held attempts before it kept roll-ups (an
		// upgrade) is rolled up from its oldest attempt on.
		var v sql.NullInt64
		if err := s.rdb.QueryRowContext(ctx, `SELECT MIN((SELECT MIN(started_at) FROM attempts a WHERE a.tenant_id = t.id))
			FROM tenants t`).Scan(&v); err != nil {
			return 0, mapErr("roll up: oldest attempt", err)
		}
		oldest = fromMicros(v.Int64)
	}
	from, end := stats.RollupPass(watermark, oldest, now)
	if !from.Before(end) {
		return 0, nil
	}
	rows, err := s.computeRollups(ctx, from, end)
	if err != nil {
		return 0, mapErr("roll up", err)
	}
	err = s.write(ctx, "roll up", func(tx *wtx) error {
		if _, err := tx.exec(`DELETE FROM attempt_rollups WHERE hour >= ? AND hour < ?`, micros(from), micros(end)); err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.exec(`INSERT INTO attempt_rollups (tenant_id, webhook_id, hour, calls, errors, duration_sum_ns,
				duration_max_ns, buckets) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				r.tenantID, r.webhookID, r.hour, r.calls, r.errors, r.sumNS, r.maxNS, r.buckets); err != nil {
				return err
			}
		}
		if first {
			if _, err := tx.exec(`INSERT OR IGNORE INTO maintenance_state (name, value) VALUES (?, ?)`, rollupStart, micros(from)); err != nil {
				return err
			}
		}
		_, err := tx.exec(`INSERT INTO maintenance_state (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, rollupWatermark, micros(end))
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(end.Sub(from) / time.Hour), nil
}

// computeRollups sums the attempts of [from, end) per tenant, webhook and
// hour, in one read snapshot.
func (s *Store) computeRollups(ctx context.Context, from, end time.Time) ([]rollupRow, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	tenants, err := queryStrings(ctx, tx, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var out []rollupRow
	for _, tn := range tenants {
		rows, err := tx.QueryContext(ctx, rollupSQL, tn, micros(from), micros(end))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			r := rollupRow{tenantID: tn}
			if err := rows.Scan(&r.webhookID, &r.hour, &r.calls, &r.errors, &r.sumNS, &r.maxNS, &r.buckets); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// queryer is what both a *sql.DB and a *sql.Tx offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func queryStrings(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// rollupState returns the roll-ups' watermark and start, zero when there
// are none yet.
func (s *Store) rollupState(ctx context.Context, q queryer) (watermark, start time.Time, err error) {
	var w, st sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT (SELECT value FROM maintenance_state WHERE name = ?),
		(SELECT value FROM maintenance_state WHERE name = ?)`, rollupWatermark, rollupStart).Scan(&w, &st)
	if err != nil {
		return watermark, start, err
	}
	return fromMicros(w.Int64), fromMicros(st.Int64), nil
}

// WebhookStats summarizes per webhook the tenant's attempts started in
// [since, until) (store.Statistics): the whole hours of the window that
// are rolled up come from attempt_rollups, the partial hours at its edges
// and the hours not rolled up yet from attempts, all in one read
// snapshot. Calls and errors are exact; a webhook's percentiles are
// estimated from the roll-ups' histogram when any of its calls came from
// a roll-up (see stats.Accumulator).
//
// Roll-ups are a snapshot taken a few minutes after their hour: an attempt
// recorded later than that into an hour already rolled up is not counted,
// and an hour's counts outlive its attempts when retention deletes them.
func (s *Store) WebhookStats(ctx context.Context, tenantID string, since, until time.Time) (map[string]stats.Summary, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, mapErr("webhook stats", err)
	}
	defer func() { _ = tx.Rollback() }()
	watermark, start, err := s.rollupState(ctx, tx)
	if err != nil {
		return nil, mapErr("webhook stats: roll-up range", err)
	}
	lo, hi := stats.RolledUpRange(since, until, start, watermark)
	acc := stats.NewAccumulator()
	if lo.Before(hi) {
		if err := addRollups(ctx, tx, acc, tenantID, lo, hi); err != nil {
			return nil, mapErr("webhook stats: roll-ups", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT webhook_id, duration_ns, success FROM attempts WHERE tenant_id = ?
		AND started_at >= ? AND started_at < ?
		UNION ALL SELECT webhook_id, duration_ns, success FROM attempts WHERE tenant_id = ?
		AND started_at >= ? AND started_at < ?`,
		tenantID, micros(since), micros(lo), tenantID, micros(hi), micros(until))
	if err != nil {
		return nil, mapErr("webhook stats: attempts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var webhookID string
		var ns, success int64
		if err := rows.Scan(&webhookID, &ns, &success); err != nil {
			return nil, mapErr("webhook stats: attempts", err)
		}
		acc.AddAttempt(webhookID, time.Duration(ns), success != 0)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("webhook stats: attempts", err)
	}
	return acc.Summaries(), nil
}

// addRollups adds the tenant's roll-ups of the hours [lo, hi) to acc.
func addRollups(ctx context.Context, tx *sql.Tx, acc *stats.Accumulator, tenantID string, lo, hi time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT webhook_id, calls, errors, duration_max_ns, buckets
		FROM attempt_rollups WHERE tenant_id = ? AND hour >= ? AND hour < ?`, tenantID, micros(lo), micros(hi))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var webhookID, list string
		var calls, errs, maxNS int64
		if err := rows.Scan(&webhookID, &calls, &errs, &maxNS, &list); err != nil {
			return err
		}
		var buckets []int64
		if err := json.Unmarshal([]byte(list), &buckets); err != nil {
			return fmt.Errorf("roll-up buckets: %w", err)
		}
		if err := acc.AddRollup(webhookID, calls, errs, buckets, time.Duration(maxNS)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RollsUp reports true: WebhookStats reads the hourly roll-ups that
// RollUpAttempts writes.
func (s *Store) RollsUp() bool { return true }
