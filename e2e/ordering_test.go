package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// orderedSettings are those of a webhook ordered by key with failure
// mode failure, quick to retry: a 1 s timeout (the least allowed) and
// retries 50 ms apart, so that a run ends in seconds, not hours. With 24
// retries no delivery finally fails at 30 % failures (0.3^25 each).
func orderedSettings(failure string, retries int) map[string]any {
	waits := make([]float64, retries)
	for i := range waits {
		waits[i] = 0.05
	}
	return map[string]any{
		"ordering":         "key",
		"ordering_failure": failure,
		"timeout_seconds":  1,
		"retry_policy":     "custom",
		"retry_schedule":   waits,
		"max_concurrency":  16,
	}
}

// awaitOrdered waits until every event of want has succeeded at rc, and
// otherwise fails the test with the keys that lag and their last request.
func awaitOrdered(t *testing.T, rc *orderRecv, want map[string]int, timeout time.Duration) {
	t.Helper()
	if poll.Until(timeout, func() bool { return rc.succeeded(want) }) {
		return
	}
	lag := rc.missingSeqs(want)
	t.Fatalf("after %s, %d keys have not had all their events succeed; the first: %v", timeout, len(lag), lag[:min(5, len(lag))])
}

// logRequests sums up what the receiver got.
func logRequests(t *testing.T, reqs map[string][]orderReq) {
	t.Helper()
	var n, ok, slow int
	for _, rs := range reqs {
		for _, r := range rs {
			n++
			if r.OK {
				ok++
			}
			if r.Ended.Sub(r.Arrived) > 500*time.Millisecond {
				slow++
			}
		}
	}
	t.Logf("%d requests over %d keys: %d succeeded, %d failed (%d left unanswered until the sender's timeout), %d duplicates of a success",
		n, len(reqs), ok, n-ok, slow, duplicates(reqs))
}

// TestOrderedByKeyUnderFailures publishes 10,000 events over 200 keys to
// a webhook ordered by key (failure mode block) whose receiver fails 30 %
// of requests at random, some by never answering (the sender times out).
// Publishers run concurrently, each key belonging to one of them, with
// single and batch publishes. Each key's events must succeed in publish
// order, nothing of a key may be sent while an earlier delivery of it has
// not succeeded, and no two requests of a key may be in flight at once.
func TestOrderedByKeyUnderFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	c := startChild(t, bin, freePort(t), filepath.Join(t.TempDir(), "ordered.db"))
	rc := newOrderRecv(t, randomFailures(0.295, 0.005))
	createTenantAt(t, c.base, "acme")
	createOrderedWebhook(t, c.base, "acme", rc.URL, orderedSettings("block", 24))

	load := orderedLoad{tenant: "acme", keys: orderKeys(200), perKey: 50, publishers: 8, explicit: true,
		base: func() string { return c.base }}
	if err := load.run(t.Context()); err != nil {
		t.Fatal(err)
	}
	awaitOrdered(t, rc, load.want(), 120*time.Second)

	reqs, overlaps := rc.requests()
	logRequests(t, reqs)
	report(t, "two requests of one key in flight at once", overlaps)
	report(t, "order of a key's deliveries", checkBlockOrder(reqs, load.want(), nil))
	if d := duplicates(reqs); d > 0 {
		t.Errorf("%d requests repeated a delivery that had succeeded, with no crash", d)
	}
	checkOrderedEvent(t, c.base, "acme", load.keys[7], reqs[load.keys[7]])
}

