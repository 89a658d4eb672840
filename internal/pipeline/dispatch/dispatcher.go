package dispatch

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/metrics"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Sender sends one HTTP request (outbound.Client in production).
type Sender interface {
	Do(ctx context.Context, req outbound.Request) outbound.Result
}

// Config wires a Dispatcher. Zero durations take the defaults given.
type Config struct {
	Store   store.Store
	Sender  Sender
	Formats *format.Registry
	Clock   clock.Clock
	// IDs makes the ids of attempts and of test sends (default: a
	// generator on Clock). A process shares one, so ids stay ordered
	// across its components.
	IDs     *id.Generator
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	// Owner names this node in leases. Required.
	Owner string
	// LeaseFor is how long claimed work stays reserved to this node without
	// a renewal (default 60s). It bounds how long a node that is alive but
	// slow keeps its work; a dead node's is released when its heartbeats
	// stop (see membershipTTL).
	LeaseFor time.Duration
	// PollInterval is how often the store is asked for due work when
	// nothing wakes the poller sooner (default 1s).
	PollInterval time.Duration
	// ClaimBatch is the most deliveries claimed at once (default 500).
	ClaimBatch int
	// MemoryBudget bounds, in bytes, what the held deliveries take in
	// memory, as estimated by cost (default 64 MiB): past it, polling
	// claims nothing and ingest stores fresh work unleased (see
	// AcceptingFor), so memory stays bounded under any burst, whatever
	// the events' size.
	MemoryBudget int64
	// MaxEventBytes is the largest event data accepted (default 256 KiB):
	// a claim, made before the events are read, takes no more jobs than
	// the budget has room for at this size each.
	MaxEventBytes int64
	// QueueCap is the most deliveries one webhook may hold in memory
	// before polling stops claiming more of its work and ingest stops
	// handing it over (default 1,000); its bytes are bounded too, to an
	// eighth of the budget (see fitsLocked). So a dead endpoint's backlog
	// never crowds out other webhooks' retries.
	QueueCap int
	// WebhookTTL is how long a webhook's settings are cached (default 5s;
	// changes made through this node's API are seen at once).
	WebhookTTL time.Duration
	// RecordBatch is the most outcomes written in one transaction
	// (default 500).
	RecordBatch int
	// Rand returns numbers in [0,1) for retry jitter (default math/rand).
	Rand func() float64
	// Precheck, when set, runs before an attempt whose fan-out decision
	// may be stale: the webhook changed after the delivery was made, or
	// the delivery was resent or recovered (the fan-out evaluated the
	// filter once, and failed at once the deliveries it could not decide).
	// An error fails the delivery at once, without sending and without
	// retries, and its message is recorded as the attempt's error (a
	// webhook filter that cannot be evaluated on the event:
	// fanout.Matcher.FilterError).
	Precheck func(w *domain.Webhook, ev *domain.Event) error
	// UserAgent is sent with every delivery unless the webhook sets its
	// own (empty: the HTTP client's default).
	UserAgent string
	// EgressProxy says that deliveries go through an egress proxy, so
	// that attempts may fail at the proxy: those do not use up a
	// delivery's retry schedule, and a failed delivery's earlier attempts
	// are read to leave them out (see earlierAttempts).
	EgressProxy bool
	// Observer, when set, hears the attempts written and the webhooks
	// disabled after a 410 (lmshooks' operational events).
	Observer Observer
}

// Dispatcher delivers webhooks; see the package doc.
type Dispatcher struct {
	cfg      Config
	log      *slog.Logger
	webhooks *webhookCache

	// fenceMu orders lease renewals and writes of outcomes, so that a
	// record names the lease its delivery holds when it commits (see
	// recordFenced). Taken before mu, never while holding it.
	fenceMu sync.Mutex

	mu     sync.Mutex
	queues map[string]*queue
	// held counts the deliveries held in memory, from enqueue to the end
	// of their attempt; heldBytes is their cost (see cost), from enqueue
	// until their lease is dropped, once the outcome is written.
	held      int
	heldBytes int64
	// leases are the leases this node holds and renews (see lease).
	leases   map[*lease]struct{}
	stopping bool
	nextWake time.Time
	// memberUntil is when this node stops acting on its leases unless a
	// heartbeat succeeds meanwhile (zero: not a member; see membershipTTL).
	memberUntil time.Time

	// incarnation names this process among those holding its node id;
	// joined says whether it holds it (only the heartbeat touches it).
	incarnation string
	joined      bool
	// nodes is the number of live dispatchers (at least 1), kept by
	// heartbeat: each takes its share of every webhook's max_concurrency
	// and rate_limit (see nodeShare).
	nodes atomic.Int64

	// proxyWarned is when a failing egress proxy was last logged
	// (UnixNano), see warnProxy.
	proxyWarned atomic.Int64

	wakeCh  chan struct{}
	records chan outcome

	// sendCtx is the parent of every HTTP request; canceled only when a
	// graceful stop runs out of time.
	sendCtx    context.Context
	cancelSend context.CancelFunc
	loopCancel context.CancelFunc
	loops      sync.WaitGroup
	workers    sync.WaitGroup
	recorder   sync.WaitGroup

	// recordCtx is the parent of every write of outcomes; canceled when a
	// graceful stop reaches its deadline, so that an unreachable database
	// cannot hold the stop.
	recordCtx     context.Context
	cancelRecords context.CancelFunc
}

