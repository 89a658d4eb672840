package service

// Waker is the part of the delivery engine a Notifier reaches: the
// dispatcher has both methods.
type Waker interface {
	WebhookChanged(id string)
	Wake()
}

// DispatcherNotifier adapts the delivery engine to Notifier, for app to
// wire once.
func DispatcherNotifier(d Waker) Notifier { return dispatcherNotifier{d} }

type dispatcherNotifier struct{ d Waker }

func (n dispatcherNotifier) WebhookChanged(id string) { n.d.WebhookChanged(id) }
func (n dispatcherNotifier) WorkDue()                 { n.d.Wake() }
