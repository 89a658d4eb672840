package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
)

var t0 = time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)

// loadCatalog compiles the catalog's schemas once for all tests.
var loadCatalog = sync.OnceValues(catalog.Load)

func testLMS(t *testing.T, seed uint64, clk *clock.Fake) *lms {
	t.Helper()
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLMS(cat, seed, clk.Now, "test")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Every simulated event is valid for its catalog type (the server would
// refuse it otherwise), and the events tell coherent stories: enrollments
// of learners who exist, moving forward, ending once, with the
// certificate right after the completion that earned it.
func TestSimulatedActivityIsValidAndCoherent(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	l := testLMS(t, 42, clk)
	users := map[string]bool{}
	type enrollment struct {
		user, course string
		progress     float64
		ended        bool
	}
	enrollments := map[string]*enrollment{}
	keys := map[string]bool{}
	types := map[string]int{}
	var lastCompleted map[string]any
	for i := range 3000 {
		clk.Advance(time.Second)
		ev := l.next()
		types[ev.Type]++
		raw, err := json.Marshal(ev.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := cat.Validate(ev.Type, raw); err != nil {
			t.Fatalf("event %d (%s) is not valid for the catalog: %v\n%s", i, ev.Type, err, raw)
		}
		if keys[ev.IdempotencyKey] || !strings.HasPrefix(ev.IdempotencyKey, "sim-test-") {
			t.Fatalf("event %d: idempotency key %q repeated or malformed", i, ev.IdempotencyKey)
		}
		keys[ev.IdempotencyKey] = true
		if !ev.OccurredAt.Equal(clk.Now()) {
			t.Fatalf("event %d: occurred_at %s, want the clock's %s", i, ev.OccurredAt, clk.Now())
		}
		d := ev.Data
		userID := func() string { return d["user"].(map[string]any)["id"].(string) }
		if ev.Type == "certificate.awarded" {
			if lastCompleted == nil || lastCompleted["certificate_id"] != d["id"] || userID() != lastCompleted["user"].(map[string]any)["id"] {
				t.Fatalf("event %d: certificate %v does not follow the completion that earned it (%v)", i, d["id"], lastCompleted)
			}
		}
		if ev.Type != "badge.awarded" {
			lastCompleted = nil
		}
		switch ev.Type {
		case "user.created":
			users[d["id"].(string)] = true
		case "user.updated":
			if !users[d["id"].(string)] {
				t.Fatalf("event %d: update of unknown user %v", i, d["id"])
			}
		case "course_enrollment.created":
			if !users[userID()] {
				t.Fatalf("event %d: enrollment of unknown user %s", i, userID())
			}
			enrollments[d["id"].(string)] = &enrollment{user: userID(), course: d["course"].(map[string]any)["id"].(string)}
		case "course_enrollment.started", "course_enrollment.progressed", "course_enrollment.completed",
			"course_enrollment.failed", "course_enrollment.withdrawn":
			e := enrollments[d["id"].(string)]
			if e == nil || e.ended || e.user != userID() || e.course != d["course"].(map[string]any)["id"] {
				t.Fatalf("event %d: %s of enrollment %v that was not created, has ended or changed hands: %+v", i, ev.Type, d["id"], e)
			}
			p := toFloat(d["progress_percent"])
			if p < e.progress {
				t.Fatalf("event %d: progress went back from %v to %v", i, e.progress, p)
			}
			e.progress = p
			if ev.Type == "course_enrollment.completed" || ev.Type == "course_enrollment.failed" || ev.Type == "course_enrollment.withdrawn" {
				e.ended = true
			}
			if ev.Type == "course_enrollment.completed" {
				lastCompleted = d
			}
		}
	}
	for _, typ := range simTypes {
		if types[typ] == 0 {
			t.Errorf("3000 events and no %s: %v", typ, types)
		}
	}
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64:
		return n
	}
	return -1
}

// The same seed replays the same activity.
func TestSimulationIsReproducible(t *testing.T) {
	a, b := testLMS(t, 7, clock.NewFake(t0)), testLMS(t, 7, clock.NewFake(t0))
	c := testLMS(t, 8, clock.NewFake(t0))
	same, differs := true, false
	for range 200 {
		ea, eb, ec := a.next(), b.next(), c.next()
		ja, _ := json.Marshal(ea)
		jb, _ := json.Marshal(eb)
		jc, _ := json.Marshal(ec)
		same = same && bytes.Equal(ja, jb)
		differs = differs || !bytes.Equal(ja, jc)
	}
	if !same || !differs {
		t.Fatalf("same seed gives the same events: %v; another seed differs: %v", same, differs)
	}
}

// recorder collects what a simulator sends, failing as told.
type recorder struct {
	mu      sync.Mutex
	batches [][]simEvent
	fail    func(call int) error // nil: never fails
	calls   int
}

func (r *recorder) send(_ context.Context, batch []simEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		if err := r.fail(r.calls); err != nil {
			return err
		}
	}
	r.batches = append(r.batches, append([]simEvent(nil), batch...))
	return nil
}

func (r *recorder) events() []simEvent {
	var all []simEvent
	for _, b := range r.batches {
		all = append(all, b...)
	}
	return all
}

// newSim returns a simulator on a fake clock that each wait advances.
func newSim(t *testing.T, rate float64, limit int, duration time.Duration, rec *recorder) (*simulator, *bytes.Buffer) {
	clk := clock.NewFake(t0)
	var out bytes.Buffer
	return &simulator{
		model: testLMS(t, 1, clk),
		send:  rec.send,
		clock: clk,
		wait: func(_ context.Context, d time.Duration) error {
			clk.Advance(d)
			return nil
		},
		out:      &out,
		rate:     rate,
		limit:    limit,
		duration: duration,
	}, &out
}

func TestSimulatorKeepsTheRate(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		limit    int
		duration time.Duration
		want     int
	}{
		{"a duration at a rate", 50, 0, 2 * time.Second, 100},
		{"a slow trickle", 2.5, 0, 4 * time.Second, 10},
		{"an event limit", 1000, 250, 0, 250},
		{"the limit before the end", 10, 15, time.Minute, 15},
		{"high rates in batches of at most 1000", 12000, 0, 500 * time.Millisecond, 6000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			s, out := newSim(t, tt.rate, tt.limit, tt.duration, rec)
			if err := s.run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := len(rec.events()); got != tt.want {
				t.Fatalf("sent %d events, want %d", got, tt.want)
			}
			biggest := 0
			for _, b := range rec.batches {
				if len(b) == 0 || len(b) > 1000 {
					t.Fatalf("batch of %d events", len(b))
				}
				biggest = max(biggest, len(b))
			}
			// 1200 events are due per tick at 12000/s: full batches first.
			if tt.rate == 12000 && biggest != 1000 {
				t.Fatalf("largest batch %d, want 1000", biggest)
			}
			if !strings.Contains(out.String(), "done: ") {
				t.Fatalf("no final report:\n%s", out)
			}
		})
	}
}

