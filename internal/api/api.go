// Package api serves lmshooks' public JSON API, version 1 (/api/v1/...).
//
// Handlers are thin: they decode the request, call the store, the ingest
// service or the dispatcher, and encode the answer. Every error goes through
// one function (errors.go) that turns domain error codes into HTTP statuses
// and the documented body {"error": {"code", "message", "field"}}.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/ingest"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxBodyBytes      = 256 << 10
	DefaultMaxBatchBodyBytes = 16 << 20
	DefaultRotationOverlap   = 24 * time.Hour
)

// Publisher stores published events with their deliveries.
// *ingest.Service satisfies it.
type Publisher interface {
	Publish(ctx context.Context, tenantID string, in []ingest.Input, batch bool) ([]store.PublishResult, error)
}

// Dispatcher is the part of the delivery engine the API drives.
type Dispatcher interface {
	// Test sends ev to w right now, outside the audit log, and reports what
	// happened.
	Test(ctx context.Context, w *domain.Webhook, ev *domain.Event) domain.Attempt
	// WebhookChanged drops cached copies of a webhook after it changed or
	// was deleted.
	WebhookChanged(id string)
}

// Config wires an API.
type Config struct {
	Store      store.Store
	Publisher  Publisher
	Dispatcher Dispatcher
	// Formats validates webhook formats; nil means format.Default().
	Formats *format.Registry
	Clock   clock.Clock
	Logger  *slog.Logger
	// MaxBodyBytes bounds request bodies (default 256 KiB).
	MaxBodyBytes int64
	// MaxBatchBodyBytes bounds the body of a batch publish, which may carry
	// up to 1,000 events (default 16 MiB).
	MaxBatchBodyBytes int64
	// RotationOverlap is how long a rotated-out secret keeps signing when
	// the request does not say (default 24h).
	RotationOverlap time.Duration
	// Catalogs checks webhook subscriptions and filters against the
	// tenant's types and gives test sends the examples of the tenant's
	// types (and, when EventTypes is nil, serves the event types routes);
	// nil turns these off (the event types routes answer 503; a test send of a webhook with only patterns needs
	// its event_type, and sends empty data unless given some).
	Catalogs Catalogs
	// Filters compiles webhook filters; nil means a fresh engine.
	Filters *filter.Engine
	// Tenants and APIKeys are the tenants and API keys services; nil
	// builds them on Store (app passes the ones it shares with the
	// console, so that a key revoked there stops working here at once).
	Tenants *service.Tenants
	APIKeys *service.APIKeys
	// Portal issues console portal links; nil when this node serves no
	// console (the portal-links route answers 404).
	Portal *service.Portal
	// Deliveries serves the audit log, resend and recover; nil builds one
	// over Store whose notices reach nobody (app always gives one).
	Deliveries *service.Deliveries
	// EventTypes serves the event types routes; nil builds one over Store
	// and Catalogs.
	EventTypes *service.EventTypes
	// Stats serves the stats route; nil builds one over Store.
	Stats *service.Stats
	// Webhooks owns the webhook rules; nil builds one from Store, Clock,
	// Dispatcher, Formats, Filters, Catalogs and RotationOverlap.
	Webhooks *service.Webhooks
}

// API serves /api/v1/.
type API struct {
	store      store.Store
	publisher  Publisher
	dispatcher Dispatcher
	formats    *format.Registry
	clock      clock.Clock
	log        *slog.Logger
	maxBody    int64
	maxBatch   int64
	overlap    time.Duration
	tenants    *service.Tenants
	apiKeys    *service.APIKeys
	catalogs   Catalogs
	filters    *filter.Engine
	portal     *service.Portal
	deliveries *service.Deliveries
	eventTypes *service.EventTypes
	stats      *service.Stats
	webhooks   *service.Webhooks
	mux        *http.ServeMux
}

