package ui

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// webhookForm returns a valid create form for url.
func validForm(target string) url.Values {
	return url.Values{
		"name": {"HRIS sync"}, "url": {target}, "event_types": {"user.created", "course_enrollment.*"},
		"enabled": {"on"}, "format": {"standard"}, "signature_scheme": {"hmac-sha256"},
		"timeout_seconds": {"10"}, "retry_policy": {"standard"}, "success_status": {"2xx"},
		"headers": {"X-Api-Key: k-1"},
	}
}

func TestCreateWebhookShowsErrorsNextToTheirFields(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	cases := []struct {
		field, value, want string
	}{
		{"url", "ftp://x", "must start with http:// or https://"},
		{"name", "", "is required"},
		{"timeout_seconds", "600", "must be between 1 and 60 seconds"},
		{"headers", "Webhook-Id: mine", "is reserved"},
		{"retry_policy", "custom", "list the waits"},
		{"format_options", "[1]", "must be a JSON object"},
	}
	for _, c := range cases {
		f := validForm("https://hris.example.com/hook")
		f.Set(c.field, c.value)
		p := b.post("/t/acme/webhooks", f)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		// The message sits in the field's own block, after its input.
		block := regexp.MustCompile(`(?s)<div class="field invalid">\s*<label for="` + c.field + `".*?</div>\s*</div>|<div class="field[^"]*invalid[^"]*"[^>]*>.*?role="alert">[^<]*` + regexp.QuoteMeta(c.want))
		if !block.MatchString(p.body) || !strings.Contains(p.body, c.want) {
			t.Errorf("%s=%q: no inline error %q", c.field, c.value, c.want)
		}
	}
	hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{})
	if len(hs) != 0 {
		t.Fatalf("invalid forms created %d webhooks", len(hs))
	}
	// The form comes back as typed.
	f := validForm("ftp://typed.example")
	p := b.post("/t/acme/webhooks", f)
	mustContain(t, p, `value="ftp://typed.example"`, `value="user.created" data-action checked`)
}

func TestTestBeforeAndAfterSaving(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	var got []*http.Request
	var bodies []string
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		got = append(got, r)
		bodies = append(bodies, string(raw))
		w.Header().Set("X-Receiver", "test-rx")
		w.WriteHeader(202)
		fmt.Fprint(w, `{"accepted":true}`)
	}))
	defer rc.Close()

	f := validForm(rc.URL)
	f.Set("action", "test")
	p := b.post("/t/acme/webhooks", f)
	wantStatus(t, p, 200)
	mustContain(t, p, `id="test-result"`, `<span id="test-status">202</span>`, "test-rx", "accepted", "user.created")
	if len(got) != 1 || got[0].Header.Get("X-Api-Key") != "k-1" || !strings.Contains(bodies[0], `"type":"user.created"`) {
		t.Fatalf("receiver got %d requests: %v", len(got), bodies)
	}
	hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{})
	if len(hs) != 0 {
		t.Fatal("a test send saved the webhook")
	}

	f.Set("action", "save")
	p = b.post("/t/acme/webhooks", f)
	wantStatus(t, p, 200)
	mustContain(t, p, "Webhook created")
	secret := regexp.MustCompile(`id="secret" type="text" readonly value="(whsec_[^"]+)"`).FindStringSubmatch(p.body)
	if secret == nil {
		t.Fatalf("created page shows no secret:\n%s", p.body)
	}
	secret[1] = html.UnescapeString(secret[1]) // base64's "+" is escaped in the attribute
	hs, _, _ = b.store.ListWebhooks(context.Background(), "acme", store.Page{})
	if len(hs) != 1 || hs[0].Secret != secret[1] || hs[0].Headers["X-Api-Key"] != "k-1" || strings.Join(hs[0].EventTypes, ",") != "course_enrollment.*,user.created" {
		t.Fatalf("stored webhook = %+v", hs)
	}
	// The edit page never shows the secret; reveal does.
	edit := b.get("/t/acme/webhooks/" + hs[0].ID)
	wantStatus(t, edit, 200)
	if strings.Contains(html.UnescapeString(edit.body), secret[1]) {
		t.Fatal("edit page shows the secret")
	}
	reveal := b.post("/t/acme/webhooks/"+hs[0].ID+"/secret", url.Values{"action": {"reveal"}})
	if !strings.Contains(html.UnescapeString(reveal.body), secret[1]) {
		t.Fatalf("reveal does not show the secret:\n%s", reveal.body)
	}

	// Test after saving, with the edited form.
	f.Set("action", "test")
	p = b.post("/t/acme/webhooks/"+hs[0].ID, f)
	mustContain(t, p, `<span id="test-status">202</span>`)
	if len(got) != 2 || got[1].Header.Get("Webhook-Id") == "" {
		t.Fatalf("second test not received signed")
	}

	rotated := b.post("/t/acme/webhooks/"+hs[0].ID+"/secret", url.Values{"action": {"rotate"}})
	mustContain(t, rotated, "Secret rotated")
	w, _ := b.store.GetWebhook(context.Background(), "acme", hs[0].ID)
	if w.Secret == secret[1] || w.PreviousSecret != secret[1] || !w.PreviousSecretExpiresAt.After(time.Now()) {
		t.Fatalf("rotation: secret unchanged or no overlap: %+v", w)
	}
}

