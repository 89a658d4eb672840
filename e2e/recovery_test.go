package e2e

import (
	"net/http"
	"syscall"
	"testing"
	"time"
)

// recoveryFlags keep the default 60s lease: the work of a dead node must
// come back because the others learn from its heartbeats that it died,
// not because its leases ran out.
var recoveryFlags = []string{"--poll-interval", "100ms", "--lease", "60s"}

// recoveryDeadline is how long after a kill every accepted event must have
// been delivered: generous (the goal is 15s), and half a lease, so that
// waiting for the dead node's leases to run out fails.
const recoveryDeadline = 30 * time.Second

// recoveryEvents is how many events the recovery tests publish.
const recoveryEvents = 300

// victimHoldsAll starts an API node and the dispatcher victim on a fresh
// schema, publishes recoveryEvents through the API node to a receiver that
// holds every request until gate is closed, and returns once victim has
// leased every delivery: whatever happens to it next, its work is stuck
// behind 60s leases unless the cluster takes it back.
func victimHoldsAll(t *testing.T, victim string) (dsn, bin string, v *node, rc *receiver, accepted map[string]bool, gate chan struct{}) {
	dsn = withSchema(t, clusterDSN(t))
	bin = buildBinary(t)
	api := startNode(t, bin, dsn, "api", "api-node", recoveryFlags...)
	v = startNode(t, bin, dsn, "dispatcher", victim, recoveryFlags...)
	gate = make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	})
	rc = newReceiver(t, func(_ int, r *http.Request) int {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		return 200
	})
	createAcme(t, api.base, rc)
	accepted = map[string]bool{}
	for seq := 0; seq < recoveryEvents; seq += 100 {
		code, ids, err := publishBatch(t.Context(), api.api, "acme", events(seq, 100))
		if code != 202 || err != nil {
			t.Fatalf("publish: %d %v", code, err)
		}
		for _, id := range ids {
			accepted[id] = true
		}
	}
	eventually(t, 30*time.Second, victim+" to lease every delivery", func() bool {
		return queryInts(t, dsn, `SELECT 'n', count(*) FROM deliveries WHERE lease_owner = $1`, victim)["n"] == recoveryEvents
	})
	return dsn, bin, v, rc, accepted, gate
}

// kill ends n with SIGKILL and waits for it to exit.
func (n *node) kill(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = n.cmd.Wait()
}

// reportDuplicates logs how many requests the receiver got beyond one per
// delivery: at-least-once allows them (a request in flight when its
// sender died is sent again), and they are counted, not forbidden.
func reportDuplicates(t *testing.T, rc *receiver, killedAt time.Time) {
	got, bad := rc.snapshot()
	if len(bad) > 0 {
		t.Fatalf("bad signatures: %v", bad[0])
	}
	per := map[string]int{}
	var last time.Time
	for _, r := range got {
		per[r.WebhookID]++
		if r.At.After(last) {
			last = r.At
		}
	}
	t.Logf("every delivery arrived %v after the kill; %d requests for %d deliveries: %d duplicates",
		last.Sub(killedAt).Round(100*time.Millisecond), len(got), len(per), len(got)-len(per))
}

// TestClusterDeadNodesWorkIsTakenOver kills -9 one of two dispatchers
// while it holds every delivery under 60s leases: the other must learn
// from the heartbeats that it died and deliver all of its work well
// before the leases run out.
func TestClusterDeadNodesWorkIsTakenOver(t *testing.T) {
	dsn, bin, victim, rc, accepted, gate := victimHoldsAll(t, "node-victim")
	survivor := startNode(t, bin, dsn, "dispatcher", "node-survivor", recoveryFlags...)

	victim.kill(t)
	killedAt := time.Now()
	close(gate)
	awaitDelivered(t, dsn, rc, accepted, recoveryDeadline)
	reportDuplicates(t, rc, killedAt)
	survivor.stop(t) // writes every outcome
	byNode := queryInts(t, dsn, `SELECT node, count(*) FROM attempts GROUP BY node`)
	if byNode["node-survivor"] < recoveryEvents {
		t.Fatalf("attempts by node %v, want the survivor's for all %d deliveries", byNode, recoveryEvents)
	}
}

// TestClusterRestartWithSameNodeID kills -9 the only dispatcher while it
// holds every delivery under 60s leases and starts it again with the same
// --node-id: the new process must take back its predecessor's work as soon
// as the predecessor is known dead, not when its leases run out.
func TestClusterRestartWithSameNodeID(t *testing.T) {
	dsn, bin, victim, rc, accepted, gate := victimHoldsAll(t, "node-1")

	victim.kill(t)
	killedAt := time.Now()
	close(gate)
	again := startNode(t, bin, dsn, "dispatcher", "node-1", recoveryFlags...)
	awaitDelivered(t, dsn, rc, accepted, recoveryDeadline)
	reportDuplicates(t, rc, killedAt)
	again.stop(t)
}
