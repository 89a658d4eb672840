// Package app wires lmshooks together — store, ingest, dispatcher, API and
// HTTP server — and runs it. The CLI and the end-to-end tests both use it,
// so tests exercise exactly what operators run.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lmshooks/lmshooks/internal/api"
	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/metrics"
	"github.com/lmshooks/lmshooks/internal/pipeline/dispatch"
	"github.com/lmshooks/lmshooks/internal/pipeline/fanout"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/pipeline/opsevents"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/readiness"
	"github.com/lmshooks/lmshooks/internal/server"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/version"
	"github.com/lmshooks/lmshooks/internal/web"
)

// App is one running lmshooks node.
type App struct {
	cfg        config.Config
	log        *slog.Logger
	Store      store.Store
	Dispatcher *dispatch.Dispatcher
	Ingest     *ingest.Service
	handler    http.Handler
	// webhooks and clock serve the maintenance round's auto-disable.
	webhooks *service.Webhooks
	clock    clock.Clock

	// GeneratedKey is the operator key made on first start ("" if one
	// already existed or LMSHOOKS_API_KEY set it). Show it once.
	GeneratedKey string
	// GeneratedPassword is the console's operator password when this start
	// generated it, none being configured or stored ("" otherwise). Only
	// its hash is stored: show it once.
	GeneratedPassword string
	// StoredPassword is true when the console signs in with a password
	// generated on an earlier start (or by another node, or by
	// reset-console-password), which is not shown again.
	StoredPassword bool

	httpSrv    *http.Server
	debugSrv   *http.Server
	ln         net.Listener
	serveErr   chan error
	cancelBG   context.CancelFunc
	bg         sync.WaitGroup
	ops        *opsevents.Announcer
	closeOnce  sync.Once
	closeError error
}

// Options adjust an App beyond the configuration (for tests).
type Options struct {
	Clock  clock.Clock
	Sender dispatch.Sender
}

