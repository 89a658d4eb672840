// Package api serves lmshooks' public JSON API, version 1 (/api/v1/...).
//
// It is a surface, not a place for rules: each handler decodes the
// request, calls the application layer (internal/service, or ingest's
// publisher for events) and encodes the answer. Every rule the console
// shares lives in the service, so both answer the same input the same
// way; this package owns only the API's wire format — its JSON shapes,
// parameters, authentication by bearer key and routes. Every error goes
// through one function (errors.go), which takes its status from
// internal/web and writes the documented body
// {"error": {"code", "message", "field"}}.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/web"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxBodyBytes      = 256 << 10
	DefaultMaxBatchBodyBytes = 16 << 20
)

// Publisher stores published events with their deliveries.
// *ingest.Service satisfies it.
type Publisher interface {
	Publish(ctx context.Context, tenantID string, in []ingest.Input, batch bool) ([]store.PublishResult, error)
}

// Config wires an API.
type Config struct {
	// Services are the application layer (required): app passes the set
	// it shares with the console.
	Services *service.Set
	// Publisher stores published events (required).
	Publisher Publisher
	Logger    *slog.Logger
	// MaxBodyBytes bounds request bodies (default 256 KiB).
	MaxBodyBytes int64
	// MaxBatchBodyBytes bounds the body of a batch publish, which may carry
	// up to 1,000 events (default 16 MiB).
	MaxBatchBodyBytes int64
	// PublicURL makes the portal links' URLs; the zero value knows no
	// public URL and makes them only for requests from loopback.
	PublicURL web.PublicURL
}

// API serves /api/v1/.
type API struct {
	svc       *service.Set // svc.Portal is nil when this node serves no console
	publisher Publisher
	log       *slog.Logger
	maxBody   int64
	maxBatch  int64
	publicURL web.PublicURL
	mux       *http.ServeMux
	// openAPIDoc is the document GET /api/v1/openapi.json answers.
	openAPIDoc []byte
}

// New returns an API serving cfg's services. It panics without them or a
// publisher: that is a wiring bug, which every test would show.
func New(cfg Config) *API {
	if cfg.Services == nil || cfg.Publisher == nil {
		panic("api: services and publisher are required")
	}
	a := &API{
		svc:       cfg.Services,
		publisher: cfg.Publisher,
		log:       cfg.Logger,
		maxBody:   cfg.MaxBodyBytes,
		maxBatch:  cfg.MaxBatchBodyBytes,
		publicURL: cfg.PublicURL,
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
	a.openAPIDoc = OpenAPIDocument()
	a.mux = http.NewServeMux()
	a.routes()
	return a
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
