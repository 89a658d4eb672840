// Package opsevents publishes lmshooks' own operational events —
// webhook.failing, webhook.recovered, webhook.disabled and
// delivery.exhausted (domain.IsOperational) — into the tenant of the
// webhook they are about, through the normal ingest path: tenants
// subscribe webhooks to them like to any type, and their deliveries are
// signed, retried and audited like any other.
//
// The Announcer hears the dispatcher's written attempts
// (dispatch.Observer) and the webhooks that lmshooks disabled by itself
// (the dispatcher after a 410, service.Webhooks.AutoDisable), and
// publishes in the background, one task at a time, so that neither the
// recorder nor the maintenance round waits for a publish. Each event has
// an idempotency key derived from what it is about (the webhook and the
// start of its failing streak, the delivery and its last attempt), so
// that nodes or repeats announcing the same thing collapse onto one
// event: at most one webhook.failing per failing streak.
//
// Attempts at delivering operational events are never announced
// (domain.AnnouncesAttempt), so that a failing receiver of them starts no
// loop; and an event about a webhook is never delivered to that webhook
// (domain.Webhook.Receives, applied by the fan-out).
package opsevents

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/dispatch"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Publisher publishes one operational event (ingest.Service).
type Publisher interface {
	PublishOperational(ctx context.Context, tenantID string, in ingest.Input) (store.PublishResult, error)
}

// Webhooks reads a webhook whatever its tenant (store.Store).
type Webhooks interface {
	WebhookByID(ctx context.Context, id string) (*domain.Webhook, error)
}

// Config wires an Announcer.
type Config struct {
	// Publisher publishes the events. Required.
	Publisher Publisher
	// Webhooks reads a webhook's stored state. Required.
	Webhooks Webhooks
	Logger   *slog.Logger
	// Queue is how many tasks may wait (default 4096); past it, what is
	// heard is dropped and logged: an operational event is at most once.
	Queue int
	// OperatorTenant, when set, also receives a copy of every other
	// tenant's operational events (config.Config.OperatorTenant).
	OperatorTenant string
}

// Announcer turns what the dispatcher and the maintenance round did into
// operational events. Start runs it; Stop publishes what is queued and
// stops it.
type Announcer struct {
	cfg   Config
	log   *slog.Logger
	tasks chan func(context.Context)
	done  chan struct{}

	mu      sync.Mutex
	stopped bool
	// announced holds the failing streaks this node announced, by webhook
	// id, until their recovery: the dispatcher's copy of a webhook may not
	// show a streak begun a moment ago.
	announced map[string]time.Time
}

var _ dispatch.Observer = (*Announcer)(nil)

// New returns an Announcer.
func New(cfg Config) *Announcer {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Queue = cmp.Or(cfg.Queue, 4096)
	return &Announcer{
		cfg:       cfg,
		log:       cfg.Logger.With("component", "opsevents"),
		tasks:     make(chan func(context.Context), cfg.Queue),
		done:      make(chan struct{}),
		announced: map[string]time.Time{},
	}
}

// Start runs the tasks in the background until Stop.
func (a *Announcer) Start() {
	go func() {
		defer close(a.done)
		for task := range a.tasks {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			task(ctx)
			cancel()
		}
	}()
}

// Stop runs the tasks queued and returns once they are done; what is
// heard afterwards is dropped. Start must have been called.
func (a *Announcer) Stop() {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return
	}
	a.stopped = true
	close(a.tasks)
	a.mu.Unlock()
	<-a.done
}

// enqueue queues a task without waiting.
func (a *Announcer) enqueue(what string, task func(context.Context)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return
	}
	select {
	case a.tasks <- task:
	default:
		a.log.Warn("operational event dropped: too many waiting", "what", what)
	}
}

