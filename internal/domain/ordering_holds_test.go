package domain

import "testing"

func TestDeliveryHoldsKeyAfter(t *testing.T) {
	block := &Webhook{Ordering: OrderingKey, OrderingFailure: FailureBlock}
	skip := &Webhook{Ordering: OrderingWebhook, OrderingFailure: FailureSkip}
	none := &Webhook{Ordering: OrderingNone}
	ordered, unordered := &Delivery{Ordered: true}, &Delivery{}
	for _, tc := range []struct {
		name  string
		w     *Webhook
		dl    *Delivery
		state DeliveryState
		want  bool
	}{
		{"scheduled holds", block, ordered, Scheduled, true},
		{"succeeded releases", block, ordered, Succeeded, false},
		{"canceled releases", block, ordered, Canceled, false},
		{"failed blocks", block, ordered, Failed, true},
		{"failed skips", skip, ordered, Failed, false},
		{"scheduled holds under skip", skip, ordered, Scheduled, true},
		// Made before the webhook was ordered: never holds.
		{"unordered delivery", block, unordered, Scheduled, false},
		// The webhook stopped ordering: its ordered deliveries let go.
		{"webhook no longer ordered", none, ordered, Scheduled, false},
	} {
		if got := tc.w.DeliveryHoldsKeyAfter(tc.dl, tc.state); got != tc.want {
			t.Errorf("%s: DeliveryHoldsKeyAfter = %v, want %v", tc.name, got, tc.want)
		}
	}
}
