package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/store"
)

// recordFailing moves the webhooks' failing streaks after RecordAttempts
// wrote their attempts, in one statement that changes a row only when a
// streak starts, restarts or ends (the common case writes nothing). It runs
// after the attempts are written: if it fails, RecordAttempts fails and is
// retried, and writing the same attempts again is a no-op.
func (s *Store) recordFailing(ctx context.Context, changes []store.FailingChange) error {
	ids := make([]string, len(changes))
	since := make([]*time.Time, len(changes))
	restart := make([]bool, len(changes))
	for i, c := range changes {
		ids[i], since[i], restart[i] = c.WebhookID, nullTime(c.Since), c.Restart
	}
	_, err := s.pool.Exec(ctx, `UPDATE webhooks w SET failing_since = c.since
		FROM unnest($1::text[], $2::timestamptz[], $3::bool[]) AS c(id, since, restart)
		WHERE w.id = c.id AND CASE
			WHEN c.since IS NULL THEN w.failing_since IS NOT NULL
			WHEN c.restart THEN w.failing_since IS DISTINCT FROM c.since
			ELSE w.failing_since IS NULL END`, ids, since, restart)
	return mapErr("record failing webhooks", err)
}

// FailingWebhooks returns the enabled webhooks in a failing streak, oldest
// first, with their tenant's auto-disable period.
func (s *Store) FailingWebhooks(ctx context.Context) ([]store.FailingWebhook, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT w.id, w.tenant_id, w.failing_since, coalesce(t.auto_disable_after_hours, 0)
		FROM webhooks w JOIN tenants t ON t.id = w.tenant_id
		WHERE w.failing_since IS NOT NULL AND w.enabled ORDER BY w.failing_since, w.id`)
	if err != nil {
		return nil, mapErr("failing webhooks", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.FailingWebhook, error) {
		var f store.FailingWebhook
		err := r.Scan(&f.WebhookID, &f.TenantID, &f.FailingSince, &f.TenantAutoDisableAfterHours)
		f.FailingSince = f.FailingSince.UTC()
		return f, err
	})
	return out, mapErr("failing webhooks", err)
}
