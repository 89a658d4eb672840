package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// membershipTTL is the ttl the membership tests heartbeat with.
const membershipTTL = 6 * time.Second

// membershipTests cover how a dead node's leases come back (store.Membership).
// Every store takes back a node's own leases when it joins; the tests of
// other nodes dying run only where other nodes can exist (a store that one
// process owns counts one dispatcher, whoever heartbeats).
var membershipTests = []test{
	{"JoinTakesBackTheNodesLeases", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 3)
		until := base.Add(time.Minute)
		jobs := f.claim("n1", base, until, 10)
		if len(jobs) != len(ds) {
			t.Fatalf("claimed %d, want %d", len(jobs), len(ds))
		}
		// n1 restarts: its new process joins before it claims anything.
		f.join("n1", "second", base.Add(time.Second), membershipTTL)
		if got := f.renew("n1", base.Add(time.Second), base.Add(2*time.Minute), lease(jobs[0].Delivery.ID, until)); len(got) != 0 {
			t.Fatalf("renewal of a lease taken back = %v, want none", got)
		}
		if got := f.claim("n2", base.Add(time.Second), base.Add(time.Minute), 10); len(got) != len(ds) {
			t.Fatalf("claimed %d after n1 joined again, want its %d deliveries at once", len(got), len(ds))
		}
	}},
	{"DeadNodesLeasesAreReleased", func(t *testing.T, f *fixture) {
		if !f.shared() {
			t.Skip("one process owns this store: no other node can die")
		}
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 3)
		f.join("n1", "i1", base, membershipTTL)
		f.join("n2", "i2", base, membershipTTL)
		until := base.Add(time.Minute)
		jobs := f.claim("n1", base, until, 10)
		if len(jobs) != len(ds) {
			t.Fatalf("claimed %d, want %d", len(jobs), len(ds))
		}
		// Within ttl of its last heartbeat, n1 is alive: its leases hold.
		if n := f.beat("n2", "i2", base.Add(membershipTTL-time.Microsecond)); n != 2 {
			t.Fatalf("live dispatchers = %d, want 2", n)
		}
		if got := f.claim("n2", base.Add(membershipTTL-time.Microsecond), until, 10); len(got) != 0 {
			t.Fatalf("n2 claimed %d deliveries of a live node", len(got))
		}
		// ttl after it, n1 is dead: the next heartbeat releases its work.
		dead := base.Add(membershipTTL)
		if n := f.beat("n2", "i2", dead); n != 1 {
			t.Fatalf("live dispatchers after n1 died = %d, want 1", n)
		}
		if got := f.claim("n2", dead, dead.Add(time.Minute), 10); len(got) != len(ds) {
			t.Fatalf("n2 claimed %d deliveries of the dead node, want %d", len(got), len(ds))
		}
		// n1 was only slow: its renewals and heartbeat fail, it joins again.
		if got := f.renew("n1", dead, dead.Add(time.Minute), lease(jobs[0].Delivery.ID, until)); len(got) != 0 {
			t.Fatalf("renewal by a node declared dead = %v, want none", got)
		}
		_, err := f.s.Heartbeat(f.ctx, "n1", "i1", dead, membershipTTL)
		wantCode(t, err, domain.ENOTFOUND)
		f.join("n1", "i1", dead, membershipTTL)
		if got := f.claim("n1", dead, dead.Add(time.Minute), 10); len(got) != 0 {
			t.Fatalf("n1 joining again released n2's work: claimed %d", len(got))
		}
	}},
	{"JoinWaitsForALiveIncarnation", func(t *testing.T, f *fixture) {
		if !f.shared() {
			t.Skip("one process owns this store: no second process can hold a node id")
		}
		tn := f.tenant(0)
		f.webhook(tn.ID)
		f.deliveries(tn.ID, base, 2)
		f.join("n1", "first", base, membershipTTL)
		jobs := f.claim("n1", base, base.Add(time.Minute), 10)
		// A second process with the same id, started by mistake, cannot
		// take the id (nor its leases) while the first heartbeats.
		at := base.Add(membershipTTL / 2)
		wantCode(t, f.s.Join(f.ctx, "n1", "second", at, membershipTTL), domain.ECONFLICT)
		f.beat("n1", "first", at)
		wantCode(t, f.s.Join(f.ctx, "n1", "second", at.Add(membershipTTL-time.Microsecond), membershipTTL), domain.ECONFLICT)
		if got := f.claim("n2", at, base.Add(time.Minute), 10); len(got) != 0 {
			t.Fatalf("a refused join released %d leases", len(got))
		}
		// Once the first is dead, the second takes the id and its work.
		later := at.Add(membershipTTL)
		f.join("n1", "second", later, membershipTTL)
		_, err := f.s.Heartbeat(f.ctx, "n1", "first", later, membershipTTL)
		wantCode(t, err, domain.ENOTFOUND)
		if got := f.claim("n2", later, later.Add(time.Minute), 10); len(got) != len(jobs) {
			t.Fatalf("claimed %d after the takeover, want %d", len(got), len(jobs))
		}
	}},
}

// join joins nodeID as incarnation, failing the test on an error.
func (f *fixture) join(nodeID, incarnation string, at time.Time, ttl time.Duration) {
	f.t.Helper()
	if err := f.s.Join(f.ctx, nodeID, incarnation, at, ttl); err != nil {
		f.t.Fatalf("Join(%s, %s): %v", nodeID, incarnation, err)
	}
}

// beat heartbeats with membershipTTL and returns the live dispatchers.
func (f *fixture) beat(nodeID, incarnation string, at time.Time) int {
	f.t.Helper()
	n, err := f.s.Heartbeat(f.ctx, nodeID, incarnation, at, membershipTTL)
	if err != nil {
		f.t.Fatalf("Heartbeat(%s, %s): %v", nodeID, incarnation, err)
	}
	return n
}

// shared reports whether other processes can share the store: two live
// dispatchers are counted as two (a store one process owns answers 1).
func (f *fixture) shared() bool {
	f.t.Helper()
	at := base.Add(-time.Hour)
	f.join("probe-1", "p", at, membershipTTL)
	f.join("probe-2", "p", at, membershipTTL)
	return f.beat("probe-2", "p", at) == 2
}
