// Package fanout decides which webhooks receive an event and builds their
// deliveries. It is pure: ingest calls it before writing anything, outside
// any transaction, with the tenant's enabled webhooks read beforehand, and
// hands what it builds to the store, which resolves idempotency keys and
// writes. Each filter is thus evaluated once per delivery; the dispatcher
// trusts the decision (see dispatch.Config.Precheck for when it does not).
package fanout

import (
	"fmt"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
)

// Matcher matches events to webhooks, payload filters included.
type Matcher struct {
	filters *filter.Engine
}

// New returns a Matcher that compiles filters with engine (whose cache
// makes each filter compile once, not once per event).
func New(engine *filter.Engine) *Matcher {
	return &Matcher{filters: engine}
}

// Verdict is what a webhook's subscription and filter make of one event.
type Verdict struct {
	// Deliver is true when the webhook gets a delivery of the event.
	Deliver bool
	// Failure, when Deliver is set, is why the webhook's filter could not
	// be decided on the event: the delivery is made already failed, with
	// an attempt recording Failure, and nothing is sent.
	Failure error
}

// Decide says whether webhook w gets a delivery of event e: one of its
// event type patterns must match e's type, and its filter, if any, must
// not be false, and an operational event must not be about w itself
// (domain.Webhook.Receives). A filter that errors on e (a field missing from this
// event, say) still makes a delivery, failed with the error, so that the
// admin sees it in the audit log; it never blocks the event's other
// deliveries. Decide does not look at w.Enabled: the fan-out is given
// enabled webhooks only.
func (m *Matcher) Decide(w *domain.Webhook, e *domain.Event) Verdict {
	if !w.Subscribes(e.Type) || !w.Receives(e) {
		return Verdict{}
	}
	ok, err := m.eval(w, e)
	if err != nil {
		return Verdict{Deliver: true, Failure: err}
	}
	return Verdict{Deliver: ok}
}

// Match reports whether webhook w gets a delivery of event e: w must be
// enabled and Decide must say so (a failed delivery counts).
func (m *Matcher) Match(w *domain.Webhook, e *domain.Event) bool {
	return w.Enabled && m.Decide(w, e).Deliver
}

// FilterError evaluates w's filter on e and returns why it cannot be
// decided, nil when it can (or when w has no filter). The error starts
// with "filter error: ".
func (m *Matcher) FilterError(w *domain.Webhook, e *domain.Event) error {
	_, err := m.eval(w, e)
	return err
}

// eval evaluates w's filter on e; no filter is true.
func (m *Matcher) eval(w *domain.Webhook, e *domain.Event) (bool, error) {
	if w.Filter == "" {
		return true, nil
	}
	p, err := m.filters.Compile(w.Filter)
	if err != nil {
		return false, fmt.Errorf("filter error: %s", domain.ErrorMessage(err))
	}
	ok, err := p.Eval(e)
	if err != nil {
		return false, fmt.Errorf("filter error: %w", err)
	}
	return ok, nil
}
