package dispatch

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// queue holds one webhook's deliveries waiting for a worker. Workers are
// goroutines started on demand, at most limit at a time, that exit when the
// queue is empty.
type queue struct {
	webhookID string
	jobs      []domain.Job
	head      int
	active    int
	// limit is the webhook's concurrency; 1 until its settings are known,
	// so a webhook limited to one request at a time never gets two.
	limit int
	pacer pacer
}

func (q *queue) len() int { return len(q.jobs) - q.head }

func (q *queue) push(j domain.Job) { q.jobs = append(q.jobs, j) }

func (q *queue) pop() domain.Job {
	j := q.jobs[q.head]
	q.jobs[q.head] = domain.Job{}
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
				q.limit = w.Concurrency()
			}
			d.queues[q.webhookID] = q
		}
		q.push(j)
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
		if q.len() >= d.cfg.QueueCap {
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
		if d.stopping || q.len() == 0 {
			q.active--
			if q.active == 0 && q.len() == 0 && d.queues[q.webhookID] == q {
				delete(d.queues, q.webhookID)
			}
			d.mu.Unlock()
			return
		}
		wasFull := q.len() >= d.cfg.QueueCap
		job := q.pop()
		d.mu.Unlock()
		if wasFull && q.len() < d.cfg.QueueCap {
			// Polling left this webhook's due work in the store while its
			// queue was full: look for it again now that there is room.
			d.Wake()
		}

		d.process(q, job)

		d.mu.Lock()
		d.held--
		d.mu.Unlock()
	}
}

// process makes one attempt of a job and hands its outcome to the recorder.
func (d *Dispatcher) process(q *queue, job domain.Job) {
	ctx := d.sendCtx
	w, err := d.webhooks.get(ctx, job.Delivery.WebhookID)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			// Deleted: the store canceled its scheduled deliveries.
			return
		}
		// The store is unreachable: leave the delivery leased; the lease
		// expires and the work is claimed again.
		d.log.Error("load webhook", "webhook_id", job.Delivery.WebhookID, "delivery_id", job.Delivery.ID, "err", err)
		return
	}
	if !w.Enabled {
		// Disabled: the store canceled its scheduled deliveries.
		return
	}
	d.mu.Lock()
	if l := w.Concurrency(); q.limit != l {
		q.limit = l
		d.spawnLocked(q)
	}
	d.mu.Unlock()

	if d.cfg.Precheck != nil {
		if err := d.cfg.Precheck(w, &job.Event); err != nil {
			d.refuse(w, &job, err)
			return
		}
	}

	if wait := q.pacer.reserve(time.Now(), w.RateLimit); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}

	trigger := domain.TriggerScheduled
	if job.Delivery.Attempts > 0 && job.Delivery.Attempts == job.Delivery.RetryFrom {
		trigger = domain.TriggerManual
	}
	att, res := d.attempt(ctx, w, &job.Event, &job.Delivery, trigger)
	if ctx.Err() != nil && !att.Success {
		// Aborted by a hard stop: not the receiver's fault, so no attempt
		// is recorded; the lease is released and the work retried.
		return
	}
	rec := d.outcome(w, &job.Delivery, att, res)
	d.cfg.Metrics.Attempted(att.Success, att.Duration)
	if rec.State != domain.Scheduled {
		d.cfg.Metrics.Finished(string(rec.State))
	}
	o := outcome{rec: rec}
	if res.StatusCode == 410 {
		o.gone = w
	}
	d.records <- o
}

// refuse records a failed attempt that sent nothing, because the
// pre-send check failed: retrying would fail the same way.
func (d *Dispatcher) refuse(w *domain.Webhook, job *domain.Job, cause error) {
	now := d.cfg.Clock.Now()
	att := domain.Attempt{
		ID:         id.NewAt(id.Attempt, now),
		DeliveryID: job.Delivery.ID,
		TenantID:   job.Delivery.TenantID,
		WebhookID:  w.ID,
		EventID:    job.Event.ID,
		Number:     job.Delivery.Attempts + 1,
		Trigger:    domain.TriggerScheduled,
		StartedAt:  now,
		RequestURL: w.URL,
		Error:      cause.Error(),
	}
	if job.Delivery.Attempts > 0 && job.Delivery.Attempts == job.Delivery.RetryFrom {
		att.Trigger = domain.TriggerManual
	}
	// No request went out: the delivery ends, but no attempt latency is
	// observed.
	d.cfg.Metrics.Finished(string(domain.Failed))
	d.records <- outcome{rec: store.AttemptRecord{Attempt: att, State: domain.Failed}}
}

// disableGone disables a webhook whose endpoint answered 410 Gone, as
// Standard Webhooks recommends.
// It runs after the 410 attempt is written, so that delivery ends failed
// rather than canceled.
func (d *Dispatcher) disableGone(ctx context.Context, w *domain.Webhook) {
	reason := "the endpoint answered 410 Gone on " + d.cfg.Clock.Now().UTC().Format(time.RFC3339) + "; re-enable the webhook once the URL is fixed"
	if err := d.cfg.Store.DisableWebhook(ctx, w.ID, reason, d.cfg.Clock.Now()); err != nil {
		d.log.Error("disable webhook after 410", "webhook_id", w.ID, "err", err)
		return
	}
	d.webhooks.invalidate(w.ID)
	d.log.Warn("webhook disabled: endpoint answered 410 Gone", "webhook_id", w.ID, "tenant_id", w.TenantID)
}
