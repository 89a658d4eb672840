package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// OpenStore opens the store the configuration names, applying pending
// migrations. It is the only place that knows the store implementations.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Store, error) {
	kind, dsn, err := cfg.Store()
	if err != nil {
		return nil, err
	}
	switch kind {
	case "postgres":
		st, err := postgres.Open(ctx, dsn, postgres.Options{Logger: log})
		if err != nil {
			return nil, fmt.Errorf("open postgres %s: %w", cfg.Redacted(), err)
		}
		return st, nil
	default:
		st, err := sqlite.Open(ctx, dsn, sqlite.Options{Logger: log})
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		return st, nil
	}
}
