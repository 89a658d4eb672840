package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// start is the tests' "now": whole milliseconds, as the API shows times.
var start = time.Date(2030, 3, 4, 5, 6, 7, 123000000, time.UTC)

// fakeDispatcher records what the API asks of the delivery engine and
// answers test sends with a canned attempt.
type fakeDispatcher struct {
	mu      sync.Mutex
	wakes   int
	changed []string
	tests   []testCall
	answer  domain.Attempt
}

type testCall struct {
	Webhook domain.Webhook
	Event   domain.Event
}

func (f *fakeDispatcher) Test(_ context.Context, w *domain.Webhook, ev *domain.Event) domain.Attempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tests = append(f.tests, testCall{Webhook: *w, Event: *ev})
	at := f.answer
	at.RequestURL = w.URL
	at.RequestBody = ev.Data
	return at
}

func (f *fakeDispatcher) Wake() {
	f.mu.Lock()
	f.wakes++
	f.mu.Unlock()
}

func (f *fakeDispatcher) WebhookChanged(id string) {
	f.mu.Lock()
	f.changed = append(f.changed, id)
	f.mu.Unlock()
}

func (f *fakeDispatcher) snapshot() (wakes int, changed []string, tests []testCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wakes, append([]string(nil), f.changed...), append([]testCall(nil), f.tests...)
}

// testEnv is an API over a real SQLite store and the real ingest service,
// served over real HTTP.
type testEnv struct {
	t     *testing.T
	ctx   context.Context
	store store.Store
	disp  *fakeDispatcher
	clock *clock.Fake
	srv   *httptest.Server
	op    string // the operator key
	extra http.Header
}

// setOperatorKey stores a fresh operator key in st and returns it.
func setOperatorKey(t *testing.T, st store.Store) string {
	t.Helper()
	key := auth.NewKey()
	if _, err := st.SetOperatorKey(context.Background(), auth.NewKeyRecord(id.NewGenerator(nil), "", "operator", key, start)); err != nil {
		t.Fatalf("set operator key: %v", err)
	}
	return key
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	return newEnvWith(t, nil, slog.New(slog.DiscardHandler))
}

