// Package ui serves lmshooks' web console: the operator's admin pages and
// the tenant portal that an LMS embeds in its own admin pages.
//
// Pages are rendered on the server with html/template; templates, CSS and
// the little JavaScript there is are embedded in the binary, so the console
// needs no build step and no internet. Forms post back to the server and
// work without JavaScript.
package ui

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
)

// DefaultSessionTTL is how long an operator stays signed in.
const DefaultSessionTTL = 12 * time.Hour

// Dispatcher is the part of the delivery engine the console drives.
type Dispatcher interface {
	// Test sends ev to w right now, outside the audit log.
	Test(ctx context.Context, w *domain.Webhook, ev *domain.Event) domain.Attempt
	// WebhookChanged drops cached copies of a changed webhook.
	WebhookChanged(id string)
}

// TenantCatalogs gives the event catalog as one tenant sees it: the
// builtin types plus the tenant's own. *catalog.Views satisfies it.
type TenantCatalogs interface {
	Tenant(ctx context.Context, tenantID string) (*catalog.Catalog, error)
}

// Config wires a Console.
type Config struct {
	Store      store.Store
	Dispatcher Dispatcher
	// Catalog is the event catalog (required).
	Catalog *catalog.Catalog
	// Catalogs gives each tenant's view of the catalog, with its own
	// event types; nil shows every tenant Catalog alone.
	Catalogs TenantCatalogs
	// Deliveries serves the audit, resend and recover; nil builds one
	// over Store whose notices reach nobody (app always gives one).
	Deliveries *service.Deliveries
	// EventTypes serves the catalog pages; nil builds one over Catalogs,
	// or over Catalog alone.
	EventTypes *service.EventTypes
	// Filters compiles payload filters; nil means a fresh engine.
	Filters *filter.Engine
	// Formats lists the wire formats; nil means format.Default().
	Formats *format.Registry
	Clock   clock.Clock
	Logger  *slog.Logger
	// Keys checks the operator's password and seals sessions (required):
	// auth.NewKeyring of the configured password or stored credential.
	Keys *auth.Keyring
	// Tenants, APIKeys and Portal are the services the console shares
	// with the API; nil builds them on Store (Portal with Keys). Give the
	// API's APIKeys so that a key revoked here stops working there at once.
	Tenants *service.Tenants
	APIKeys *service.APIKeys
	Portal  *service.Portal
	// PortalOrigins may embed portal pages in a frame; none when empty.
	PortalOrigins []string
	// SecureCookies marks cookies Secure (false only for plain-HTTP
	// development on loopback).
	SecureCookies bool
	// RotationOverlap is how long a rotated-out secret keeps signing
	// (default 24h).
	RotationOverlap time.Duration
	// SessionTTL is how long an operator session lasts (default 12h).
	SessionTTL time.Duration
	// Webhooks owns the webhook rules; nil builds one from Store, Clock,
	// Dispatcher, Formats, Filters, Catalogs (or Catalog) and
	// RotationOverlap.
	Webhooks *service.Webhooks
}

// Console is the web console's handler.
type Console struct {
	store      store.Store
	dispatcher Dispatcher
	catalog    *catalog.Catalog
	catalogs   TenantCatalogs
	deliveries *service.Deliveries
	eventTypes *service.EventTypes
	filters    *filter.Engine
	formats    *format.Registry
	clock      clock.Clock
	log        *slog.Logger
	keys       *auth.Keyring
	tenants    *service.Tenants
	apiKeys    *service.APIKeys
	portal     *service.Portal
	origins    []string
	secure     bool
	overlap    time.Duration
	sessionTTL time.Duration
	webhooks   *service.Webhooks
	revoked    revocations
	logins     *loginLimiter
	pages      *pages
	assets     *assets
	mux        *http.ServeMux
}