// New opens the store (applying migrations), makes sure an operator key
// exists, and builds the services. Nothing runs until Start.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, Store: st}
	ensurePartitionsAhead(ctx, st, opts.Clock.Now(), log)
	ids := id.NewGenerator(opts.Clock)
	if a.GeneratedKey, err = ensureOperatorKey(ctx, st, ids, cfg.APIKey, opts.Clock.Now(), log); err != nil {
		st.Close()
		return nil, err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var d *dispatch.Dispatcher
	m := metrics.New(reg, func() float64 {
		if d == nil {
			return 0
		}
		return float64(d.Held())
	})

	// The builtin catalog is loaded (its schemas compiled) once, for the
	// API, the console and CYPHER's variables.
	builtin, err := catalog.Load()
	if err != nil {
		st.Close()
		return nil, err
	}
	formats := format.WithVariables(format.CatalogVariables(builtin))
	filters, err := filter.NewEngine(filter.Options{})
	if err != nil {
		st.Close()
		return nil, err
	}
	matcher := fanout.New(filters)
	cats := catalog.NewViews(catalog.ViewsConfig{Store: st, Builtin: builtin, Clock: opts.Clock, Logger: log})
	sender := opts.Sender
	if sender == nil {
		sender = outbound.New(outbound.Options{AllowPrivate: cfg.AllowPrivateTargets, Proxy: cfg.EgressProxy})
	}
	runsDispatcher := cfg.Role != config.RoleAPI
	// lmshooks' operational events go through ingest, built below.
	a.ops = opsevents.New(opsevents.Config{Publisher: operationalPublisher{a}, Webhooks: st, Logger: log, OperatorTenant: cfg.OperatorTenant})
	d = dispatch.New(dispatch.Config{
		Observer:     a.ops,
		Store:        st,
		Sender:       sender,
		UserAgent:    version.UserAgent(),
		Formats:      formats,
		Clock:        opts.Clock,
		IDs:          ids,
		Logger:       log,
		Metrics:      m,
		Owner:        cfg.NodeID,
		LeaseFor:     cfg.LeaseFor,
		PollInterval: cfg.PollInterval,
		MemoryBudget: cfg.MemoryBudget,
		// Each event's data stays within a request body.
		MaxEventBytes: cfg.MaxBodyBytes,
		Precheck:      matcher.FilterError,
		EgressProxy:   cfg.EgressProxy != nil,
	})
	a.Dispatcher = d

	icfg := ingest.Config{Store: st, Clock: opts.Clock, Logger: log, Validate: cats.Validate, OrderingKey: cats.OrderingKey, Matcher: matcher, IDs: ids, Metrics: m}
	if runsDispatcher {
		// Fresh deliveries go straight to this node's dispatcher.
		icfg.Owner = cfg.NodeID
		icfg.LeaseFor = cfg.LeaseFor
		icfg.Handoff = d.Handoff
		icfg.AcceptingFor = d.AcceptingFor
		icfg.Wake = d.Wake
	}
	a.Ingest = ingest.New(icfg)

	// The application layer, shared by the API and the console: a key
	// revoked in either stops working in both at once, and every change
	// reaches the dispatcher through one notifier.
	keys, err := a.consoleKeys(ctx, opts.Clock)
	if err != nil {
		st.Close()
		return nil, err
	}
	deps := service.Deps{Store: st, Clock: opts.Clock, IDs: ids, Notify: service.NotifyFuncs{Changed: d.WebhookChanged, Due: d.Wake}, Announce: a.ops, Logger: log}
	services := service.NewSet(deps, service.SetConfig{
		Catalogs:         cats,
		Formats:          formats,
		Filters:          filters,
		Tester:           d,
		RotationOverlap:  cfg.RotationOverlap,
		Keys:             keys,
		PortalLinkTTL:    cfg.PortalLinkTTL,
		PortalSessionTTL: cfg.PortalSessionTTL,
		AutoDisableAfter: cfg.AutoDisableAfter,
		// Saving a URL deliveries may not reach warns.
		AllowPrivateTargets: cfg.AllowPrivateTargets,
	})
	a.webhooks, a.clock = services.Webhooks, opts.Clock
	uiHandler, err := a.newUI(services, keys, builtin, formats, opts.Clock)
	if err != nil {
		st.Close()
		return nil, err
	}
	apiServer := api.New(api.Config{
		Services:          services,
		Publisher:         a.Ingest,
		Logger:            log,
		MaxBodyBytes:      cfg.MaxBodyBytes,
		MaxBatchBodyBytes: cfg.MaxBatchBodyBytes,
		PublicURL:         web.NewPublicURL(cfg.PublicURL),
	})
	apiHandler := apiServer.Handler()
	if cfg.Role == config.RoleDispatcher {
		apiHandler = nil
	}
	a.handler = server.New(server.Config{
		UI:      uiHandler,
		API:     apiHandler,
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Ready:   readiness.New(readiness.Config{Store: st, Clock: opts.Clock, Node: cfg.NodeID, Logger: log}).Check,
		Logger:  log,
	})
	return a, nil
}

// Handler returns the root HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Start listens on the configured address and starts serving and
// dispatching in the background.
func (a *App) Start() error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	a.ln = ln
	a.httpSrv = &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
	a.serveErr = make(chan error, 1)
	go func() { a.serveErr <- a.httpSrv.Serve(ln) }()

	bgCtx, cancel := context.WithCancel(context.Background())
	a.cancelBG = cancel
	a.ops.Start()
	if a.cfg.Role != config.RoleAPI {
		a.Dispatcher.Start()
		a.bg.Add(1)
		go func() {
			defer a.bg.Done()
			if err := a.Store.Listen(bgCtx, a.Dispatcher.Wake); err != nil && bgCtx.Err() == nil {
				a.log.Error("listen for work notifications", "err", err)
			}
		}()
	}
	if a.cfg.DebugAddr != "" {
		if err := a.startDebug(); err != nil {
			return err
		}
	}
	a.startMaintenance(bgCtx)
	attrs := []any{"addr", ln.Addr().String(), "db", a.cfg.Redacted(), "role", a.cfg.Role, "node", a.cfg.NodeID, "allow_private_targets", a.cfg.AllowPrivateTargets}
	if a.cfg.EgressProxy != nil {
		attrs = append(attrs, "egress_proxy", a.cfg.EgressProxyRedacted())
	}
	a.log.Info("lmshooks started", attrs...)
	return nil
}

// Addr returns the address the server listens on (useful with port 0).
func (a *App) Addr() string { return a.ln.Addr().String() }

