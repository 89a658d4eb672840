// Package id makes identifiers that sort by creation time: a short prefix
// naming the kind ("evt_", "dlv_"…), 10 characters of millisecond timestamp
// and 16 of randomness, in Crockford base32. Sorting ids sorts by age, which
// is what cursor pagination "newest first" needs without a second index.
package id

import (
	"crypto/rand"
	"sync"
	"time"
)

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// Prefixes of the kinds of ids lmshooks makes.
const (
	Tenant   = "tnt_"
	APIKey   = "key_"
	Webhook  = "wh_"
	Event    = "evt_"
	Delivery = "dlv_"
	Attempt  = "att_"
)

var (
	mu       sync.Mutex
	lastMS   int64
	lastRand [10]byte
)

// New returns a new id with the given prefix, monotonically increasing
// within this process even for ids made in the same millisecond.
func New(prefix string) string {
	return NewAt(prefix, time.Now())
}

// NewAt is New with the timestamp taken from t.
func NewAt(prefix string, t time.Time) string {
	ms := t.UnixMilli()
	mu.Lock()
	var r [10]byte
	if ms <= lastMS {
		// Same (or earlier) millisecond: increment the last randomness so
		// ids stay strictly ordered.
		ms = lastMS
		r = lastRand
		for i := len(r) - 1; i >= 0; i-- {
			r[i]++
			if r[i] != 0 {
				break
			}
		}
	} else {
		_, _ = rand.Read(r[:])
	}
	lastMS, lastRand = ms, r
	mu.Unlock()

	b := make([]byte, 0, len(prefix)+26)
	b = append(b, prefix...)
	for i := 9; i >= 0; i-- {
		b = append(b, alphabet[(ms>>(5*uint(i)))&31])
	}
	// 80 bits of randomness → 16 base32 characters.
	var acc uint64
	bits := 0
	for _, c := range r {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			b = append(b, alphabet[(acc>>uint(bits))&31])
		}
	}
	return string(b)
}
