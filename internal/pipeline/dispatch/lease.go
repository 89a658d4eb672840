package dispatch

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
)

// lease is this node's lease on one delivery: the work it holds in memory,
// queued, in flight, or with an outcome not yet written.
//
// Leases fence the work between nodes: another node may claim a delivery
// once its lease has expired in the store. A node that fell behind (its
// renewals were late, or it was starved of CPU) must therefore not start an
// attempt on the strength of an expired lease, or the delivery would be sent
// twice. So each lease carries the expiry this node last wrote, which is
// also its fencing token: a renewal extends in the store only the leases
// whose expiry is still the one named (a delivery claimed again, even by
// this node, has a new one) and that have not expired, and this node
// extends its copy only of those. A worker drops a job whose lease is about
// to run out instead of attempting it; the lease is no longer renewed, so
// the work is claimed afresh, by this node or another.
type lease struct {
	deliveryID string
	// until is the lease's expiry as this node last wrote it, to the
	// microsecond as stores keep it. Guarded by Dispatcher.mu.
	until time.Time
	// cost is what the job takes in memory (see cost), counted in
	// Dispatcher.heldBytes while the lease is held.
	cost int64
}

// takeLeaseLocked starts tracking a lease that expires at until (zero:
// LeaseFor from now) on a job costing c in memory. d.mu must be held.
func (d *Dispatcher) takeLeaseLocked(deliveryID string, until time.Time, c int64) *lease {
	if until.IsZero() {
		until = d.cfg.Clock.Now().Add(d.cfg.LeaseFor)
	}
	l := &lease{deliveryID: deliveryID, until: until.Truncate(time.Microsecond), cost: c}
	d.leases[l] = struct{}{}
	d.heldBytes += c
	return l
}

// dropLeaseLocked stops renewing l, and frees its job's memory in the
// budget. d.mu must be held.
func (d *Dispatcher) dropLeaseLocked(l *lease) {
	if _, ok := d.leases[l]; ok {
		delete(d.leases, l)
		d.heldBytes -= l.cost
	}
}

// renewInterval is how often leases are renewed, a third of a lease: a
// renewal can be late twice before a lease runs out.
func (d *Dispatcher) renewInterval() time.Duration { return d.cfg.LeaseFor / 3 }

// leaseLostLocked reports whether l is too close to its end (or past it)
// for an attempt to start: less than one renewal interval left, so that a
// job is dropped only once a renewal is overdue, and an attempt that starts
// still has a renewal's worth of lease before anyone else may take the
// delivery. A lease is lost too when this node's heartbeats are late (see
// membershipTTL): the others may soon declare it dead and release it.
// d.mu must be held.
func (d *Dispatcher) leaseLostLocked(l *lease) bool {
	return !d.cfg.Clock.Now().Before(l.until.Add(-d.renewInterval())) || !d.memberLocked()
}

// renew extends, in the store and then here, the leases this node holds.
// It runs every renewInterval, so that a long queue is never mistaken for a
// crashed node.
// A lease dropped meanwhile may be extended once more in the store: it then
// runs out a lease later, and its work is claimed afresh.
func (d *Dispatcher) renew(ctx context.Context) {
	// Not while outcomes are being written: see recordFenced.
	d.fenceMu.Lock()
	defer d.fenceMu.Unlock()
	type key struct {
		id    string
		until int64
	}
	d.mu.Lock()
	named := make([]store.Lease, 0, len(d.leases))
	byKey := make(map[key]*lease, len(d.leases))
	for l := range d.leases {
		named = append(named, store.Lease{DeliveryID: l.deliveryID, Until: l.until})
		byKey[key{l.deliveryID, l.until.UnixMicro()}] = l
	}
	d.mu.Unlock()
	if len(named) == 0 {
		return
	}
	now := d.cfg.Clock.Now()
	until := now.Add(d.cfg.LeaseFor).Truncate(time.Microsecond)
	renewed, err := d.cfg.Store.RenewLeases(ctx, d.cfg.Owner, named, now, until)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("renew leases", "err", err)
		}
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	// The store extends a lease only while its expiry is the one named,
	// so of renewals that overlap, only one extends a given lease and
	// updates it here.
	for _, r := range renewed {
		if l := byKey[key{r.DeliveryID, r.Until.UnixMicro()}]; l != nil {
			l.until = until
		}
	}
}
