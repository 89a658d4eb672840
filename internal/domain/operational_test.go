package domain

import "testing"

func TestOperationalEventsNeverReachTheirSubject(t *testing.T) {
	w := &Webhook{ID: "wh_1"}
	about := func(typ, id string) *Event {
		return &Event{Type: typ, Data: []byte(`{"id":"x","webhook":{"id":"` + id + `"}}`)}
	}
	for _, tc := range []struct {
		e    *Event
		want bool
	}{
		{about(EventWebhookFailing, "wh_1"), false},
		{about(EventDeliveryExhausted, "wh_1"), false},
		{about(EventWebhookFailing, "wh_2"), true},
		// An LMS event that happens to carry a webhook field is no
		// operational event.
		{about("user.created", "wh_1"), true},
	} {
		if got := w.Receives(tc.e); got != tc.want {
			t.Errorf("Receives(%s about %s) = %v, want %v", tc.e.Type, tc.e.Data, got, tc.want)
		}
	}
	if AnnouncesAttempt(EventWebhookRecovered) || !AnnouncesAttempt("user.created") {
		t.Error("attempts at operational events must announce nothing, others may")
	}
}