// publish stores n events of a type for the tenant, delivered to every
// enabled webhook.
func (b *bundle) publish(tenant, typ string, n int) []store.PublishResult {
	b.t.Helper()
	now := time.Now().UTC()
	evs := make([]domain.Event, n)
	for i := range evs {
		evs[i] = domain.Event{ID: testIDs.New(id.Event), TenantID: tenant, Type: typ, OccurredAt: now, ReceivedAt: now, Data: []byte(`{"user":{"id":"u1"}}`)}
	}
	res, err := storetest.Seed{TenantID: tenant, Events: evs, Now: now,
		Match: func(*domain.Webhook, *domain.Event) bool { return true }}.Publish(context.Background(), b.store)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func (b *bundle) webhook(tenant, name string) *domain.Webhook {
	b.t.Helper()
	now := time.Now().UTC()
	w := &domain.Webhook{ID: testIDs.New(id.Webhook), TenantID: tenant, Name: name, URL: "https://rx.example.com/" + name, EventTypes: []string{"*"}, Enabled: true, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: now, UpdatedAt: now}
	w.Normalize()
	if err := b.store.CreateWebhook(context.Background(), w); err != nil {
		b.t.Fatal(err)
	}
	return w
}

func TestDisablingAsksThenCancelsScheduledDeliveries(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	w := b.webhook("acme", "bi")
	b.publish("acme", "user.created", 4)

	p := b.post("/t/acme/webhooks/"+w.ID+"/enabled", url.Values{"enabled": {"false"}})
	wantStatus(t, p, 200)
	mustContain(t, p, "4 scheduled deliveries</strong> will be canceled")
	if got, _ := b.store.GetWebhook(context.Background(), "acme", w.ID); !got.Enabled {
		t.Fatal("asking disabled the webhook")
	}
	p = b.post("/t/acme/webhooks/"+w.ID+"/enabled", url.Values{"enabled": {"false"}, "confirm": {"yes"}, "back": {"list"}})
	wantStatus(t, p, http.StatusSeeOther)
	list := b.get("/t/acme/webhooks")
	mustContain(t, list, "4 scheduled deliveries were canceled", `aria-checked="false"`)
	counts, _ := b.store.CountDeliveries(context.Background(), store.DeliveryFilter{TenantID: "acme"}, 0)
	if counts[domain.Canceled] != 4 || counts[domain.Scheduled] != 0 {
		t.Fatalf("counts after disabling = %v", counts)
	}
	audit := b.get("/t/acme/deliveries?state=canceled")
	if n := strings.Count(audit.body, `data-state="canceled"`); n != 4 {
		t.Fatalf("canceled tab shows %d rows, want 4", n)
	}
	// Retry canceled since 24h puts them back.
	p = b.post("/t/acme/deliveries/recover", url.Values{"since": {"24h"}, "webhook_id": {w.ID}})
	wantStatus(t, p, http.StatusSeeOther)
	counts, _ = b.store.CountDeliveries(context.Background(), store.DeliveryFilter{TenantID: "acme"}, 0)
	if counts[domain.Scheduled] != 4 {
		t.Fatalf("after recover: %v", counts)
	}
}

// Saving the edit form with Enabled off asks first, as the list's switch
// does, when that would cancel scheduled deliveries.
func TestSavingDisabledAsksBeforeCanceling(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	w := b.webhook("acme", "bi")
	b.publish("acme", "user.created", 3)

	form := formValues(t, b.get("/t/acme/webhooks/"+w.ID).body)
	form.Del("enabled")
	p := b.post("/t/acme/webhooks/"+w.ID, form)
	wantStatus(t, p, http.StatusConflict)
	mustContain(t, p, `id="confirm-disable"`, "cancels 3 scheduled deliveries", `name="confirm_disable"`)
	if got, _ := b.store.GetWebhook(context.Background(), "acme", w.ID); !got.Enabled {
		t.Fatal("asking disabled the webhook")
	}
	form.Set("confirm_disable", "yes")
	wantStatus(t, b.post("/t/acme/webhooks/"+w.ID, form), http.StatusSeeOther)
	counts, _ := b.store.CountDeliveries(context.Background(), store.DeliveryFilter{TenantID: "acme"}, 0)
	if counts[domain.Canceled] != 3 || counts[domain.Scheduled] != 0 {
		t.Fatalf("counts after confirming = %v, want 3 canceled", counts)
	}
	if got, _ := b.store.GetWebhook(context.Background(), "acme", w.ID); got.Enabled {
		t.Fatal("the webhook is still enabled")
	}
}

func TestAuditPaginatesWithCursorAndCounts(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	w := b.webhook("acme", "crm")
	b.publish("acme", "user.created", 70)
	b.publish("acme", "course.published", 50)

	p := b.get("/t/acme/deliveries")
	wantStatus(t, p, 200)
	if n := strings.Count(p.body, "data-delivery="); n != auditPageSize {
		t.Fatalf("first page has %d rows, want %d", n, auditPageSize)
	}
	mustContain(t, p, `All <span class="count">120</span>`, `Scheduled <span class="count">120</span>`, `Failed <span class="count">0</span>`, `rel="next"`)
	first := regexp.MustCompile(`data-delivery="([^"]+)"`).FindAllStringSubmatch(p.body, -1)
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(p.body)
	p2 := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	second := regexp.MustCompile(`data-delivery="([^"]+)"`).FindAllStringSubmatch(p2.body, -1)
	if len(second) != auditPageSize || second[0][1] >= first[len(first)-1][1] {
		t.Fatalf("second page does not continue the first, newest first")
	}
	mustContain(t, p2, "← Newest")

	filtered := b.get("/t/acme/deliveries?event_type=course.published&webhook_id=" + w.ID)
	if n := strings.Count(filtered.body, "data-delivery="); n != 50 {
		t.Fatalf("event type filter shows %d rows, want 50", n)
	}
	mustContain(t, filtered, `All <span class="count">50</span>`)
	if p := b.get("/t/acme/deliveries?state=bogus"); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad state: %d", p.status)
	}
}

