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
	// loading holds the reads in progress: the workers of a webhook that
	// miss at once (a fan-out starts up to its concurrency on each of
	// 1,000 webhooks) wait for one read instead of each making its own.
	loading map[string]*cacheLoad
}

type cacheEntry struct {
	w  *domain.Webhook
	at time.Time
}

// cacheLoad is one read of a webhook, shared by the callers that missed
// while it ran; done is closed once w and err are set.
type cacheLoad struct {
	done chan struct{}
	w    *domain.Webhook
	err  error
	// joined counts the callers waiting for it (guarded by the cache's mu).
	joined int
}

func newWebhookCache(st store.Store, c clock.Clock, ttl time.Duration) *webhookCache {
	return &webhookCache{store: st, clock: c, ttl: ttl, entries: map[string]cacheEntry{}, loading: map[string]*cacheLoad{}}
}

// get returns the webhook, from the cache when fresh. The result must not
// be modified.
func (c *webhookCache) get(ctx context.Context, id string) (*domain.Webhook, error) {
	now := c.clock.Now()
	c.mu.Lock()
	if e, ok := c.entries[id]; ok && now.Sub(e.at) < c.ttl {
		c.mu.Unlock()
		return e.w, nil
	}
	if l := c.loading[id]; l != nil {
		l.joined++
		c.mu.Unlock()
		select {
		case <-l.done:
			return l.w, l.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l := &cacheLoad{done: make(chan struct{})}
	c.loading[id] = l
	c.mu.Unlock()

	l.w, l.err = c.store.WebhookByID(ctx, id)
	c.mu.Lock()
	// Kept only if not invalidated meanwhile: the read may predate the
	// change.
	if c.loading[id] == l {
		delete(c.loading, id)
		if l.err == nil {
			c.entries[id] = cacheEntry{w: l.w, at: now}
		}
	}
	c.mu.Unlock()
	close(l.done)
	return l.w, l.err
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
	delete(c.loading, id)
	c.mu.Unlock()
}