// New returns a Dispatcher; call Start to run it.
func New(cfg Config) *Dispatcher {
	cfg.LeaseFor = cmp.Or(cfg.LeaseFor, 60*time.Second)
	cfg.PollInterval = cmp.Or(cfg.PollInterval, time.Second)
	cfg.ClaimBatch = cmp.Or(cfg.ClaimBatch, 500)
	cfg.MemoryBudget = cmp.Or(cfg.MemoryBudget, 64<<20)
	cfg.MaxEventBytes = cmp.Or(cfg.MaxEventBytes, 256<<10)
	cfg.QueueCap = cmp.Or(cfg.QueueCap, 1000)
	cfg.WebhookTTL = cmp.Or(cfg.WebhookTTL, 5*time.Second)
	cfg.RecordBatch = cmp.Or(cfg.RecordBatch, 500)
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.IDs == nil {
		cfg.IDs = id.NewGenerator(cfg.Clock)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Formats == nil {
		cfg.Formats = format.Default()
	}
	d := &Dispatcher{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "dispatch"),
		webhooks: newWebhookCache(cfg.Store, cfg.Clock, cfg.WebhookTTL),
		queues:   map[string]*queue{},
		leases:   map[*lease]struct{}{},
		wakeCh:   make(chan struct{}, 1),
		records:  make(chan outcome, 8192),

		incarnation: newIncarnation(),
	}
	d.nodes.Store(1)
	d.sendCtx, d.cancelSend = context.WithCancel(context.Background())
	d.recordCtx, d.cancelRecords = context.WithCancel(context.Background())
	return d
}

// Start runs the poller, the lease renewer, the recorder and the heartbeat
// until Stop. It first joins the cluster and heartbeats once (waiting at
// most one heartbeat interval), so that its share of each webhook's limits
// is known before it claims work; until it has joined (a restart waits for
// its previous process to be declared dead) it claims nothing.
func (d *Dispatcher) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	d.loopCancel = cancel
	// Learn the node count before claiming anything, so that a joining
	// node never starts with a whole webhook's limits.
	d.heartbeat(ctx)
	d.loops.Add(3)
	go d.pollLoop(ctx)
	go d.every(ctx, d.renewInterval(), d.renew)
	go d.every(ctx, d.heartbeatInterval(), d.heartbeat)
	d.recorder.Add(1)
	go d.recordLoop()
	d.Wake()
}

// every calls fn every interval until ctx is done; the loop is counted in
// d.loops.
func (d *Dispatcher) every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	defer d.loops.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fn(ctx)
	}
}

// maxStopReserve bounds the part of a graceful stop's time kept for
// writing outcomes and releasing leases after attempts in flight.
const maxStopReserve = 5 * time.Second

// Stop stops claiming, lets attempts in flight finish, writes every
// outcome, and releases the leases of work not yet attempted so that it is
// picked up again at once — all by ctx's deadline, if it has one. Attempts
// in flight may run until shortly before it (a fifth of the time left, at
// most maxStopReserve, is kept for what follows), then are aborted. What
// is still unwritten at the deadline (the database is unreachable) is left
// to the leases, which expire: the work is attempted again, never lost.
func (d *Dispatcher) Stop(ctx context.Context) error {
	d.mu.Lock()
	if d.stopping {
		d.mu.Unlock()
		return nil
	}
	d.stopping = true
	d.mu.Unlock()
	if d.loopCancel != nil {
		d.loopCancel()
	}
	d.loops.Wait()

	drain := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		drain, cancel = context.WithDeadline(ctx, deadline.Add(-min(time.Until(deadline)/5, maxStopReserve)))
		defer cancel()
	}
	done := make(chan struct{})
	go func() { d.workers.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-drain.Done():
		d.log.Warn("shutdown deadline reached: aborting attempts in flight")
		d.cancelSend()
		<-done
		err = ctx.Err()
		if err == nil {
			err = drain.Err()
		}
	}
	giveUp := context.AfterFunc(ctx, d.cancelRecords)
	defer giveUp()
	close(d.records)
	d.recorder.Wait()
	d.cancelSend()

	rctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, maxStopReserve)
		defer cancel()
	}
	if rerr := d.cfg.Store.ReleaseLeases(rctx, d.cfg.Owner); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return err
}

// Handoff takes fresh deliveries leased to this node by ingest.
func (d *Dispatcher) Handoff(jobs []domain.Job) { d.enqueue(jobs) }

// Wake makes the poller look for due work now.
func (d *Dispatcher) Wake() {
	select {
	case d.wakeCh <- struct{}{}:
	default:
	}
}

// WebhookChanged drops the cached copy of a webhook.
func (d *Dispatcher) WebhookChanged(id string) { d.webhooks.invalidate(id) }

// AcceptingFor reports whether there is room in memory for fresh work of
// one webhook handed over by ingest: this node is a member of the cluster,
// is not stopping, and has room for at most n deliveries whose events'
// data add up to data bytes (see fitsLocked). Nothing is reserved:
// publishes that ask at the same time may each take the room once.
func (d *Dispatcher) AcceptingFor(webhookID string, n int, data int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping || !d.memberLocked() {
		return false
	}
	return d.fitsLocked(d.queues[webhookID], cost(n, data))
}

// Held returns the number of deliveries held in memory.
func (d *Dispatcher) Held() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.held
}

// wakeAt makes the poller look for due work no later than t.
func (d *Dispatcher) wakeAt(t time.Time) {
	d.mu.Lock()
	if d.nextWake.IsZero() || t.Before(d.nextWake) {
		d.nextWake = t
	}
	d.mu.Unlock()
	d.Wake()
}