// Recorded hears attempts written (dispatch.Observer).
func (a *Announcer) Recorded(batch []dispatch.Recorded) {
	var kept []dispatch.Recorded
	for _, r := range batch {
		if domain.AnnouncesAttempt(r.EventType) {
			kept = append(kept, r)
		}
	}
	if len(kept) > 0 {
		a.enqueue("attempts", func(ctx context.Context) { a.recorded(ctx, kept) })
	}
}

// WebhookDisabled hears that lmshooks disabled a webhook by itself
// (dispatch.Observer, service.Announcer).
func (a *Announcer) WebhookDisabled(webhookID, reason string, at time.Time) {
	a.enqueue(domain.EventWebhookDisabled, func(ctx context.Context) { a.disabled(ctx, webhookID, reason, at) })
}

// recorded announces what one batch of attempts did: deliveries that
// failed for good, streaks that began or ended.
func (a *Announcer) recorded(ctx context.Context, batch []dispatch.Recorded) {
	recs := make([]store.AttemptRecord, len(batch))
	hooks := map[string]*domain.Webhook{}
	last := map[string]*dispatch.Recorded{}
	lastSuccess := map[string]*dispatch.Recorded{}
	for i := range batch {
		r := &batch[i]
		recs[i] = r.Record
		hooks[r.Webhook.ID] = r.Webhook
		last[r.Webhook.ID] = r
		if r.Record.Attempt.Success {
			lastSuccess[r.Webhook.ID] = r
		}
		if r.Record.State == domain.Failed {
			a.exhausted(ctx, r)
		}
	}
	for _, c := range store.FailingChanges(recs) {
		w := hooks[c.WebhookID]
		if c.Restart || c.Since.IsZero() {
			// A success: the streak known before, if any, is over.
			if since := a.knownStreak(w); !since.IsZero() {
				a.recovered(ctx, w, since, lastSuccess[w.ID])
			}
		}
		if !c.Since.IsZero() {
			a.failing(ctx, w, c.Since, c.Restart, last[w.ID])
		}
	}
}

// knownStreak returns the start of the failing streak that w was in as
// far as this node knows (what it announced, else its copy of w), and
// forgets it.
func (a *Announcer) knownStreak(w *domain.Webhook) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	since, ok := a.announced[w.ID]
	delete(a.announced, w.ID)
	if ok {
		return since
	}
	return w.FailingSince
}

// failing announces webhook.failing if the batch began w's streak: the
// stored streak starts at since, the batch's first failure after its
// last success (the store keeps an older start otherwise).
func (a *Announcer) failing(ctx context.Context, w *domain.Webhook, since time.Time, restart bool, last *dispatch.Recorded) {
	if !restart && !w.FailingSince.IsZero() && w.FailingSince.Before(since) {
		// The dispatcher's copy, at most its cache's TTL old, shows an
		// older streak going on: spare the read.
		return
	}
	stored, err := a.cfg.Webhooks.WebhookByID(ctx, w.ID)
	if err != nil {
		a.logFailure(domain.EventWebhookFailing, w.ID, err)
		return
	}
	if stored.FailingSince.IsZero() || !sameInstant(stored.FailingSince, since) {
		return
	}
	a.mu.Lock()
	a.announced[w.ID] = stored.FailingSince
	a.mu.Unlock()
	a.publish(ctx, stored.TenantID, domain.EventWebhookFailing, streakKey(domain.EventWebhookFailing, w.ID, stored.FailingSince), webhookData{
		ID: w.ID, Webhook: refOf(stored), FailingSince: timePtr(stored.FailingSince),
		LastAttempt: attemptOf(&last.Record.Attempt, last.EventType), Actor: system,
	})
}

// recovered announces webhook.recovered for w's streak begun at since.
func (a *Announcer) recovered(ctx context.Context, w *domain.Webhook, since time.Time, success *dispatch.Recorded) {
	d := webhookData{ID: w.ID, Webhook: refOf(w), FailingSince: timePtr(since), Actor: system}
	if success != nil {
		d.LastAttempt = attemptOf(&success.Record.Attempt, success.EventType)
		d.RecoveredAt = timePtr(success.Record.Attempt.StartedAt)
	}
	a.publish(ctx, w.TenantID, domain.EventWebhookRecovered, streakKey(domain.EventWebhookRecovered, w.ID, since), d)
}

