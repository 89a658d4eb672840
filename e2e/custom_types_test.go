package e2e

import (
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
)

// A tenant's own event type works end to end like a builtin one: its
// variables, derived from its schema, are listed and render in CYPHER
// form parameters; a webhook's test send picks it for a pattern and sends
// its example to the real receiver; published events of it deliver. On
// SQLite, and on PostgreSQL when LMSHOOKS_TEST_POSTGRES is set.
func TestOwnEventTypeVariablesAndTestSend(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { ownEventType(t, startServer(t)) })
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("LMSHOOKS_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("LMSHOOKS_TEST_POSTGRES is not set")
		}
		ownEventType(t, startServer(t, func(c *config.Config) { c.DB = withSchema(t, dsn) }))
	})
}

func ownEventType(t *testing.T, s *server) {
	s.createTenant("acme")
	ctx := t.Context()
	_, _, err := s.api.PutEventType(ctx, "acme", "acme_kudos.awarded", client.EventTypeRequest{
		Schema: map[string]any{"type": "object", "required": []string{"kudos"}, "properties": map[string]any{
			"kudos":  map[string]any{"type": "object", "properties": map[string]any{"points": map[string]any{"type": "integer"}}},
			"sender": map[string]any{"type": "object", "properties": map[string]any{"emailAddress": map[string]any{"type": "string"}}},
		}},
		Example: map[string]any{"kudos": map[string]any{"points": 5}, "sender": map[string]any{"emailAddress": "ana@acme.com"}},
	})
	s.must(err)

	et, err := s.api.GetTenantEventType(ctx, "acme", "acme_kudos.awarded")
	s.must(err)
	vars := map[string]string{}
	for _, v := range et.Variables {
		vars[v.Name] = v.Path
	}
	if len(vars) != 2 || vars["@kudos_points"] != "/kudos/points" || vars["@sender_email_address"] != "/sender/emailAddress" {
		t.Fatalf("variables = %+v", et.Variables)
	}

	rc := newReceiver(t, nil)
	wh := s.createWebhook("acme", client.WebhookRequest{
		Name: "kudos", URL: rc.URL + "/cypher", EventTypes: []string{"*.awarded"}, Format: "cypher",
		FormatOptions: map[string]any{"parameters": map[string]any{
			"points": "@kudos_points", "from": "@sender_email_address", "type": "@event_type", "ptr": "@{/kudos/points}"}},
	})

	form := func(i int) url.Values {
		t.Helper()
		reqs, _ := rc.snapshot()
		v, err := url.ParseQuery(string(reqs[i].Body))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		return v
	}
	res, err := s.api.TestWebhook(ctx, "acme", wh.ID, client.TestRequest{})
	s.must(err)
	if !res.Success || res.Status != 200 || res.Event.Type != "acme_kudos.awarded" || rc.count() != 1 {
		t.Fatalf("test send = %+v, %d requests; want the tenant's own type sent", res, rc.count())
	}
	if f := form(0); f.Get("points") != "5" || f.Get("from") != "ana@acme.com" || f.Get("type") != "acme_kudos.awarded" || f.Get("ptr") != "5" {
		t.Fatalf("test send body = %v, want the example's values", f)
	}

	s.publish("acme", client.PublishRequest{Type: "acme_kudos.awarded",
		Data: map[string]any{"kudos": map[string]any{"points": 7}, "sender": map[string]any{"emailAddress": "bo@acme.com"}}})
	eventually(t, 10*time.Second, "the delivery", func() bool { return rc.count() == 2 })
	if f := form(1); f.Get("points") != "7" || f.Get("from") != "bo@acme.com" {
		t.Fatalf("delivered body = %v, want the event's values", f)
	}
}
