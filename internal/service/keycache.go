package service

import (
	"sync"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// keyCacheSize bounds the key cache: far more keys than a deployment uses
// at once, small enough that memory stays negligible.
const keyCacheSize = 10000

// keyCache remembers successful API key lookups for a short time, so that
// publishing thousands of events per second does not query the database
// for every request. The price is that a deleted key keeps working for up
// to the TTL on nodes that cached it (this node drops a deleted tenant's
// keys at once). Failed lookups are not cached: a key created a moment ago
// must work at once.
type keyCache struct {
	clock clock.Clock
	ttl   time.Duration
	max   int

	mu      sync.Mutex
	entries map[string]keyEntry // by key hash
}

type keyEntry struct {
	key     *domain.APIKey
	expires time.Time
}

func newKeyCache(c clock.Clock, ttl time.Duration, max int) *keyCache {
	return &keyCache{clock: c, ttl: ttl, max: max, entries: map[string]keyEntry{}}
}

// get returns the cached key of hash, or nil.
func (c *keyCache) get(hash string) *domain.APIKey {
	if c.ttl <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok {
		return nil
	}
	if !c.clock.Now().Before(e.expires) {
		delete(c.entries, hash)
		return nil
	}
	return e.key
}

// put caches k under hash. When full it first drops expired entries and,
// if that is not enough, everything: a cache miss only costs one query.
func (c *keyCache) put(hash string, k *domain.APIKey) {
	if c.ttl <= 0 {
		return
	}
	now := c.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for h, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, h)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[hash] = keyEntry{key: k, expires: now.Add(c.ttl)}
}

// dropTenant forgets every cached key of tenantID.
func (c *keyCache) dropTenant(tenantID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.key.TenantID == tenantID {
			delete(c.entries, h)
		}
	}
}

// dropID forgets the cached key whose id is keyID, if any.
func (c *keyCache) dropID(keyID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.key.ID == keyID {
			delete(c.entries, h)
		}
	}
}
