package e2e

import (
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
)

// The audit shows the exact body each receiver got, for every built-in
// format, though the store keeps for most attempts only a reference to
// the render config instead of the body (the body is rendered again when
// the audit is read) — and still after the webhook's format options have
// changed.
func TestAuditShowsTheBodySentForEveryFormat(t *testing.T) {
	db := filepath.Join(t.TempDir(), "lmshooks.db")
	s := startServer(t, func(c *config.Config) { c.DB = "sqlite:" + db })
	s.createTenant("acme")
	const typ = "course_enrollment.completed"
	for _, c := range []struct {
		format        string
		before, after any
	}{
		{"standard", nil, map[string]any{"content_type": "application/vnd.acme+json"}},
		{"riseup", map[string]any{"company_id": 42}, map[string]any{"company_id": 43}},
		{"articulate", map[string]any{"api_base_url": "https://a.example.com"}, map[string]any{"api_base_url": "https://b.example.com"}},
		{"innovative-educators", map[string]any{"company_id": "c1"}, map[string]any{"company_id": "c2"}},
		{"cypher", map[string]any{"parameters": map[string]any{"email": "@user_email", "id": "@event_id"}},
			map[string]any{"parameters": map[string]any{"delivery": "@delivery_id", "course": "@course_name"}}},
		{"absorb", map[string]any{"client_id": "x1"}, map[string]any{"client_id": "x2"}},
		{"cloudevents", map[string]any{"mode": "structured"}, map[string]any{"mode": "binary", "source": "https://lms.example.com"}},
		{"xapi", map[string]any{"base_url": "https://learn.acme.com"}, map[string]any{"base_url": "https://learn2.acme.com"}},
	} {
		t.Run(c.format, func(t *testing.T) {
			bodies := make(chan []byte, 4)
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				bodies <- b
			}))
			t.Cleanup(rc.Close)
			w := s.createWebhook("acme", client.WebhookRequest{Name: c.format, URL: rc.URL, EventTypes: []string{typ},
				Format: c.format, FormatOptions: c.before})
			// Deleted at the end, so that the next format's events are
			// not sent here too.
			defer func() { s.must(s.api.DeleteWebhook(t.Context(), "acme", w.ID)) }()
			send := func(seq int) (deliveryID string, got []byte) {
				ev := s.publish("acme", client.PublishRequest{Type: typ, Data: exampleData(t, typ, seq)})
				select {
				case got = <-bodies:
				case <-time.After(20 * time.Second):
					t.Fatal("the receiver got nothing")
				}
				var id string
				eventually(t, 10*time.Second, "the delivery to succeed", func() bool {
					p := s.deliveries("acme", client.DeliveryParams{WebhookID: w.ID, EventID: ev.ID, State: client.Succeeded})
					if len(p.Data) == 1 {
						id = p.Data[0].ID
					}
					return id != ""
				})
				return id, got
			}
			audited := func(id string) string {
				d := s.delivery("acme", id)
				if len(d.Attempts) != 1 {
					t.Fatalf("%d attempts, want 1", len(d.Attempts))
				}
				return d.Attempts[0].Request.Body
			}

			first, sent1 := send(1)
			if got := audited(first); got != string(sent1) {
				t.Fatalf("the audit shows\n%s\nthe receiver got\n%s", got, sent1)
			}
			_, err := s.api.UpdateWebhook(t.Context(), "acme", w.ID, client.WebhookUpdate{FormatOptions: c.after})
			s.must(err)
			second, sent2 := send(2)
			if string(sent2) == string(sent1) {
				t.Fatalf("the new options changed nothing in the body: the test proves nothing")
			}
			if got := audited(second); got != string(sent2) {
				t.Fatalf("after the change, the audit shows\n%s\nthe receiver got\n%s", got, sent2)
			}
			if got := audited(first); got != string(sent1) {
				t.Fatalf("after the change, the audit shows for the earlier attempt\n%s\nthe receiver got\n%s", got, sent1)
			}
		})
	}

	// The store kept references, not bodies: otherwise the above proves
	// nothing about rendering again.
	rdb, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	rows, err := rdb.Query(`SELECT c.format, count(*) FROM attempts a JOIN render_configs c ON c.key = a.render_config
		WHERE a.request_body IS NULL AND a.request_body_sha IS NOT NULL GROUP BY c.format`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	refs := map[string]int{}
	for rows.Next() {
		var f string
		var n int
		if err := rows.Scan(&f, &n); err != nil {
			t.Fatal(err)
		}
		refs[f] = n
	}
	for _, f := range []string{"standard", "riseup", "articulate", "innovative-educators", "cypher", "absorb", "cloudevents", "xapi"} {
		if refs[f] != 2 {
			t.Errorf("%d attempts of format %s kept a reference instead of the body, want 2", refs[f], f)
		}
	}
}
