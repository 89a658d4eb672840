package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// The fan-out evaluated each filter once; the dispatcher evaluates it
// again only for a webhook changed since the delivery was made, or for a
// delivery restarted by hand (a resend of one the filter failed must meet
// it again).
func TestPrecheckOnlyWhenTheFanOutMayBeStale(t *testing.T) {
	ctx := context.Background()
	ids := id.NewGenerator(nil)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var mu sync.Mutex
	var received []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		received = append(received, r.Header.Get("webhook-id"))
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)

	base := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: base, UpdatedAt: base}); err != nil {
		t.Fatal(err)
	}
	hook := func(name string) *domain.Webhook {
		w := &domain.Webhook{ID: ids.New(id.Webhook), TenantID: "acme", Name: name, URL: srv.URL, EventTypes: []string{"*"}, Enabled: true,
			Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: base, UpdatedAt: base}
		w.Normalize()
		if err := st.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	same, changed := hook("same"), hook("changed")
	publish := func(w *domain.Webhook) domain.Delivery {
		t.Helper()
		e := domain.Event{ID: ids.New(id.Event), TenantID: "acme", Type: "user.created", OccurredAt: base, ReceivedAt: base, Data: json.RawMessage(`{}`)}
		res, err := storetest.Seed{TenantID: "acme", Events: []domain.Event{e}, Now: base.Add(time.Millisecond),
			Match: func(x *domain.Webhook, _ *domain.Event) bool { return x.ID == w.ID }}.Publish(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Deliveries[0]
	}
	fresh, resent, stale := publish(same), publish(same), publish(changed)
	// resent failed once and was resent by hand.
	if err := st.RecordAttempts(ctx, []store.AttemptRecord{{State: domain.Failed, Attempt: domain.Attempt{
		ID: ids.New(id.Attempt), DeliveryID: resent.ID, TenantID: "acme", WebhookID: same.ID, EventID: resent.EventID,
		Number: 1, Trigger: domain.TriggerScheduled, StartedAt: base, RequestURL: srv.URL, StatusCode: 500,
	}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Resend(ctx, "acme", resent.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// changed was edited after its delivery was made.
	changed.Description, changed.UpdatedAt = "edited", base.Add(time.Second)
	if _, err := st.UpdateWebhook(ctx, changed, changed.UpdatedAt); err != nil {
		t.Fatal(err)
	}

	var checked []string
	d := New(Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: "n1",
		PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
		Precheck: func(w *domain.Webhook, ev *domain.Event) error {
			mu.Lock()
			defer mu.Unlock()
			checked = append(checked, ev.ID)
			return errors.New("filter error: refused")
		}})
	d.Start()
	t.Cleanup(func() { d.Stop(context.Background()) })

	ended := func(id string) bool {
		dl, err := st.GetDelivery(ctx, "acme", id)
		return err == nil && dl.State != domain.Scheduled
	}
	waitFor(t, "every delivery to end", func() bool { return ended(fresh.ID) && ended(resent.ID) && ended(stale.ID) })
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(checked)
	if want := sortedStrings(resent.EventID, stale.EventID); !slices.Equal(checked, want) {
		t.Fatalf("prechecked events %v, want those of the resent and the stale deliveries %v", checked, want)
	}
	if !slices.Equal(received, []string{fresh.ID}) {
		t.Fatalf("the receiver got %v, want only the fresh delivery %s", received, fresh.ID)
	}
	for _, x := range []domain.Delivery{resent, stale} {
		if dl, _ := st.GetDelivery(ctx, "acme", x.ID); dl.State != domain.Failed || dl.LastError != "filter error: refused" {
			t.Fatalf("delivery %s: %s (%q), want failed by the precheck", x.ID, dl.State, dl.LastError)
		}
	}
}

func sortedStrings(s ...string) []string {
	slices.Sort(s)
	return s
}
