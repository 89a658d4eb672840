package dispatch

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// held is a job waiting in a webhook's queue, with this node's lease on it.
type held struct {
	job   domain.Job
	lease *lease
}

// queue holds one webhook's deliveries waiting for a worker. Workers are
// goroutines started on demand, at most limit at a time, that exit when the
// queue is empty.
type queue struct {
	webhookID string
	jobs      []held
	head      int
	// bytes is the cost of the jobs waiting (see cost).
	bytes  int64
	active int
	// limit is this node's share of the webhook's concurrency; 1 until its
	// settings are known, so a webhook limited to one request at a time
	// never gets two.
	limit int
	pacer pacer
}

func (q *queue) len() int { return len(q.jobs) - q.head }

func (q *queue) push(h held) {
	q.jobs = append(q.jobs, h)
	q.bytes += h.lease.cost
}

func (q *queue) pop() held {
	j := q.jobs[q.head]
	q.bytes -= j.lease.cost
	q.jobs[q.head] = held{}
	q.head++
	if q.head > 1024 && q.head*2 > len(q.jobs) {
		// Reclaim the consumed front so a long-lived queue does not grow.
		q.jobs = append(q.jobs[:0:0], q.jobs[q.head:]...)
		q.head = 0
	}
	return j
}

// enqueue adds jobs to their webhooks' queues and starts workers as the
// limits allow. Jobs offered while stopping are dropped: their leases are
// released by Stop (or expire), so they are not lost.
func (d *Dispatcher) enqueue(jobs []domain.Job) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping {
		return
	}
	for _, j := range jobs {
		q := d.queues[j.Delivery.WebhookID]
		if q == nil {
			q = &queue{webhookID: j.Delivery.WebhookID, limit: 1}
			if w := d.webhooks.peek(q.webhookID); w != nil {
				q.limit, _ = d.limits(w.Concurrency(), w.RateLimit)
			}
			d.queues[q.webhookID] = q
		}
		c := cost(1, int64(len(j.Event.Data)))
		q.push(held{job: j, lease: d.takeLeaseLocked(j.Delivery.ID, j.LeaseUntil, c)})
		d.held++
	}
	for _, j := range jobs {
		if q := d.queues[j.Delivery.WebhookID]; q != nil {
			d.spawnLocked(q)
		}
	}
}

// spawnLocked starts workers for q up to its limit. d.mu must be held.
func (d *Dispatcher) spawnLocked(q *queue) {
	for q.active < q.limit && q.active < q.len() && !d.stopping {
		q.active++
		d.workers.Add(1)
		go d.work(q)
	}
}

// saturatedLocked lists the webhooks whose queues are full, so that polling
// leaves their due work in the store for now. d.mu must be held.
func (d *Dispatcher) saturatedLocked() []string {
	var ids []string
	for id, q := range d.queues {
		if d.queueFullLocked(q) {
			ids = append(ids, id)
		}
	}
	return ids
}

// work runs jobs from q until it is empty or the dispatcher stops.
func (d *Dispatcher) work(q *queue) {
	defer d.workers.Done()
	for {
		d.mu.Lock()
		// A worker over the limit (lowered, or shared with a node that
		// joined) exits, so the limit holds again once requests in flight end.
		if d.stopping || q.len() == 0 || q.active > q.limit {
			q.active--
			if q.active == 0 && q.len() == 0 && d.queues[q.webhookID] == q {
				delete(d.queues, q.webhookID)
			}
			d.mu.Unlock()
			return
		}
		wasFull := d.queueFullLocked(q)
		h := q.pop()
		lost := d.leaseLostLocked(h.lease)
		nowFull := d.queueFullLocked(q)
		d.mu.Unlock()
		if wasFull && !nowFull {
			// Polling left this webhook's due work in the store while its
			// queue was full: look for it again now that there is room.
			d.Wake()
		}

		recording := false
		if lost {
			d.cfg.Metrics.LeaseLost()
			d.log.Debug("lease ran out before the attempt: left for a fresh claim", "delivery_id", h.job.Delivery.ID)
		} else {
			recording = d.process(q, h)
		}

		d.mu.Lock()
		d.held--
		if !recording {
			// Nothing to write: stop renewing the lease, so that the work
			// (if still due) is claimed afresh once it runs out.
			d.dropLeaseLocked(h.lease)
		}
		d.mu.Unlock()
	}
}