func TestDeliveryDetailShowsAttempts(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	b.webhook("acme", "crm")
	res := b.publish("acme", "user.created", 1)
	d := res[0].Deliveries[0]
	now := time.Now().UTC()
	at := domain.Attempt{ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: "acme", WebhookID: d.WebhookID, EventID: d.EventID, Number: 1,
		Trigger: domain.TriggerScheduled, StartedAt: now, Duration: 42 * time.Millisecond, RequestURL: "https://rx.example.com/crm",
		RequestHeaders: map[string][]string{"Webhook-Id": {d.ID}, "Authorization": {"Basic c2VjcmV0OnBhc3M="}}, RequestBody: []byte(`{"type":"user.created"}`),
		StatusCode: 503, ResponseHeaders: map[string][]string{"Retry-After": {"30"}}, ResponseBody: []byte("maintenance"), Error: "status 503 is outside the success range 2xx"}
	if err := b.store.RecordAttempts(context.Background(), []store.AttemptRecord{{Attempt: at, State: domain.Scheduled, NextAttemptAt: now.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	p := b.get("/t/acme/deliveries/" + d.ID)
	wantStatus(t, p, 200)
	mustContain(t, p, "Attempt 1", "HTTP 503", "maintenance", "Retry-After", "42 ms", "Basic [redacted]", `id="next-attempt"><time`, `&#34;user&#34;`)
	if strings.Contains(p.body, "c2VjcmV0OnBhc3M=") {
		t.Fatal("detail page shows basic auth credentials")
	}
	wantStatus(t, b.post("/t/acme/deliveries/"+d.ID+"/resend", nil), http.StatusSeeOther)
	mustContain(t, b.get("/t/acme/deliveries/"+d.ID), "sent again now")
	wantStatus(t, b.get("/t/acme/deliveries/dlv_nope"), http.StatusNotFound)
}

func TestCatalogShowsEveryTypeAndFormat(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	p := b.get("/t/acme/event-types")
	for _, et := range loadedCatalog.All() {
		if !strings.Contains(p.body, ">"+et.Type+"<") {
			t.Fatalf("catalog page lacks %s", et.Type)
		}
	}
	d := b.get("/t/acme/event-types/course_enrollment.completed")
	mustContain(t, d, "Example data", "Schema", "application/json")
	for _, name := range b.console.formats.Names() {
		mustContain(t, d, `<a href="#format-`+name+`" data-tab="format-`+name+`">`+name+`</a>`, `<div class="format-panel" id="format-`+name+`" data-panel>`)
	}
	// Each format says whether the Standard Webhooks headers come along:
	// the standard one does, CYPHER Learning's (form-encoded, unsigned)
	// does not.
	panel := func(name string) string {
		i := strings.Index(d.body, `id="format-`+name+`"`)
		j := strings.Index(d.body[i+1:], `class="format-panel"`)
		if j < 0 {
			j = len(d.body) - i - 1
		}
		return d.body[i : i+1+j]
	}
	if p := panel("standard"); !strings.Contains(p, "also carries the Standard Webhooks headers") {
		t.Errorf("standard format panel does not mention its signature headers:\n%s", p)
	}
	if p := panel("cypher"); !strings.Contains(p, "without the Standard Webhooks signature headers") || strings.Contains(p, "also carries") {
		t.Errorf("cypher format panel claims signature headers it does not send:\n%s", p)
	}
	// Catalog prose marks names with backticks; they show as code.
	if c := b.get("/t/acme/event-types"); strings.Contains(c.body, "`") || !strings.Contains(c.body, "<code>") {
		t.Errorf("catalog page shows raw backticks or no code")
	}
	wantStatus(t, b.get("/t/acme/event-types/nope.nope"), http.StatusNotFound)
}

func TestTenantsAndKeys(t *testing.T) {
	b := setup(t)
	b.login()
	empty := b.get("/tenants")
	mustContain(t, empty, "No tenants yet")
	p := b.post("/tenants", url.Values{"id": {"bad id!"}, "name": {"X"}, "environment": {"production"}})
	wantStatus(t, p, http.StatusUnprocessableEntity)
	mustContain(t, p, "must be 1-64 letters")
	wantStatus(t, b.post("/tenants", url.Values{"id": {"acme"}, "name": {"Acme"}, "environment": {"sandbox"}}), http.StatusSeeOther)
	k := b.post("/tenants/acme/api-keys", url.Values{"name": {"LMS prod"}})
	wantStatus(t, k, 200)
	key := regexp.MustCompile(`value="(lmsk_[^"]+)"`).FindStringSubmatch(k.body)
	if key == nil {
		t.Fatalf("no key shown:\n%s", k.body)
	}
	got, err := b.store.APIKeyByHash(context.Background(), hashKey(key[1]))
	if err != nil || got.TenantID != "acme" {
		t.Fatalf("stored key: %+v, %v", got, err)
	}
	link := b.post("/tenants/acme/portal-link", nil)
	mustContain(t, link, b.srv.URL+"/portal/")
}