// TestOrderedByKeySkipsFinalFailures is the same with failure mode skip
// and three attempts a delivery, so that some deliveries finally fail (a
// few percent): the next delivery of the key goes only once the previous
// one has ended, succeeded or failed all its attempts, and never before;
// nothing of a key is sent twice at once, and no key stays blocked.
func TestOrderedByKeySkipsFinalFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	c := startChild(t, bin, freePort(t), filepath.Join(t.TempDir(), "skip.db"))
	rc := newOrderRecv(t, randomFailures(0.3, 0))
	createTenantAt(t, c.base, "acme")
	wh := createOrderedWebhook(t, c.base, "acme", rc.URL, orderedSettings("skip", 2))

	load := orderedLoad{tenant: "acme", keys: orderKeys(100), perKey: 20, publishers: 4, explicit: true,
		base: func() string { return c.base }}
	want := load.want()
	if err := load.run(t.Context()); err != nil {
		t.Fatal(err)
	}
	eventually(t, 90*time.Second, "every delivery to end", func() bool { return rc.ended(want, 3) })

	reqs, overlaps := rc.requests()
	logRequests(t, reqs)
	report(t, "two requests of one key in flight at once", overlaps)
	bad, failed := checkSkipOrder(reqs, want, 3)
	report(t, "order of a key's deliveries", bad)
	if failed == 0 {
		t.Fatal("no delivery failed all its attempts: the test proves nothing of skip")
	}
	var page struct {
		Counts map[string]int `json:"counts"`
	}
	eventually(t, 30*time.Second, "the failures to be recorded", func() bool {
		callAPI(t, c.base, operatorKey, "GET", "/api/v1/tenants/acme/deliveries?include_counts=true&limit=1&webhook_id="+wh, nil, &page)
		return page.Counts["succeeded"]+page.Counts["failed"] == 100*20
	})
	if page.Counts["failed"] != failed {
		t.Errorf("the audit counts %d failed deliveries, the receiver saw %d fail all their attempts (counts %v)", page.Counts["failed"], failed, page.Counts)
	}
	var blocked struct {
		Data []any `json:"data"`
	}
	callAPI(t, c.base, operatorKey, "GET", "/api/v1/tenants/acme/blocked-keys?webhook_id="+wh, nil, &blocked)
	if len(blocked.Data) != 0 {
		t.Errorf("keys blocked under skip: %v", blocked.Data)
	}
	t.Logf("%d of %d deliveries failed all their attempts and were skipped", failed, 100*20)
}

// TestOrderedByWebhookIsOneLine publishes events of many users (and so
// many ordering keys) from one publisher, singly and in batches, to a
// webhook ordered as a whole whose receiver fails 30 % of requests: they
// arrive one at a time in publish order, whatever their keys.
func TestOrderedByWebhookIsOneLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	c := startChild(t, bin, freePort(t), filepath.Join(t.TempDir(), "fifo.db"))
	rc := newOrderRecv(t, randomFailures(0.3, 0))
	createTenantAt(t, c.base, "acme")
	settings := orderedSettings("block", 24)
	settings["ordering"] = "webhook"
	createOrderedWebhook(t, c.base, "acme", rc.URL, settings)

	const total = 120
	event := func(seq int) map[string]any {
		return map[string]any{"type": "user.updated", "data": map[string]any{"id": fmt.Sprintf("u%d", seq%7), "stream": "all", "seq": seq}}
	}
	for seq := 0; seq < total; {
		if seq%3 == 0 && seq+5 <= total {
			evs := make([]map[string]any, 5)
			for i := range evs {
				evs[i] = event(seq + i)
			}
			if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/events/batch", map[string]any{"events": evs}, nil); code != http.StatusAccepted {
				t.Fatalf("publish batch = %d", code)
			}
			seq += 5
			continue
		}
		if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/events", event(seq), nil); code != http.StatusAccepted {
			t.Fatalf("publish = %d", code)
		}
		seq++
	}
	want := map[string]int{"all": total}
	awaitOrdered(t, rc, want, 90*time.Second)
	reqs, overlaps := rc.requests()
	logRequests(t, reqs)
	report(t, "two requests of the webhook in flight at once", overlaps)
	report(t, "order of the webhook's deliveries", checkBlockOrder(reqs, want, nil))
}

