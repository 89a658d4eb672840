package id

import (
	"strings"
	"testing"
	"time"
)

func TestNewIsOrderedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 10000; i++ {
		v := New(Event)
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
	a := NewAt(Delivery, time.Unix(1000, 0))
	b := NewAt(Delivery, time.Unix(2000, 0))
	if !(a < b) {
		t.Fatalf("%q should sort before %q", a, b)
	}
}
