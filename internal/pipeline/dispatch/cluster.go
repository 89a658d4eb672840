package dispatch

import (
	"context"
	"crypto/rand"
	"math"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// nodeShare returns this node's share of a webhook's limits when nodes
// dispatchers deliver it: concurrency is rounded up (so no node is ever
// starved, at the price of up to nodes-1 requests over the limit in all),
// and the rate is split exactly (0, no limit, stays 0).
func nodeShare(concurrency int, rate float64, nodes int) (int, float64) {
	if nodes <= 1 {
		return concurrency, rate
	}
	c := max(1, int(math.Ceil(float64(concurrency)/float64(nodes))))
	return c, rate / float64(nodes)
}

// limits returns this node's share of a webhook's concurrency and rate.
func (d *Dispatcher) limits(concurrency int, rate float64) (int, float64) {
	return nodeShare(concurrency, rate, int(d.nodes.Load()))
}

// heartbeatInterval is how often a dispatcher announces itself: a sixth of
// a lease, but at most 2s, so that a dead node is known dead within seconds
// whatever the lease (see membershipTTL).
func (d *Dispatcher) heartbeatInterval() time.Duration {
	return min(max(d.cfg.LeaseFor/6, 100*time.Millisecond), 2*time.Second)
}

// membershipTTL is the rule by which nodes judge each other: a node is dead
// once its last heartbeat is older than three heartbeat intervals (6s by
// default). The store then releases its leases (store.Membership), so its
// work is delivered again seconds after it died, not a lease later.
//
// The rule fences a node that was only slow (starved of CPU, or cut off
// from the database): it starts no attempt once two heartbeats are
// overdue (see memberLocked), before the others may think it dead, and
// it learns that it was declared dead from its next heartbeat, which drops
// all its work (see leaveLocked). Clocks of the nodes are assumed in sync
// to well within a heartbeat interval.
func (d *Dispatcher) membershipTTL() time.Duration { return 3 * d.heartbeatInterval() }

// newIncarnation names this process among those that have held its node
// id (store.Membership).
func newIncarnation() string { return rand.Text() }

// memberLocked reports whether this node may act on its leases now: its
// last heartbeat is recent enough that no other node can have declared it
// dead. d.mu must be held.
func (d *Dispatcher) memberLocked() bool {
	return d.cfg.Clock.Now().Before(d.memberUntil)
}

// leaveLocked gives up all the work this node holds, whose leases the store
// may have released: no attempt starts on it (a worker drops each job, as
// when its lease is lost) and it is no longer renewed. d.mu must be held.
func (d *Dispatcher) leaveLocked() {
	d.memberUntil = time.Time{}
	for l := range d.leases {
		l.until = time.Time{}
		// Dropped here, so dropLeaseLocked will not free it later.
		d.heldBytes -= l.cost
	}
	clear(d.leases)
}

// heartbeat announces this node once and stores the count of live
// dispatchers (store.Membership; always 1 on SQLite). It first joins the
// cluster if this process is not a member: at start, which takes back the
// leases that a previous process with this node id held when it died, and
// after this node was declared dead. When the database cannot be reached
// the last count is kept: the other nodes most likely still run.
func (d *Dispatcher) heartbeat(ctx context.Context) {
	every := d.heartbeatInterval()
	ttl := d.membershipTTL()
	hctx, cancel := context.WithTimeout(ctx, every)
	defer cancel()
	now := d.cfg.Clock.Now()
	if !d.joined {
		err := d.cfg.Store.Join(hctx, d.cfg.Owner, d.incarnation, now, ttl)
		switch {
		case domain.ErrorCode(err) == domain.ECONFLICT:
			d.log.Warn("waiting for the other process with this node id to be declared dead; if it still runs, give each node its own --node-id",
				"node", d.cfg.Owner, "err", err)
			return
		case err != nil:
			if ctx.Err() == nil {
				d.log.Error("join the cluster", "err", err)
			}
			return
		}
		d.joined = true
	}
	n, err := d.cfg.Store.Heartbeat(hctx, d.cfg.Owner, d.incarnation, now, ttl)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		d.log.Error("this node was declared dead by the others (its heartbeats were late): dropping the work it held and joining again", "node", d.cfg.Owner)
		d.joined = false
		d.mu.Lock()
		d.leaveLocked()
		d.mu.Unlock()
		return
	}
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("heartbeat", "err", err)
		}
		return
	}
	d.mu.Lock()
	wasMember := d.memberLocked()
	d.memberUntil = now.Add(ttl - every)
	d.mu.Unlock()
	if !wasMember {
		d.Wake()
	}
	n = max(n, 1)
	if old := d.nodes.Swap(int64(n)); old != int64(n) {
		d.log.Info("dispatchers sharing webhook limits", "nodes", n)
	}
}
