package sqlite

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// CountDeliveriesByHour reads the per-hour counts that migration 0013's
// triggers keep as deliveries are written.
func (s *Store) CountDeliveriesByHour(ctx context.Context, tenantID string, since, until time.Time) ([]store.HourCounts, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT hour, state, n FROM delivery_counts
		WHERE tenant_id = ? AND hour >= ? AND hour < ? AND n <> 0 ORDER BY hour`,
		tenantID, micros(since.Truncate(time.Hour)), micros(until))
	if err != nil {
		return nil, mapErr("count deliveries by hour", err)
	}
	defer rows.Close()
	var out []store.HourCounts
	for rows.Next() {
		var hour int64
		var state string
		var n int
		if err := rows.Scan(&hour, &state, &n); err != nil {
			return nil, mapErr("count deliveries by hour", err)
		}
		out = store.AddHourCount(out, fromMicros(hour), domain.DeliveryState(state), n)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("count deliveries by hour", err)
	}
	return out, nil
}
