package store

import (
	"sync"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// maxRenderConfigs bounds a RenderConfigs cache: past it the cache starts
// over, which costs a few redundant inserts and reads, never a wrong answer.
const maxRenderConfigs = 10000

// RenderConfigs caches the render configs (see domain.BodyRef) a store
// knows to be stored, by key. Configs never change once stored, so the
// cache spares both the insert of a config already written and the read of
// one already seen. Safe for concurrent use.
type RenderConfigs struct {
	mu sync.Mutex
	m  map[string]domain.RenderConfig
}

// Get returns the config stored under key, if cached.
func (c *RenderConfigs) Get(key []byte) (domain.RenderConfig, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[string(key)]
	return v, ok
}

// Put notes that cfg is stored; call it only once the write committed.
func (c *RenderConfigs) Put(cfg domain.RenderConfig) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxRenderConfigs {
		c.m = make(map[string]domain.RenderConfig)
	}
	c.m[string(cfg.Key())] = cfg
}

// Missing returns the distinct configs referenced by records that the
// cache does not hold: those the store must insert (if absent).
func (c *RenderConfigs) Missing(records []AttemptRecord) []domain.RenderConfig {
	var out []domain.RenderConfig
	var seen map[string]bool
	for i := range records {
		ref := records[i].Attempt.RequestBodyRef
		if ref == nil {
			continue
		}
		k := string(ref.Config.Key())
		if _, ok := c.Get([]byte(k)); ok || seen[k] {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[k] = true
		out = append(out, ref.Config)
	}
	return out
}
