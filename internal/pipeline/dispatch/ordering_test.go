package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// orderedReceiver is a real HTTP receiver that logs every request it
// gets (event name, try, success) in arrival order, fails those its fail
// function picks, and notes when two requests of one key overlap.
type orderedReceiver struct {
	mu       sync.Mutex
	log      []arrival
	tries    map[string]int
	inflight map[string]int // by ordering key
	overlaps []string
	fail     func(name string, try int) bool
}

type arrival struct {
	name string
	try  int
	ok   bool
}

func (rc *orderedReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		Data struct{ Name, Key string }
	}
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	name, key := env.Data.Name, env.Data.Key
	rc.mu.Lock()
	rc.tries[name]++
	try := rc.tries[name]
	rc.inflight[key]++
	if rc.inflight[key] > 1 {
		rc.overlaps = append(rc.overlaps, name)
	}
	fail := rc.fail(name, try)
	rc.mu.Unlock()
	// A request of the key that arrived meanwhile would overlap this one:
	// give it the chance to, as a slow receiver would.
	time.Sleep(2 * time.Millisecond)
	rc.mu.Lock()
	rc.inflight[key]--
	rc.log = append(rc.log, arrival{name: name, try: try, ok: !fail})
	rc.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// succeeded reports whether each named event was received successfully.
func (rc *orderedReceiver) succeeded(names ...string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, n := range names {
		if !slices.ContainsFunc(rc.log, func(a arrival) bool { return a.name == n && a.ok }) {
			return false
		}
	}
	return true
}

// assertInOrder checks that each named event was first requested only
// after the one before it had succeeded (or had its final try, when
// failed names it): nothing of the sequence overtook or ran beside an
// earlier one. The events must all have been received.
func (rc *orderedReceiver) assertInOrder(t *testing.T, names ...string) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	end := func(n string) int { // index of n's success, else its last try
		last := -1
		for i, a := range rc.log {
			if a.name == n {
				last = i
				if a.ok {
					return i
				}
			}
		}
		return last
	}
	first := func(n string) int {
		return slices.IndexFunc(rc.log, func(a arrival) bool { return a.name == n })
	}
	for i := 1; i < len(names); i++ {
		prev, next := end(names[i-1]), first(names[i])
		if prev < 0 || next < 0 || next < prev {
			t.Errorf("%s first requested at %d, before %s ended at %d; log %v", names[i], next, names[i-1], prev, rc.log)
		}
	}
	if len(rc.overlaps) > 0 {
		t.Errorf("requests of one key overlapped: %v", rc.overlaps)
	}
}

// requested reports whether name was ever requested.
func (rc *orderedReceiver) requested(name string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.tries[name] > 0
}

type orderedEnv struct {
	st   store.Store
	d    *Dispatcher
	pub  *ingest.Service
	rcv  *orderedReceiver
	hook *domain.Webhook
	// ids names deliveries by event name.
	mu  sync.Mutex
	ids map[string]string
}

// newOrderedEnv runs a dispatcher on a real SQLite store, with ingest
// handing over and waking it as in production, for one webhook ordered
// as given that retries after the waits given.
func newOrderedEnv(t *testing.T, st store.Store, ordering domain.Ordering, failure domain.OrderingFailure, waits []time.Duration, fail func(name string, try int) bool) *orderedEnv {
	t.Helper()
	ctx := context.Background()
	rcv := &orderedReceiver{tries: map[string]int{}, inflight: map[string]int{}, fail: fail}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	now := time.Now().UTC()
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	hook := &domain.Webhook{ID: "wh_ordered", TenantID: "acme", Name: "ordered", URL: srv.URL, EventTypes: []string{"*"}, Enabled: true,
		MaxConcurrency: 10, Ordering: ordering, OrderingFailure: failure, RetryPolicy: domain.CustomRetryPolicy, RetryWaits: waits,
		Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
	hook.Normalize()
	if err := st.CreateWebhook(ctx, hook); err != nil {
		t.Fatal(err)
	}
	ids := id.NewGenerator(nil)
	d := New(Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: "n1", IDs: ids,
		PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	pub := ingest.New(ingest.Config{Store: st, Owner: "n1", LeaseFor: time.Minute, IDs: ids,
		Handoff: d.Handoff, AcceptingFor: d.AcceptingFor, Wake: d.Wake})
	d.Start()
	t.Cleanup(func() { d.Stop(context.Background()) })
	return &orderedEnv{st: st, d: d, pub: pub, rcv: rcv, hook: hook, ids: map[string]string{}}
}

// publish publishes one batch of events named "<key><n>" ("a1"), ordered
// by their key.
func (e *orderedEnv) publish(t *testing.T, names ...string) {
	t.Helper()
	in := make([]ingest.Input, len(names))
	for i, n := range names {
		key := n[:1]
		in[i] = ingest.Input{Type: "course_enrollment.updated", OrderingKey: key, Data: json.RawMessage(fmt.Sprintf(`{"name":%q,"key":%q}`, n, key))}
	}
	res, err := e.pub.Publish(context.Background(), "acme", in, true)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range res {
		if len(r.Deliveries) != 1 {
			t.Fatalf("%s: %d deliveries", names[i], len(r.Deliveries))
		}
		e.ids[names[i]] = r.Deliveries[0].ID
	}
}

func (e *orderedEnv) delivery(t *testing.T, name string) *domain.Delivery {
	t.Helper()
	e.mu.Lock()
	dlID := e.ids[name]
	e.mu.Unlock()
	dl, err := e.st.GetDelivery(context.Background(), "acme", dlID)
	if err != nil {
		t.Fatal(err)
	}
	return dl
}

func (e *orderedEnv) state(t *testing.T, name string) domain.DeliveryState {
	return e.delivery(t, name).State
}

// eachStore runs test on SQLite, and on PostgreSQL when
// LMSHOOKS_TEST_POSTGRES is set.
func eachStore(t *testing.T, test func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		test(t, st)
	})
	t.Run("postgres", func(t *testing.T) { test(t, openPostgres(t)()) })
}

