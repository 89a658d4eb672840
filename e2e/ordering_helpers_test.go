package e2e

// Helpers of the ordered-delivery tests (ordering_test.go): a receiver
// that records every request of every ordering key with its outcome and
// notices two requests of one key in flight at once, publishers that
// publish each key's events in order, and the check of what arrived
// against the ordering guarantees (docs/ORDERING.md).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// outcome is how the ordered receiver answers one request.
type outcome int

const (
	answerOK   outcome = iota // 200 at once
	answerFail                // 500 at once
	answerHang                // no answer until the sender gives up (its timeout), then 500
)

// orderReq is one request the ordered receiver got.
type orderReq struct {
	Key      string
	Seq      int
	Delivery string // webhook-id: the delivery's id
	Arrived  time.Time
	Ended    time.Time
	OK       bool // answered 2xx within the sender's timeout
}

func (r orderReq) String() string {
	res := "failed"
	if r.OK {
		res = "ok"
	}
	if r.Ended.IsZero() {
		return fmt.Sprintf("seq %d (%s) %s→ in flight", r.Seq, r.Delivery, r.Arrived.Format("15:04:05.000"))
	}
	return fmt.Sprintf("seq %d (%s) %s→%s %s", r.Seq, r.Delivery, r.Arrived.Format("15:04:05.000"), r.Ended.Format("15:04:05.000"), res)
}

// orderRecv is a real HTTP receiver of events whose data carries the key
// ("id", or "stream" when given) and the position in the key's sequence
// ("seq") the test gave them. It answers as answer says, records every request of each key in
// arrival order, and notes every time a request of a key arrives while
// another of the same key is still being answered.
type orderRecv struct {
	*httptest.Server
	answer func(key string, seq, try int) outcome // try counts the requests for (key, seq), from 1

	mu       sync.Mutex
	reqs     map[string][]*orderReq
	inflight map[string]*orderReq
	overlaps []string
	tries    map[string]int
	ok       int // successful requests
}

