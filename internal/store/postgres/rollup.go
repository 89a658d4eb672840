package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/stats"
)

// rollupWatermark names the maintenance_state row holding the first hour
// not yet rolled up.
const rollupWatermark = "attempt_rollups"

// rollupStart names the maintenance_state row holding the first hour ever
// rolled up: the hours from it to the watermark are all rolled up, which
// is what lets WebhookStats trust the absence of a roll-up row as "no
// attempts" rather than "not rolled up".
const rollupStart = "attempt_rollups_start"

// Rollup is one webhook's attempts during one hour.
type Rollup struct {
	TenantID  string
	WebhookID string
	// Hour is the start of the hour (UTC).
	Hour   time.Time
	Calls  int64
	Errors int64
	// DurationSum and DurationMax are over every call of the hour.
	DurationSum time.Duration
	DurationMax time.Duration
	// Buckets has len(stats.RollupBounds)+1 counts: Buckets[i] counts the
	// calls that took at most stats.RollupBounds[i] and more than the bound
	// before.
	Buckets []int64
}

// rollupSQL computes the roll-ups of [$1, $2) from attempts and replaces
// whatever was stored for those hours.
var rollupSQL = func() string {
	var buckets []string
	lower := "0"
	for _, b := range stats.RollupBounds {
		upper := fmt.Sprint(b.Nanoseconds())
		buckets = append(buckets, fmt.Sprintf("count(*) FILTER (WHERE duration_ns > %s AND duration_ns <= %s)", lower, upper))
		lower = upper
	}
	buckets = append(buckets, fmt.Sprintf("count(*) FILTER (WHERE duration_ns > %s)", lower))
	// The first bucket also takes zero and (never expected) negative
	// durations.
	buckets[0] = fmt.Sprintf("count(*) FILTER (WHERE duration_ns <= %d)", stats.RollupBounds[0].Nanoseconds())
	return `INSERT INTO attempt_rollups (tenant_id, webhook_id, hour, calls, errors, duration_sum_ns, duration_max_ns, buckets)
		SELECT tenant_id, webhook_id, date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
			count(*), count(*) FILTER (WHERE NOT success), sum(duration_ns), max(duration_ns),
			ARRAY[` + strings.Join(buckets, ", ") + `]
		FROM attempts WHERE started_at >= $1 AND started_at < $2
		GROUP BY 1, 2, 3
		ON CONFLICT (tenant_id, hour, webhook_id) DO UPDATE SET calls = excluded.calls, errors = excluded.errors,
			duration_sum_ns = excluded.duration_sum_ns, duration_max_ns = excluded.duration_max_ns, buckets = excluded.buckets`
}()

// RollUpAttempts rolls up the attempts of every hour that ended at least
// a few minutes before now and was not rolled up yet (at most a day's
// worth per call; the first call starts a day back), and returns how many
// hours it covered. Rolling an hour up again replaces its rows, so a
// second leader repeating the work is harmless.
func (s *Store) RollUpAttempts(ctx context.Context, now time.Time) (int, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	var watermark time.Time
	err := s.pool.QueryRow(ctx, `SELECT value FROM maintenance_state WHERE name = $1`, rollupWatermark).Scan(&watermark)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, mapErr("roll up: watermark", err)
	}
	first := watermark.IsZero()
	var oldest *time.Time
	if first {
		// A database that held attempts before it kept roll-ups (an
		// upgrade) is rolled up from its oldest attempt on.
		if err := s.pool.QueryRow(ctx, `SELECT min((SELECT min(started_at) FROM attempts a WHERE a.tenant_id = t.id))
			FROM tenants t`).Scan(&oldest); err != nil {
			return 0, mapErr("roll up: oldest attempt", err)
		}
	}
	if oldest == nil {
		oldest = &time.Time{}
	}
	from, end := stats.RollupPass(watermark, *oldest, now)
	if !from.Before(end) {
		return 0, nil
	}
	err = s.inTx(ctx, "roll up", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, rollupSQL, from, end); err != nil {
			return err
		}
		if first {
			if _, err := tx.Exec(ctx, `INSERT INTO maintenance_state (name, value) VALUES ($1, $2)
				ON CONFLICT (name) DO NOTHING`, rollupStart, from); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO maintenance_state (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, rollupWatermark, end)
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(end.Sub(from) / time.Hour), nil
}

// AttemptRollups returns a tenant's hourly roll-ups for the hours starting
// in [since, until), by hour then webhook.
func (s *Store) AttemptRollups(ctx context.Context, tenantID string, since, until time.Time) ([]Rollup, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT tenant_id, webhook_id, hour, calls, errors, duration_sum_ns, duration_max_ns, buckets
		FROM attempt_rollups WHERE tenant_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, webhook_id`, tenantID, since, until)
	if err != nil {
		return nil, mapErr("attempt roll-ups", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Rollup, error) {
		var ru Rollup
		var sum, max int64
		err := r.Scan(&ru.TenantID, &ru.WebhookID, &ru.Hour, &ru.Calls, &ru.Errors, &sum, &max, &ru.Buckets)
		ru.Hour, ru.DurationSum, ru.DurationMax = utc(ru.Hour), time.Duration(sum), time.Duration(max)
		return ru, err
	})
	if err != nil {
		return nil, mapErr("attempt roll-ups", err)
	}
	return out, nil
}
