package dispatch

import (
	"testing"
	"time"
)

// TestAcceptingForCountsBytes checks the one rule of what memory holds,
// as ingest's handoff asks it: in bytes of the budget, and per webhook an
// eighth of it.
func TestAcceptingForCountsBytes(t *testing.T) {
	d := New(Config{Owner: "n1", MemoryBudget: 64 << 20})
	// As if it had joined the cluster and heartbeats: membership is
	// cluster.go's concern, not this rule's.
	d.mu.Lock()
	d.memberUntil = d.cfg.Clock.Now().Add(time.Hour)
	d.mu.Unlock()
	share := d.queueShare() // 8 MiB
	for _, tc := range []struct {
		name string
		n    int
		data int64
		want bool
	}{
		{"small events", 100, 100 << 10, true},
		{"within the webhook's share", 1, share/2 - jobOverhead, true},
		{"past the webhook's share", 1, share / 2, false},
		{"a batch past the share by its size", 1000, 16 << 20, false},
	} {
		if got := d.AcceptingFor("wh_1", tc.n, tc.data); got != tc.want {
			t.Errorf("%s: AcceptingFor(%d deliveries, %d bytes) = %v, want %v", tc.name, tc.n, tc.data, got, tc.want)
		}
	}

	// Memory held for other webhooks counts against the budget.
	d.mu.Lock()
	d.heldBytes = 64<<20 - jobOverhead
	d.mu.Unlock()
	if d.AcceptingFor("wh_1", 1, 1) {
		t.Error("AcceptingFor with the budget full = true")
	}
	if d.AcceptingFor("wh_1", 0, 0) != true {
		t.Error("AcceptingFor of nothing with room for it = false")
	}

	// A claim takes as many of the largest events as fit, and one when
	// nothing is held whatever the budget.
	d.mu.Lock()
	d.heldBytes = 0
	got := d.claimRoomLocked()
	d.mu.Unlock()
	if want := int((64 << 20) / d.worstCost()); got != want {
		t.Errorf("claim room = %d, want %d", got, want)
	}
	small := New(Config{Owner: "n1", MemoryBudget: 1 << 10})
	small.mu.Lock()
	got = small.claimRoomLocked()
	small.mu.Unlock()
	if got != 1 {
		t.Errorf("claim room with a budget below one event = %d, want 1", got)
	}
}
