package dispatch

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
)

// pollLoop claims due work: retries whose time has come, deliveries whose
// lease expired (a crashed node's), and work released by a stopped node.
func (d *Dispatcher) pollLoop(ctx context.Context) {
	defer d.loops.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wakeCh:
		case <-timer.C:
		}
		d.claim(ctx)

		// Sleep until the next poll or the earliest known retry.
		now := d.cfg.Clock.Now()
		wait := d.cfg.PollInterval
		d.mu.Lock()
		if !d.nextWake.IsZero() {
			if until := d.nextWake.Sub(now); until <= 0 {
				d.nextWake = time.Time{}
				wait = 0
			} else if until < wait {
				wait = until
			}
		}
		d.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// claim leases due work in batches until none is left or memory is full.
func (d *Dispatcher) claim(ctx context.Context) {
	for ctx.Err() == nil {
		d.mu.Lock()
		room := d.claimRoomLocked()
		exclude := d.saturatedLocked()
		member := d.memberLocked()
		d.mu.Unlock()
		if room <= 0 || !member {
			return
		}
		now := d.cfg.Clock.Now()
		until := now.Add(d.cfg.LeaseFor).Truncate(time.Microsecond) // as stores keep it
		jobs, err := d.cfg.Store.ClaimDue(ctx, claimParams(d.cfg.Owner, now, until, room, exclude))
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("claim due deliveries", "err", err)
			}
			return
		}
		for i := range jobs {
			jobs[i].LeaseUntil = until
		}
		d.enqueue(jobs)
		if len(jobs) < room {
			return
		}
	}
}

func claimParams(owner string, now, until time.Time, limit int, exclude []string) store.ClaimParams {
	return store.ClaimParams{Owner: owner, Now: now, LeaseUntil: until, Limit: limit, ExcludeWebhooks: exclude}
}