// New returns an API serving cfg's store and services.
func New(cfg Config) *API {
	a := &API{
		store:      cfg.Store,
		publisher:  cfg.Publisher,
		dispatcher: cfg.Dispatcher,
		formats:    cfg.Formats,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		maxBody:    cfg.MaxBodyBytes,
		maxBatch:   cfg.MaxBatchBodyBytes,
		overlap:    cfg.RotationOverlap,
		catalogs:   cfg.Catalogs,
		filters:    cfg.Filters,
		tenants:    cfg.Tenants,
		apiKeys:    cfg.APIKeys,
		portal:     cfg.Portal,
		deliveries: cfg.Deliveries,
		eventTypes: cfg.EventTypes,
		stats:      cfg.Stats,
	}
	if a.filters == nil {
		f, err := filter.NewEngine(filter.Options{})
		if err != nil {
			// The filter environment is fixed at build time: only a bug
			// can break it, and every test would show it.
			panic(fmt.Sprintf("api: %v", err))
		}
		a.filters = f
	}
	if a.dispatcher == nil {
		a.dispatcher = noDispatcher{}
	}
	if a.formats == nil {
		a.formats = format.Default()
	}
	if a.clock == nil {
		a.clock = clock.Real{}
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.maxBody <= 0 {
		a.maxBody = DefaultMaxBodyBytes
	}
	if a.maxBatch <= 0 {
		a.maxBatch = DefaultMaxBatchBodyBytes
	}
	if a.overlap <= 0 {
		a.overlap = DefaultRotationOverlap
	}
	// Services left out (by tests that build the API alone) are built over
	// the store; app always passes the ones it shares with the console.
	deps := service.Deps{Store: a.store, Clock: a.clock, Notify: service.NotifyFuncs{Changed: a.dispatcher.WebhookChanged}, Logger: a.log}
	if a.deliveries == nil {
		a.deliveries = service.NewDeliveries(deps)
	}
	if a.eventTypes == nil {
		a.eventTypes = service.NewEventTypes(deps, service.EventTypesConfig{Catalogs: cfg.Catalogs})
	}
	if a.stats == nil {
		a.stats = service.NewStats(deps)
	}
	if a.apiKeys == nil {
		a.apiKeys = service.NewAPIKeys(deps, service.APIKeysConfig{})
	}
	if a.tenants == nil {
		a.tenants = service.NewTenants(deps, service.TenantsConfig{APIKeys: a.apiKeys})
	}
	a.webhooks = cfg.Webhooks
	if a.webhooks == nil {
		a.webhooks = a.defaultWebhooks(deps)
	}
	a.mux = http.NewServeMux()
	a.routes()
	return a
}

// defaultWebhooks builds the webhooks service from the API's own config,
// for an API wired without one (tests, tools).
func (a *API) defaultWebhooks(deps service.Deps) *service.Webhooks {
	var cats service.WebhookCatalogs
	if a.catalogs != nil {
		cats = a.catalogs
	}
	return service.NewWebhooks(
		deps,
		service.WebhooksConfig{Formats: a.formats, Filters: a.filters, Catalogs: cats, Tester: a.dispatcher, RotationOverlap: a.overlap},
	)
}

// Handler returns the handler of every /api/v1/ route. Requests that match
// no route get a JSON 404 (or 405 when only the method is wrong).
func (a *API) Handler() http.Handler {
	return http.HandlerFunc(a.serve)
}

// serve routes r, answering unmatched requests in the API's JSON error
// format instead of the mux's plain-text pages.
func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	if err := checkURL(r); err != nil {
		a.writeError(w, r, err)
		return
	}
	h, pattern := a.mux.Handler(r)
	if pattern != "" {
		a.mux.ServeHTTP(w, r)
		return
	}
	// The mux has no route: ask its fallback handler what it would answer
	// (404, 405 with Allow, or a redirect) and keep only the status.
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeErrorBody(w, http.StatusMethodNotAllowed, errorBody{
			Code:    codeMethodNotAllowed,
			Message: "method " + r.Method + " is not allowed here; allowed: " + rec.header.Get("Allow"),
		})
	case http.StatusNotFound, 0:
		writeErrorBody(w, http.StatusNotFound, errorBody{
			Code:    domain.ENOTFOUND,
			Message: "no such route: " + r.Method + " " + r.URL.Path,
		})
	default:
		// Redirects (path cleaning) and anything else: let the mux answer.
		a.mux.ServeHTTP(w, r)
	}
}

// statusRecorder captures the status and headers a handler writes and
// discards its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

// noDispatcher stands in when this node runs no dispatcher: deliveries
// are found by the dispatching nodes' polling, and test sends fail with a
// message saying why.
type noDispatcher struct{}

func (noDispatcher) Test(_ context.Context, w *domain.Webhook, _ *domain.Event) domain.Attempt {
	return domain.Attempt{RequestURL: w.URL, Error: "this node sends no webhooks (it runs without a dispatcher)"}
}
func (noDispatcher) WebhookChanged(string) {}
