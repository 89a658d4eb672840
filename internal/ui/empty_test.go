package ui

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

// Empty pages say what to do next, and what they suggest works.
func TestEmptyStatesSayWhatToDoNext(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	for path, want := range map[string]string{
		"/t/acme/":           `href="/t/acme/webhooks/new">Create your first webhook`,
		"/t/acme/webhooks":   `href="/t/acme/webhooks/new">Create a webhook`,
		"/t/acme/deliveries": `href="/t/acme/webhooks/new">Create a webhook`,
	} {
		mustContain(t, b.get(path), want)
	}

	// With a webhook but no deliveries, the audit shows how to publish an
	// event that webhook takes: the catalog example of a builtin type it
	// subscribes to, which the API accepts.
	now := time.Now().UTC()
	w := &domain.Webhook{ID: testIDs.New(id.Webhook), TenantID: "acme", Name: "LRS", URL: "https://lrs.example.com/", EventTypes: []string{"course_enrollment.*"},
		Enabled: true, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: now, UpdatedAt: now}
	w.Normalize()
	if err := b.store.CreateWebhook(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	p := b.get("/t/acme/deliveries")
	m := regexp.MustCompile(`lmshooks trigger (\S+) \\\s+--tenant (\S+) --server (\S+)</pre>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("empty audit shows no trigger command:\n%s", p.body)
	}
	typ, tenant, server := m[1], m[2], html.UnescapeString(m[3])
	if !strings.HasPrefix(typ, "course_enrollment.") || tenant != "acme" || server != b.srv.URL {
		t.Fatalf("trigger command for %q, tenant %q, server %q", typ, tenant, server)
	}
	et, ok := loadedCatalog.Lookup(typ)
	if !ok {
		t.Fatalf("suggested type %q is not builtin", typ)
	}
	if err := loadedCatalog.Validate(typ, et.Example); err != nil {
		t.Fatalf("the example the command publishes is refused: %v", err)
	}
	if _, err := url.Parse(server); err != nil {
		t.Fatal(err)
	}
}

// A disabled webhook's page says so, with lmshooks' reason when it
// disabled the webhook by itself.
func TestDisabledWebhookSaysWhy(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	w := b.webhook("acme", "crm")
	mustNot := b.get("/t/acme/webhooks/" + w.ID)
	if strings.Contains(mustNot.body, `id="disabled-note"`) {
		t.Fatal("an enabled webhook is said to be disabled")
	}
	if err := b.store.DisableWebhook(context.Background(), w.ID, "every attempt failed for 5 days", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	mustContain(t, b.get("/t/acme/webhooks/"+w.ID), `id="disabled-note"`, "disabled by lmshooks: every attempt failed for 5 days")
}
