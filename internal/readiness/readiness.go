// Package readiness decides whether this node should receive traffic
// (/readyz): its database must answer, and take its commits. A node whose
// disk is full still answers reads, but every publish it takes gets a 503,
// so a load balancer must stop sending it publishes.
//
// The store already knows how its last write ended (store.WriteHealth).
// A recent commit proves enough and costs nothing; when the last write
// failed, or none has been made for a while, the checker commits a probe
// of its own — at most one at a time and one per ProbeEvery, so that
// frequent checks add no load.
package readiness

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Store is what readiness asks of the database.
type Store interface {
	Ping(ctx context.Context) error
	store.WriteHealth
}

// Defaults of Config.
const (
	DefaultFresh        = 10 * time.Second
	DefaultProbeEvery   = 2 * time.Second
	DefaultProbeTimeout = time.Second
)

// Config is what a Checker needs.
type Config struct {
	Store Store
	Clock clock.Clock
	// Node names this node's row of the probes.
	Node string
	// Fresh is how long a commit proves that the node can commit: after
	// that, with no newer write, a check probes. Default DefaultFresh.
	Fresh time.Duration
	// ProbeEvery is the least time between two probes. Default
	// DefaultProbeEvery.
	ProbeEvery time.Duration
	// ProbeTimeout bounds a probe: a database that takes longer to commit
	// one row is not ready. Default DefaultProbeTimeout.
	ProbeTimeout time.Duration
	Logger       *slog.Logger
}

// Reasons a node is not ready, as /readyz shows them. They are fixed
// texts: the causes, which may name hosts or files, go to the log only.
const (
	ReasonUnreachable  = "database unreachable"
	ReasonWritesFail   = "writes are failing: the database does not take commits"
	ReasonProbeTimeout = "write probe timed out: the database does not take commits in time"
)

// NotReadyError says why the node is not ready.
type NotReadyError struct {
	reason string
	err    error
}

func (e *NotReadyError) Error() string { return e.reason + ": " + e.err.Error() }

// Unwrap returns the cause.
func (e *NotReadyError) Unwrap() error { return e.err }

// Reason is the fixed text that may be shown to anyone (see the Reason
// constants).
func (e *NotReadyError) Reason() string { return e.reason }

// Checker answers readiness checks. It is safe for concurrent use.
type Checker struct {
	cfg Config
	// probing is held by the one check that probes; the others answer
	// from what is known meanwhile.
	probing sync.Mutex

	mu sync.Mutex
	// seen is the last write outcome seen, and seenAt when it was first
	// seen: an outcome that changed since the previous check is a write
	// made in between.
	seen   store.WriteOutcome
	seenAt time.Time
	// probedAt is when the last probe started, probeErr how it failed
	// (nil if it did not), and probeSeq the outcome seen after it, so
	// that a later write supersedes a failed probe.
	probedAt time.Time
	probeErr error
	probeSeq uint64
	// down is whether the last check failed, to log changes only.
	down bool
}

// New returns a Checker.
func New(cfg Config) *Checker {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Fresh <= 0 {
		cfg.Fresh = DefaultFresh
	}
	if cfg.ProbeEvery <= 0 {
		cfg.ProbeEvery = DefaultProbeEvery
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = DefaultProbeTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Checker{cfg: cfg}
}

// Check returns nil if the node is ready, else a *NotReadyError.
func (c *Checker) Check(ctx context.Context) error {
	err := c.check(ctx)
	c.mu.Lock()
	changed := (err != nil) != c.down
	c.down = err != nil
	c.mu.Unlock()
	if changed {
		if err != nil {
			c.cfg.Logger.Warn("not ready", "err", err)
		} else {
			c.cfg.Logger.Info("ready again")
		}
	}
	return err
}

func (c *Checker) check(ctx context.Context) error {
	if err := c.cfg.Store.Ping(ctx); err != nil {
		return &NotReadyError{reason: ReasonUnreachable, err: err}
	}
	now := c.cfg.Clock.Now()
	last := c.observe(now)
	c.mu.Lock()
	// No outcome yet (no write since the start) proves nothing.
	fresh := last.Seq != 0 && now.Sub(c.seenAt) < c.cfg.Fresh
	recent := !c.probedAt.IsZero() && now.Sub(c.probedAt) < c.cfg.ProbeEvery
	c.mu.Unlock()
	if last.Err == nil && fresh {
		return nil
	}
	// The last write failed, or none was made for a while: probe, unless
	// a probe ran a moment ago or runs now.
	if recent || !c.probing.TryLock() {
		return c.known(last)
	}
	defer c.probing.Unlock()
	c.mu.Lock()
	c.probedAt = now
	c.mu.Unlock()
	pctx, cancel := context.WithTimeout(ctx, c.cfg.ProbeTimeout)
	err := c.cfg.Store.ProbeWrite(pctx, c.cfg.Node, now)
	cancel()
	if err != nil {
		reason := ReasonWritesFail
		if errors.Is(err, context.DeadlineExceeded) {
			reason = ReasonProbeTimeout
		}
		err = &NotReadyError{reason: reason, err: err}
	}
	after := c.observe(now)
	c.mu.Lock()
	c.probeErr, c.probeSeq = err, after.Seq
	c.mu.Unlock()
	return err
}

// observe reads the store's last write outcome and notes when it changed.
func (c *Checker) observe(now time.Time) store.WriteOutcome {
	last := c.cfg.Store.LastWrite()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seenAt.IsZero() || last.Seq != c.seen.Seq {
		c.seen, c.seenAt = last, now
	}
	return last
}

// known answers without probing: not ready if the last write failed, or
// if the last probe failed and nothing was written since.
func (c *Checker) known(last store.WriteOutcome) error {
	if last.Err != nil {
		return &NotReadyError{reason: ReasonWritesFail, err: last.Err}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probeErr != nil && c.probeSeq == last.Seq {
		return c.probeErr
	}
	return nil
}
