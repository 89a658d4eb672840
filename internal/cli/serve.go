package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"

	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
)

func serve(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	tuneGC(getenv, cfg.MemoryBudget)
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	if a.GeneratedKey != "" {
		// Printed once, to stdout and not to the log: only its hash is kept.
		fmt.Fprintf(stdout, "\nGenerated the operator API key (shown only now; only its hash is stored):\n\n    %s\n\nUse it as \"Authorization: Bearer <key>\". Set LMSHOOKS_API_KEY to choose your own.\n\n", a.GeneratedKey)
	}
	switch {
	case a.GeneratedPassword != "":
		// Printed once, like the key; it is kept (hashed) across restarts.
		fmt.Fprintf(stdout, "Console: http://%s/ — sign in with the generated password (shown only now; only its hash is stored, and it is kept across restarts):\n\n    %s\n\nSet LMSHOOKS_ADMIN_PASSWORD to choose your own.\n\n", cfg.Addr, a.GeneratedPassword)
	case a.StoredPassword:
		fmt.Fprintf(stdout, "Console: http://%s/ — sign in with the password generated and printed on first start (or by reset-console-password). Lost it? Run \"lmshooks reset-console-password\" with the same --db (on SQLite, stop this server first), then start the server(s) again.\n", cfg.Addr)
	}
	return a.Run(ctx)
}

func migrate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	cfg, err := config.LoadFor("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	st, err := app.OpenStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied to %s\n", cfg.Redacted())
	return st.Close()
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	level, _ := cfg.Level()
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serverGCPercent is the garbage collector's target when GOGC is not set.
// The server's live heap is small (tens of MB: at most 20,000 deliveries
// held) while it allocates fast under load, so Go's default of 100 spends
// about a tenth of the CPU on collection; 200 halves that for a few tens of
// MB more (docs/PERFORMANCE.md).
const serverGCPercent = 200

// memoryLimitBase is the Go memory allowed beyond twice the memory
// budget: the catalog's schemas, caches, publishes in flight and HTTP
// buffers.
const memoryLimitBase = 64 << 20

// tuneGC applies serverGCPercent unless the operator set GOGC, and a soft
// memory limit of twice the memory budget (the held work, and as much
// again made around it: rendered bodies, records) and memoryLimitBase,
// unless the operator set GOMEMLIMIT. With GOGC at 200 alone, a burst's
// garbage grows to three times the live heap: a fan-out to 1,000 webhooks
// held over 1 GB. The limit is soft: past it the collector runs more
// often (at most half the CPU), it never fails an allocation.
func tuneGC(getenv env, memoryBudget int64) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(2*memoryBudget + memoryLimitBase)
	}
}