// waits returns n retry waits of d each.
func waits(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// With ordering by key, a key's later deliveries wait while its head is
// retried, and other keys go on meanwhile: the head is failed until every
// delivery of the other key has succeeded, which never happens if they
// wait behind it.
func TestOrderedByKeyHeadRetriesOthersProceed(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		var e *orderedEnv
		e = newOrderedEnv(t, st, domain.OrderingKey, domain.FailureBlock, waits(200, 20*time.Millisecond), func(name string, try int) bool {
			return name == "a1" && (try == 1 || !slices.ContainsFunc(e.rcv.log, func(a arrival) bool { return a.name == "b3" && a.ok }))
		})
		e.publish(t, "a1", "a2", "b1", "a3", "b2", "b3")
		waitFor(t, "every event received", func() bool { return e.rcv.succeeded("a1", "a2", "a3", "b1", "b2", "b3") })
		e.rcv.assertInOrder(t, "a1", "a2", "a3")
		e.rcv.assertInOrder(t, "b1", "b2", "b3")
		waitFor(t, "every outcome written", func() bool {
			for _, n := range []string{"a1", "a2", "a3", "b1", "b2", "b3"} {
				if e.state(t, n) != domain.Succeeded {
					return false
				}
			}
			return true
		})
		for _, n := range []string{"a1", "a2", "a3", "b1", "b2", "b3"} {
			if dl := e.delivery(t, n); !dl.Ordered || dl.OrderingKey != n[:1] || dl.HoldsKey {
				t.Errorf("%s: ordered %v key %q holds %v; want ordered by %q, released", n, dl.Ordered, dl.OrderingKey, dl.HoldsKey, n[:1])
			}
		}
		if a1 := e.delivery(t, "a1"); a1.Attempts < 2 {
			t.Errorf("a1 made %d attempts, want its failures counted", a1.Attempts)
		}
	})
}

// Under block, a delivery that finally failed keeps its key blocked
// while other keys go on; resending it unblocks the key, in order.
func TestOrderedBlockedKeyWaitsForResend(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		var mu sync.Mutex
		broken := true
		e := newOrderedEnv(t, st, domain.OrderingKey, domain.FailureBlock, waits(2, 10*time.Millisecond), func(name string, _ int) bool {
			mu.Lock()
			defer mu.Unlock()
			return name == "a1" && broken
		})
		e.publish(t, "a1", "a2")
		waitFor(t, "a1 to fail", func() bool { return e.state(t, "a1") == domain.Failed })
		if a1 := e.delivery(t, "a1"); !a1.HoldsKey || a1.Attempts != 3 {
			t.Fatalf("a1 failed after %d attempts, holds its key %v; want 3 and true", a1.Attempts, a1.HoldsKey)
		}
		// b1, published after a1 failed, is claimed by a poll that also sees
		// a2 due: only b1 may go.
		e.publish(t, "b1")
		waitFor(t, "b1 to succeed", func() bool { return e.state(t, "b1") == domain.Succeeded })
		if a2 := e.delivery(t, "a2"); a2.State != domain.Scheduled || !a2.HoldsKey || e.rcv.requested("a2") {
			t.Fatalf("a2 %s, holds %v, requested %v: it went behind a failed a1", a2.State, a2.HoldsKey, e.rcv.requested("a2"))
		}

		mu.Lock()
		broken = false
		mu.Unlock()
		if _, err := e.st.Resend(context.Background(), "acme", e.delivery(t, "a1").ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		e.d.Wake()
		waitFor(t, "a1 and a2 to succeed", func() bool {
			return e.state(t, "a1") == domain.Succeeded && e.state(t, "a2") == domain.Succeeded
		})
		e.rcv.assertInOrder(t, "a1", "a2")
	})
}