// exhausted announces delivery.exhausted for a delivery that failed for
// good; its key names the last attempt, so that a resent delivery that
// fails again is announced again.
func (a *Announcer) exhausted(ctx context.Context, r *dispatch.Recorded) {
	at := &r.Record.Attempt
	a.publish(ctx, r.Webhook.TenantID, domain.EventDeliveryExhausted,
		fmt.Sprintf("%s:%s:%d", domain.EventDeliveryExhausted, at.DeliveryID, at.Number), deliveryData{
			ID: at.DeliveryID, Webhook: refOf(r.Webhook), EventID: at.EventID, EventType: r.EventType,
			Attempts: at.Number, LastAttempt: attemptOf(at, r.EventType), Actor: system,
		})
}

// disabled announces webhook.disabled.
func (a *Announcer) disabled(ctx context.Context, webhookID, reason string, at time.Time) {
	w, err := a.cfg.Webhooks.WebhookByID(ctx, webhookID)
	if err != nil {
		a.logFailure(domain.EventWebhookDisabled, webhookID, err)
		return
	}
	a.publish(ctx, w.TenantID, domain.EventWebhookDisabled, streakKey(domain.EventWebhookDisabled, w.ID, at), webhookData{
		ID: w.ID, Webhook: refOf(w), FailingSince: timePtr(w.FailingSince),
		DisabledReason: reason, DisabledAt: timePtr(at), Actor: system,
	})
}

// publish publishes one event; a failure is logged, not retried.
func (a *Announcer) publish(ctx context.Context, tenantID, typ, key string, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		a.log.Error("operational event: encode data", "type", typ, "err", err)
		return
	}
	a.publishTo(ctx, tenantID, typ, key, raw)
	if op := a.cfg.OperatorTenant; op != "" && op != tenantID {
		// The operator's copy is an event of its own tenant, keyed apart
		// from the tenant's so that both exist; its data names the
		// webhook's tenant (webhook.tenant_id).
		a.publishTo(ctx, op, typ, "operator:"+tenantID+":"+key, raw)
	}
}

// publishTo publishes one event into tenantID; a failure is logged.
func (a *Announcer) publishTo(ctx context.Context, tenantID, typ, key string, raw json.RawMessage) {
	res, err := a.cfg.Publisher.PublishOperational(ctx, tenantID, ingest.Input{Type: typ, Data: raw, IdempotencyKey: key})
	if err != nil {
		if tenantID == a.cfg.OperatorTenant && domain.ErrorCode(err) == domain.ENOTFOUND {
			a.log.Warn("operational event not copied: the operator tenant does not exist", "operator_tenant", tenantID, "type", typ)
			return
		}
		a.logFailure(typ, key, err)
		return
	}
	if !res.Replayed {
		a.log.Info("operational event published", "type", typ, "tenant_id", tenantID, "event_id", res.Event.ID, "deliveries", len(res.Deliveries))
	}
}

// logFailure logs an event not published; a webhook or tenant deleted
// meanwhile is no news.
func (a *Announcer) logFailure(typ, about string, err error) {
	level := slog.LevelWarn
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		level = slog.LevelDebug
	}
	a.log.Log(context.Background(), level, "operational event not published", "type", typ, "about", about, "err", err)
}

// streakKey is the idempotency key of an event about webhook id at t.
func streakKey(typ, id string, t time.Time) string {
	return fmt.Sprintf("%s:%s:%d", typ, id, t.UnixMicro())
}

// sameInstant compares times as the stores keep them (microseconds).
func sameInstant(a, b time.Time) bool {
	return a.UnixMicro() == b.UnixMicro()
}
