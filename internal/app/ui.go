package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/api"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/metrics"
	"github.com/lmshooks/lmshooks/internal/ui"
)

// uiDeps is what the console may use besides the App's own services.
type uiDeps struct {
	formats *format.Registry
	metrics *metrics.Metrics
	clock   clock.Clock
	// catalogs and filters are shared with the API, so that the console
	// sees a tenant's own types as soon as the API registers them.
	catalogs ui.TenantCatalogs
	filters  *filter.Engine
	// forgetKey drops a key the console revoked from the API's key cache.
	forgetKey func(id string)
}

// newUI builds the web console and the portal link issuer the API hands
// out links with; both are nil on dispatcher-only nodes, which serve no
// HTTP pages. When no operator password is configured, one is generated
// and left in a.GeneratedPassword to be shown once: the console keeps no
// state of its own, so it changes on every start until one is configured.
func (a *App) newUI(ctx context.Context, d uiDeps) (http.Handler, api.PortalIssuer, error) {
	if a.cfg.Role == config.RoleDispatcher {
		return nil, nil, nil
	}
	password := a.cfg.AdminPassword
	if password == "" {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("generate console password: %w", err)
		}
		password = base64.RawURLEncoding.EncodeToString(b)
		a.GeneratedPassword = password
	}
	cat, err := catalog.Load()
	if err != nil {
		return nil, nil, err
	}
	c, err := ui.New(ui.Config{
		Store:           a.Store,
		Dispatcher:      a.Dispatcher,
		Catalog:         cat,
		Catalogs:        d.catalogs,
		Filters:         d.filters,
		Formats:         d.formats,
		Clock:           d.clock,
		Logger:          a.log.With("component", "console"),
		Password:        password,
		PortalOrigins:   a.cfg.PortalOrigins,
		SecureCookies:   a.cfg.SecureCookies,
		RotationOverlap: a.cfg.RotationOverlap,
		ForgetAPIKey:    d.forgetKey,
	})
	if err != nil {
		return nil, nil, err
	}
	return c, c, nil
}
