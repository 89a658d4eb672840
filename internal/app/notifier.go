package app

import "github.com/lmshooks/lmshooks/internal/dispatch"

// dispatchNotifier tells this node's dispatcher what the services changed:
// the one place where the application layer reaches the delivery engine.
type dispatchNotifier struct{ d *dispatch.Dispatcher }

func (n dispatchNotifier) WorkDue()                 { n.d.Wake() }
func (n dispatchNotifier) WebhookChanged(id string) { n.d.WebhookChanged(id) }
