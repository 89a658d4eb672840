// Package server builds the root HTTP handler: it mounts the API, the
// health probes and the metrics endpoint, and applies the middleware that
// every request gets (panic recovery, request logging).
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Config is what the root handler mounts.
type Config struct {
	// API serves /api/v1/.
	API http.Handler
	// UI, when set, serves every other path.
	UI http.Handler
	// Metrics serves /metrics.
	Metrics http.Handler
	// Ready reports whether the node can serve (its database answers and
	// takes its commits). The error's Reason() string, if it has one, is
	// shown in /readyz's answer; the error itself only in the log.
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
}

// New returns the root handler.
func New(cfg Config) http.Handler {
	mux := http.NewServeMux()
	if cfg.API != nil {
		mux.Handle("/api/v1/", cfg.API)
	}
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if cfg.Ready != nil {
			if err := cfg.Ready(ctx); err != nil {
				cfg.Logger.Debug("not ready", "err", err)
				reason := "database unreachable"
				var r interface{ Reason() string }
				if errors.As(err, &r) {
					reason = r.Reason()
				}
				body, _ := json.Marshal(map[string]string{"status": "unavailable", "reason": reason})
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write(append(body, '\n'))
				return
			}
		}
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
	if cfg.UI != nil {
		mux.Handle("/", cfg.UI)
	}
	return recoverer(cfg.Logger, logRequests(cfg.Logger, mux))
}

// statusWriter remembers the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs each request at debug level, and failures (5xx) at
// warn. Query strings and headers are not logged: they may carry secrets.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		// Checked first: the arguments cost allocations on every
		// request, and debug is off in production.
		if !log.Enabled(r.Context(), level) {
			return
		}
		log.Log(r.Context(), level, "http request", "method", r.Method, "path", logPath(r.URL.Path),
			"status", sw.status, "duration_ms", time.Since(start).Milliseconds())
	})
}

// logPath is the path as logged. A console portal link carries its signed
// token in the path (/portal/<token>), and whoever reads the log must not
// be able to open the portal with it.
func logPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/portal/"); ok && rest != "" {
		return "/portal/[redacted]"
	}
	return p
}

// recoverer turns a panic in a handler into a 500 and a log line instead of
// a dropped connection.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in handler", "method", r.Method, "path", logPath(r.URL.Path), "panic", v)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":{"code":"internal_error","message":"internal error"}}` + "\n"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