// process makes one attempt of a job and hands its outcome to the
// recorder. It reports whether it did: when not, the job was dropped
// (webhook gone or disabled: the delivery is canceled; store unreachable,
// hard stop).
func (d *Dispatcher) process(q *queue, h held) bool {
	job := h.job
	ctx := d.sendCtx
	w, err := d.webhooks.get(ctx, job.Delivery.WebhookID)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			d.cancelStranded(&job.Delivery)
			return false
		}
		// The store is unreachable: leave the delivery leased; the lease
		// expires and the work is claimed again.
		d.log.Error("load webhook", "webhook_id", job.Delivery.WebhookID, "delivery_id", job.Delivery.ID, "err", err)
		return false
	}
	if !w.Enabled {
		d.cancelStranded(&job.Delivery)
		return false
	}
	limit, rate := d.limits(w.Concurrency(), w.RateLimit)
	d.mu.Lock()
	if q.limit != limit {
		q.limit = limit
		d.spawnLocked(q)
	}
	d.mu.Unlock()

	if d.cfg.Precheck != nil && fanOutStale(w, &job.Delivery) {
		if err := d.cfg.Precheck(w, &job.Event); err != nil {
			d.refuse(w, &job, h.lease, err)
			return true
		}
	}

	if wait := q.pacer.reserve(time.Now(), rate); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
	}

	att, res := d.attempt(ctx, w, &job.Event, &job.Delivery, job.Delivery.NextTrigger())
	if ctx.Err() != nil && !att.Success {
		// Aborted by a hard stop: not the receiver's fault, so no attempt
		// is recorded; the lease is released and the work retried.
		return false
	}
	rec := d.outcome(w, &job.Delivery, att, res, d.earlierAttempts(ctx, &job.Delivery, &att))
	if att.FailedAtProxy() {
		d.warnProxy(att.Error)
	}
	d.cfg.Metrics.Attempted(att.Success, att.Duration)
	if rec.State != domain.Scheduled {
		d.cfg.Metrics.Finished(string(rec.State))
	}
	o := outcome{rec: rec, lease: h.lease, webhook: w, eventType: job.Event.Type}
	if res.StatusCode == 410 {
		o.gone = w
	}
	d.hand(o, &job.Delivery)
	return true
}

// cancelStranded ends a delivery whose webhook is disabled or deleted. The
// store's disable or delete canceled the deliveries scheduled then; this
// one was written by a publish that matched the webhook just before (the
// fan-out runs before the write), so it is canceled now. The store checks
// the webhook itself, so a stale cached copy cancels nothing: the job is
// only dropped, and claimed again once its lease runs out.
func (d *Dispatcher) cancelStranded(dl *domain.Delivery) {
	canceled, err := d.cfg.Store.CancelStranded(d.sendCtx, dl.ID, d.cfg.Clock.Now())
	if err != nil {
		d.log.Error("cancel delivery of a disabled or deleted webhook", "delivery_id", dl.ID, "webhook_id", dl.WebhookID, "err", err)
		return
	}
	if canceled {
		d.log.Debug("delivery canceled: its webhook was disabled or deleted as it was published", "delivery_id", dl.ID, "webhook_id", dl.WebhookID)
	}
}

// fanOutStale reports whether the fan-out's decision on a delivery may no
// longer hold, so that the webhook's filter must be evaluated again before
// sending: the webhook changed after the delivery was made, or the
// delivery was restarted by hand (a resend or recover of one that the
// filter failed must meet the filter again).
func fanOutStale(w *domain.Webhook, dl *domain.Delivery) bool {
	return w.UpdatedAt.After(dl.CreatedAt) || dl.RetryFrom > 0
}

// refuse records a failed attempt that sent nothing, because the
// pre-send check failed (the filter errors on the event, found here for a
// webhook changed since the fan-out): retrying would fail the same way.
func (d *Dispatcher) refuse(w *domain.Webhook, job *domain.Job, l *lease, cause error) {
	now := d.cfg.Clock.Now()
	att := domain.RefusedAttempt(d.cfg.IDs.NewAt(id.Attempt, now), &job.Delivery, w.URL, now, cause)
	// No request went out: the delivery ends, but no attempt latency is
	// observed.
	d.cfg.Metrics.Finished(string(domain.Failed))
	d.hand(outcome{rec: store.AttemptRecord{Attempt: att, State: domain.Failed}, lease: l, webhook: w, eventType: job.Event.Type}, &job.Delivery)
}

// disableGone disables a webhook whose endpoint answered 410 Gone, as
// Standard Webhooks recommends.
// It runs after the 410 attempt is written, so that delivery ends failed
// rather than canceled.
func (d *Dispatcher) disableGone(ctx context.Context, w *domain.Webhook) {
	now := d.cfg.Clock.Now()
	reason := "the endpoint answered 410 Gone on " + now.UTC().Format(time.RFC3339) + "; re-enable the webhook once the URL is fixed"
	if err := d.cfg.Store.DisableWebhook(ctx, w.ID, reason, now); err != nil {
		d.log.Error("disable webhook after 410", "webhook_id", w.ID, "err", err)
		return
	}
	d.webhooks.invalidate(w.ID)
	if d.cfg.Observer != nil {
		d.cfg.Observer.WebhookDisabled(w.ID, reason, now)
	}
	d.log.Warn("webhook disabled: endpoint answered 410 Gone", "webhook_id", w.ID, "tenant_id", w.TenantID)
}
