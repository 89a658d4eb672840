// Package maintenance runs the work that must happen once per cluster, not
// once per node: creating the daily partitions ahead, applying retention,
// rolling attempts up into hourly statistics and disabling the webhooks
// that have failed too long. Every node runs a Runner;
// the one that wins the store's leader election does the work, and when it
// dies (its database session ends) another takes over within RetryEvery.
//
// The store provides the election and the tasks (store.Maintenance).
// SQLite, which one process owns, always wins its election; it has no
// partitions nor roll-ups, so only its retention and auto-disable do
// anything. Retention
// rounds also forget the portal links used that have long expired.
package maintenance

import (
	"cmp"
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Config wires a Runner. Zero durations take the defaults given.
type Config struct {
	// Store elects the leader and does the work. Required.
	Store store.Maintenance
	// RetentionDays is the default retention (config.Config.RetentionDays).
	RetentionDays int
	Clock         clock.Clock
	Logger        *slog.Logger
	// Every is how often the leader creates partitions and rolls up
	// (default 1 minute).
	Every time.Duration
	// RetentionEvery is how often the leader applies retention (default 1
	// hour; the first run is at once).
	RetentionEvery time.Duration
	// RetryEvery is how often a follower tries to become the leader
	// (default 5 seconds): the longest a cluster goes without a leader
	// after the leader dies.
	RetryEvery time.Duration
	// DaysAhead is how many days of partitions are kept ready (default 7).
	DaysAhead int
	// AutoDisable, when set, disables the webhooks that have failed for
	// their auto-disable period, every round (service.Webhooks).
	AutoDisable AutoDisabler
}

// AutoDisabler disables, as of now, the webhooks whose attempts have all
// failed too long, and reports how many.
type AutoDisabler interface {
	AutoDisable(ctx context.Context, now time.Time) (int, error)
}

// usedLinkGrace is how long past its expiry a used portal link is still
// remembered: an expired link is refused before its record is read, but a
// node whose clock runs behind this one's may still take it for live.
const usedLinkGrace = time.Hour

// Runner takes part in the election and, while leading, runs the tasks.
type Runner struct {
	cfg     Config
	log     *slog.Logger
	leading atomic.Bool
	runs    atomic.Int64
}

// New returns a Runner; Run runs it.
func New(cfg Config) *Runner {
	cfg.Every = cmp.Or(cfg.Every, time.Minute)
	cfg.RetentionEvery = cmp.Or(cfg.RetentionEvery, time.Hour)
	cfg.RetryEvery = cmp.Or(cfg.RetryEvery, 5*time.Second)
	cfg.DaysAhead = cmp.Or(cfg.DaysAhead, 7)
	cfg.RetentionDays = cmp.Or(cfg.RetentionDays, 30)
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Runner{cfg: cfg, log: cfg.Logger.With("component", "maintenance")}
}

// Leading reports whether this node leads now.
func (r *Runner) Leading() bool { return r.leading.Load() }

// Runs returns how many rounds of tasks this node has run as leader.
func (r *Runner) Runs() int64 { return r.runs.Load() }

// Run takes part in the election until ctx is done, running the tasks
// whenever this node leads. It returns when ctx is done.
func (r *Runner) Run(ctx context.Context) {
	for ctx.Err() == nil {
		lost, release, err := r.cfg.Store.TryLead(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.Warn("maintenance: leader election failed", "err", err)
		case lost != nil:
			r.lead(ctx, lost)
			release()
		}
		if !sleep(ctx, r.cfg.RetryEvery) {
			return
		}
	}
}

// lead runs the tasks at once and then every cfg.Every until the
// leadership is lost or ctx is done.
func (r *Runner) lead(ctx context.Context, lost <-chan struct{}) {
	r.leading.Store(true)
	defer r.leading.Store(false)
	r.log.Info("maintenance: this node leads the cluster's maintenance")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lost:
			cancel()
		case <-ctx.Done():
		}
	}()
	var lastRetention time.Time
	t := time.NewTicker(r.cfg.Every)
	defer t.Stop()
	for {
		now := r.cfg.Clock.Now()
		retain := lastRetention.IsZero() || now.Sub(lastRetention) >= r.cfg.RetentionEvery
		if r.round(ctx, now, retain) && retain {
			lastRetention = now
		}
		r.runs.Add(1)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// round runs each task once; it reports whether retention (if asked for)
// succeeded. A failing task is logged and tried again next round.
func (r *Runner) round(ctx context.Context, now time.Time, retain bool) bool {
	st := r.cfg.Store
	if err := st.EnsurePartitions(ctx, now.AddDate(0, 0, -1), now.AddDate(0, 0, r.cfg.DaysAhead)); err != nil && ctx.Err() == nil {
		r.log.Warn("maintenance: create partitions", "err", err)
	}
	retained := true
	if retain {
		dropped, deleted, err := st.ApplyRetention(ctx, now, r.cfg.RetentionDays)
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.Warn("maintenance: retention", "err", err)
			retained = false
		case dropped > 0 || deleted > 0:
			r.log.Info("maintenance: retention applied", "partitions_dropped", dropped, "rows_deleted", deleted)
		}
		if _, err := st.ForgetUsedPortalLinks(ctx, now.Add(-usedLinkGrace)); err != nil && ctx.Err() == nil {
			r.log.Warn("maintenance: forget used portal links", "err", err)
		}
	}
	// A pass covers at most a day: one that did a whole day is behind (a
	// pause, or a database that held attempts before it kept roll-ups),
	// so catch up now, up to a month per round.
	for range 31 {
		hours, err := st.RollUpAttempts(ctx, now)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("maintenance: roll up attempts", "err", err)
			}
			break
		}
		if hours < stats.RollupMaxHours {
			break
		}
	}
	if r.cfg.AutoDisable != nil {
		if _, err := r.cfg.AutoDisable.AutoDisable(ctx, now); err != nil && ctx.Err() == nil {
			r.log.Warn("maintenance: auto-disable failing webhooks", "err", err)
		}
	}
	return retained
}

// sleep waits d or until ctx is done, reporting whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