// Run starts the app and serves until ctx is canceled, then closes it.
func (a *App) Run(ctx context.Context) error {
	if err := a.Start(); err != nil {
		a.Store.Close()
		return err
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-a.serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	return errors.Join(err, a.Close())
}

// Close shuts down gracefully within the configured timeout: stop
// accepting requests, finish the ones in progress, drain attempts in flight,
// write their outcomes, release leases, close the store. Each step is
// bounded, so Close returns by the timeout whatever the database (plus
// closeGrace at worst); a step still running then is left to the process's
// exit, which the databases survive as they survive a crash.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		deadline := time.Now().Add(a.cfg.ShutdownTimeout)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		// The store closes last, in the last part of the time.
		work, cancelWork := context.WithDeadline(ctx, deadline.Add(-min(a.cfg.ShutdownTimeout/10, maxCloseReserve)))
		defer cancelWork()
		var errs []error
		if a.debugSrv != nil {
			_ = a.debugSrv.Close()
		}
		if a.httpSrv != nil {
			if err := a.httpSrv.Shutdown(work); err != nil {
				errs = append(errs, fmt.Errorf("http shutdown: %w", err))
			}
		}
		if a.cancelBG != nil {
			a.cancelBG()
			if a.cfg.Role != config.RoleAPI {
				if err := a.Dispatcher.Stop(work); err != nil {
					errs = append(errs, fmt.Errorf("dispatcher stop: %w", err))
				}
			}
		}
		if err := within(work, func() error { a.bg.Wait(); return nil }); err != nil {
			errs = append(errs, fmt.Errorf("background work: %w", err))
		}
		if a.cancelBG != nil {
			// After the dispatcher and maintenance: what they told it is
			// published before the store closes.
			if err := within(work, func() error { a.ops.Stop(); return nil }); err != nil {
				errs = append(errs, fmt.Errorf("operational events: %w", err))
			}
		}
		if err := within(ctx, a.Store.Close); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		a.closeError = errors.Join(errs...)
		a.log.Info("lmshooks stopped")
	})
	return a.closeError
}

// maxCloseReserve bounds the part of the shutdown timeout kept for closing
// the store.
const maxCloseReserve = 2 * time.Second

// closeGrace is how long a step of Close may run past its deadline before
// it is abandoned: enough for a step that was just finishing.
const closeGrace = 100 * time.Millisecond

// within runs fn and returns its error, or an error once ctx's deadline
// (and closeGrace) has passed with fn still running, which is then left
// running.
func within(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return err
	case <-time.After(closeGrace):
		return fmt.Errorf("still running at the end of the shutdown timeout, left to the process's exit: %w", ctx.Err())
	}
}

// ensureOperatorKey stores the configured operator key, or generates one
// when none exists yet; it returns the generated key ("" otherwise, and
// also when another node starting at the same moment stored its own
// first: that node prints it). A configured key that replaces another
// stored key is logged (never the key): the key printed on an earlier
// start stops working, and saying so once spares an operator a puzzling
// 401.
func ensureOperatorKey(ctx context.Context, st store.Store, ids *id.Generator, configured string, now time.Time, log *slog.Logger) (string, error) {
	key := configured
	if key == "" {
		has, err := st.HasOperatorKey(ctx)
		if err != nil {
			return "", fmt.Errorf("check operator key: %w", err)
		}
		if has {
			return "", nil
		}
		key = auth.NewKey()
	}
	k := auth.NewKeyRecord(ids, "", "operator", key, now)
	if configured != "" {
		replaced, err := st.SetOperatorKey(ctx, k)
		if err != nil {
			return "", fmt.Errorf("store operator key: %w", err)
		}
		if replaced {
			log.WarnContext(ctx, "operator key replaced: LMSHOOKS_API_KEY is now the operator key, and the one stored before (generated and printed on an earlier start, or configured then) answers 401 invalid API key")
		}
		return "", nil
	}
	created, err := st.EnsureOperatorKey(ctx, k)
	if err != nil {
		return "", fmt.Errorf("store operator key: %w", err)
	}
	if !created {
		return "", nil
	}
	return key, nil
}

// operationalPublisher publishes operational events through the App's
// ingest, which is built after the announcer that needs it.
type operationalPublisher struct{ a *App }

func (p operationalPublisher) PublishOperational(ctx context.Context, tenantID string, in ingest.Input) (store.PublishResult, error) {
	return p.a.Ingest.PublishOperational(ctx, tenantID, in)
}
