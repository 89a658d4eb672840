package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// clusterFlags keep the cluster tests quick: frequent polls and short
// leases, so a dead node's work is rescued within seconds.
var clusterFlags = []string{"--poll-interval", "100ms", "--lease", "10s"}

// TestClusterNodeKilled runs three nodes on one PostgreSQL schema — two
// taking API traffic and delivering (role all), one delivering only (role
// dispatcher) — publishes 20,000 events through the two, and SIGKILLs one
// of them mid-run. Every accepted event must reach the receiver; the dead
// node's leased work is rescued by the survivors once its leases expire
// (by whichever has room: a node whose queue for the webhook is full
// leaves it to the others); duplicates are counted and bounded by what the dead node held.
func TestClusterNodeKilled(t *testing.T) {
	dsn := withSchema(t, clusterDSN(t))
	bin := buildBinary(t)
	a := startNode(t, bin, dsn, "all", "node-a", clusterFlags...)
	b := startNode(t, bin, dsn, "all", "node-b", clusterFlags...)
	c := startNode(t, bin, dsn, "dispatcher", "node-c", clusterFlags...)

	// A receiver slow enough that work piles up in the nodes' queues (the
	// delay is the condition under test, not a wait).
	rc := newReceiver(t, func(int, *http.Request) int { time.Sleep(2 * time.Millisecond); return 200 })
	createAcme(t, a.base, rc)

	const total, batch, publishers = 20000, 100, 4
	var (
		mu        sync.Mutex
		accepted  = map[string]bool{}
		next      atomic.Int64
		bDead     atomic.Bool
		unexpectd []string
		wg        sync.WaitGroup
	)
	for p := range publishers {
		wg.Go(func() {
			for {
				seq := int(next.Add(1)-1) * batch
				if seq >= total {
					return
				}
				for try := 0; ; try++ {
					// Alternate between a and b; once b is dead, a only.
					target := []*node{a, b}[(seq/batch+p+try)%2]
					if bDead.Load() {
						target = a
					}
					code, ids, err := publishBatch(t.Context(), target.api, "acme", events(seq, batch))
					if code == 202 && err == nil {
						mu.Lock()
						for _, id := range ids {
							accepted[id] = true
						}
						mu.Unlock()
						break
					}
					if target == b && bDead.Load() {
						continue // killed under us: not accepted, publish elsewhere
					}
					mu.Lock()
					unexpectd = append(unexpectd, fmt.Sprintf("batch %d to %s: %d %v", seq, target.id, code, err))
					mu.Unlock()
					if try > 3 {
						return
					}
				}
			}
		})
	}

	eventually(t, 90*time.Second, "a quarter of the deliveries", func() bool { return rc.count() >= total/4 })
	bDead.Store(true)
	if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = b.cmd.Wait()
	// What b held when it died: leased to it, not yet recorded. Its
	// leases stay until they expire, so this is read before anyone may
	// take them over.
	held := queryInts(t, dsn, `SELECT 'held', count(*) FROM deliveries WHERE lease_owner = 'node-b'`)["held"]
	heldIDs := queryInts(t, dsn, `SELECT id, 1 FROM deliveries WHERE lease_owner = 'node-b'`)
	wg.Wait()
	if len(unexpectd) > 0 {
		t.Fatalf("publishes failed: %v", unexpectd[:min(5, len(unexpectd))])
	}
	t.Logf("killed node-b holding %d leased deliveries; %d events accepted; receiver had %d requests", held, len(accepted), rc.count())

	awaitDelivered(t, dsn, rc, accepted, 120*time.Second)
	a.stop(t)
	c.stop(t)

	got, bad := rc.snapshot()
	if len(bad) > 0 {
		t.Fatalf("bad signatures: %v", bad[0])
	}
	perDelivery := map[string]int{}
	for _, r := range got {
		perDelivery[r.WebhookID]++
	}
	dups := len(got) - len(perDelivery)
	recorded := queryInts(t, dsn, `SELECT 'n', count(*) FROM attempts`)["n"]
	byNode := queryInts(t, dsn, `SELECT node, count(*) FROM attempts GROUP BY node`)
	rescued := queryInts(t, dsn, `SELECT node, count(*) FROM attempts WHERE delivery_id = ANY($1) AND node <> 'node-b' GROUP BY node`, keys(heldIDs))
	t.Logf("%d requests for %d deliveries: %d duplicates; %d attempts recorded; attempts by node %v; rescued deliveries' attempts by node %v",
		len(got), len(perDelivery), dups, recorded, byNode, rescued)

	if len(perDelivery) < len(accepted) {
		t.Fatalf("%d distinct deliveries for %d accepted events", len(perDelivery), len(accepted))
	}
	// A duplicate is a request whose attempt was never recorded: only the
	// dead node loses attempts, and it could lose only what it held.
	if unrecorded := int64(len(got)) - recorded; int64(dups) > unrecorded || unrecorded > held {
		t.Fatalf("%d duplicates, %d requests never recorded, %d held by the dead node: want duplicates ≤ unrecorded ≤ held", dups, unrecorded, held)
	}
	if held > 0 && rescued["node-a"]+rescued["node-c"] == 0 {
		t.Fatalf("none of the %d deliveries node-b held were delivered by the survivors", held)
	}
	// The dispatcher-only node publishes nothing: all its work came from
	// claims. Both survivors must have delivered.
	if byNode["node-a"] == 0 || byNode["node-c"] == 0 {
		t.Fatalf("a survivor delivered nothing: %v", byNode)
	}
}

