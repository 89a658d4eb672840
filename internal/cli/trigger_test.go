package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
)

const testOperatorKey = "lmsk_cli_operator_key_for_tests_only"

// startApp runs the real server on a fresh SQLite file and returns its
// base URL.
func startApp(t *testing.T) string {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = "sqlite:" + filepath.Join(t.TempDir(), "lmshooks.db")
	cfg.APIKey = testOperatorKey
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.NodeID = "cli-" + t.Name()
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if err := a.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return "http://" + a.Addr()
}

// trigger publishes the example of the type as the tenant's catalog on the
// server has it — a builtin type's or the tenant's own type's — or --data,
// and prints the server's answer; the event stored is what was meant.
func TestTriggerPublishesTheServersExample(t *testing.T) {
	base := startApp(t)
	ctx := t.Context()
	c := client.New(client.WithBaseURL(base), client.WithKey(testOperatorKey))
	if _, err := c.CreateTenant(ctx, client.TenantRequest{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	kudos := json.RawMessage(`{"kudos":{"id":"k_1","points":5},"from":{"email":"ana@acme.com"}}`)
	if _, _, err := c.PutEventType(ctx, "acme", "acme_kudos.awarded", client.EventTypeRequest{
		Schema:  json.RawMessage(`{"type":"object","required":["kudos"],"properties":{"kudos":{"type":"object","properties":{"id":{"type":"string"},"points":{"type":"integer"}}}}}`),
		Example: kudos,
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PutEventType(ctx, "acme", "acme_bare.sent", client.EventTypeRequest{}); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{"LMSHOOKS_API_KEY": testOperatorKey, "LMSHOOKS_SERVER": base}[k]
	}
	trigger := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(append([]string{"trigger"}, args...), env, strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	// published checks that the event the printed answer names has typ
	// and data.
	published := func(out, typ string, data []byte) {
		t.Helper()
		var ans struct{ ID string }
		if err := json.Unmarshal([]byte(out), &ans); err != nil || ans.ID == "" {
			t.Fatalf("printed %q, want the server's answer", out)
		}
		ev, err := c.GetEvent(ctx, "acme", ans.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != typ || !jsonEqual(t, ev.Data, data) {
			t.Fatalf("stored %s %s, want %s %s", ev.Type, ev.Data, typ, data)
		}
	}

	code, out, errOut := trigger("acme_kudos.awarded", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("trigger of the tenant's own type = %d: %s", code, errOut)
	}
	published(out, "acme_kudos.awarded", kudos)

	code, out, errOut = trigger("course_enrollment.completed", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("trigger of a builtin type = %d: %s", code, errOut)
	}
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	et, _ := cat.Lookup("course_enrollment.completed")
	published(out, "course_enrollment.completed", et.Example)

	code, out, errOut = trigger("acme_bare.sent", "--tenant", "acme", "--data", `{"id":"b_9"}`)
	if code != 0 {
		t.Fatalf("trigger --data = %d: %s", code, errOut)
	}
	published(out, "acme_bare.sent", []byte(`{"id":"b_9"}`))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"acme_kudos.awardd", "--tenant", "acme"}, `read the example of acme_kudos.awardd: lmshooks answered 404 not_found: event type "acme_kudos.awardd" not found; did you mean "acme_kudos.awarded"`},
		{[]string{"quiz.taken", "--tenant", "acme"}, `event type "quiz.taken" not found`},
		{[]string{"acme_kudos.awarded", "--tenant", "globex"}, `read the example of acme_kudos.awarded: lmshooks answered 404 not_found: tenant "globex" not found`},
		{[]string{"acme_bare.sent", "--tenant", "acme"}, "event type acme_bare.sent of tenant acme has no example: pass --data"},
		{[]string{"Not-A-Type", "--tenant", "acme"}, `"Not-A-Type" is not an event type of the form <entity>.<action>`},
		{[]string{"user.created", "--tenant", "acme", "--data", `{"id":`}, "--data is not valid JSON"},
		{[]string{"user.created", "--tenant", "acme", "--data", `{"id":7}`}, "publish: lmshooks answered 422 invalid: data/id"},
	} {
		if code, _, errOut := trigger(tc.args...); code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("trigger %v = %d %q, want it to say %q", tc.args, code, errOut, tc.want)
		}
	}
}

// A publish that makes no delivery says why on stderr: no enabled
// webhook, none subscribed (naming the nearest subscriptions), or the
// filters of those subscribed refused the event. The event is published
// all the same: the exit code is 0 and stdout is the server's answer.
func TestTriggerSaysWhyNothingWasDelivered(t *testing.T) {
	base := startApp(t)
	ctx := t.Context()
	c := client.New(client.WithBaseURL(base), client.WithKey(testOperatorKey))
	if _, err := c.CreateTenant(ctx, client.TenantRequest{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{"LMSHOOKS_API_KEY": testOperatorKey, "LMSHOOKS_SERVER": base}[k]
	}
	trigger := func(typ string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := Main([]string{"trigger", typ, "--tenant", "acme"}, env, strings.NewReader(""), &out, &errOut); code != 0 {
			t.Fatalf("trigger %s = %d: %s", typ, code, errOut.String())
		}
		if !strings.Contains(out.String(), `"deliveries":0`) {
			t.Fatalf("trigger %s printed %q, want the server's answer with no delivery", typ, out.String())
		}
		return errOut.String()
	}

	if got, want := trigger("user.created"), "note: no delivery: tenant acme has no enabled webhook; create or enable one subscribed to user.created\n"; got != want {
		t.Errorf("without webhooks, stderr = %q, want %q", got, want)
	}
	hook := func(name string, types []string, edit func(*client.WebhookRequest)) {
		t.Helper()
		req := client.WebhookRequest{Name: name, URL: "https://hooks.example.com/" + name, EventTypes: types}
		if edit != nil {
			edit(&req)
		}
		if _, err := c.CreateWebhook(ctx, "acme", req); err != nil {
			t.Fatal(err)
		}
	}
	hook("hris", []string{"course_enrollment.*", "user.created"}, nil)
	hook("crm", []string{"badge.awarded"}, nil)
	hook("off", []string{"course.created"}, func(r *client.WebhookRequest) { r.Enabled = new(false) })
	want := `note: no delivery: no enabled webhook of tenant acme subscribes to course.created; the closest subscribed: "user.created", "badge.awarded", "course_enrollment.*"` + "\n"
	if got := trigger("course.created"); got != want {
		t.Errorf("no subscriber: stderr = %q, want %q", got, want)
	}
	hook("certs", []string{"certificate.awarded"}, func(r *client.WebhookRequest) { r.Filter = `data.id == "none"` })
	want = `note: no delivery: the payload filter of each enabled webhook of tenant acme subscribed to certificate.awarded ("certs") refused this event` + "\n"
	if got := trigger("certificate.awarded"); got != want {
		t.Errorf("filtered: stderr = %q, want %q", got, want)
	}
}

// -h shows a command's arguments, not only its flags; listen's says that
// --status cycles, which the README's retry demo leaves running.
func TestHelpShowsArguments(t *testing.T) {
	for cmd, want := range map[string][]string{
		"trigger": {"Usage: lmshooks trigger <event-type> --tenant T", "-tenant"},
		"listen":  {"Usage: lmshooks listen", "-status", "cycling", "restart without --status"},
	} {
		code, _, errOut := run(cmd, "-h")
		for _, w := range want {
			if code != 0 || !strings.Contains(errOut, w) {
				t.Errorf("%s -h = %d %q, want it to say %q", cmd, code, errOut, w)
			}
		}
	}
}
