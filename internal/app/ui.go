package app

import (
	"context"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/ui"
	"github.com/lmshooks/lmshooks/internal/web"
)

// consoleKeys returns the console's keyring, which checks the operator's
// password, seals sessions and signs portal links; nil on
// dispatcher-only nodes, which serve no HTTP pages. A configured operator
// password always wins; without one the console uses the stored
// credential, made on first start with a generated password left in
// a.GeneratedPassword to be shown once.
func (a *App) consoleKeys(ctx context.Context, clk clock.Clock) (*auth.Keyring, error) {
	if a.cfg.Role == config.RoleDispatcher {
		return nil, nil
	}
	var cred *domain.ConsoleCredential
	if a.cfg.AdminPassword == "" {
		var err error
		if cred, a.GeneratedPassword, err = ensureConsoleCredential(ctx, a.Store, clk.Now()); err != nil {
			return nil, err
		}
		a.StoredPassword = a.GeneratedPassword == ""
	}
	return auth.NewKeyring(a.cfg.AdminPassword, cred)
}

// newUI builds the web console on the services it shares with the API;
// nil without keys (dispatcher-only nodes).
func (a *App) newUI(services *service.Set, keys *auth.Keyring, builtin *catalog.Catalog, formats *format.Registry, clk clock.Clock) (http.Handler, error) {
	if keys == nil {
		return nil, nil
	}
	c, err := ui.New(ui.Config{
		Services:      services,
		Catalog:       builtin,
		Formats:       formats,
		Clock:         clk,
		Logger:        a.log.With("component", "console"),
		Keys:          keys,
		PortalOrigins: a.cfg.PortalOrigins,
		SecureCookies: a.cfg.SecureCookies,
		PublicURL:     web.NewPublicURL(a.cfg.PublicURL),
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
