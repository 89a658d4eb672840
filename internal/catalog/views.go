package catalog

// Views gives each tenant's view of the event catalog: the builtin types
// plus the types the tenant registered itself, kept in memory for a short
// time so that validating every published event does not read the
// database.

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// Defaults for ViewsConfig fields left zero.
const (
	// DefaultViewTTL is how long a tenant's view is reused: how long a type
	// registered or deleted through another node takes to be seen here.
	DefaultViewTTL = 10 * time.Second
	// DefaultViewRecheck is how soon after a load an unknown event type makes
	// the view reload, so a type just registered on another node is
	// accepted at once without letting bad events reload on every call.
	DefaultViewRecheck = time.Second
	// DefaultMaxViews bounds how many tenants' views are kept.
	DefaultMaxViews = 10000
)

// TypeStore is where tenants' own event types are stored; store.Store
// satisfies it.
type TypeStore interface {
	// ListEventTypes returns a tenant's own event types.
	ListEventTypes(ctx context.Context, tenantID string) ([]domain.CustomEventType, error)
}

// ViewsConfig wires Views.
type ViewsConfig struct {
	Store   TypeStore
	Builtin *Catalog
	Clock   clock.Clock
	Logger  *slog.Logger
	// TTL, Recheck and MaxTenants default to the constants above.
	TTL        time.Duration
	Recheck    time.Duration
	MaxTenants int
}

// Views caches tenants' catalog views. Safe for concurrent use.
type Views struct {
	cfg ViewsConfig

	mu    sync.Mutex
	views map[string]view
}

// view is one tenant's catalog and when it was read from the store.
type view struct {
	cat      *Catalog
	loadedAt time.Time
}

// NewViews returns Views.
func NewViews(cfg ViewsConfig) *Views {
	cfg.TTL = cmp.Or(cfg.TTL, DefaultViewTTL)
	cfg.Recheck = cmp.Or(cfg.Recheck, DefaultViewRecheck)
	cfg.MaxTenants = cmp.Or(cfg.MaxTenants, DefaultMaxViews)
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Views{cfg: cfg, views: map[string]view{}}
}

// Builtin returns the catalog every tenant shares.
func (c *Views) Builtin() *Catalog { return c.cfg.Builtin }

// Tenant returns the catalog as tenantID sees it: the builtin types and
// its own.
func (c *Views) Tenant(ctx context.Context, tenantID string) (*Catalog, error) {
	return c.view(ctx, tenantID, c.cfg.TTL)
}

// Invalidate drops tenantID's view, after its types changed.
func (c *Views) Invalidate(tenantID string) {
	c.mu.Lock()
	delete(c.views, tenantID)
	c.mu.Unlock()
}

// Validate checks an event's type and data against the tenant's catalog
// (it fits ingest.Validator): an unknown type is an EINVALID error on
// "type" with the closest known types; data that breaks the schema an
// EINVALID error on "data/<JSON pointer>" naming the broken rule.
func (c *Views) Validate(ctx context.Context, tenantID, eventType string, data json.RawMessage) error {
	cat, err := c.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	// Not Lookup: it copies the type's schema and example, on every
	// publish.
	if _, ok := cat.types[eventType]; !ok {
		// Perhaps registered through another node since the view was
		// read: look again, at most once per Recheck.
		if cat, err = c.view(ctx, tenantID, c.cfg.Recheck); err != nil {
			return err
		}
	}
	return cat.Validate(eventType, data)
}

// view returns tenantID's view, read again when older than maxAge.
func (c *Views) view(ctx context.Context, tenantID string, maxAge time.Duration) (*Catalog, error) {
	now := c.cfg.Clock.Now()
	c.mu.Lock()
	v, ok := c.views[tenantID]
	c.mu.Unlock()
	if ok && now.Sub(v.loadedAt) < maxAge {
		return v.cat, nil
	}
	return c.load(ctx, tenantID, now)
}

// load reads tenantID's types and builds its view.
func (c *Views) load(ctx context.Context, tenantID string, now time.Time) (*Catalog, error) {
	custom, err := c.cfg.Store.ListEventTypes(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("load event types of tenant %s: %w", tenantID, err)
	}
	cat := c.cfg.Builtin
	if len(custom) > 0 {
		cat = c.withCustom(tenantID, custom)
	}
	c.mu.Lock()
	if len(c.views) >= c.cfg.MaxTenants {
		for k, v := range c.views {
			if now.Sub(v.loadedAt) >= c.cfg.TTL {
				delete(c.views, k)
			}
		}
		if len(c.views) >= c.cfg.MaxTenants {
			clear(c.views)
		}
	}
	c.views[tenantID] = view{cat: cat, loadedAt: now}
	c.mu.Unlock()
	return cat, nil
}

// withCustom builds the tenant's view. Stored types were valid when saved;
// one that no longer is (a later release added a builtin type of the same
// name, say) is left out and logged rather than breaking the tenant's
// every publish.
func (c *Views) withCustom(tenantID string, custom []domain.CustomEventType) *Catalog {
	types := make([]EventType, len(custom))
	for i, ct := range custom {
		types[i] = FromCustom(&ct)
	}
	cat, err := c.cfg.Builtin.WithCustom(types)
	if err == nil {
		return cat
	}
	var kept []EventType
	for _, t := range types {
		if _, err := c.cfg.Builtin.WithCustom([]EventType{t}); err != nil {
			c.cfg.Logger.Warn("ignoring a stored custom event type", "tenant_id", tenantID, "type", t.Type, "err", err)
			continue
		}
		kept = append(kept, t)
	}
	if cat, err = c.cfg.Builtin.WithCustom(kept); err != nil {
		c.cfg.Logger.Warn("ignoring the stored custom event types", "tenant_id", tenantID, "err", err)
		return c.cfg.Builtin
	}
	return cat
}

// FromCustom converts a stored custom type to a catalog entry.
func FromCustom(ct *domain.CustomEventType) EventType {
	return EventType{
		Type:        ct.Type,
		Title:       ct.Title,
		Description: ct.Description,
		Schema:      ct.Schema,
		Example:     ct.Example,
		OrderingKey: ct.OrderingKey,
		Custom:      true,
	}
}
