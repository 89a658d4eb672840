package dispatch

import (
	"fmt"
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
		got := d.AcceptingFor("wh_1", tc.n, tc.data)
		if got != tc.want {
			t.Errorf("%s: AcceptingFor(%d deliveries, %d bytes) = %v, want %v", tc.name, tc.n, tc.data, got, tc.want)
		}
		if got {
			d.Release("wh_1", tc.n, tc.data)
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

// Publishes ask for room before they commit and hand their jobs over
// after: room one of them was given must not be given to the others
// meanwhile, or 32 publishes fanning out to 1,000 webhooks at once would
// each fill the budget (issue 10's fan-out held 1 GB). Released room is
// given again.
func TestAcceptingForReservesUntilReleased(t *testing.T) {
	d := New(Config{Owner: "n1", MemoryBudget: 64 << 20, QueueCap: 1000})
	d.mu.Lock()
	d.memberUntil = d.cfg.Clock.Now().Add(time.Hour)
	d.mu.Unlock()

	// One webhook: at most its queue's count and share of the budget,
	// whatever the number of publishes asking.
	perWebhook := min(1000, int(d.queueShare()/cost(1, 100)))
	taken := 0
	for range 2000 {
		if d.AcceptingFor("wh_1", 1, 100) {
			taken++
		}
	}
	if taken != perWebhook {
		t.Errorf("one webhook was given room for %d deliveries by 2,000 publishes, want its queue's %d", taken, perWebhook)
	}

	// Many webhooks: at most the budget in all.
	given := 0
	for i := range 20000 {
		if d.AcceptingFor(fmt.Sprintf("wh_many_%d", i), 1, 100) {
			given++
		}
	}
	if total := d.HeldBytes(); total > 64<<20 {
		t.Errorf("reservations add up to %d bytes, past the budget of %d", total, 64<<20)
	}
	if want := int((64<<20)/cost(1, 100)) - perWebhook; given != want {
		t.Errorf("20,000 webhooks were given room for %d deliveries, want the rest of the budget: %d", given, want)
	}

	// Room released (its jobs handed over, or its publish failed) is room
	// again, and a webhook that holds nothing any more leaves no trace.
	d.Release("wh_1", 1, 100)
	if !d.AcceptingFor("wh_1", 1, 100) {
		t.Error("AcceptingFor after a release = false, want the released room")
	}
	for range perWebhook {
		d.Release("wh_1", 1, 100)
	}
	for i := range 20000 {
		d.Release(fmt.Sprintf("wh_many_%d", i), 1, 100)
	}
	if b, n := d.HeldBytes(), len(d.queues); b != 0 || n != 0 {
		t.Errorf("after every release: %d bytes held, %d queues, want none", b, n)
	}
}

// Work given up when this node is declared dead frees its room in the
// budget: otherwise a node that rejoined would count it held forever and
// claim ever less.
func TestLeavingFreesTheBudget(t *testing.T) {
	d := New(Config{Owner: "n1", MemoryBudget: 64 << 20})
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.takeLeaseLocked("dlv_1", time.Time{}, cost(1, 1000))
	d.leaveLocked()
	d.dropLeaseLocked(l) // as the worker that pops the job, or the recorder, does
	if d.heldBytes != 0 {
		t.Errorf("after leaving, %d bytes counted held, want 0", d.heldBytes)
	}
}
