package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFiltersAtFanOut: a webhook filtered on the course gets only that
// course's events while an unfiltered one gets all; a filter that errors on
// one event fails that delivery (with "filter error" and no request) while
// the webhook's other events flow.
func TestFiltersAtFanOut(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rcAll, rcC1, rcScore := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
	all := s.createWebhook("acme", map[string]any{"name": "all", "url": rcAll.URL, "event_types": []string{"course_enrollment.*"}})
	c1 := s.createWebhook("acme", map[string]any{"name": "c1", "url": rcC1.URL, "entity": "course_enrollment", "actions": []string{"completed"},
		"filter": `data.course.id in ["c_1"]`})
	// score is optional in the schema: an event without it cannot be
	// decided by this filter.
	score := s.createWebhook("acme", map[string]any{"name": "score", "url": rcScore.URL, "event_types": []string{"course_enrollment.completed"},
		"filter": `data.score.raw >= 50`})

	enrollment := func(id, course string, score any) map[string]any {
		d := map[string]any{"id": id, "user": map[string]any{"id": "u_1", "email": "ana@acme.com"},
			"course": map[string]any{"id": course, "title": "Course " + course}, "status": "completed",
			"completed_at": "2025-03-14T09:26:53.000Z"}
		if score != nil {
			d["score"] = map[string]any{"raw": score}
		}
		return map[string]any{"type": "course_enrollment.completed", "data": d}
	}
	evs := []map[string]any{
		enrollment("enr_1", "c_1", 80),  // all, c1, score
		enrollment("enr_2", "c_2", 80),  // all, score
		enrollment("enr_3", "c_1", nil), // all, c1, score errors
		enrollment("enr_4", "c_2", 20),  // all
	}
	var out struct {
		Data []struct {
			ID         string `json:"id"`
			Deliveries int    `json:"deliveries"`
		} `json:"data"`
	}
	s.mustCall(202, "POST", "/api/v1/tenants/acme/events/batch", map[string]any{"events": evs}, &out)
	var ids []string
	var perEvent []int
	for _, d := range out.Data {
		ids = append(ids, d.ID)
		perEvent = append(perEvent, d.Deliveries)
	}
	if want := []int{3, 2, 3, 1}; !slices.Equal(perEvent, want) {
		t.Fatalf("deliveries per event = %v, want %v", perEvent, want)
	}

	eventually(t, 10*time.Second, "deliveries to the three receivers", func() bool {
		return rcAll.count() == 4 && rcC1.count() == 2 && rcScore.count() == 2
	})
	gotIDs := func(rc *receiver) []string {
		reqs, _ := rc.snapshot()
		var out []string
		for _, r := range reqs {
			out = append(out, r.EventID)
		}
		slices.Sort(out)
		return out
	}
	if got, want := gotIDs(rcC1), sorted(ids[0], ids[2]); !slices.Equal(got, want) {
		t.Errorf("filtered webhook got events %v, want %v", got, want)
	}
	if got, want := gotIDs(rcScore), sorted(ids[0], ids[1]); !slices.Equal(got, want) {
		t.Errorf("score webhook got events %v, want %v", got, want)
	}

	// The filter error is on the delivery, as a failed attempt that sent
	// nothing and will not be retried.
	var failedID string
	eventually(t, 10*time.Second, "the filter error to be recorded", func() bool {
		l := s.deliveries("acme", "webhook_id="+score.ID+"&state=failed")
		if len(l.Data) == 1 {
			failedID = l.Data[0].ID
		}
		return failedID != ""
	})
	d := s.delivery("acme", failedID)
	if d.State != "failed" || len(d.Attempts) != 1 {
		t.Fatalf("delivery %s: state %s with %d attempts, want failed with 1", failedID, d.State, len(d.Attempts))
	}
	at := d.Attempts[0]
	if !strings.HasPrefix(at.Error, "filter error: ") || !strings.Contains(at.Error, "score") || at.Response != nil || at.Success {
		t.Fatalf("attempt = %+v, want a failed attempt with a filter error and no response", at)
	}
	if d.NextAttemptAt != nil {
		t.Fatalf("a filter error is retried at %v", d.NextAttemptAt)
	}
	if n := rcScore.count(); n != 2 {
		t.Fatalf("the score webhook's receiver got %d requests, want 2: the failed delivery sent nothing", n)
	}
	// Every other delivery succeeded, once its attempt is recorded (the
	// receivers answered, but the recorder writes a moment later).
	want := map[string]int{all.ID: 4, c1.ID: 2, score.ID: 2}
	eventually(t, 10*time.Second, "the other deliveries recorded as succeeded", func() bool {
		for wh, n := range want {
			if len(s.deliveries("acme", "webhook_id="+wh+"&state=succeeded").Data) != n {
				return false
			}
		}
		return true
	})
}

// TestFilterCheckedAtSave: a filter that reads a field the subscribed
// type does not have is refused when the webhook is saved.
func TestFilterCheckedAtSave(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	var body struct {
		Error struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"error"`
	}
	code := s.call("POST", "/api/v1/tenants/acme/webhooks", map[string]any{"name": "h", "url": "https://example.com/h",
		"event_types": []string{"user.created"}, "filter": `data.course.id == "c_1"`}, &body)
	if code != 422 || body.Error.Field != "filter" || !strings.Contains(body.Error.Message, "data.course does not exist in user.created") {
		t.Fatalf("create = %d %+v, want 422 on filter naming the path and type", code, body.Error)
	}
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
