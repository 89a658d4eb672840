package dispatch

import (
	"sync"
	"time"
)

// pacer spaces requests to at most rate per second. Reservations are handed
// out in order, so concurrent workers share one budget.
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

// reserve returns how long to wait before the next request may start at
// the given rate; rate <= 0 means no limit.
func (p *pacer) reserve(now time.Time, rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	interval := time.Duration(float64(time.Second) / rate)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next.Before(now) {
		p.next = now
	}
	wait := p.next.Sub(now)
	p.next = p.next.Add(interval)
	return wait
}
