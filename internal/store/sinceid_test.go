package store

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/id"
)

func TestSinceIDBoundsTheIdsMadeSince(t *testing.T) {
	since := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	f := DeliveryFilter{Since: since}
	bound := f.SinceID()
	// An id stamped a little before Since (its clock read before
	// created_at's, or stepped back) still passes the bound; one made long
	// before does not.
	for _, at := range []time.Duration{0, -time.Millisecond, -59 * time.Minute, time.Hour} {
		got := id.NewGenerator(clock.NewFake(since.Add(at))).New(id.Delivery)
		if got < bound {
			t.Errorf("id made at Since%+v = %s sorts before the bound %s", at, got, bound)
		}
	}
	if old := id.NewGenerator(clock.NewFake(since.Add(-2 * time.Hour))).New(id.Delivery); old >= bound {
		t.Errorf("id made two hours before Since = %s passes the bound %s", old, bound)
	}
	if (&DeliveryFilter{}).SinceID() != "" {
		t.Error("SinceID without Since is not empty")
	}
}
