package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// OpenStore opens the store the configuration names, applying pending
// migrations, with its secrets sealed at rest (see encryptionKeys). It is
// the only place that knows the store implementations.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Store, error) {
	kind, dsn, err := cfg.Store()
	if err != nil {
		return nil, err
	}
	keys, err := encryptionKeys(cfg, kind, dsn, log)
	if err != nil {
		return nil, err
	}
	var st store.Store
	switch kind {
	case "postgres":
		if st, err = postgres.Open(ctx, dsn, postgres.Options{Logger: log}); err != nil {
			return nil, fmt.Errorf("open postgres %s: %w", cfg.Redacted(), err)
		}
	default:
		if st, err = sqlite.Open(ctx, dsn, sqlite.Options{Logger: log}); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
	}
	sealed, err := sealStore(ctx, st, keys, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	return sealed, nil
}

// partitionsAhead is how many days ahead of today a starting node makes
// sure partitions exist, so that a new cluster never writes into the
// default partitions before its maintenance leader runs (which keeps a
// week ahead).
const partitionsAhead = 2

// ensurePartitionsAhead makes today's partitions and the next days'. Not
// fatal: the default partitions take rows meanwhile, and the maintenance
// leader tries again. SQLite has none to make.
func ensurePartitionsAhead(ctx context.Context, st store.Store, now time.Time, log *slog.Logger) {
	if err := st.EnsurePartitions(ctx, now, now.AddDate(0, 0, partitionsAhead)); err != nil {
		log.Warn("could not create partitions ahead", "err", err)
	}
}