// At 50 events/s, each second of (fake) time publishes 50 more: the
// events are spread over the run, not sent at once.
func TestSimulatorSpreadsEventsOverTime(t *testing.T) {
	rec := &recorder{}
	s, _ := newSim(t, 50, 0, 3*time.Second, rec)
	var mu sync.Mutex
	var perSecond []int
	inner := s.send
	start := s.clock.Now()
	s.send = func(ctx context.Context, b []simEvent) error {
		mu.Lock()
		sec := int(s.clock.Now().Sub(start) / time.Second)
		for len(perSecond) <= sec {
			perSecond = append(perSecond, 0)
		}
		perSecond[sec] += len(b)
		mu.Unlock()
		return inner(ctx, b)
	}
	if err := s.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Second 0 holds the events due by 0.9 s; the last tick lands on 3 s.
	if len(perSecond) != 4 || perSecond[0] != 45 || perSecond[1] != 50 || perSecond[2] != 50 || perSecond[3] != 5 {
		t.Fatalf("events per second of the run = %v, want [45 50 50 5]", perSecond)
	}
}

func TestSimulatorRetriesWhileTheServerIsDown(t *testing.T) {
	down := &client.Error{Status: 503, Code: "unavailable", Message: "the database cannot be reached"}
	rec := &recorder{fail: func(call int) error {
		if call == 3 || call == 4 {
			return down
		}
		return nil
	}}
	s, out := newSim(t, 100, 60, 0, rec)
	if err := s.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := rec.events()
	if len(got) != 60 || s.retries != 2 {
		t.Fatalf("sent %d events with %d retries, want 60 with 2", len(got), s.retries)
	}
	seen := map[string]bool{}
	for _, ev := range got {
		if seen[ev.IdempotencyKey] {
			t.Fatalf("event %s accepted twice", ev.IdempotencyKey)
		}
		seen[ev.IdempotencyKey] = true
	}
	if !strings.Contains(out.String(), "server unavailable") || !strings.Contains(out.String(), "2 retries") {
		t.Fatalf("output does not tell about the outage:\n%s", out)
	}
}

