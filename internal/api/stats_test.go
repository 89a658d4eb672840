package api

import (
	"context"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

func TestStats(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	users := e.webhook("acme", key, m{"name": "Users", "event_types": []string{"user.*"}})
	courses := e.webhook("acme", key, m{"name": "Courses", "event_types": []string{"course.*"}})
	for _, c := range []struct {
		status int
		took   time.Duration
	}{{200, 10 * time.Millisecond}, {200, 30 * time.Millisecond}, {500, 20 * time.Millisecond}} {
		e.publish("acme", key, "user.created")
		e.attemptAll(c.status, c.took)
	}
	e.clock.Advance(time.Minute)

	var s statsJSON
	e.call("GET", "/api/v1/tenants/acme/stats", key, nil).ok(200, &s)
	if s.Until != "2030-03-04T05:07:07.123Z" || s.Since != "2030-03-03T05:07:07.123Z" {
		t.Errorf("default window %s – %s", s.Since, s.Until)
	}
	if len(s.Data) != 2 {
		t.Fatalf("stats for %d webhooks, want 2: %+v", len(s.Data), s.Data)
	}
	byID := map[string]webhookStatsJSON{}
	for _, x := range s.Data {
		byID[x.WebhookID] = x
	}
	u := byID[users.ID]
	if u.Name != "Users" || u.Calls != 3 || u.Errors != 1 || u.SuccessRate == nil || math.Abs(*u.SuccessRate-2.0/3) > 1e-9 ||
		u.P50MS == nil || *u.P50MS != 20 || u.P95MS == nil || *u.P95MS != 30 {
		t.Errorf("users stats %+v", u)
	}
	c := byID[courses.ID]
	if c.Calls != 0 || c.SuccessRate != nil || c.P50MS != nil {
		t.Errorf("courses stats %+v, want no calls and null rates", c)
	}

	// A window that ends before the attempts sees none of them.
	e.call("GET", "/api/v1/tenants/acme/stats?since=2030-03-01T00:00:00Z&until=2030-03-02T00:00:00Z", key, nil).ok(200, &s)
	for _, x := range s.Data {
		if x.Calls != 0 {
			t.Errorf("past window has calls: %+v", x)
		}
	}
	e.call("GET", "/api/v1/tenants/acme/stats?window=2m", key, nil).ok(200, &s)
	if s.Data[0].Calls+s.Data[1].Calls != 3 {
		t.Errorf("2m window: %+v", s.Data)
	}

	p := "/api/v1/tenants/acme/stats?"
	e.call("GET", p+"window=forever", key, nil).fails(422, "invalid", "window")
	e.call("GET", p+"window=745h", key, nil).fails(422, "invalid", "window")
	e.call("GET", p+"window=-1h", key, nil).fails(422, "invalid", "window")
	e.call("GET", p+"window=1h&since=2030-03-01T00:00:00Z", key, nil).fails(422, "invalid", "window")
	e.call("GET", p+"since=2030-01-01T00:00:00Z", key, nil).fails(422, "invalid", "since")
	e.call("GET", p+"until=2030-03-01T00:00:00Z", key, nil).fails(422, "invalid", "since")
	e.call("GET", p+"since=bad", key, nil).fails(422, "invalid", "since")
	e.call("GET", "/api/v1/tenants/nope/stats", e.op, nil).fails(404, "not_found", "")
}

// statserStore is a store that summarizes by itself, and fails doing so.
type statserStore struct {
	store.Store
	calls int
}

func (s *statserStore) WebhookStats(context.Context, string, time.Time, time.Time) (map[string]stats.Summary, error) {
	s.calls++
	return nil, domain.Errorf(domain.EUNAVAILABLE, "roll-ups unreachable")
}

// Stores that summarize by themselves are asked instead of returning every
// sample: here a failure of theirs reaches the client.
func TestStatsUsesStoreSummaries(t *testing.T) {
	var wrapped *statserStore
	e := newEnvWith(t, func(s store.Store) store.Store {
		wrapped = &statserStore{Store: s}
		return wrapped
	}, slog.New(slog.DiscardHandler))
	key := e.tenant("acme")
	e.call("GET", "/api/v1/tenants/acme/stats?window=720h", key, nil).fails(503, "unavailable", "")
	if wrapped.calls != 1 {
		t.Fatalf("WebhookStats called %d times, want 1", wrapped.calls)
	}
}
