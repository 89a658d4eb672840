package service

import (
	"context"
	"fmt"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Bucket is how many of the deliveries created in [Start, Start+step) are
// in each state now, every state present.
type Bucket struct {
	Start  time.Time
	Counts map[domain.DeliveryState]int
}

// OverTime counts a tenant's deliveries by state for each of the n steps
// that end with the one holding now, oldest first. Step is a whole number
// of hours dividing a day evenly (1, 2, 3, 4, 6, 8, 12 or 24), so that
// buckets start on the hour (UTC) and every day is cut alike. The counts
// come from those the store keeps per hour, so the cost does not grow
// with the number of deliveries.
func (s *Deliveries) OverTime(ctx context.Context, tenantID string, now time.Time, n int, step time.Duration) ([]Bucket, error) {
	if step < time.Hour || step%time.Hour != 0 || 24*time.Hour%step != 0 || n < 1 {
		return nil, fmt.Errorf("service: %d buckets of %v: a bucket is a whole number of hours dividing a day", n, step)
	}
	end := now.UTC().Truncate(step).Add(step)
	start := end.Add(-time.Duration(n) * step)
	hours, err := s.d.Store.CountDeliveriesByHour(ctx, tenantID, start, end)
	if err != nil {
		return nil, err
	}
	out := make([]Bucket, n)
	for i := range out {
		out[i] = Bucket{Start: start.Add(time.Duration(i) * step), Counts: make(map[domain.DeliveryState]int, len(domain.DeliveryStates))}
		for _, st := range domain.DeliveryStates {
			out[i].Counts[st] = 0
		}
	}
	for _, h := range hours {
		i := int(h.Hour.Sub(start) / step)
		if i < 0 || i >= n {
			continue // the store answered outside the range asked
		}
		for st, c := range h.Counts {
			out[i].Counts[st] += c
		}
	}
	return out, nil
}
