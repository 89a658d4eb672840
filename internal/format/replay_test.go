package format

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// TestReplayableRenderersReplayTheirBody holds every builtin format to its
// Replayable promise: rendered with everything the stores do not keep set
// (a secret, headers, a delivery's progress, times to the nanosecond and
// off UTC), each catalog example's body is the one Replay gives from what
// they keep. A format breaking it would make the audit show a body that
// was never sent.
func TestReplayableRenderersReplayTheirBody(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	reg := Default()
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	occurred := time.Date(2025, 3, 14, 14, 56, 53, 123_456_789, zone)
	now := time.Date(2025, 3, 14, 14, 56, 54, 987_654_321, zone)
	for _, name := range reg.Names() {
		if x, ok := reg.byName[name].(Replayable); !ok || !x.ReplaysBody() {
			t.Errorf("format %s is not Replayable: every attempt of it is rendered twice", name)
		}
	}
	rendered := 0
	for _, p := range goldenProfiles {
		r := reg.byName[p.format]
		for _, et := range cat.All() {
			if p.only != nil && !contains(p.only, et.Type) {
				continue
			}
			w := goldenHook(p, et.Type)
			if _, err := reg.Validate(w); err != nil {
				continue // the format cannot express this type
			}
			w.Headers = map[string]string{"X-Team": "lms"}
			w.SecretHeaders = []string{"X-Team"}
			ev := &domain.Event{ID: goldenEvent, TenantID: goldenTenant, Type: et.Type, OccurredAt: occurred,
				ReceivedAt: occurred.Add(time.Millisecond + 7), Data: et.Example, IdempotencyKey: "k1", OrderingKey: "o1"}
			dl := &domain.Delivery{ID: goldenDelivery, EventID: ev.ID, WebhookID: w.ID, TenantID: w.TenantID, EventType: et.Type,
				Attempts: 3, State: domain.Failed, NextAttemptAt: now.Add(time.Hour), LastError: "status 500"}
			req, err := r.Render(ev, dl, w, now)
			if err != nil {
				t.Fatalf("%s %s: %v", p.dir, et.Type, err)
			}
			again, err := reg.Replay(domain.RenderConfigOf(w), ev, dl, now)
			if err != nil {
				t.Fatalf("%s %s: replay: %v", p.dir, et.Type, err)
			}
			if !bytes.Equal(req.Body, again) {
				t.Errorf("%s %s: sent\n%s\nreplayed\n%s", p.dir, et.Type, req.Body, again)
			}
			rendered++
		}
	}
	if rendered < 100 {
		t.Fatalf("rendered %d bodies: the test checks too little", rendered)
	}
}

// stamped renders the send time to the nanosecond, which the stores do
// not keep: it must not be Replayable.
type stamped struct{}

func (stamped) Name() string { return "stamped" }
func (stamped) Render(_ *domain.Event, _ *domain.Delivery, _ *domain.Webhook, now time.Time) (Request, error) {
	b, _ := json.Marshal(now)
	return Request{ContentType: "application/json", Body: b}, nil
}

func TestBodyRef(t *testing.T) {
	reg := NewRegistry(Standard{}, stamped{})
	ev := &domain.Event{ID: "evt_1", TenantID: "t1", Type: "user.created", OccurredAt: time.Now(), Data: json.RawMessage(`{"id":"u1"}`)}
	dl := &domain.Delivery{ID: "dlv_1", EventID: ev.ID, WebhookID: "wh_1", TenantID: "t1"}
	now := time.Date(2026, 12, 3, 10, 0, 0, 123_456_789, time.UTC)
	for _, tc := range []struct {
		format string
		want   bool
	}{{"standard", true}, {"stamped", false}} {
		w := &domain.Webhook{ID: "wh_1", TenantID: "t1", Format: tc.format, Secret: goldenSecret}
		req, err := reg.byName[tc.format].Render(ev, dl, w, now)
		if err != nil {
			t.Fatal(err)
		}
		ref := reg.BodyRef(w, ev, dl, now, req.Body)
		if (ref != nil) != tc.want {
			t.Fatalf("%s: reference %v, want one: %v", tc.format, ref, tc.want)
		}
		if ref != nil && (!bytes.Equal(ref.Digest, domain.BodyDigest(req.Body)) || ref.Config.WebhookID != w.ID || ref.Config.Format != w.Format) {
			t.Fatalf("%s: reference %+v does not stand for the body sent", tc.format, ref)
		}
	}
}
