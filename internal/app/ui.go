package app

import (
	"context"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/metrics"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/ui"
)

// uiDeps is what the console may use besides the App's own services.
type uiDeps struct {
	formats *format.Registry
	builtin *catalog.Catalog
	metrics *metrics.Metrics
	clock   clock.Clock
	// catalogs and filters are shared with the API, so that the console
	// sees a tenant's own types as soon as the API registers them.
	catalogs ui.TenantCatalogs
	filters  *filter.Engine
	// deps and the services are the application layer the console
	// shares with the API.
	deps       service.Deps
	tenants    *service.Tenants
	apiKeys    *service.APIKeys
	deliveries *service.Deliveries
	eventTypes *service.EventTypes
	webhooks   *service.Webhooks
}

// newUI builds the web console and the portal links service the API hands
// out links with (both sign with the console's keyring); both are nil on
// dispatcher-only nodes, which serve no HTTP pages. A configured operator
// password always wins; without one the console uses the stored
// credential, made on first start with a generated password left in
// a.GeneratedPassword to be shown once.
func (a *App) newUI(ctx context.Context, d uiDeps) (http.Handler, *service.Portal, error) {
	if a.cfg.Role == config.RoleDispatcher {
		return nil, nil, nil
	}
	var cred *domain.ConsoleCredential
	if a.cfg.AdminPassword == "" {
		var err error
		if cred, a.GeneratedPassword, err = ensureConsoleCredential(ctx, a.Store, d.clock.Now()); err != nil {
			return nil, nil, err
		}
		a.StoredPassword = a.GeneratedPassword == ""
	}
	keys, err := auth.NewKeyring(a.cfg.AdminPassword, cred)
	if err != nil {
		return nil, nil, err
	}
	portal, err := service.NewPortal(d.deps, service.PortalConfig{Keys: keys})
	if err != nil {
		return nil, nil, err
	}
	c, err := ui.New(ui.Config{
		Store:           a.Store,
		Dispatcher:      a.Dispatcher,
		Catalog:         d.builtin,
		Catalogs:        d.catalogs,
		Filters:         d.filters,
		Formats:         d.formats,
		Clock:           d.clock,
		Logger:          a.log.With("component", "console"),
		Keys:            keys,
		Tenants:         d.tenants,
		APIKeys:         d.apiKeys,
		Portal:          portal,
		PortalOrigins:   a.cfg.PortalOrigins,
		SecureCookies:   a.cfg.SecureCookies,
		RotationOverlap: a.cfg.RotationOverlap,
		Deliveries:      d.deliveries,
		EventTypes:      d.eventTypes,
		Webhooks:        d.webhooks,
	})
	if err != nil {
		return nil, nil, err
	}
	return c, portal, nil
}