// TestOrderedByKeySurvivesKill runs the same load (10,000 events over 200
// keys; keys from the catalog's default, the user id in data) on SQLite and kills the server
// with SIGKILL once a third of the events have been accepted, then starts it
// again on the same database; the publishers repeat what the kill left
// unanswered (with its idempotency key) and go on. Order holds across the
// kill; a duplicate may only be of a key's latest success before the kill
// (sent, not yet recorded), never of an earlier one, and never after a
// later one.
func TestOrderedByKeySurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "ordered.db")
	addr := freePort(t)
	c := startChild(t, bin, addr, db)
	rc := newOrderRecv(t, randomFailures(0.29, 0.01))
	createTenantAt(t, c.base, "acme")
	createOrderedWebhook(t, c.base, "acme", rc.URL, orderedSettings("block", 24))

	restarted := make(chan struct{})
	var accepted atomic.Int64
	load := orderedLoad{tenant: "acme", keys: orderKeys(200), perKey: 50, publishers: 4, accepted: &accepted,
		base: func() string { return c.base }, // the restarted server listens on the same address
		retry: func(ctx context.Context) bool {
			select {
			case <-restarted:
				return true
			case <-ctx.Done():
				return false
			}
		}}
	want := load.want()
	published := make(chan error, 1)
	go func() { published <- load.run(t.Context()) }()

	// Mid-run: while publishers publish and deliveries flow.
	eventually(t, 90*time.Second, "a third of the events to be accepted and some delivered", func() bool {
		return accepted.Load() >= 50*200/3 && rc.successes() >= 100
	})
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	killedAt := time.Now()
	held := leasedIn(t, db)
	t.Logf("killed the server after %d events accepted and %d successful requests, holding %d leased deliveries", accepted.Load(), rc.successes(), len(held))
	startChild(t, bin, addr, db)
	close(restarted)
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	awaitOrdered(t, rc, want, 120*time.Second)

	reqs, overlaps := rc.requests()
	logRequests(t, reqs)
	report(t, "two requests of one key in flight at once", overlaps)
	report(t, "order of a key's deliveries across the kill", checkBlockOrder(reqs, want, []time.Time{killedAt}))
	for _, d := range duplicated(reqs) {
		if !held[d] {
			t.Errorf("delivery %s came again after it succeeded, but was not leased when the server died", d)
		}
	}
	checkOrderedEvent(t, c.base, "acme", load.keys[3], reqs[load.keys[3]])
}

// TestOrderedByKeyClusterDispatcherKilled runs the same load (10,000 events
// over 200 keys, given at publish) on an api node and two
// dispatcher nodes on PostgreSQL, publishes through the api node to a
// webhook ordered by key whose receiver fails 30 % of requests, and
// SIGKILLs one dispatcher mid-run. A key belongs to one node at a time:
// never two requests of a key in flight, order holds, and the only
// duplicates are the dead node's last successes it could not record.
func TestOrderedByKeyClusterDispatcherKilled(t *testing.T) {
	dsn := withSchema(t, clusterDSN(t))
	bin := buildBinary(t)
	api := startNode(t, bin, dsn, "api", "node-api", clusterFlags...)
	d1 := startNode(t, bin, dsn, "dispatcher", "node-d1", clusterFlags...)
	d2 := startNode(t, bin, dsn, "dispatcher", "node-d2", clusterFlags...)
	rc := newOrderRecv(t, randomFailures(0.29, 0.01))
	createTenantAt(t, api.base, "acme")
	createOrderedWebhook(t, api.base, "acme", rc.URL, orderedSettings("block", 24))

	load := orderedLoad{tenant: "acme", keys: orderKeys(200), perKey: 50, publishers: 4, explicit: true,
		base: func() string { return api.base }}
	want := load.want()
	published := make(chan error, 1)
	go func() { published <- load.run(t.Context()) }()

	eventually(t, 90*time.Second, "a third of the events to succeed", func() bool { return rc.successes() >= 50*200/3 })
	before := queryInts(t, dsn, `SELECT node, count(*) FROM attempts GROUP BY node`)
	d2.kill(t)
	killedAt := time.Now()
	// What node-d2 held when it died, read before the survivors may take
	// it back: the only deliveries that may come twice.
	held := queryInts(t, dsn, `SELECT id, 1 FROM deliveries WHERE lease_owner = 'node-d2' AND lease_until > now()`)
	t.Logf("killed node-d2 holding %d leased deliveries, after %d successful requests; attempts by node so far %v", len(held), rc.successes(), before)
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	awaitOrdered(t, rc, want, 120*time.Second)
	d1.stop(t)

	reqs, overlaps := rc.requests()
	logRequests(t, reqs)
	report(t, "two requests of one key in flight at once", overlaps)
	report(t, "order of a key's deliveries across the kill", checkBlockOrder(reqs, want, []time.Time{killedAt}))
	for _, d := range duplicated(reqs) {
		if _, ok := held[d]; !ok {
			t.Errorf("delivery %s came again after it succeeded, but node-d2 did not hold it when it died", d)
		}
	}
	byNode := queryInts(t, dsn, `SELECT node, count(*) FROM attempts GROUP BY node`)
	t.Logf("attempts by node: %v", byNode)
	if byNode["node-d1"] == 0 || before["node-d2"] == 0 {
		t.Errorf("both dispatchers should have delivered: attempts by node %v (node-d2 before its kill: %d)", byNode, before["node-d2"])
	}
	checkOrderedEvent(t, api.base, "acme", load.keys[5], reqs[load.keys[5]])
}