func TestSimulatorStopsOnARefusal(t *testing.T) {
	refused := &client.Error{Status: 422, Code: "invalid", Message: "unknown event type", Field: "events[0].type"}
	rec := &recorder{fail: func(call int) error {
		if call == 2 {
			return refused
		}
		return nil
	}}
	s, _ := newSim(t, 100, 0, time.Minute, rec)
	err := s.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "events[0].type unknown event type") {
		t.Fatalf("run = %v, want the server's refusal", err)
	}
	// Nothing accepted yet: even a temporary error means a wrong URL or a
	// server that is not there, and waiting would hide it.
	rec = &recorder{fail: func(int) error { return &client.Error{Status: 503, Message: "down"} }}
	s, _ = newSim(t, 100, 0, time.Minute, rec)
	if err := s.run(context.Background()); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("run against a server that never answered = %v", err)
	}
}

func TestSimulatorStopsWhenCanceled(t *testing.T) {
	rec := &recorder{}
	s, out := newSim(t, 10, 0, 0, rec)
	ctx, cancel := context.WithCancel(context.Background())
	waits := 0
	s.wait = func(ctx context.Context, d time.Duration) error {
		waits++
		if waits == 25 {
			cancel()
		}
		s.clock.(*clock.Fake).Advance(d)
		return ctx.Err()
	}
	if err := s.run(ctx); err != nil {
		t.Fatalf("an interrupted run is not an error: %v", err)
	}
	if n := len(rec.events()); n != 24 {
		t.Fatalf("sent %d events in 2.4 s at 10/s, want 24", n)
	}
	if !strings.Contains(out.String(), "stopped: ") {
		t.Fatalf("no final report:\n%s", out)
	}
}

// The command publishes to the batch route with the key, and the body is
// what the API expects.
func TestSimulateCommand(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/tenants/acme/events/batch" || r.Header.Get("Authorization") != "Bearer lmsk_test" {
			http.Error(w, `{"error":{"code":"not_found","message":"wrong route or key"}}`, 404)
			return
		}
		var body struct {
			Events []map[string]any `json:"events"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		got = append(got, body.Events...)
		mu.Unlock()
		w.WriteHeader(202)
		_, _ = w.Write([]byte(`{"data":[]}`))
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	code := Main([]string{"simulate", "--tenant", "acme", "--server", srv.URL, "--rate", "2000", "--events", "30", "--seed", "5"},
		func(k string) string { return map[string]string{"LMSHOOKS_API_KEY": "lmsk_test"}[k] }, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("simulate = %d: %s", code, errOut.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 30 {
		t.Fatalf("server got %d events, want 30", len(got))
	}
	for _, ev := range got {
		if ev["type"] == "" || ev["data"] == nil || ev["idempotency_key"] == "" || ev["occurred_at"] == "" {
			t.Fatalf("event lacks a field: %v", ev)
		}
	}
	if !strings.Contains(out.String(), "seed 5") || !strings.Contains(out.String(), "done: ") {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestSimulateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate"}, "--tenant is required"},
		{[]string{"simulate", "--tenant", "acme"}, "no API key"},
		{[]string{"simulate", "--tenant", "acme", "--key", "k", "--rate", "0"}, "--rate"},
		{[]string{"simulate", "--tenant", "acme", "--key", "k", "--events", "-1"}, "must not be negative"},
		{[]string{"simulate", "--tenant", "acme", "--key", "k", "extra"}, `unexpected argument "extra"`},
	} {
		code, _, errOut := run(tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v = %d %q, want an error about %s", tc.args, code, errOut, tc.want)
		}
	}
}
