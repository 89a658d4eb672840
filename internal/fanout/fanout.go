// Package fanout decides which webhooks receive an event. It is pure: the
// store calls Match inside the publish transaction with the tenant's enabled
// webhooks.
package fanout

import "github.com/lmshooks/lmshooks/internal/domain"

// Match reports whether webhook w gets a delivery of event e: it must be
// enabled and one of its event type patterns must match e's type.
func Match(w *domain.Webhook, e *domain.Event) bool {
	return w.Subscribes(e.Type)
}