func keys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestClusterAPINodeWakesDispatcher splits roles: an api node stores
// events without delivering, and a dispatcher node whose poll interval is
// a minute delivers them within seconds — only NOTIFY can have woken it.
func TestClusterAPINodeWakesDispatcher(t *testing.T) {
	dsn := withSchema(t, clusterDSN(t))
	bin := buildBinary(t)
	api := startNode(t, bin, dsn, "api", "node-api")
	disp := startNode(t, bin, dsn, "dispatcher", "node-disp", "--poll-interval", "1m")
	rc := newReceiver(t, nil)
	createAcme(t, api.base, rc)
	accepted := map[string]bool{}
	publish := func(round int) {
		t.Helper()
		for i := range 5 {
			code, ids, err := publishBatch(t.Context(), api.api, "acme", events(round*100+i*10, 10))
			if code != 202 || err != nil {
				t.Fatalf("publish = %d, %v", code, err)
			}
			for _, id := range ids {
				accepted[id] = true
			}
		}
	}
	// Round 1 may be found by the dispatcher's first poll at start-up.
	// Round 2 comes after that poll, and the next is a minute away: only
	// NOTIFY can make it prompt.
	publish(0)
	eventually(t, 30*time.Second, "the dispatcher node to deliver round 1", func() bool { return len(missing(rc, accepted)) == 0 })
	publish(1)
	eventually(t, 30*time.Second, "the dispatcher node to deliver round 2", func() bool { return len(missing(rc, accepted)) == 0 })
	// The dispatcher's in-memory queue records attempts in batches; stop
	// it gracefully so they are written.
	disp.stop(t)
	byNode := queryInts(t, dsn, `SELECT node, count(*) FROM attempts GROUP BY node`)
	if byNode["node-disp"] != int64(len(accepted)) || len(byNode) != 1 {
		t.Fatalf("attempts by node %v, want all %d by node-disp", byNode, len(accepted))
	}
}

// TestClusterPostgresRestart stops PostgreSQL under two running nodes
// while events are published through both, then starts it again. While it
// is down ingestion answers 503 (never 202: nothing is accepted without a
// commit); afterwards ingestion and delivery resume, and every event
// answered 202 is delivered. The server is a private one started by the
// test, so that stopping it does not disturb tests of other packages
// running against the shared server at the same time.
func TestClusterPostgresRestart(t *testing.T) {
	clusterDSN(t)
	pg := startPrivatePostgres(t)
	dsn := withSchema(t, pg.dsn())
	bin := buildBinary(t)
	nodes := []*node{
		startNode(t, bin, dsn, "all", "node-a", clusterFlags...),
		startNode(t, bin, dsn, "all", "node-b", clusterFlags...),
	}
	rc := newReceiver(t, nil)
	createAcme(t, nodes[0].base, rc)

	var (
		mu       sync.Mutex
		accepted = map[string]bool{}
		statuses = map[int]int{}
		errs     []string
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	for p := range 2 {
		wg.Go(func() {
			for seq := 0; !stop.Load() && seq < 100000; seq += 10 {
				code, ids, err := publishBatch(t.Context(), nodes[p].api, "acme", events(p*1000000+seq, 10))
				mu.Lock()
				statuses[code]++
				if err != nil {
					errs = append(errs, err.Error())
				}
				for _, id := range ids {
					accepted[id] = true
				}
				mu.Unlock()
				if code != 202 {
					// Pacing, not a wait: do not spin while the database is down.
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	t.Cleanup(func() { stop.Store(true); wg.Wait() })
	count := func(code int) int { mu.Lock(); defer mu.Unlock(); return statuses[code] }

	eventually(t, 60*time.Second, "500 accepted events", func() bool { return count(202) >= 50 })
	pg.stop(t)
	downAt := count(202)
	eventually(t, 60*time.Second, "ingestion to answer 503 on both nodes", func() bool { return count(503) >= 10 })
	if got := count(202); got > downAt+2 {
		// At most one publish per publisher was past its commit when the
		// server stopped.
		t.Fatalf("%d publishes answered 202 while the database was down", got-downAt)
	}
	pg.start(t)
	upAt := count(202)
	eventually(t, 60*time.Second, "ingestion to accept again", func() bool { return count(202) >= upAt+50 })
	stop.Store(true)
	wg.Wait()

	mu.Lock()
	for code := range statuses {
		if code != 202 && code != 503 {
			t.Errorf("unexpected status %d (%d times); errors: %v", code, statuses[code], errs[:min(3, len(errs))])
		}
	}
	t.Logf("statuses %v; %d events accepted", statuses, len(accepted))
	mu.Unlock()

	eventually(t, 90*time.Second, "every accepted event to be delivered", func() bool { return len(missing(rc, accepted)) == 0 })
	stored := queryInts(t, dsn, `SELECT 'n', count(*) FROM events WHERE id = ANY($1)`, keysBool(accepted))["n"]
	if stored != int64(len(accepted)) {
		t.Fatalf("%d of %d accepted events are stored", stored, len(accepted))
	}
	for _, n := range nodes {
		n.stop(t)
	}
}

func keysBool(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
