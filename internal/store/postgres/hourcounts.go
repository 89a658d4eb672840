package postgres

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// CountDeliveriesByHour sums the per-backend counts that migration 0014's
// triggers keep as deliveries are written.
func (s *Store) CountDeliveriesByHour(ctx context.Context, tenantID string, since, until time.Time) ([]store.HourCounts, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT hour, state, sum(n) FROM delivery_counts
		WHERE tenant_id = $1 AND hour >= $2 AND hour < $3 GROUP BY hour, state HAVING sum(n) <> 0 ORDER BY hour`,
		tenantID, since.Truncate(time.Hour), until)
	if err != nil {
		return nil, mapErr("count deliveries by hour", err)
	}
	defer rows.Close()
	var out []store.HourCounts
	for rows.Next() {
		var hour time.Time
		var state string
		var n int64
		if err := rows.Scan(&hour, &state, &n); err != nil {
			return nil, mapErr("count deliveries by hour", err)
		}
		out = store.AddHourCount(out, hour, domain.DeliveryState(state), int(n))
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("count deliveries by hour", err)
	}
	return out, nil
}
