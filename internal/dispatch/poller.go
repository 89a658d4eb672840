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
		room := min(d.cfg.MaxHeld-d.held, d.cfg.ClaimBatch)
		exclude := d.saturatedLocked()
		d.mu.Unlock()
		if room <= 0 {
			return
		}
		now := d.cfg.Clock.Now()
		jobs, err := d.cfg.Store.ClaimDue(ctx, claimParams(d.cfg.Owner, now, now.Add(d.cfg.LeaseFor), room, exclude))
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("claim due deliveries", "err", err)
			}
			return
		}
		d.enqueue(jobs)
		if len(jobs) < room {
			return
		}
	}
}

// renewLoop keeps this node's leases alive while it holds work, so that a
// long queue is never mistaken for a crashed node.
func (d *Dispatcher) renewLoop(ctx context.Context) {
	defer d.loops.Done()
	t := time.NewTicker(d.cfg.LeaseFor / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := d.cfg.Store.RenewLeases(ctx, d.cfg.Owner, d.cfg.Clock.Now().Add(d.cfg.LeaseFor)); err != nil && ctx.Err() == nil {
			d.log.Error("renew leases", "err", err)
		}
	}
}

func claimParams(owner string, now, until time.Time, limit int, exclude []string) store.ClaimParams {
	return store.ClaimParams{Owner: owner, Now: now, LeaseUntil: until, Limit: limit, ExcludeWebhooks: exclude}
}
