package ingest

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Events get their ordering key (given, or their type's default from the
// catalog); ordered deliveries are stored unleased, holding their key,
// and the dispatcher is woken to claim them instead of being handed them.
func TestPublishOrderedDeliveries(t *testing.T) {
	st, unordered := setup(t)
	ctx := context.Background()
	ordered := &domain.Webhook{ID: "wh_o", TenantID: "acme", Name: "o", URL: "https://example.com/o", EventTypes: []string{"user.*"}, Enabled: true,
		Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", Ordering: domain.OrderingKey}
	ordered.Normalize()
	ordered.CreatedAt, ordered.UpdatedAt = now, now
	if err := st.CreateWebhook(ctx, ordered); err != nil {
		t.Fatal(err)
	}
	builtin, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	cats := catalog.NewViews(catalog.ViewsConfig{Store: st, Builtin: builtin, Clock: clock.NewFake(now), Logger: slog.New(slog.DiscardHandler)})
	var handed []domain.Job
	woken := 0
	s := New(Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute, OrderingKey: cats.OrderingKey,
		Handoff: func(j []domain.Job) { handed = append(handed, j...) }, Wake: func() { woken++ }})
	res, err := s.Publish(ctx, "acme", []Input{
		{Type: "user.created", Data: json.RawMessage(`{"id":"u_1"}`)},                   // the type's default: /id
		{Type: "user.updated", Data: json.RawMessage(`{"id":"u_1"}`), OrderingKey: "k"}, // given wins
		{Type: "user.updated", Data: json.RawMessage(`{"id":42}`)},                      // a number's JSON text
		{Type: "user.deleted", Data: json.RawMessage(`{"name":"x"}`)},                   // none
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"u_1", "k", "42", ""}
	for i, r := range res {
		ev, err := st.GetEvent(ctx, "acme", r.Event.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Event.OrderingKey != wantKeys[i] || ev.OrderingKey != wantKeys[i] {
			t.Errorf("event %d: ordering key %q, stored %q; want %q", i, r.Event.OrderingKey, ev.OrderingKey, wantKeys[i])
		}
		for _, d := range r.Deliveries {
			got, err := st.GetDelivery(ctx, "acme", d.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch d.WebhookID {
			case ordered.ID:
				if !got.Ordered || got.OrderingKey != wantKeys[i] || !got.HoldsKey || got.State != domain.Scheduled {
					t.Errorf("event %d: ordered delivery stored %+v, want ordered by %q, holding it", i, got, wantKeys[i])
				}
			case unordered:
				if got.Ordered || got.OrderingKey != "" || got.HoldsKey {
					t.Errorf("event %d: unordered delivery stored %+v", i, got)
				}
			}
		}
	}
	// Only the unordered webhook's deliveries were handed over.
	if len(handed) != 4 || woken != 1 {
		t.Fatalf("handed over %d jobs, woke %d times; want the unordered webhook's 4 and one wake", len(handed), woken)
	}
	for _, j := range handed {
		if j.Delivery.WebhookID != unordered {
			t.Fatalf("handed over a delivery of %s", j.Delivery.WebhookID)
		}
	}
	// Stored unleased: claimable at once, in order, one per key.
	jobs, err := st.ClaimDue(ctx, store.ClaimParams{Owner: "node-2", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]int{}
	for _, j := range jobs {
		if j.Delivery.WebhookID != ordered.ID {
			t.Fatalf("claimed %s's delivery %s, leased to node-1", j.Delivery.WebhookID, j.Delivery.ID)
		}
		keys[j.Delivery.OrderingKey]++
	}
	if len(jobs) != 4 || len(keys) != 4 {
		t.Fatalf("claimed %d ordered deliveries of keys %v, want one of each of the 4 keys", len(jobs), keys)
	}
}

func TestPublishRejectsBadOrderingKeys(t *testing.T) {
	st, _ := setup(t)
	s := New(Config{Store: st, Clock: clock.NewFake(now)})
	long := strings.Repeat("k", domain.MaxOrderingKeyLength+1)
	for _, tc := range []struct {
		in    []Input
		batch bool
		field string
	}{
		{[]Input{{Type: "user.created", Data: json.RawMessage(`{}`), OrderingKey: long}}, false, "ordering_key"},
		{[]Input{{Type: "user.created", Data: json.RawMessage(`{}`)}, {Type: "user.created", Data: json.RawMessage(`{}`), OrderingKey: "a\x00"}}, true, "events[1].ordering_key"},
	} {
		_, err := s.Publish(context.Background(), "acme", tc.in, tc.batch)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tc.field {
			t.Errorf("Publish = %v, want EINVALID on %s", err, tc.field)
		}
	}
	if _, err := s.Publish(context.Background(), "acme", []Input{{Type: "user.created", Data: json.RawMessage(`{}`),
		OrderingKey: strings.Repeat("é", domain.MaxOrderingKeyLength/2)}}, false); err != nil {
		t.Fatalf("a key of %d bytes: %v", domain.MaxOrderingKeyLength-1, err)
	}
}