func newOrderRecv(t *testing.T, answer func(key string, seq, try int) outcome) *orderRecv {
	rc := &orderRecv{answer: answer, reqs: map[string][]*orderReq{}, inflight: map[string]*orderReq{}, tries: map[string]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

// randomFailures answers fail of requests with 500 and hang of them not
// at all, at random, and the rest 200.
func randomFailures(fail, hang float64) func(string, int, int) outcome {
	return func(string, int, int) outcome {
		switch x := rand.Float64(); {
		case x < hang:
			return answerHang
		case x < hang+fail:
			return answerFail
		}
		return answerOK
	}
}

func (rc *orderRecv) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		Data struct {
			ID     string `json:"id"`
			Stream string `json:"stream"` // the sequence the event belongs to, when not its id's
			Seq    *int   `json:"seq"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Data.Seq == nil {
		http.Error(w, "not an event of the test", http.StatusBadRequest)
		return
	}
	key := env.Data.ID
	if env.Data.Stream != "" {
		key = env.Data.Stream
	}
	req := &orderReq{Key: key, Seq: *env.Data.Seq, Delivery: r.Header.Get("webhook-id"), Arrived: time.Now()}
	rc.mu.Lock()
	if other := rc.inflight[req.Key]; other != nil {
		rc.overlaps = append(rc.overlaps, fmt.Sprintf("key %s: %s arrived while %s was in flight", req.Key, req, other))
	}
	rc.inflight[req.Key] = req
	rc.reqs[req.Key] = append(rc.reqs[req.Key], req)
	id := fmt.Sprintf("%s/%d", req.Key, req.Seq)
	rc.tries[id]++
	try := rc.tries[id]
	rc.mu.Unlock()

	status := http.StatusOK
	switch rc.answer(req.Key, req.Seq, try) {
	case answerFail:
		status = http.StatusInternalServerError
	case answerHang:
		// Until the sender's timeout closes the connection (or a bound,
		// should it not), then a failure either way: the sender gave up.
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		status = http.StatusInternalServerError
	}
	rc.mu.Lock()
	req.Ended, req.OK = time.Now(), status == http.StatusOK
	if rc.inflight[req.Key] == req {
		delete(rc.inflight, req.Key)
	}
	if req.OK {
		rc.ok++
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
}

// successes counts the requests answered 200.
func (rc *orderRecv) successes() int { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.ok }

// succeeded reports whether every one of the first n events of each key
// of want (key → n) has had a successful request.
func (rc *orderRecv) succeeded(want map[string]int) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for key, n := range want {
		done := map[int]bool{}
		for _, r := range rc.reqs[key] {
			if r.OK {
				done[r.Seq] = true
			}
		}
		if len(done) < n {
			return false
		}
	}
	return true
}

// requests returns a copy of what the receiver got, per key in arrival
// order, and the overlaps it saw.
func (rc *orderRecv) requests() (map[string][]orderReq, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string][]orderReq, len(rc.reqs))
	for k, rs := range rc.reqs {
		for _, r := range rs {
			out[k] = append(out[k], *r)
		}
	}
	return out, append([]string(nil), rc.overlaps...)
}

// missingSeqs lists, for the report of a timeout, the keys whose events
// have not all succeeded and how far each got.
func (rc *orderRecv) missingSeqs(want map[string]int) []string {
	reqs, _ := rc.requests()
	var out []string
	for key, n := range want {
		next := 0
		for _, r := range reqs[key] {
			if r.OK && r.Seq == next {
				next++
			}
		}
		if next < n {
			last := "no request"
			if rs := reqs[key]; len(rs) > 0 {
				last = "last " + rs[len(rs)-1].String()
			}
			out = append(out, fmt.Sprintf("%s: %d of %d succeeded in order (%s)", key, next, n, last))
		}
	}
	sort.Strings(out)
	return out
}

// checkBlockOrder checks the requests of each key of want (key → number
// of events, seq 0…n-1 in publish order) against the guarantees of
// ordering "key" with failure "block" when nothing finally fails:
//
//   - a request of seq s arrives only once every earlier seq of the key
//     has succeeded: nothing of a key is sent after a delivery of it that
//     has not yet succeeded, so the successes come in publish order;
//   - every seq succeeds, and each seq is one delivery (one webhook-id);
//   - a seq that succeeded is sent again only after a kill (at-least-once:
//     the success was not recorded), only if it is the key's latest
//     success, no later seq having been sent yet.
//
// It returns the violations, the first of each key, with a few lines of
// evidence each.
func checkBlockOrder(reqs map[string][]orderReq, want map[string]int, kills []time.Time) []string {
	var bad []string
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		rs := reqs[key]
		next := 0 // lowest seq not yet succeeded
		maxSent := -1
		succeededAt := map[int]time.Time{}
		delivery := map[int]string{}
		failed := false
		fail := func(i int, format string, args ...any) {
			if failed {
				return // the first violation of a key says enough; later ones follow from it
			}
			failed = true
			lo := max(0, i-3)
			var ev []string
			for _, r := range rs[lo : i+1] {
				ev = append(ev, "    "+r.String())
			}
			bad = append(bad, fmt.Sprintf("key %s: %s; its requests up to then:\n%s", key, fmt.Sprintf(format, args...), strings.Join(ev, "\n")))
		}
		for i, r := range rs {
			if d, ok := delivery[r.Seq]; ok && d != r.Delivery {
				fail(i, "seq %d came as two deliveries, %s and %s", r.Seq, d, r.Delivery)
			}
			delivery[r.Seq] = r.Delivery
			switch {
			case r.Seq > next:
				fail(i, "seq %d was sent before seq %d had succeeded", r.Seq, next)
			case r.Seq < next:
				if r.Seq != maxSent || !killedBetween(kills, succeededAt[r.Seq], r.Arrived) {
					fail(i, "seq %d was sent again after it succeeded (latest seq sent %d; a duplicate may only follow a kill, of the key's latest success)", r.Seq, maxSent)
				}
			case r.OK:
				succeededAt[r.Seq] = r.Ended
				next++
			}
			maxSent = max(maxSent, r.Seq)
		}
		if next < want[key] {
			bad = append(bad, fmt.Sprintf("key %s: only seqs 0…%d of %d succeeded in order", key, next-1, want[key]))
		}
	}
	return bad
}

// checkSkipOrder checks the requests of each key of want against the
// guarantees of ordering "key" with failure "skip", each delivery having
// attempts tries:
//
//   - a request of seq s arrives only once every earlier seq of the key
//     has ended: succeeded, or failed all its attempts;
//   - no request of an earlier seq follows one of a later seq, so the
//     successes come in publish order;
//   - every seq ends, and none is tried more than attempts times.
//
// It returns the violations, the first of each key, and how many seqs
// finally failed.
func checkSkipOrder(reqs map[string][]orderReq, want map[string]int, attempts int) (bad []string, failed int) {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		rs := reqs[key]
		ok := map[int]bool{}
		tries := map[int]int{}
		ended := func(s int) bool { return ok[s] || tries[s] >= attempts }
		next := 0 // lowest seq not yet ended
		for i, r := range rs {
			var problem string
			switch {
			case r.Seq > next:
				problem = fmt.Sprintf("seq %d was sent before seq %d had ended", r.Seq, next)
			case r.Seq < next:
				problem = fmt.Sprintf("seq %d was sent again after it ended", r.Seq)
			}
			if problem != "" {
				var ev []string
				for _, r := range rs[max(0, i-3) : i+1] {
					ev = append(ev, "    "+r.String())
				}
				bad = append(bad, fmt.Sprintf("key %s: %s; its requests up to then:\n%s", key, problem, strings.Join(ev, "\n")))
				break
			}
			tries[r.Seq]++
			ok[r.Seq] = r.OK
			for next < want[key] && ended(next) {
				if !ok[next] {
					failed++
				}
				next++
			}
		}
		if next < want[key] && len(bad) == 0 {
			bad = append(bad, fmt.Sprintf("key %s: only seqs 0…%d of %d ended", key, next-1, want[key]))
		}
	}
	return bad, failed
}

// ended reports whether every one of the first n events of each key of
// want has succeeded or failed attempts times.
func (rc *orderRecv) ended(want map[string]int, attempts int) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for key, n := range want {
		ok := map[int]bool{}
		tries := map[int]int{}
		for _, r := range rc.reqs[key] {
			ok[r.Seq] = ok[r.Seq] || r.OK
			tries[r.Seq]++
		}
		for s := range n {
			if !ok[s] && tries[s] < attempts {
				return false
			}
		}
	}
	return true
}

// killedBetween reports whether a kill happened in (from, to).
func killedBetween(kills []time.Time, from, to time.Time) bool {
	for _, k := range kills {
		if k.After(from) && k.Before(to) {
			return true
		}
	}
	return false
}

// duplicates counts the requests of a seq that had already succeeded.
func duplicates(reqs map[string][]orderReq) int {
	n := 0
	for _, rs := range reqs {
		done := map[int]bool{}
		for _, r := range rs {
			if done[r.Seq] {
				n++
			}
			done[r.Seq] = done[r.Seq] || r.OK
		}
	}
	return n
}

// duplicated returns the deliveries requested again after they had
// succeeded.
func duplicated(reqs map[string][]orderReq) []string {
	var out []string
	for _, rs := range reqs {
		done := map[int]bool{}
		for _, r := range rs {
			if done[r.Seq] {
				out = append(out, r.Delivery)
			}
			done[r.Seq] = done[r.Seq] || r.OK
		}
	}
	return out
}

// report fails the test with the first few violations.
func report(t *testing.T, what string, bad []string) {
	t.Helper()
	if len(bad) == 0 {
		return
	}
	t.Errorf("%s: %d violations; the first:\n%s", what, len(bad), strings.Join(bad[:min(5, len(bad))], "\n"))
}

// postJSON sends body to base+path with the operator key and returns the
// status and the answer; err is set when no answer came. Unlike callAPI it
// never fails the test, so publishers in goroutines and the publishes that
// meet a killed server can use it.
func postJSON(ctx context.Context, base, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+operatorKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := orderHTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// orderHTTP keeps enough idle connections for the concurrent publishers.
var orderHTTP = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}

// orderedEvent is the body of the publish of seq of key: a user.updated
// whose data carries the key (as the user id, the catalog's default
// ordering key of user.*) and the seq. explicit gives the key as
// ordering_key too. The idempotency key makes a publish that met a kill
// safe to repeat: if it was stored, its repeat answers the original, which
// keeps its position.
func orderedEvent(key string, seq int, explicit bool) map[string]any {
	ev := map[string]any{
		"type":            "user.updated",
		"data":            map[string]any{"id": key, "seq": seq},
		"idempotency_key": fmt.Sprintf("%s-%d", key, seq),
	}
	if explicit {
		ev["ordering_key"] = key
	}
	return ev
}

// orderedLoad publishes perKey events to each of keys keys from several
// concurrent publishers; each key belongs to one publisher, which
// publishes its events in seq order, so that the publish order of a key is
// defined. A publisher picks at random, round by round, single publishes
// (one event of each of its keys) or one batch (the next two events of
// each of its keys, in order).
type orderedLoad struct {
	tenant     string
	keys       []string
	perKey     int
	publishers int
	explicit   bool // give ordering_key at publish (else the catalog's default, data.id)
	// base returns the API to publish to; retry, when set, is called after
	// a publish that got no 202 and says whether to try again (after a
	// kill, once the server is back); without it such a publish is an
	// error.
	base  func() string
	retry func(ctx context.Context) bool
	// accepted counts the events answered 202 (or 200, repeated), when set.
	accepted *atomic.Int64
}

// want returns key → number of events, what the receiver must get.
func (l orderedLoad) want() map[string]int {
	out := make(map[string]int, len(l.keys))
	for _, k := range l.keys {
		out[k] = l.perKey
	}
	return out
}

// run publishes everything and returns the first error.
func (l orderedLoad) run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, l.publishers)
	for p := range l.publishers {
		var mine []string
		for i, k := range l.keys {
			if i%l.publishers == p {
				mine = append(mine, k)
			}
		}
		wg.Go(func() {
			if err := l.publishAll(ctx, mine); err != nil {
				errs <- fmt.Errorf("publisher %d: %w", p, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func (l orderedLoad) publishAll(ctx context.Context, keys []string) error {
	for seq := 0; seq < l.perKey; {
		if seq+1 < l.perKey && rand.IntN(2) == 0 {
			evs := make([]map[string]any, 0, 2*len(keys))
			for _, k := range keys {
				evs = append(evs, orderedEvent(k, seq, l.explicit), orderedEvent(k, seq+1, l.explicit))
			}
			if err := l.publish(ctx, "/events/batch", map[string]any{"events": evs}, len(evs)); err != nil {
				return err
			}
			seq += 2
			continue
		}
		for _, k := range keys {
			if err := l.publish(ctx, "/events", orderedEvent(k, seq, l.explicit), 1); err != nil {
				return err
			}
		}
		seq++
	}
	return nil
}

// publish sends one publish of n events until it is answered 202.
func (l orderedLoad) publish(ctx context.Context, path string, body any, n int) error {
	for {
		code, answer, err := postJSON(ctx, l.base(), "POST", "/api/v1/tenants/"+l.tenant+path, body)
		if code == http.StatusAccepted || code == http.StatusOK {
			// 200: a repeat of a publish stored before a kill.
			if l.accepted != nil {
				l.accepted.Add(int64(n))
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if l.retry == nil || !l.retry(ctx) {
			return fmt.Errorf("POST %s = %d %s %v", path, code, answer, err)
		}
	}
}

// createOrderedWebhook creates a webhook of every event type to url
// through the API at base with the given extra settings (ordering,
// retries…) and returns its id.
func createOrderedWebhook(t *testing.T, base, tenant, url string, settings map[string]any) string {
	t.Helper()
	body := map[string]any{"name": "ordered", "url": url, "event_types": []string{"*"}}
	for k, v := range settings {
		body[k] = v
	}
	var w struct {
		ID       string `json:"id"`
		Ordering string `json:"ordering"`
		Failure  string `json:"ordering_failure"`
	}
	code, answer, err := postJSON(t.Context(), base, "POST", "/api/v1/tenants/"+tenant+"/webhooks", body)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("create webhook = %d %s %v", code, answer, err)
	}
	if err := json.Unmarshal(answer, &w); err != nil {
		t.Fatal(err)
	}
	if want, ok := settings["ordering"]; ok && w.Ordering != want {
		t.Fatalf("webhook ordering = %q, want %q", w.Ordering, want)
	}
	if want, ok := settings["ordering_failure"]; ok && w.Failure != want {
		t.Fatalf("webhook ordering_failure = %q, want %q", w.Failure, want)
	}
	return w.ID
}

// createTenantAt creates a tenant through the API at base.
func createTenantAt(t *testing.T, base, id string) {
	t.Helper()
	if code := callAPI(t, base, operatorKey, "POST", "/api/v1/tenants", map[string]any{"id": id, "name": "Tenant " + id}, nil); code != http.StatusCreated {
		t.Fatalf("create tenant %s = %d", id, code)
	}
}

// orderKeys returns n ordering keys.
func orderKeys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("learner-%03d", i)
	}
	return out
}

// deliveryJSON is what the tests read of a delivery.
type deliveryJSON struct {
	ID          string  `json:"id"`
	EventID     string  `json:"event_id"`
	State       string  `json:"state"`
	Attempts    int     `json:"attempts"`
	Ordered     bool    `json:"ordered"`
	OrderingKey *string `json:"ordering_key"`
	HoldsKey    bool    `json:"holds_key"`
	SkippedAt   *string `json:"skipped_at"`
	BlockedBy   string  `json:"blocked_by"`
}

// deliveryDetail is GET …/deliveries/{id}.
type deliveryDetail struct {
	Delivery deliveryJSON `json:"delivery"`
	Attempts []struct {
		Number  int    `json:"number"`
		Trigger string `json:"trigger"`
		Success bool   `json:"success"`
	} `json:"attempts"`
}

// eventJSON is GET …/events/{id}.
type eventJSON struct {
	ID          string         `json:"id"`
	OrderingKey *string        `json:"ordering_key"`
	Deliveries  []deliveryJSON `json:"deliveries"`
}

// getDelivery reads a delivery with its attempts.
func getDelivery(t *testing.T, base, tenant, id string) deliveryDetail {
	t.Helper()
	var d deliveryDetail
	if code := callAPI(t, base, operatorKey, "GET", "/api/v1/tenants/"+tenant+"/deliveries/"+id, nil, &d); code != http.StatusOK {
		t.Fatalf("GET delivery %s = %d", id, code)
	}
	return d
}

// checkOrderedEvent reads one event of key through the API: it must show
// the resolved ordering key, and its delivery must be ordered under it.
func checkOrderedEvent(t *testing.T, base, tenant, key string, reqs []orderReq) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatalf("key %s: no request", key)
	}
	d := getDelivery(t, base, tenant, reqs[0].Delivery).Delivery
	if !d.Ordered || d.OrderingKey == nil || *d.OrderingKey != key || d.HoldsKey || d.State != "succeeded" {
		t.Errorf("delivery %s of key %s reads %+v, want ordered under %q, succeeded, not holding its key", d.ID, key, d, key)
	}
	var ev eventJSON
	if code := callAPI(t, base, operatorKey, "GET", "/api/v1/tenants/"+tenant+"/events/"+d.EventID, nil, &ev); code != http.StatusOK {
		t.Fatalf("GET event %s = %d", d.EventID, code)
	}
	if ev.OrderingKey == nil || *ev.OrderingKey != key {
		t.Errorf("event %s reads ordering_key %v, want %q", ev.ID, ev.OrderingKey, key)
	}
}
