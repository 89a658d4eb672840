package dispatch

import (
	"context"
	"sync"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// webhookCache keeps webhook settings for a short time so that sending does
// not read the database for every delivery.
type webhookCache struct {
	store store.Store
	clock clock.Clock
	ttl   time.Duration

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	w  *domain.Webhook
	at time.Time
}

func newWebhookCache(st store.Store, c clock.Clock, ttl time.Duration) *webhookCache {
	return &webhookCache{store: st, clock: c, ttl: ttl, entries: map[string]cacheEntry{}}
}

// get returns the webhook, from the cache when fresh. The result must not
// be modified.
func (c *webhookCache) get(ctx context.Context, id string) (*domain.Webhook, error) {
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.w, nil
	}
	w, err := c.store.WebhookByID(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.entries[id] = cacheEntry{w: w, at: now}
	c.mu.Unlock()
	return w, nil
}

// peek returns a cached webhook without reading the store.
func (c *webhookCache) peek(id string) *domain.Webhook {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[id].w
}

func (c *webhookCache) invalidate(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}
