package e2e

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
)

// TestFiltersAtFanOut: a webhook filtered on the course gets only that
// course's events while an unfiltered one gets all; a filter that errors on
// one event fails that delivery (with "filter error" and no request) while
// the webhook's other events flow.
func TestFiltersAtFanOut(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rcAll, rcC1, rcScore := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
	all := s.createWebhook("acme", client.WebhookRequest{Name: "all", URL: rcAll.URL, EventTypes: []string{"course_enrollment.*"}})
	c1 := s.createWebhook("acme", client.WebhookRequest{Name: "c1", URL: rcC1.URL, Entity: "course_enrollment", Actions: []string{"completed"},
		Filter: `data.course.id in ["c_1"]`})
	// score is optional in the schema: an event without it cannot be
	// decided by this filter.
	score := s.createWebhook("acme", client.WebhookRequest{Name: "score", URL: rcScore.URL, EventTypes: []string{"course_enrollment.completed"},
		Filter: `data.score.raw >= 50`})

	enrollment := func(id, course string, score any) client.PublishRequest {
		d := map[string]any{"id": id, "user": map[string]any{"id": "u_1", "email": "ana@acme.com"},
			"course": map[string]any{"id": course, "title": "Course " + course}, "status": "completed",
			"completed_at": "2025-03-14T09:26:53.000Z"}
		if score != nil {
			d["score"] = map[string]any{"raw": score}
		}
		return client.PublishRequest{Type: "course_enrollment.completed", Data: d}
	}
	evs := []client.PublishRequest{
		enrollment("enr_1", "c_1", 80),  // all, c1, score
		enrollment("enr_2", "c_2", 80),  // all, score
		enrollment("enr_3", "c_1", nil), // all, c1, score errors
		enrollment("enr_4", "c_2", 20),  // all
	}
	items, err := s.api.PublishBatch(t.Context(), "acme", evs)
	s.must(err)
	var ids []string
	var perEvent []int
	for _, d := range items {
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
		l := s.deliveries("acme", client.DeliveryParams{WebhookID: score.ID, State: client.Failed})
		if len(l.Data) == 1 {
			failedID = l.Data[0].ID
		}
		return failedID != ""
	})
	d := s.delivery("acme", failedID)
	if d.Delivery.State != "failed" || len(d.Attempts) != 1 {
		t.Fatalf("delivery %s: state %s with %d attempts, want failed with 1", failedID, d.Delivery.State, len(d.Attempts))
	}
	at := d.Attempts[0]
	if !strings.HasPrefix(at.Error, "filter error: ") || !strings.Contains(at.Error, "score") || at.Response != nil || at.Success {
		t.Fatalf("attempt = %+v, want a failed attempt with a filter error and no response", at)
	}
	if d.Delivery.NextAttemptAt != nil {
		t.Fatalf("a filter error is retried at %v", d.Delivery.NextAttemptAt)
	}
	if n := rcScore.count(); n != 2 {
		t.Fatalf("the score webhook's receiver got %d requests, want 2: the failed delivery sent nothing", n)
	}
	// Every other delivery succeeded. An attempt is recorded after its
	// receiver answered, so the receivers' counts above may be ahead of
	// the audit for a moment.
	for _, wh := range []string{all.ID, c1.ID, score.ID} {
		want := map[string]int{all.ID: 4, c1.ID: 2, score.ID: 2}[wh]
		eventually(t, 10*time.Second, fmt.Sprintf("%d succeeded deliveries of webhook %s", want, wh), func() bool {
			return len(s.deliveries("acme", client.DeliveryParams{WebhookID: wh, State: client.Succeeded}).Data) == want
		})
	}
}

// TestFilterCheckedAtSave: a filter that reads a field the subscribed
// type does not have is refused when the webhook is saved.
func TestFilterCheckedAtSave(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	_, err := s.api.CreateWebhook(t.Context(), "acme", client.WebhookRequest{Name: "h", URL: "https://example.com/h",
		EventTypes: []string{"user.created"}, Filter: `data.course.id == "c_1"`})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 422 || e.Field != "filter" || !strings.Contains(e.Message, "data.course does not exist in user.created") {
		t.Fatalf("create = %v, want 422 on filter naming the path and type", err)
	}
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
