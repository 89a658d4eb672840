package service

import (
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/format"
)

// SetConfig is what the services of a Set need besides Deps.
type SetConfig struct {
	// Catalogs is the event catalog and each tenant's view of it; nil
	// turns off the checks against it, and the event types answer
	// EUNAVAILABLE.
	Catalogs EventCatalogs
	// Formats validates webhook formats and renders again the request
	// bodies the audit keeps as references; nil means format.Default().
	Formats *format.Registry
	// Filters compiles payload filters; nil means a fresh engine.
	Filters *filter.Engine
	// Tester sends test events (the dispatcher); nil answers every test
	// with an attempt that says this node sends no webhooks.
	Tester WebhookTester
	// RotationOverlap is how long a rotated-out secret keeps signing when
	// the rotation does not say (default 24h).
	RotationOverlap time.Duration
	// AllowPrivateTargets says that deliveries may reach private and
	// loopback addresses; when false, saving a webhook that names one
	// warns.
	AllowPrivateTargets bool
	// APIKeys configures the key lookups' cache.
	APIKeys APIKeysConfig
	// Keys signs portal links: the console's keyring. nil leaves
	// Set.Portal nil, on nodes that serve no console.
	Keys *auth.Keyring
	// PortalLinkTTL and PortalSessionTTL are the lifetimes of a portal
	// link and of the session it opens (see PortalConfig).
	PortalLinkTTL, PortalSessionTTL time.Duration
	// AutoDisableAfter is the server's default auto-disable period (see
	// WebhooksConfig).
	AutoDisableAfter time.Duration
}

// Set is every service, wired together once: app builds one and hands it
// to both surfaces, so that a key revoked in either stops working in both
// at once and every change reaches Deps.Notify. Tests build theirs the
// same way.
type Set struct {
	Tenants    *Tenants
	APIKeys    *APIKeys
	Webhooks   *Webhooks
	Deliveries *Deliveries
	EventTypes *EventTypes
	Stats      *Stats
	// Portal is nil without SetConfig.Keys.
	Portal *Portal
}

// NewSet builds every service on d. All share d's clock and id generator.
func NewSet(d Deps, cfg SetConfig) *Set {
	d = d.withDefaults()
	s := &Set{
		APIKeys:    NewAPIKeys(d, cfg.APIKeys),
		Deliveries: NewDeliveries(d, cfg.Formats),
		EventTypes: NewEventTypes(d, EventTypesConfig{Catalogs: cfg.Catalogs}),
		Stats:      NewStats(d),
	}
	s.Tenants = NewTenants(d, TenantsConfig{APIKeys: s.APIKeys})
	var cats WebhookCatalogs
	if cfg.Catalogs != nil {
		cats = cfg.Catalogs
	}
	s.Webhooks = NewWebhooks(d, WebhooksConfig{
		Formats: cfg.Formats, Filters: cfg.Filters, Catalogs: cats, Tester: cfg.Tester, RotationOverlap: cfg.RotationOverlap,
		AutoDisableAfter:    cfg.AutoDisableAfter,
		AllowPrivateTargets: cfg.AllowPrivateTargets,
	})
	if cfg.Keys != nil {
		s.Portal = newPortal(d, PortalConfig{Keys: cfg.Keys, LinkTTL: cfg.PortalLinkTTL, SessionTTL: cfg.PortalSessionTTL})
	}
	return s
}
