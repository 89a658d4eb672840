package app

import (
	"context"

	"github.com/lmshooks/lmshooks/internal/pipeline/maintenance"
)

// startMaintenance starts the work that runs once per cluster — partitions,
// retention, roll-ups, auto-disable: PostgreSQL does all three and elects one leader
// among the nodes; SQLite, which one process owns, always leads and has
// only retention to apply. Every node takes part, whatever its role, so
// the cluster keeps a leader as long as one node lives. It returns at
// once; the work stops when ctx is canceled, and Close waits for it.
func (a *App) startMaintenance(ctx context.Context) {
	r := maintenance.New(maintenance.Config{
		Store:         a.Store,
		RetentionDays: a.cfg.RetentionDays,
		AutoDisable:   a.webhooks,
		Clock:         a.clock,
		Logger:        a.log,
	})
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		r.Run(ctx)
	}()
}
