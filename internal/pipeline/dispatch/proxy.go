package dispatch

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// proxyWarnEvery bounds how often a failing egress proxy is logged: while
// it fails, every delivery fails alike, and the audit keeps each attempt.
const proxyWarnEvery = time.Minute

// earlierAttempts returns the earlier attempts of dl that its retry
// schedule depends on when some of them may have failed at the egress
// proxy (domain.RetryPosition leaves those out), and nil when none can
// have or the position does not matter: no proxy is configured, att
// succeeded or failed at the proxy itself, or it is the first attempt of
// its schedule. The store is read only then, for a failing delivery.
func (d *Dispatcher) earlierAttempts(ctx context.Context, dl *domain.Delivery, att *domain.Attempt) []domain.Attempt {
	if !d.cfg.EgressProxy || att.Success || att.FailedAtProxy() || att.Number-dl.RetryFrom <= 1 {
		return nil
	}
	list, err := d.cfg.Store.ListAttempts(ctx, dl.TenantID, dl.ID)
	if err != nil {
		// Counting every attempt errs on the side of giving up sooner,
		// never of retrying forever.
		d.log.Warn("read a delivery's attempts to leave out egress proxy failures", "delivery_id", dl.ID, "err", err)
		return nil
	}
	return list
}

// warnProxy logs a failure of the egress proxy, at most once every
// proxyWarnEvery: it is the operator's to fix.
func (d *Dispatcher) warnProxy(msg string) {
	now := d.cfg.Clock.Now().UnixNano()
	last := d.proxyWarned.Load()
	if last != 0 && now-last < int64(proxyWarnEvery) || !d.proxyWarned.CompareAndSwap(last, now) {
		return
	}
	d.log.Warn("egress proxy failing: deliveries are retried every "+domain.ProxyRetryWait.String()+" without using up their retries",
		"err", msg)
}
