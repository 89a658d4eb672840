package format

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// A tenant's own type has the variables its data's property names derive
// (the ones its catalog entry lists), empty when the event lacks the
// property; builtin types keep their own list only, and "@{/pointer}" works
// for both.
func TestCypherOwnTypeVariables(t *testing.T) {
	c := Default().byName["cypher"].(*Cypher)
	w := &domain.Webhook{Format: "cypher", EventTypes: []string{"acme_kudos.awarded"}, FormatOptions: json.RawMessage(`{"parameters":{
		"points": "@kudos_points", "from": "@from_email", "when": "@sent_at", "tags": "@kudos_tags",
		"null": "@kudos_note", "absent": "@kudos_rank", "ptr": "@{/kudos/id}", "type": "@event_type", "same": "@a_b",
		"upper": "@Nope", "mail": "to ops@acme.com"}}`)}
	ev := &domain.Event{ID: "evt_1", TenantID: "acme", Type: "acme_kudos.awarded", OccurredAt: time.Unix(0, 0),
		Data: json.RawMessage(`{"kudos":{"id":"k_1","points":5,"note":null,"tags":["team","fast"]},"from":{"email":"ana@acme.com"},"sentAt":"2030-01-02T03:04:05Z","a_b":"x","a":{"b":"y"}}`)}
	req, err := c.Render(ev, &domain.Delivery{ID: "dlv_1"}, w, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	got, err := url.ParseQuery(string(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"points": "5", "from": "ana@acme.com", "when": "2030-01-02T03:04:05Z", "tags": `["team","fast"]`,
		"null": "", "absent": "", "ptr": "k_1", "type": "acme_kudos.awarded",
		"same":  "",      // /a_b and /a/b both derive it: no value
		"upper": "@Nope", // no variable name: as written
		"mail":  "to ops@acme.com",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q (body %s)", k, got.Get(k), v, req.Body)
		}
	}

	// A builtin type does not derive: its variables are its catalog list.
	ev.Type = "user.created"
	ev.Data = json.RawMessage(`{"id":"u_1","email":"ana@acme.com","kudos":{"points":5}}`)
	w.FormatOptions = json.RawMessage(`{"parameters":{"mail":"@user_email","points":"@kudos_points"}}`)
	req, err = c.Render(ev, nil, w, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	// user.created's data is the user: @user_email is /email.
	if string(req.Body) != "mail=ana%40acme.com&points=%40kudos_points" {
		t.Errorf("builtin type body = %s", req.Body)
	}
}

// Saving does not warn about the variables of a tenant's own types, which
// the format cannot see; with a pattern it warns, saying so.
func TestCypherWarningsWithOwnTypes(t *testing.T) {
	r := Default()
	warn := func(types ...string) []string {
		t.Helper()
		w := &domain.Webhook{Format: "cypher", EventTypes: types, FormatOptions: json.RawMessage(`{"parameters":{"p":"@kudos_points","m":"@user_email"}}`)}
		out, err := r.Validate(w)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := warn("acme_kudos.awarded"); len(got) != 0 {
		t.Errorf("own type: %q", got)
	}
	if got := warn("user.created", "acme_kudos.awarded"); len(got) != 0 {
		t.Errorf("builtin and own type: %q", got)
	}
	if got := warn("user.created"); len(got) != 1 || !strings.Contains(got[0], `"p": @kudos_points is not a variable of the subscribed event types`) {
		t.Errorf("builtin type: %q", got)
	}
	if got := warn("user.*"); len(got) != 1 || !strings.Contains(got[0], "unless it is one of your own types' variables") {
		t.Errorf("pattern: %q", got)
	}
}

// Every variable keeps the published spelling of what it shows: a number
// as written ("1.0" stays "1.0", a long integer its digits), and @data or
// an object or array at a pointer as the published JSON (compacted),
// escapes included, not re-serialized.
func TestCypherVariablesKeepThePublishedSpelling(t *testing.T) {
	c := Default().byName["cypher"].(*Cypher)
	w := &domain.Webhook{Format: "cypher", EventTypes: []string{"course_enrollment.completed"}, FormatOptions: json.RawMessage(`{"parameters":{
		"score": "@score", "raw": "@{/score/raw}", "obj": "@{/score}", "list": "@{/tags}", "item": "@{/tags/1}", "data": "@data",
		"big": "@{/big}", "name": "@{/name}"}}`)}
	const data = `{"score":{"raw":1.0,"max":100.50},"tags":[1e2,"caf\u00e9 \/ <b>"],"big":12345678901234567890123,"name":"caf\u00e9"}`
	ev := &domain.Event{ID: "evt_1", TenantID: "acme", Type: "course_enrollment.completed", OccurredAt: time.Unix(0, 0), Data: json.RawMessage(data)}
	req, err := c.Render(ev, nil, w, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	got, err := url.ParseQuery(string(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"score": "1.0", // course_enrollment.completed's @score is /score/raw
		"raw":   "1.0",
		"obj":   `{"raw":1.0,"max":100.50}`,
		"list":  `[1e2,"caf\u00e9 \/ <b>"]`,
		"item":  "café / <b>", // a string shows its text
		"data":  data,
		"big":   "12345678901234567890123",
		"name":  "café",
	} {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
}
