package format

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// FuzzCypherTemplate renders arbitrary CYPHER templates over arbitrary
// data. A template expands to itself when no variable is known, or when
// each variable stands for itself; every variable it names is "@" and a
// part of it; and a webhook that validates renders a form holding exactly
// its one parameter, for a builtin type and for a tenant's own alike.
func FuzzCypherTemplate(f *testing.F) {
	for _, tmpl := range []string{
		"@user_email", "Completed on @completed_at", "ana.lopez@acme.com", "@{/user/email}", "@{}", "@{user}",
		"@", "@@x", "x@y @z.", "@data @event_id @occurred_at @tenant_id @delivery_id @event_type",
		"@{/a~1b/0}", "@{/a", "@}{", "100% @badge_level!", "é@ü@_x",
	} {
		f.Add(tmpl, []byte(`{"user":{"email":"ana@example.com","id":7},"badge":{"level":3},"completed_at":"2025-03-14T09:26:53.000Z","a/b":["x"]}`))
	}
	f.Add("@n", []byte(`{"n":null}`))
	f.Add("@x", []byte(`not json`))
	cat, err := catalog.Load()
	if err != nil {
		f.Fatal(err)
	}
	c := &Cypher{Variables: CatalogVariables(cat)}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	unknown := func(string) (string, bool) { return "", false }
	itself := func(name string) (string, bool) { return name, true }
	f.Fuzz(func(t *testing.T, tmpl string, data []byte) {
		if got := expand(tmpl, unknown); got != tmpl {
			t.Fatalf("expand(%q) with no variable known = %q", tmpl, got)
		}
		if got := expand(tmpl, itself); got != tmpl {
			t.Fatalf("expand(%q) with each variable itself = %q", tmpl, got)
		}
		for _, v := range templateVariables(tmpl) {
			if !strings.HasPrefix(v, "@") || len(v) < 2 || !strings.Contains(tmpl, v) {
				t.Fatalf("templateVariables(%q) names %q", tmpl, v)
			}
		}
		params, _ := json.Marshal(map[string]any{"parameters": map[string]string{"p": tmpl}})
		for _, typ := range []string{"course_enrollment.completed", "badge.earned"} {
			w := &domain.Webhook{ID: "wh_1", TenantID: "acme", Format: "cypher", URL: "https://lms.example.com/hook",
				EventTypes: []string{typ}, FormatOptions: params}
			_, verr := c.ValidateWebhook(w)
			ev := &domain.Event{ID: "evt_1", TenantID: "acme", Type: typ, OccurredAt: now, ReceivedAt: now, Data: data}
			req, err := c.Render(ev, &domain.Delivery{ID: "dlv_1"}, w, now)
			if verr != nil || !json.Valid(data) || !strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
				continue // must only not panic
			}
			if err != nil {
				t.Fatalf("%s: Render(%q) = %v", typ, tmpl, err)
			}
			form, err := url.ParseQuery(string(req.Body))
			if err != nil || len(form) != 1 || len(form["p"]) != 1 {
				t.Fatalf("%s: Render(%q) body %q is not one parameter p (%v)", typ, tmpl, req.Body, err)
			}
		}
	})
}