// TestBlockedKeyResendAndSkip blocks two keys of a webhook ordered by key
// (failure mode block) with a receiver that rejects each key's first event
// until told otherwise. Once their retries end the keys are listed as
// blocked with their heads and what waits behind them, and the next
// deliveries wait, blocked by the head, while another key flows. Resend of
// one head, once the receiver takes it, unblocks its key (the rest follows
// in order); skip of the other lets its next delivery go. Both stay in the
// audit: the resend as a manual attempt, the skip as skipped_at.
func TestBlockedKeyResendAndSkip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	c := startChild(t, bin, freePort(t), filepath.Join(t.TempDir(), "blocked.db"))
	var acceptA atomic.Bool
	rc := newOrderRecv(t, func(key string, seq, _ int) outcome {
		if seq == 0 && (key == "B" || key == "A" && !acceptA.Load()) {
			return answerFail
		}
		return answerOK
	})
	createTenantAt(t, c.base, "acme")
	wh := createOrderedWebhook(t, c.base, "acme", rc.URL, orderedSettings("block", 2))

	// A0 B0 A1 A2 B1 C0, one publish each: the order of acceptance. The
	// keys are the catalog's default for user.* (data.id).
	ids := map[string]string{} // "A0" → delivery id
	for _, e := range []struct {
		key string
		seq int
	}{{"A", 0}, {"B", 0}, {"A", 1}, {"A", 2}, {"B", 1}, {"C", 0}} {
		var ans struct {
			ID string `json:"id"`
		}
		if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/events", orderedEvent(e.key, e.seq, false), &ans); code != http.StatusAccepted {
			t.Fatalf("publish %s%d = %d", e.key, e.seq, code)
		}
		var ev eventJSON
		if code := callAPI(t, c.base, operatorKey, "GET", "/api/v1/tenants/acme/events/"+ans.ID, nil, &ev); code != http.StatusOK || len(ev.Deliveries) != 1 {
			t.Fatalf("GET event = %d with %d deliveries", code, len(ev.Deliveries))
		}
		ids[fmt.Sprint(e.key, e.seq)] = ev.Deliveries[0].ID
	}

	type blockedKey struct {
		WebhookID string       `json:"webhook_id"`
		Key       string       `json:"key"`
		Head      deliveryJSON `json:"head"`
		Waiting   int          `json:"waiting"`
	}
	blocked := func() map[string]blockedKey {
		var l struct {
			Data []blockedKey `json:"data"`
		}
		if code := callAPI(t, c.base, operatorKey, "GET", "/api/v1/tenants/acme/blocked-keys?webhook_id="+wh, nil, &l); code != http.StatusOK {
			t.Fatalf("GET blocked-keys = %d", code)
		}
		out := map[string]blockedKey{}
		for _, k := range l.Data {
			out[k.Key] = k
		}
		return out
	}
	var keys map[string]blockedKey
	eventually(t, 30*time.Second, "keys A and B to be listed as blocked", func() bool { keys = blocked(); return len(keys) == 2 })
	for key, k := range map[string]struct {
		head    string
		waiting int
	}{"A": {ids["A0"], 2}, "B": {ids["B0"], 1}} {
		got := keys[key]
		if got.WebhookID != wh || got.Head.ID != k.head || got.Head.State != "failed" || got.Head.Attempts != 3 || !got.Head.HoldsKey || got.Waiting != k.waiting {
			t.Errorf("blocked key %s = %+v, want head %s failed after 3 attempts, holding the key, %d waiting", key, got, k.head, k.waiting)
		}
	}
	// C flowed meanwhile; A1 waits, blocked by A0; nothing of A or B
	// after their heads reached the receiver.
	eventually(t, 30*time.Second, "key C to be delivered", func() bool { return rc.succeeded(map[string]int{"C": 1}) })
	for waiting, head := range map[string]string{"A1": "A0", "A2": "A0", "B1": "B0"} {
		d := getDelivery(t, c.base, "acme", ids[waiting]).Delivery
		if d.State != "scheduled" || d.BlockedBy != ids[head] || !d.HoldsKey || d.Attempts != 0 {
			t.Errorf("%s reads %+v, want scheduled, never tried, holding its key, blocked_by %s (%s)", waiting, d, head, ids[head])
		}
	}
	reqs, _ := rc.requests()
	for _, key := range []string{"A", "B"} {
		for _, r := range reqs[key] {
			if r.Seq != 0 {
				t.Errorf("key %s: %s was sent while its head was failing", key, r)
			}
		}
	}
	// Skip needs a delivery that holds its key: C0 is done.
	if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/deliveries/"+ids["C0"]+"/skip", nil, nil); code != http.StatusConflict {
		t.Errorf("skip of a delivered C0 = %d, want 409", code)
	}

	// Resend A0 once the receiver takes it: A0, A1, A2 follow in order.
	acceptA.Store(true)
	if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/deliveries/"+ids["A0"]+"/resend", nil, nil); code != http.StatusAccepted {
		t.Fatalf("resend A0 = %d", code)
	}
	eventually(t, 30*time.Second, "key A to be delivered after the resend", func() bool { return rc.succeeded(map[string]int{"A": 3}) })
	reqs, overlaps := rc.requests()
	report(t, "two requests of one key in flight at once", overlaps)
	report(t, "order of key A", checkBlockOrder(reqs, map[string]int{"A": 3, "C": 1}, nil))
	a0 := getDelivery(t, c.base, "acme", ids["A0"])
	if n := len(a0.Attempts); a0.Delivery.State != "succeeded" || n != 4 || a0.Attempts[n-1].Trigger != "manual" || !a0.Attempts[n-1].Success || a0.Delivery.HoldsKey {
		t.Errorf("A0 after its resend: %+v with attempts %+v, want succeeded at a 4th, manual attempt, no longer holding its key", a0.Delivery, a0.Attempts)
	}

	// Skip B0: B1 goes; B0 stays failed, never delivered, skipped in the audit.
	var skipped deliveryJSON
	if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/deliveries/"+ids["B0"]+"/skip", nil, &skipped); code != http.StatusOK {
		t.Fatalf("skip B0 = %d", code)
	}
	if skipped.ID != ids["B0"] || skipped.SkippedAt == nil || skipped.HoldsKey || skipped.State != "failed" {
		t.Errorf("skip answered %+v, want B0 failed, skipped_at set, no longer holding its key", skipped)
	}
	eventually(t, 30*time.Second, "B1 to be delivered after the skip", func() bool {
		reqs, _ := rc.requests()
		for _, r := range reqs["B"] {
			if r.Seq == 1 && r.OK {
				return true
			}
		}
		return false
	})
	reqs, _ = rc.requests()
	for i, r := range reqs["B"] {
		if r.Seq == 0 && r.OK || r.Seq == 1 && i != len(reqs["B"])-1 {
			t.Errorf("key B: %s unexpected; its requests: %v", r, reqs["B"])
		}
	}
	b0 := getDelivery(t, c.base, "acme", ids["B0"])
	if b0.Delivery.SkippedAt == nil || b0.Delivery.State != "failed" || len(b0.Attempts) != 3 {
		t.Errorf("B0 in the audit: %+v with %d attempts, want failed after 3 attempts with skipped_at", b0.Delivery, len(b0.Attempts))
	}
	if keys := blocked(); len(keys) != 0 {
		t.Errorf("blocked keys after the resend and the skip: %+v", keys)
	}
}

// leasedIn returns the deliveries leased in the SQLite database at path,
// read while no server runs: after a kill, what the dead server held.
func leasedIn(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM deliveries WHERE lease_owner <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
