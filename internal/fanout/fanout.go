// Package fanout decides which webhooks receive an event. It is pure: the
// store calls a Matcher's Match inside the publish transaction with the
// tenant's enabled webhooks.
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

// Match reports whether webhook w gets a delivery of event e: it must be
// enabled, one of its event type patterns must match e's type, and its
// filter, if any, must not be false. A filter that errors on e (a field
// missing from this event, say) still makes a delivery, so that the error
// is recorded on it where the admin sees it (the dispatcher's pre-send
// check fails it without sending, see FilterError); it never blocks the
// event's other deliveries.
func (m *Matcher) Match(w *domain.Webhook, e *domain.Event) bool {
	if !w.Subscribes(e.Type) {
		return false
	}
	if w.Filter == "" {
		return true
	}
	p, err := m.filters.Compile(w.Filter)
	if err != nil {
		return true
	}
	ok, err := p.Eval(e)
	return ok || err != nil
}

// FilterError re-evaluates w's filter on e and returns why it cannot be
// decided, nil when it can (or when w has no filter). The dispatcher calls
// it before each attempt and records a failed attempt instead of sending
// when it errors.
func (m *Matcher) FilterError(w *domain.Webhook, e *domain.Event) error {
	if w.Filter == "" {
		return nil
	}
	p, err := m.filters.Compile(w.Filter)
	if err != nil {
		return fmt.Errorf("filter error: %s", domain.ErrorMessage(err))
	}
	if _, err := p.Eval(e); err != nil {
		return fmt.Errorf("filter error: %w", err)
	}
	return nil
}