// Under skip, the key's next delivery goes once the head has used up its
// retries, not before.
func TestOrderedSkipMovesOnAfterTheLastTry(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		e := newOrderedEnv(t, st, domain.OrderingKey, domain.FailureSkip, waits(2, 10*time.Millisecond), func(name string, _ int) bool { return name == "a1" })
		e.publish(t, "a1", "a2", "a3")
		waitFor(t, "a2 and a3 to succeed", func() bool {
			return e.state(t, "a2") == domain.Succeeded && e.state(t, "a3") == domain.Succeeded
		})
		a1 := e.delivery(t, "a1")
		if a1.State != domain.Failed || a1.Attempts != 3 || a1.HoldsKey {
			t.Fatalf("a1 %s after %d attempts, holds %v; want failed after 3, released", a1.State, a1.Attempts, a1.HoldsKey)
		}
		e.rcv.assertInOrder(t, "a1", "a2", "a3")
	})
}

// Ordered as a whole, a webhook has one delivery in flight at a time
// whatever its max_concurrency, in publish order across publishes, and a
// retry holds up everything behind it.
func TestOrderedWebhookOneAtATime(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		e := newOrderedEnv(t, st, domain.OrderingWebhook, domain.FailureBlock, waits(5, 10*time.Millisecond), func(name string, try int) bool {
			return name == "c2" && try == 1
		})
		// Different event keys: the webhook's order ignores them.
		first := []string{"a1", "c2", "b3", "a4", "c5"}
		second := []string{"b6", "a7", "c8", "b9"}
		e.publish(t, first...)
		e.publish(t, second...)
		all := append(slices.Clone(first), second...)
		waitFor(t, "every event received", func() bool { return e.rcv.succeeded(all...) })
		// Each request only after the one before ended: never two at once.
		e.rcv.assertInOrder(t, all...)
		for _, n := range all {
			if dl := e.delivery(t, n); dl.OrderingKey != "" || !dl.Ordered {
				t.Errorf("%s: ordering key %q, ordered %v; want the webhook's one key", n, dl.OrderingKey, dl.Ordered)
			}
		}
	})
}

// Two nodes on one PostgreSQL database share an ordered webhook's keys: a
// receiver that fails about a third of the first tries still gets each
// key's deliveries one at a time, in order, whichever node sends them.
func TestOrderedKeysAcrossTwoNodes(t *testing.T) {
	open := openPostgres(t)
	st1, st2 := open(), open()
	e := newOrderedEnv(t, st1, domain.OrderingKey, domain.FailureBlock, waits(20, 10*time.Millisecond), func(name string, try int) bool {
		// Deterministic, so a failure can be replayed: about 30 % of the
		// first four tries fail, later ones succeed.
		h := 0
		for _, c := range name {
			h = h*31 + int(c)
		}
		return try < 5 && (h+try*7)%10 < 3
	})
	d2 := New(Config{Store: st2, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: "n2",
		PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	d2.Start()
	t.Cleanup(func() { d2.Stop(context.Background()) })
	waitFor(t, "both dispatchers to count two nodes", func() bool { return e.d.nodes.Load() == 2 && d2.nodes.Load() == 2 })

	keys := "abcdefgh"
	perKey := map[byte][]string{}
	var all []string
	for batch := range 3 {
		var names []string
		for i := range 40 {
			k := keys[(i*5+batch)%len(keys)]
			n := fmt.Sprintf("%c%03d", k, batch*40+i)
			names = append(names, n)
			perKey[k] = append(perKey[k], n)
		}
		e.publish(t, names...)
		all = append(all, names...)
	}
	poll.For(t, 60*time.Second, "every event received", func() bool { return e.rcv.succeeded(all...) })
	for _, names := range perKey {
		e.rcv.assertInOrder(t, names...)
	}
	e.rcv.mu.Lock()
	failed := 0
	for _, a := range e.rcv.log {
		if !a.ok {
			failed++
		}
	}
	e.rcv.mu.Unlock()
	if failed == 0 {
		t.Fatal("no request failed: the test did not exercise retries")
	}
}
