// Package service is lmshooks' application layer: every business rule that
// the JSON API and the console share lives here once — tenants, API keys,
// webhooks (validation, secrets and rotation, formats, filters,
// subscriptions), deliveries (resend, recover), event types, portal links
// and test sends. The surfaces (internal/api, internal/ui) decode a
// request, call a service and encode its answer; they hold no rule of
// their own, so both give the same answer to the same input.
//
// Each noun has its own type (Webhooks, Tenants, …) built from Deps and a
// config of its own; NewSet builds them all, wired together, and is the
// one place that does (app, and the surfaces' tests, call it). Errors are
// *domain.Error values with the codes and field names that the API
// documents; internal/web maps them to statuses.
package service

import (
	"log/slog"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Notifier hears of the changes the delivery engine must see. app wires
// the dispatcher here once; no surface calls it.
type Notifier interface {
	// WebhookChanged says a webhook changed or was deleted, so cached
	// copies of it must go.
	WebhookChanged(id string)
	// WorkDue says deliveries became due now (after a resend or recover).
	WorkDue()
}

// Announcer hears what lmshooks did to a webhook by itself, to tell the
// webhook's tenant (pipeline/opsevents publishes webhook.disabled). app
// wires it; its method returns at once.
type Announcer interface {
	WebhookDisabled(webhookID, reason string, at time.Time)
}

// Deps are what every service is built from.
type Deps struct {
	Store  store.Store
	Clock  clock.Clock
	IDs    *id.Generator
	Notify Notifier
	// Announce, when set, hears the webhooks lmshooks disabled by itself.
	Announce Announcer
	Logger   *slog.Logger
}

// withDefaults fills what a test may leave out.
func (d Deps) withDefaults() Deps {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.IDs == nil {
		d.IDs = id.NewGenerator(d.Clock)
	}
	if d.Notify == nil {
		d.Notify = nopNotifier{}
	}
	if d.Announce == nil {
		d.Announce = nopNotifier{}
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return d
}

type nopNotifier struct{}

func (nopNotifier) WebhookChanged(string) {}
func (nopNotifier) WorkDue()              {}

func (nopNotifier) WebhookDisabled(string, string, time.Time) {}

// NotifyFuncs is a Notifier made of functions; a nil one does nothing.
// app wires the dispatcher's methods here.
type NotifyFuncs struct {
	Changed func(webhookID string)
	Due     func()
}

// WebhookChanged calls Changed.
func (n NotifyFuncs) WebhookChanged(id string) {
	if n.Changed != nil {
		n.Changed(id)
	}
}

// WorkDue calls Due.
func (n NotifyFuncs) WorkDue() {
	if n.Due != nil {
		n.Due()
	}
}
