package app

import "github.com/lmshooks/lmshooks/internal/dispatch"

// dispatchNotifier is how the application services tell this node's
// dispatcher what changed (service.Notifier).
type dispatchNotifier struct{ d *dispatch.Dispatcher }

func (n dispatchNotifier) WebhookChanged(id string) { n.d.WebhookChanged(id) }
func (n dispatchNotifier) WorkDue()                 { n.d.Wake() }
