package fanout

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

func TestBuildOrderedDeliveries(t *testing.T) {
	hook := func(id string, o domain.Ordering, f domain.OrderingFailure) domain.Webhook {
		return domain.Webhook{ID: id, TenantID: "acme", EventTypes: []string{"*"}, Enabled: true, Ordering: o, OrderingFailure: f}
	}
	hooks := []domain.Webhook{
		hook("wh_none", domain.OrderingNone, domain.FailureBlock),
		hook("wh_all", domain.OrderingWebhook, domain.FailureBlock),
		hook("wh_key", domain.OrderingKey, domain.FailureBlock),
		hook("wh_skip", domain.OrderingKey, domain.FailureSkip),
	}
	events := []domain.Event{
		{ID: "evt_1", Type: "user.created", OrderingKey: "u_1", Data: json.RawMessage(`{}`)},
		{ID: "evt_2", Type: "user.created", Data: json.RawMessage(`{}`)},
		{ID: "evt_3", Type: "user.updated", OrderingKey: "u_1", Data: json.RawMessage(`{}`)},
	}
	asked := map[string]bool{}
	b := Build(Plan{
		TenantID: "acme", Events: events, Webhooks: hooks, Now: now, IDs: id.NewGenerator(nil),
		LeaseOwner: "n1", LeaseUntil: now.Add(time.Minute),
		Leased: func(webhookID string) bool { asked[webhookID] = true; return true },
		Decide: func(w *domain.Webhook, e *domain.Event) Verdict {
			if e.ID == "evt_3" && w.ID != "wh_none" {
				return Verdict{Deliver: true, Failure: errors.New("filter error: no such key")}
			}
			return Verdict{Deliver: true}
		},
	})
	type want struct {
		ordered  bool
		key      string
		holds    bool
		state    domain.DeliveryState
		leasedTo string
	}
	wants := map[string]want{
		// Unordered: as before, handed over leased.
		"evt_1/wh_none": {false, "", false, domain.Scheduled, "n1"},
		"evt_3/wh_none": {false, "", false, domain.Scheduled, "n1"},
		// Ordered as a whole: one key, "".
		"evt_1/wh_all": {true, "", true, domain.Scheduled, ""},
		"evt_2/wh_all": {true, "", true, domain.Scheduled, ""},
		// Ordered by key: the event's; none is "".
		"evt_1/wh_key":  {true, "u_1", true, domain.Scheduled, ""},
		"evt_2/wh_key":  {true, "", true, domain.Scheduled, ""},
		"evt_1/wh_skip": {true, "u_1", true, domain.Scheduled, ""},
		// Failed at the fan-out: holds its key under block, not under skip.
		"evt_3/wh_all":  {true, "", true, domain.Failed, ""},
		"evt_3/wh_key":  {true, "u_1", true, domain.Failed, ""},
		"evt_3/wh_skip": {true, "u_1", false, domain.Failed, ""},
	}
	got := map[string]store.NewDelivery{}
	for _, pe := range b.Params.Events {
		if pe.Event.OrderingKey != eventKey(events, pe.Event.ID) {
			t.Errorf("%s: the event's ordering key became %q", pe.Event.ID, pe.Event.OrderingKey)
		}
		for _, nd := range pe.Deliveries {
			got[pe.Event.ID+"/"+nd.Delivery.WebhookID] = nd
		}
	}
	for k, w := range wants {
		nd, ok := got[k]
		if !ok {
			t.Errorf("%s: no delivery", k)
			continue
		}
		d := nd.Delivery
		if d.Ordered != w.ordered || d.OrderingKey != w.key || d.HoldsKey != w.holds || d.State != w.state || nd.LeaseOwner != w.leasedTo {
			t.Errorf("%s: ordered %v key %q holds %v state %s leased to %q; want %+v", k, d.Ordered, d.OrderingKey, d.HoldsKey, d.State, nd.LeaseOwner, w)
		}
		if nd.LeaseOwner == "" && !nd.LeaseUntil.IsZero() {
			t.Errorf("%s: unleased with a lease expiry %v", k, nd.LeaseUntil)
		}
	}
	// Ordered deliveries are never leased, so nobody asks for room for them.
	for _, id := range []string{"wh_all", "wh_key", "wh_skip"} {
		if asked[id] {
			t.Errorf("asked for room in memory for %s, an ordered webhook", id)
		}
	}
}

func eventKey(events []domain.Event, id string) string {
	for _, e := range events {
		if e.ID == id {
			return e.OrderingKey
		}
	}
	return "?"
}
