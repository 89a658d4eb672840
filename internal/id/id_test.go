package id

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
)

func TestNewIsOrderedAndUnique(t *testing.T) {
	g := NewGenerator(nil)
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 10000; i++ {
		v := g.New(Event)
		if !strings.HasPrefix(v, Event) || len(v) != len(Event)+26 {
			t.Fatalf("bad id %q", v)
		}
		if seen[v] {
			t.Fatalf("duplicate id %q", v)
		}
		seen[v] = true
		if v <= prev {
			t.Fatalf("id %q not after %q", v, prev)
		}
		prev = v
	}
}

func TestNewAtSortsByTime(t *testing.T) {
	g := NewGenerator(nil)
	a := g.NewAt(Delivery, time.Unix(1000, 0))
	b := NewGenerator(nil).NewAt(Delivery, time.Unix(2000, 0))
	if !(a < b) {
		t.Fatalf("%q should sort before %q", a, b)
	}
}

func TestGeneratorTakesTheClocksTime(t *testing.T) {
	fake := clock.NewFake(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC))
	g := NewGenerator(fake)
	a := g.New(Event)
	fake.Advance(-time.Hour) // a clock stepping back never reorders ids
	b := g.New(Event)
	if !(a < b) {
		t.Fatalf("%q should sort before %q", a, b)
	}
	fake.Advance(2 * time.Hour)
	c := g.New(Event)
	// The timestamp part moves with the fake clock: 2020 is far below
	// today, so an id from today's wall clock sorts after.
	if now := NewGenerator(nil).New(Event); !(c < now) {
		t.Fatalf("fake-clock id %q should sort before wall-clock id %q", c, now)
	}
	if c[:len(Event)+10] == a[:len(Event)+10] {
		t.Fatalf("timestamp did not move with the clock: %q, %q", a, c)
	}
}

func TestSpellIsWhatNewAtMakesWithThatRandomness(t *testing.T) {
	at := time.UnixMilli(1796302877611)
	g := NewGenerator(nil)
	made := g.NewAt(Attempt, at)
	// The generator keeps the randomness it drew: the next id of the same
	// millisecond is that plus one, which Spell must spell the same way.
	r := g.lastRand
	r[9]++
	if r[9] == 0 {
		t.Skip("the drawn randomness ended in 0xff: carry, not worth spelling out")
	}
	if got, want := Spell(Attempt, at, r), g.NewAt(Attempt, at); got != want {
		t.Fatalf("Spell = %q, NewAt = %q (first %q)", got, want, made)
	}
	if a, b := Spell(Event, at, [10]byte{}), Spell(Event, at.Add(time.Millisecond), [10]byte{}); !(a < b) || !strings.HasSuffix(a, "0000000000000000") {
		t.Fatalf("Spell at t = %q, at t+1ms = %q", a, b)
	}
}
