package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// maxCachedTenants bounds the webhook cache.
const maxCachedTenants = 10000

// hookCache keeps each tenant's enabled webhooks for EnabledWebhooks, so
// that a publish reads none from the database. Only this process writes
// the database, and every write that changes a tenant or a webhook calls
// wtx.invalidate, so the cache is exact once that write has returned.
//
// A miss is filled from the read pool, outside the writer, and may race a
// write: the reader could load the state from before a commit and store it
// after the invalidation that followed the commit, keeping it forever.
// gen prevents that: a write invalidates both when it runs and after its
// batch ends, each time bumping gen, and a load is kept only if gen has
// not moved since it began (it then began after the last commit that
// changed anything, and saw it).
type hookCache struct {
	mu      sync.Mutex
	gen     uint64
	tenants map[string][]domain.Webhook
}

func newHookCache() *hookCache { return &hookCache{tenants: map[string][]domain.Webhook{}} }

// invalidate drops every entry and fails the loads in progress.
func (c *hookCache) invalidate() {
	c.mu.Lock()
	c.gen++
	clear(c.tenants)
	c.mu.Unlock()
}

// EnabledWebhooks returns a tenant's enabled webhooks, by id, from the
// cache or the read pool. ENOTFOUND if the tenant is absent.
func (s *Store) EnabledWebhooks(ctx context.Context, tenantID string) ([]domain.Webhook, error) {
	c := s.wtx.hooks
	c.mu.Lock()
	hooks, ok := c.tenants[tenantID]
	gen := c.gen
	c.mu.Unlock()
	if ok {
		// Shared, not copied: every publish reads it, and callers only
		// read (see store.Store.EnabledWebhooks).
		return hooks, nil
	}
	hooks, err := s.loadEnabledWebhooks(ctx, tenantID)
	if err != nil {
		return nil, mapErr("enabled webhooks", err)
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(c.tenants) >= maxCachedTenants {
			clear(c.tenants)
		}
		c.tenants[tenantID] = hooks
	}
	c.mu.Unlock()
	return hooks, nil
}

// loadEnabledWebhooks reads a tenant's enabled webhooks in one read
// transaction, so that the tenant's existence and its webhooks are of the
// same moment.
func (s *Store) loadEnabledWebhooks(ctx context.Context, tenantID string) ([]domain.Webhook, error) {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM tenants WHERE id = ?`, tenantID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("tenant", tenantID)
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+webhookSelect+` FROM webhooks WHERE tenant_id = ? AND enabled = 1 ORDER BY id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hooks := []domain.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		hooks = append(hooks, w)
	}
	return hooks, rows.Err()
}
