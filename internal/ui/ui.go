// Package ui serves lmshooks' web console: the operator's admin pages and
// the tenant portal that an LMS embeds in its own admin pages.
//
// It is a surface, not a place for rules: each handler decodes a form or a
// query, calls the application layer (internal/service, the same services
// the JSON API calls) and renders a page, so the console shows the API's
// own validation messages and takes its statuses from internal/web. This
// package owns only what is the console's: pages and forms, operator
// sign-in and its rate limit, sessions, CSRF and portal framing.
//
// Pages are rendered on the server with html/template; templates, CSS and
// the little JavaScript there is are embedded in the binary, so the console
// needs no build step and no internet. Forms post back to the server and
// work without JavaScript.
package ui

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/web"
)

// DefaultSessionTTL is how long an operator stays signed in.
const DefaultSessionTTL = 12 * time.Hour

// Config wires a Console.
type Config struct {
	// Services are the application layer (required, with a Portal): app
	// passes the set it shares with the API.
	Services *service.Set
	// Catalog is the builtin event catalog (required): pages fall back on
	// it when a tenant's own types cannot be read.
	Catalog *catalog.Catalog
	// Formats renders the catalog pages' examples in each wire format;
	// nil means format.Default().
	Formats *format.Registry
	Clock   clock.Clock
	Logger  *slog.Logger
	// Keys checks the operator's password and seals sessions (required):
	// auth.NewKeyring of the configured password or stored credential,
	// the one Services.Portal signs links with.
	Keys *auth.Keyring
	// PortalOrigins may embed portal pages in a frame; none when empty.
	PortalOrigins []string
	// SecureCookies marks cookies Secure (false only for plain-HTTP
	// development on loopback).
	SecureCookies bool
	// SessionTTL is how long an operator session lasts (default 12h).
	SessionTTL time.Duration
	// PublicURL makes the absolute URLs pages show (portal links); the
	// zero value knows no public URL and makes them only for requests
	// from loopback.
	PublicURL web.PublicURL
}

// Console is the web console's handler.
type Console struct {
	catalog    *catalog.Catalog
	formats    *format.Registry
	clock      clock.Clock
	log        *slog.Logger
	keys       *auth.Keyring
	tenants    *service.Tenants
	apiKeys    *service.APIKeys
	portal     *service.Portal
	deliveries *service.Deliveries
	eventTypes *service.EventTypes
	stats      *service.Stats
	webhooks   *service.Webhooks
	origins    []string
	secure     bool
	sessionTTL time.Duration
	publicURL  web.PublicURL
	revoked    revocations
	logins     *loginLimiter
	pages      *pages
	assets     *assets
	mux        *http.ServeMux
}

// New builds the console. It parses every template, so a broken template
// fails here, at start-up, rather than on a page view.
func New(cfg Config) (*Console, error) {
	sv := cfg.Services
	if sv == nil || sv.Portal == nil || cfg.Catalog == nil || cfg.Keys == nil {
		return nil, errors.New("console: services (with portal links), catalog and keys are required")
	}
	c := &Console{
		catalog:    cfg.Catalog,
		formats:    cfg.Formats,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		keys:       cfg.Keys,
		tenants:    sv.Tenants,
		apiKeys:    sv.APIKeys,
		portal:     sv.Portal,
		deliveries: sv.Deliveries,
		eventTypes: sv.EventTypes,
		stats:      sv.Stats,
		webhooks:   sv.Webhooks,
		origins:    cfg.PortalOrigins,
		secure:     cfg.SecureCookies,
		sessionTTL: cfg.SessionTTL,
		publicURL:  cfg.PublicURL,
		logins:     newLoginLimiter(),
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
	if c.sessionTTL <= 0 {
		c.sessionTTL = DefaultSessionTTL
	}
	var err error
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

// ServeHTTP serves the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mux.ServeHTTP(w, r)
}
