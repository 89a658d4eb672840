package filter

import (
	"container/list"
	"sync"
)

// lru is a least-recently-used cache of compiled programs keyed by their
// expression text. Filters are few (one per webhook) and fan-out looks one
// up per event and webhook, so a map behind a mutex is plenty.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List               // front: most recently used; values are *lruEntry
	items map[string]*list.Element // expression → element of order
}

type lruEntry struct {
	expr string
	prog *Program
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: make(map[string]*list.Element)}
}

// get returns the program of expr, nil if absent.
func (c *lru) get(expr string) *Program {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[expr]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry).prog
}

// put stores the program of expr, dropping the least recently used one
// when full.
func (c *lru) put(expr string, p *Program) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[expr]; ok {
		c.order.MoveToFront(el)
		return
	}
	c.items[expr] = c.order.PushFront(&lruEntry{expr: expr, prog: p})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry).expr)
	}
}

// len returns the number of cached programs.
func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
