package dispatch

import (
	"context"
	"math"
	"time"
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

// heartbeatInterval is how often a dispatcher announces itself; a node is
// counted for three intervals after its last heartbeat.
func (d *Dispatcher) heartbeatInterval() time.Duration {
	return max(d.cfg.LeaseFor/6, 100*time.Millisecond)
}

// heartbeat announces this node once and stores the count of live
// dispatchers (store.Membership; always 1 on SQLite). When the database cannot be reached the last count is kept:
// the other nodes most likely still run.
func (d *Dispatcher) heartbeat(ctx context.Context) {
	every := d.heartbeatInterval()
	hctx, cancel := context.WithTimeout(ctx, every)
	defer cancel()
	n, err := d.cfg.Store.Heartbeat(hctx, d.cfg.Owner, d.cfg.Clock.Now(), 3*every)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("heartbeat", "err", err)
		}
		return
	}
	n = max(n, 1)
	if old := d.nodes.Swap(int64(n)); old != int64(n) {
		d.log.Info("dispatchers sharing webhook limits", "nodes", n)
	}
}