// New builds the console. It parses every template, so a broken template
// fails here, at start-up, rather than on a page view.
func New(cfg Config) (*Console, error) {
	if cfg.Store == nil || cfg.Catalog == nil || cfg.Dispatcher == nil || cfg.Keys == nil {
		return nil, errors.New("console: store, catalog, dispatcher and keys are required")
	}
	c := &Console{
		store:      cfg.Store,
		dispatcher: cfg.Dispatcher,
		catalog:    cfg.Catalog,
		catalogs:   cfg.Catalogs,
		deliveries: cfg.Deliveries,
		eventTypes: cfg.EventTypes,
		filters:    cfg.Filters,
		formats:    cfg.Formats,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		keys:       cfg.Keys,
		tenants:    cfg.Tenants,
		apiKeys:    cfg.APIKeys,
		portal:     cfg.Portal,
		origins:    cfg.PortalOrigins,
		secure:     cfg.SecureCookies,
		overlap:    cfg.RotationOverlap,
		sessionTTL: cfg.SessionTTL,
		webhooks:   cfg.Webhooks,
		logins:     newLoginLimiter(),
	}
	var err error
	if c.filters == nil {
		if c.filters, err = filter.NewEngine(filter.Options{}); err != nil {
			return nil, err
		}
	}
	if c.formats == nil {
		c.formats = format.Default()
	}
	if c.clock == nil {
		c.clock = clock.Real{}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.overlap <= 0 {
		c.overlap = 24 * time.Hour
	}
	if c.sessionTTL <= 0 {
		c.sessionTTL = DefaultSessionTTL
	}
	// Services left out (by tests that build the console alone) are built
	// over the store, telling the dispatcher only of webhook changes; app
	// always passes the ones it shares with the API.
	deps := service.Deps{Store: c.store, Clock: c.clock, Notify: service.NotifyFuncs{Changed: c.dispatcher.WebhookChanged}, Logger: c.log}
	if c.deliveries == nil {
		c.deliveries = service.NewDeliveries(deps)
	}
	if c.eventTypes == nil {
		cats, ok := cfg.Catalogs.(service.EventCatalogs)
		if !ok {
			cats = service.BuiltinOnly{Catalog: cfg.Catalog}
		}
		c.eventTypes = service.NewEventTypes(deps, service.EventTypesConfig{Catalogs: cats})
	}
	if c.apiKeys == nil {
		c.apiKeys = service.NewAPIKeys(deps, service.APIKeysConfig{})
	}
	if c.tenants == nil {
		c.tenants = service.NewTenants(deps, service.TenantsConfig{APIKeys: c.apiKeys})
	}
	if c.portal == nil {
		if c.portal, err = service.NewPortal(deps, service.PortalConfig{Keys: c.keys}); err != nil {
			return nil, err
		}
	}
	if c.webhooks == nil {
		c.webhooks = c.defaultWebhooks(deps)
	}
	if c.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if c.pages, err = parsePages(c.assets); err != nil {
		return nil, err
	}
	c.mux = http.NewServeMux()
	c.routes()
	return c, nil
}

// defaultWebhooks builds the webhooks service from the console's own
// config, for a console wired without one (tests, tools).
func (c *Console) defaultWebhooks(deps service.Deps) *service.Webhooks {
	return service.NewWebhooks(
		deps,
		service.WebhooksConfig{Formats: c.formats, Filters: c.filters, Catalogs: consoleCatalogs{c}, Tester: c.dispatcher, RotationOverlap: c.overlap},
	)
}

// consoleCatalogs gives the service the console's view of the catalogs.
type consoleCatalogs struct{ c *Console }

func (cc consoleCatalogs) Tenant(ctx context.Context, tenantID string) (*catalog.Catalog, error) {
	return cc.c.tenantCatalog(ctx, tenantID)
}

// Invalidate does nothing: the console's catalogs are re-read by their
// owner.
func (consoleCatalogs) Invalidate(string) {}

// tenantCatalog returns the catalog as tenantID sees it.
func (c *Console) tenantCatalog(ctx context.Context, tenantID string) (*catalog.Catalog, error) {
	if c.catalogs == nil {
		return c.catalog, nil
	}
	return c.catalogs.Tenant(ctx, tenantID)
}

// ServeHTTP serves the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mux.ServeHTTP(w, r)
}
