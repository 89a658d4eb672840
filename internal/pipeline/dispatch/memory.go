package dispatch

// jobOverhead is what a held job costs beyond its event's data: the
// delivery, event and lease records, and once attempted the request and
// response headers and the response body the attempt keeps (at most
// domain.MaxResponseBody).
const jobOverhead = 8 << 10

// workerCost is what a request in flight takes in memory beyond its job:
// the worker's stack, grown by the HTTP client, and its connection's two
// goroutines and buffers (about 50 KB measured, rounded up).
const workerCost = 64 << 10

// queueShareDivisor gives each webhook at most this fraction of the memory
// budget for its backlog, so that a few dead endpoints never hold all of it
// and crowd out other webhooks' work.
const queueShareDivisor = 8

// cost estimates the memory that n held jobs whose events' data add up to
// data bytes take: the data, the body rendered from it while attempted and
// kept until its outcome is written (about as large), and a fixed overhead
// each. Jobs of one event share its data in memory, so this errs high.
func cost(n int, data int64) int64 { return int64(n)*jobOverhead + 2*data }

// worstCost is the cost of one job of the largest event accepted.
func (d *Dispatcher) worstCost() int64 { return cost(1, d.cfg.MaxEventBytes) }

// queueShare is the most a webhook's queue may hold, in bytes.
func (d *Dispatcher) queueShare() int64 { return d.cfg.MemoryBudget / queueShareDivisor }

// fitsLocked is the one rule of what memory may hold: work costing c fits
// when the dispatcher is running, the held work stays within the memory
// budget, and q (nil: the webhook holds nothing yet) stays within its
// count and share of the budget. Room reserved by publishes (see
// AcceptingFor) counts as held. d.mu must be held.
func (d *Dispatcher) fitsLocked(q *queue, c int64) bool {
	if d.stopping || d.heldBytes+c > d.cfg.MemoryBudget {
		return false
	}
	if q == nil {
		q = &queue{}
	}
	return q.len()+q.reserved < d.cfg.QueueCap && q.bytes+c <= d.queueShare()
}

// queueFullLocked reports whether q can take no more work, even the
// smallest job, whatever the budget's total. d.mu must be held.
func (d *Dispatcher) queueFullLocked(q *queue) bool {
	return q.len()+q.reserved >= d.cfg.QueueCap || q.bytes+jobOverhead > d.queueShare()
}

// claimRoomLocked is how many jobs one claim may take: as many of the
// largest events as the budget has room for, and at least one when memory
// holds nothing, so that work larger than the budget still moves. d.mu
// must be held.
func (d *Dispatcher) claimRoomLocked() int {
	if d.stopping {
		return 0
	}
	n := int(min(int64(d.cfg.ClaimBatch), (d.cfg.MemoryBudget-d.heldBytes)/d.worstCost()))
	if n <= 0 && d.heldBytes == 0 {
		n = 1
	}
	return n
}

// maxWorkers is how many requests may be in flight beyond one per webhook
// with work (see spawnLocked): as many as the memory budget has room for
// at workerCost each (1,024 at the default 64 MiB).
func (d *Dispatcher) maxWorkers() int { return max(1, int(d.cfg.MemoryBudget/workerCost)) }

// HeldBytes returns the estimated memory the held deliveries take.
func (d *Dispatcher) HeldBytes() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.heldBytes
}
