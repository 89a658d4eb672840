package dispatch

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// outcome is an attempt's record plus what must follow its commit.
type outcome struct {
	rec store.AttemptRecord
	// gone is set when the endpoint answered 410: the webhook is disabled
	// once the attempt is written.
	gone *domain.Webhook
	// lease is the delivery's lease, renewed until the outcome is written.
	lease *lease
	// webhook is the webhook attempted, as this node knew it, and
	// eventType the type of the event delivered: the Observer hears them.
	webhook   *domain.Webhook
	eventType string
	// ordered is set for an ordered delivery: once its outcome is
	// written, the next delivery of its key may be claimable.
	ordered bool
}

// hand gives the recorder the outcome of an attempt of dl (o.webhook's),
// with whether dl holds its key in its next state.
func (d *Dispatcher) hand(o outcome, dl *domain.Delivery) {
	o.rec.HoldsKey = o.webhook.DeliveryHoldsKeyAfter(dl, o.rec.State)
	o.ordered = dl.Ordered
	d.records <- o
}

// Observer hears what the dispatcher wrote and what it disabled, once it
// is committed; lmshooks' operational events come from it
// (pipeline/opsevents). Its methods must return at once.
type Observer interface {
	// Recorded hears a batch of attempts written.
	Recorded(batch []Recorded)
	// WebhookDisabled hears that lmshooks disabled a webhook by itself.
	WebhookDisabled(webhookID, reason string, at time.Time)
}

// Recorded is one attempt record as written, with the webhook attempted
// (as the dispatcher knew it before the write) and the type of the event.
type Recorded struct {
	Record    store.AttemptRecord
	Webhook   *domain.Webhook
	EventType string
}

// recordLoop writes outcomes in batches: it takes whatever has queued up
// while the previous batch was being written, so under load one commit
// carries hundreds of attempts and at rest each is written at once.
func (d *Dispatcher) recordLoop() {
	defer d.recorder.Done()
	batch := make([]outcome, 0, d.cfg.RecordBatch)
	for o := range d.records {
		batch = append(batch[:0], o)
	fill:
		for len(batch) < d.cfg.RecordBatch {
			select {
			case o, ok := <-d.records:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			default:
				break fill
			}
		}
		d.write(batch)
	}
}

// write stores one batch, retrying while the database is unreachable
// until a graceful stop reaches its deadline (recordCtx). If the process
// dies or stops meanwhile, the deliveries' leases expire and they are
// attempted again: at-least-once, never lost.
func (d *Dispatcher) write(batch []outcome) {
	recs := make([]store.AttemptRecord, len(batch))
	for i, o := range batch {
		recs[i] = o.rec
	}
	backoff := 50 * time.Millisecond
	for {
		err := d.recordFenced(batch, recs)
		if err == nil {
			break
		}
		if d.recordCtx.Err() != nil {
			d.log.Warn("shutdown deadline reached: attempt outcomes not written; their deliveries are attempted again once their leases expire",
				"count", len(recs), "err", err)
			return
		}
		d.log.Error("record attempts", "count", len(recs), "err", err, "retry_in", backoff)
		// Back-off, not a wait: the database is down and nothing signals
		// its return (only the end of a stop cuts it short).
		select {
		case <-time.After(backoff):
		case <-d.recordCtx.Done():
		}
		backoff = min(backoff*2, 5*time.Second)
	}
	// Only now that the outcomes are committed: until then the leases
	// keep the store from handing the deliveries (and the next of an
	// ordered one's key) to anyone else.
	d.mu.Lock()
	for _, o := range batch {
		d.dropLeaseLocked(o.lease)
	}
	d.mu.Unlock()
	var soonest time.Time
	ordered := false
	for _, o := range batch {
		ordered = ordered || o.ordered
		if o.rec.State == domain.Scheduled && (soonest.IsZero() || o.rec.NextAttemptAt.Before(soonest)) {
			soonest = o.rec.NextAttemptAt
		}
		if o.gone != nil {
			d.disableGone(context.Background(), o.gone)
		}
	}
	if !soonest.IsZero() {
		d.wakeAt(soonest)
	}
	if ordered {
		// The next delivery of the key may be claimable now.
		d.Wake()
	}
	if d.cfg.Observer != nil {
		done := make([]Recorded, 0, len(batch))
		for i, o := range batch {
			if o.webhook != nil {
				done = append(done, Recorded{Record: recs[i], Webhook: o.webhook, EventType: o.eventType})
			}
		}
		d.cfg.Observer.Recorded(done)
	}
}

// recordFenced writes one try of a batch, each record fenced by the lease
// its delivery is held under now (store.AttemptRecord.LeaseUntil): the
// renewed expiry, not the claimed one. Renewals wait meanwhile (fenceMu),
// so that none moves a lease between reading it here and the commit,
// which would make the store take the record for a stale one.
func (d *Dispatcher) recordFenced(batch []outcome, recs []store.AttemptRecord) error {
	d.fenceMu.Lock()
	defer d.fenceMu.Unlock()
	d.mu.Lock()
	for i, o := range batch {
		if o.lease != nil {
			recs[i].LeaseUntil = o.lease.until
		}
	}
	d.mu.Unlock()
	ctx, cancel := context.WithTimeout(d.recordCtx, 30*time.Second)
	defer cancel()
	start := time.Now()
	if err := d.cfg.Store.RecordAttempts(ctx, recs); err != nil {
		return err
	}
	d.cfg.Metrics.Recorded(time.Since(start))
	return nil
}
