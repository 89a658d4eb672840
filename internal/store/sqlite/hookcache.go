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
//
// Publishes that miss at once (32 publishers, the first publishes after
// a change) share one load begun in the same generation, instead of each
// reading every webhook of the tenant.
type hookCache struct {
	mu      sync.Mutex
	gen     uint64
	tenants map[string][]domain.Webhook
	loading map[string]*hookLoad
}

// hookLoad is one load of a tenant's webhooks begun in generation gen;
// done is closed once hooks and err are set.
type hookLoad struct {
	gen   uint64
	done  chan struct{}
	hooks []domain.Webhook
	err   error
}

func newHookCache() *hookCache {
	return &hookCache{tenants: map[string][]domain.Webhook{}, loading: map[string]*hookLoad{}}
}

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
	for {
		hooks, shared, err := s.enabledWebhooks(ctx, tenantID)
		// A shared load that failed on its first caller's context is
		// not this caller's failure: it loads again.
		if !shared || err == nil || ctx.Err() != nil || !isCanceled(err) {
			return hooks, err
		}
	}
}

// isCanceled reports whether err is a context's end.
func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// enabledWebhooks is EnabledWebhooks once; shared says the result is
// another caller's load.
func (s *Store) enabledWebhooks(ctx context.Context, tenantID string) ([]domain.Webhook, bool, error) {
	c := s.wtx.hooks
	c.mu.Lock()
	if hooks, ok := c.tenants[tenantID]; ok {
		c.mu.Unlock()
		// Shared, not copied: every publish reads it, and callers only
		// read (see store.Store.EnabledWebhooks).
		return hooks, false, nil
	}
	if l := c.loading[tenantID]; l != nil && l.gen == c.gen {
		// Begun after the last change this caller may have seen.
		c.mu.Unlock()
		select {
		case <-l.done:
			return l.hooks, true, l.err
		case <-ctx.Done():
			return nil, false, mapErr("enabled webhooks", ctx.Err())
		}
	}
	l := &hookLoad{gen: c.gen, done: make(chan struct{})}
	c.loading[tenantID] = l
	c.mu.Unlock()

	l.hooks, l.err = s.loadEnabledWebhooks(ctx, tenantID)
	if l.err != nil {
		l.err = mapErr("enabled webhooks", l.err)
	}
	c.mu.Lock()
	if c.loading[tenantID] == l {
		delete(c.loading, tenantID)
	}
	if l.err == nil && c.gen == l.gen {
		if len(c.tenants) >= maxCachedTenants {
			clear(c.tenants)
		}
		c.tenants[tenantID] = l.hooks
	}
	c.mu.Unlock()
	close(l.done)
	return l.hooks, false, l.err
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
