package ingest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/dispatch"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
)

// racingStore injects the race between the fan-out and the write: when
// Publish is called (after ingest read the webhooks and matched them), it
// first disables or deletes the webhook, as an admin would through this
// node (which tells its dispatcher), and only then writes.
type racingStore struct {
	store.Store
	webhook *domain.Webhook
	delete  bool
	changed func(webhookID string)
}

func (s *racingStore) Publish(ctx context.Context, p store.PublishParams) ([]store.PublishResult, error) {
	now := time.Now()
	if s.delete {
		if err := s.Store.DeleteWebhook(ctx, s.webhook.TenantID, s.webhook.ID, now); err != nil {
			return nil, err
		}
	} else {
		w := *s.webhook
		w.Enabled, w.UpdatedAt = false, now
		if _, err := s.Store.UpdateWebhook(ctx, &w, now); err != nil {
			return nil, err
		}
	}
	s.changed(s.webhook.ID)
	return s.Store.Publish(ctx, p)
}

// A webhook disabled or deleted between the fan-out and the write gets a
// delivery, but no attempt: the dispatcher ends it canceled without
// sending, whether it was handed over in memory or claimed from the store.
func TestWebhookDisabledDuringPublishGetsNoAttempt(t *testing.T) {
	dbs := map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "i.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
		"postgres": func(t *testing.T) store.Store {
			dsn := pgtest.DSN(t)
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: pgtest.Schema(t, dsn, "ingest_"), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
	for db, open := range dbs {
		for _, tc := range []struct {
			name           string
			delete, handed bool
		}{
			{"disabled/handed-over", false, true},
			{"disabled/claimed", false, false},
			{"deleted/handed-over", true, true},
			{"deleted/claimed", true, false},
		} {
			t.Run(db+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				st := open(t)
				var requests atomic.Int32
				rx := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests.Add(1) }))
				t.Cleanup(rx.Close)
				now := time.Now().UTC()
				if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
					t.Fatal(err)
				}
				w := &domain.Webhook{ID: "wh_stranded", TenantID: "acme", Name: "h", URL: rx.URL, EventTypes: []string{"*"}, Enabled: true,
					Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
				w.Normalize()
				if err := st.CreateWebhook(ctx, w); err != nil {
					t.Fatal(err)
				}

				d := dispatch.New(dispatch.Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: "n1",
					LeaseFor: time.Minute, PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
				d.Start()
				t.Cleanup(func() { d.Stop(context.Background()) })
				s := New(Config{Store: &racingStore{Store: st, webhook: w, delete: tc.delete, changed: d.WebhookChanged},
					Owner: "n1", LeaseFor: time.Minute, Handoff: d.Handoff, Wake: d.Wake,
					AcceptingFor: func(string, int, int64) bool { return tc.handed }})

				res, err := s.Publish(ctx, "acme", []Input{{Type: "user.created", Data: json.RawMessage(`{}`)}}, false)
				if err != nil {
					t.Fatal(err)
				}
				if len(res[0].Deliveries) != 1 {
					t.Fatalf("%d deliveries, want the 1 matched before the webhook went", len(res[0].Deliveries))
				}
				id := res[0].Deliveries[0].ID
				deadline := time.Now().Add(10 * time.Second)
				for {
					dl, err := st.GetDelivery(ctx, "acme", id)
					if err != nil {
						t.Fatal(err)
					}
					if dl.State == domain.Canceled {
						break
					}
					if dl.State != domain.Scheduled || time.Now().After(deadline) {
						t.Fatalf("delivery %s is %s, want it canceled", id, dl.State)
					}
					time.Sleep(5 * time.Millisecond)
				}
				if err := d.Stop(ctx); err != nil {
					t.Fatal(err)
				}
				if n := requests.Load(); n != 0 {
					t.Fatalf("the receiver got %d requests, want none", n)
				}
				if atts, err := st.ListAttempts(ctx, "acme", id); err != nil || len(atts) != 0 {
					t.Fatalf("%d attempts (%v), want none", len(atts), err)
				}
			})
		}
	}
}
