package sqlite

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
)

// AttemptSamples returns one sample per attempt of a tenant's webhooks
// started in [since, until).
func (s *Store) AttemptSamples(ctx context.Context, tenantID string, since, until time.Time) ([]store.AttemptSample, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT webhook_id, started_at, duration_ns, success FROM attempts
		WHERE tenant_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at`, tenantID, micros(since), micros(until))
	if err != nil {
		return nil, mapErr("attempt samples", err)
	}
	defer rows.Close()
	var out []store.AttemptSample
	for rows.Next() {
		var smp store.AttemptSample
		var started, dur, success int64
		if err := rows.Scan(&smp.WebhookID, &started, &dur, &success); err != nil {
			return nil, mapErr("attempt samples", err)
		}
		smp.StartedAt, smp.Duration, smp.Success = fromMicros(started), time.Duration(dur), success != 0
		out = append(out, smp)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("attempt samples", err)
	}
	return out, nil
}