// newEnvWith is newEnv with the store seen by the API wrapped (to inject
// failures) and a chosen logger.
func newEnvWith(t *testing.T, wrap func(store.Store) store.Store, log *slog.Logger) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := &testEnv{
		t: t, ctx: ctx, store: st, clock: clock.NewFake(start),
		disp: &fakeDispatcher{answer: domain.Attempt{
			StatusCode:      200,
			Success:         true,
			Duration:        42 * time.Millisecond,
			ResponseHeaders: map[string][]string{"Content-Type": {"text/plain"}},
			ResponseBody:    []byte("ok"),
			RequestHeaders:  map[string][]string{"Webhook-Id": {"msg_1"}, "Authorization": {"Basic dTpw"}},
		}},
	}
	e.op = setOperatorKey(t, st)
	var seen store.Store = st
	if wrap != nil {
		seen = wrap(st)
	}
	a := New(Config{
		Services:  service.NewSet(e.deps(seen, log), service.SetConfig{Tester: e.disp}),
		Publisher: ingest.New(ingest.Config{Store: seen, Clock: e.clock}),
		Logger:    log,
	})
	e.srv = httptest.NewServer(a.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// deps are what the services are built from, as app builds them: their
// notices reach the fake dispatcher.
func (e *testEnv) deps(st store.Store, log *slog.Logger) service.Deps {
	return service.Deps{Store: st, Clock: e.clock, Notify: notifier{e.disp}, Logger: log}
}

// notifier passes the services' notices to the fake dispatcher, as app's
// adapter does to the real one.
type notifier struct{ d *fakeDispatcher }

func (n notifier) WorkDue()                 { n.d.Wake() }
func (n notifier) WebhookChanged(id string) { n.d.WebhookChanged(id) }

// as returns a copy of e that reports failures to t (for subtests).
func (e *testEnv) as(t *testing.T) *testEnv {
	c := *e
	c.t = t
	return &c
}

// response is an answer read whole.
type response struct {
	t      *testing.T
	Status int
	Header http.Header
	Body   []byte
}

// call sends a request. body is nil (no body), a string (sent as is) or a
// value sent as JSON.
func (e *testEnv) call(method, path, key string, body any) *response {
	e.t.Helper()
	auth := ""
	if key != "" {
		auth = "Bearer " + key
	}
	return e.send(method, path, auth, body)
}

// sendWithHeader sends a JSON request with one extra header.
func (e *testEnv) sendWithHeader(method, path, key, name, value string, body any) *response {
	e.t.Helper()
	e.extra = http.Header{name: {value}}
	defer func() { e.extra = nil }()
	return e.call(method, path, key, body)
}

// callHeader sends a bodiless request with a raw Authorization header.
func (e *testEnv) callHeader(method, path, authorization string) *response {
	e.t.Helper()
	return e.send(method, path, authorization, nil)
}

func (e *testEnv) send(method, path, authorization string, body any) *response {
	e.t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		raw = j
	}
	if body != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for k, v := range e.extra {
		req.Header[k] = v
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	checkContract(e.t, req, raw, res.StatusCode, res.Header, b)
	return &response{t: e.t, Status: res.StatusCode, Header: res.Header, Body: b}
}

// ok fails the test unless the status is want, and decodes the body into v
// (when v is not nil).
func (r *response) ok(want int, v any) *response {
	r.t.Helper()
	if r.Status != want {
		r.t.Fatalf("status %d, want %d; body: %s", r.Status, want, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			r.t.Fatalf("decode %s: %v", r.Body, err)
		}
	}
	return r
}

// fails checks an error answer: its status, code and field.
func (r *response) fails(status int, code, field string) errorBody {
	r.t.Helper()
	var body struct {
		Error errorBody `json:"error"`
	}
	r.ok(status, &body)
	if body.Error.Code != code || body.Error.Field != field {
		r.t.Fatalf("error %+v, want code %q field %q", body.Error, code, field)
	}
	if body.Error.Message == "" {
		r.t.Fatalf("error %+v has no message", body.Error)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		r.t.Fatalf("error Content-Type %q", ct)
	}
	return body.Error
}

// m is shorthand for JSON objects in requests.
type m = map[string]any

// tenant creates a tenant and a key for it; it returns the key.
func (e *testEnv) tenant(tid string) string {
	e.t.Helper()
	e.call("POST", "/api/v1/tenants", e.op, m{"id": tid, "name": "Tenant " + tid}).ok(201, nil)
	var k apiKeyJSON
	e.call("POST", "/api/v1/tenants/"+tid+"/api-keys", e.op, m{"name": "lms"}).ok(201, &k)
	return k.Key
}

// webhook creates a webhook with the given fields over sensible defaults;
// a nil field leaves that default out.
func (e *testEnv) webhook(tid, key string, fields m) webhookJSON {
	e.t.Helper()
	body := m{"name": "HRIS", "url": "https://hooks.example.com/lms", "event_types": []string{"*"}}
	for k, v := range fields {
		if v == nil { // a default left out
			delete(body, k)
			continue
		}
		body[k] = v
	}
	var w webhookJSON
	e.call("POST", "/api/v1/tenants/"+tid+"/webhooks", key, body).ok(201, &w)
	return w
}

// publish publishes one event of type typ.
func (e *testEnv) publish(tid, key, typ string) publishedJSON {
	e.t.Helper()
	var p publishedJSON
	e.call("POST", "/api/v1/tenants/"+tid+"/events", key, m{"type": typ, "data": m{"user": m{"id": "u1"}}}).ok(202, &p)
	return p
}

// attemptAll claims every due delivery and records one attempt for each,
// answered with status (success when 2xx); failures become failed.
func (e *testEnv) attemptAll(status int, took time.Duration) []domain.Delivery {
	e.t.Helper()
	now := e.clock.Now()
	jobs, err := e.store.ClaimDue(e.ctx, claim(now))
	if err != nil {
		e.t.Fatalf("claim: %v", err)
	}
	var recs []store.AttemptRecord
	var out []domain.Delivery
	for _, j := range jobs {
		d := j.Delivery
		ok := status >= 200 && status < 300
		state := domain.Failed
		if ok {
			state = domain.Succeeded
		}
		recs = append(recs, store.AttemptRecord{
			Attempt: domain.Attempt{
				ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID, EventID: d.EventID,
				Number: d.Attempts + 1, Trigger: domain.TriggerScheduled, StartedAt: now, Duration: took,
				RequestURL:      "https://hooks.example.com/lms",
				RequestHeaders:  map[string][]string{"Authorization": {"Basic c2VjcmV0OnBhc3M="}, "Webhook-Id": {d.ID}},
				RequestBody:     j.Event.Data,
				StatusCode:      status,
				ResponseHeaders: map[string][]string{"Content-Type": {"text/plain"}},
				ResponseBody:    []byte("receiver says hi"),
				Success:         ok,
			},
			State: state,
		})
		out = append(out, d)
	}
	if err := e.store.RecordAttempts(e.ctx, recs); err != nil {
		e.t.Fatalf("record: %v", err)
	}
	return out
}

// claim asks for every due delivery.
func claim(now time.Time) store.ClaimParams {
	return store.ClaimParams{Owner: "test", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 1000}
}
