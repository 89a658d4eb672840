// Package id makes identifiers that sort by creation time: a short prefix
// naming the kind ("evt_", "dlv_"…), 10 characters of millisecond timestamp
// and 16 of randomness, in Crockford base32. Sorting ids sorts by age, which
// is what cursor pagination "newest first" needs without a second index.
//
// Ids come only from a Generator, made with NewGenerator: the package keeps
// no state of its own. A process builds one in internal/app and passes it
// to whatever makes ids, so that its ids are strictly ordered; a Generator
// takes its time from an injected clock, so ids made under a fake clock
// sort by the fake time.
package id

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
)

// Alphabet is the Crockford base32 alphabet ids are spelled in; code that
// spells ids elsewhere (in SQL, to seed a benchmark) reads it here.
const Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// Prefixes of the kinds of ids lmshooks makes.
const (
	Tenant   = "tnt_"
	APIKey   = "key_"
	Webhook  = "wh_"
	Event    = "evt_"
	Delivery = "dlv_"
	Attempt  = "att_"
)

// Generator makes ids that increase strictly within it, even for ids made
// in the same millisecond. One process should share one Generator. The zero
// value is not usable: call NewGenerator.
type Generator struct {
	clock clock.Clock

	mu       sync.Mutex
	lastMS   int64
	lastRand [10]byte
}

// NewGenerator returns a Generator that stamps ids with c's time (the wall
// clock when c is nil).
func NewGenerator(c clock.Clock) *Generator {
	if c == nil {
		c = clock.Real{}
	}
	return &Generator{clock: c}
}

// New returns a new id with the given prefix, stamped with the clock's now.
func (g *Generator) New(prefix string) string {
	return g.NewAt(prefix, g.clock.Now())
}

// NewAt is New with the timestamp taken from t.
func (g *Generator) NewAt(prefix string, t time.Time) string {
	ms := t.UnixMilli()
	g.mu.Lock()
	var r [10]byte
	if ms <= g.lastMS {
		// Same (or earlier) millisecond: increment the last randomness so
		// ids stay strictly ordered.
		ms = g.lastMS
		r = g.lastRand
		for i := len(r) - 1; i >= 0; i-- {
			r[i]++
			if r[i] != 0 {
				break
			}
		}
	} else {
		_, _ = rand.Read(r[:])
	}
	g.lastMS, g.lastRand = ms, r
	g.mu.Unlock()
	return format(prefix, ms, r)
}

// Spell returns the id with prefix made at t whose randomness is r: what
// New would have made at t had it drawn r. It is for tools that must spell
// one id several times (the benchmark's seeder makes millions of rows that
// refer to each other); lmshooks itself makes ids only with a Generator.
func Spell(prefix string, t time.Time, r [10]byte) string {
	return format(prefix, t.UnixMilli(), r)
}

// format spells an id: prefix, 10 characters of milliseconds, 16 of r.
func format(prefix string, ms int64, r [10]byte) string {
	b := make([]byte, 0, len(prefix)+26)
	b = append(b, prefix...)
	for i := 9; i >= 0; i-- {
		b = append(b, Alphabet[(ms>>(5*uint(i)))&31])
	}
	// 80 bits of randomness → 16 base32 characters.
	var acc uint64
	bits := 0
	for _, c := range r {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			b = append(b, Alphabet[(acc>>uint(bits))&31])
		}
	}
	return string(b)
}
