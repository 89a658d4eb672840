package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/config"
)

const consolePassword = "e2e-console-password"

// TestConsoleInBrowser drives the console in a real headless Chromium: sign
// in, create a webhook through the form, try its payload filter and test
// it, watch published events in the audit, disable a webhook and see its
// scheduled deliveries canceled, read a delivery's attempts, and use a
// portal link that cannot reach another tenant.
func TestConsoleInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	s := startServer(t, func(c *config.Config) {
		c.AdminPassword = consolePassword
		c.SecureCookies = false
		c.PortalOrigins = []string{"https://lms.example.com"}
	})
	s.createTenant("acme")
	s.createTenant("globex")
	// One of acme's own event types, for the picker and the catalog.
	_, _, err := s.api.PutEventType(t.Context(), "acme", "acme_badge.earned", client.EventTypeRequest{
		Title:   "Badge earned",
		Schema:  map[string]any{"type": "object", "properties": map[string]any{"badge": map[string]any{"type": "object", "properties": map[string]any{"id": map[string]any{"type": "string"}, "level": map[string]any{"type": "integer"}}}, "user_id": map[string]any{"type": "string"}}},
		Example: map[string]any{"badge": map[string]any{"id": "b_7", "level": 2}, "user_id": "u_2187"},
	})
	s.must(err)
	ok := newReceiver(t, func(int, *http.Request) int { return 200 })
	ok.header = http.Header{"X-Receiver": {"hris-e2e"}}
	failing := newReceiver(t, func(int, *http.Request) int { return 500 })

	// Sign in.
	run(t, ctx, "open the sign-in page", chromedp.Navigate(s.base+"/t/acme/"), visible("#password"))
	screenshot(t, ctx, "login")
	run(t, ctx, "sign in",
		typeInto("#password", consolePassword),
		chromedp.Submit(chromedp.CSS("#password")),
		visible(".sidebar"))
	if h := text(t, ctx, "h1"); h != "Dashboard" {
		t.Fatalf("after sign-in the page says %q, want the dashboard asked for", h)
	}
	screenshot(t, ctx, "dashboard-empty")

	// Create a webhook through the form, testing it before saving.
	run(t, ctx, "fill the new webhook form",
		chromedp.Navigate(s.base+"/t/acme/webhooks/new"),
		visible("#name"),
		typeInto("#name", "HRIS sync"),
		typeInto("#url", ok.URL+"/lms"),
		click(`details.entity:has(input[value="user.created"]) summary`),
		click(`input[value="user.created"]`),
		click(`input[value="user.updated"]`))
	if chosen := text(t, ctx, "#chosen-types"); !strings.Contains(chosen, "user.created") || !strings.Contains(chosen, "user.updated") {
		t.Fatalf("the chosen types read %q after ticking user.created and user.updated", chosen)
	}
	run(t, ctx, "try a filter",
		// A payload filter, tried on the example before saving: first
		// one that does not match it, then one that does.
		typeInto("#filter", `data.email.endsWith("@globex.com")`),
		click("#try-filter"),
		visible(`#filter-result[data-outcome="false"]`))
	if on := text(t, ctx, "#filter-result .tag"); on != "user.created" {
		t.Fatalf("the filter was tried on %q, want the first subscribed type", on)
	}
	run(t, ctx, "try a matching filter",
		chromedp.Clear(chromedp.CSS("#filter")),
		typeInto("#filter", `data.email.endsWith("@acme.com")`),
		click("#try-filter"),
		visible(`#filter-result[data-outcome="true"]`))
	if out := text(t, ctx, "#filter-outcome"); out != "true" {
		t.Fatalf("filter outcome = %q, want true", out)
	}
	screenshotAt(t, ctx, "webhook-filter", "#filter-field")
	run(t, ctx, "test the webhook",
		typeInto("#headers", "X-Api-Key: k-123"),
		click("#test-button"),
		visible("#test-result"))
	if st := text(t, ctx, "#test-status"); st != "200" {
		t.Fatalf("test result status = %q, want 200", st)
	}
	if body := text(t, ctx, "#test-result"); !strings.Contains(body, "hris-e2e") || !strings.Contains(body, "user.created") {
		t.Fatalf("test result lacks the receiver's header or the event type: %s", body)
	}
	if ok.count() != 1 {
		t.Fatalf("receiver got %d requests from the test, want 1", ok.count())
	}
	screenshotAt(t, ctx, "webhook-test", "#test-result")
	run(t, ctx, "save the webhook", click(`.form-foot button[value="save"]`), visible("#secret[readonly]"))
	secret := get(t, ctx, "read the secret", chromedp.Value(chromedp.CSS("#secret")))
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("created page shows secret %q, want whsec_…", secret)
	}
	ok.setSecret(secret)
	screenshot(t, ctx, "webhook-created")

	// Two more webhooks through the API: one that fails for good, one that
	// waits an hour before its retry (so its deliveries stay scheduled).
	s.createWebhook("acme", client.WebhookRequest{Name: "CRM export", URL: failing.URL, EventTypes: []string{"user.*"}, RetryPolicy: "none"})
	s.createWebhook("acme", client.WebhookRequest{Name: "BI warehouse", URL: failing.URL, EventTypes: []string{"user.created"}, RetrySchedule: []float64{3600}})
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	example, _ := cat.Lookup("user.created")
	for i := 0; i < 3; i++ {
		s.publish("acme", client.PublishRequest{Type: "user.created", Data: example.Example})
	}
	eventually(t, 20*time.Second, "3 succeeded, 3 failed and 3 retried deliveries", func() bool {
		l := s.deliveries("acme", client.DeliveryParams{IncludeCounts: true, ListParams: client.ListParams{Limit: 100}})
		retried := 0
		for _, d := range l.Data {
			if d.State == "scheduled" && d.Attempts >= 1 {
				retried++
			}
		}
		return l.Counts["succeeded"] == 3 && l.Counts["failed"] == 3 && retried == 3
	})
	if _, bad := ok.snapshot(); len(bad) > 0 {
		t.Fatalf("bad signatures: %v", bad)
	}

	// The audit shows them with their states.
	run(t, ctx, "open the audit", chromedp.Navigate(s.base+"/t/acme/deliveries"), visible("#audit"))
	states := get(t, ctx, "read audit states", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#audit tr[data-state]')].map(r => r.dataset.state).sort()`))
	if got := strings.Join(states, ","); got != "failed,failed,failed,scheduled,scheduled,scheduled,succeeded,succeeded,succeeded" {
		t.Fatalf("audit states = %s", got)
	}
	if tab := text(t, ctx, `.tabs a[href*="state=failed"] .count`); tab != "3" {
		t.Fatalf("failed tab count = %q, want 3", tab)
	}
	screenshot(t, ctx, "deliveries")

	// Disable the waiting webhook: the console asks, then cancels.
	run(t, ctx, "open the webhooks", chromedp.Navigate(s.base+"/t/acme/webhooks"), visible("table"))
	screenshot(t, ctx, "webhooks")
	run(t, ctx, "toggle BI warehouse off", click(`button[aria-label="Disable BI warehouse"]`), visible("#cancel-warning"))
	if w := text(t, ctx, "#cancel-warning"); !strings.Contains(w, "3 scheduled deliveries") {
		t.Fatalf("confirmation says %q, want it to name 3 scheduled deliveries", w)
	}
	screenshot(t, ctx, "disable-confirm")
	run(t, ctx, "confirm", click("#confirm-disable"), visible(".flash"))
	if f := text(t, ctx, ".flash"); !strings.Contains(f, "3 scheduled deliveries were canceled") {
		t.Fatalf("flash = %q", f)
	}
	run(t, ctx, "open canceled deliveries", chromedp.Navigate(s.base+"/t/acme/deliveries?state=canceled"), visible("#audit"))
	states = get(t, ctx, "read audit states", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#audit tr[data-state]')].map(r => r.dataset.state)`))
	if len(states) != 3 || states[0] != "canceled" {
		t.Fatalf("canceled tab rows = %v, want 3 canceled", states)
	}

	// A failed delivery's attempts.
	run(t, ctx, "open a failed delivery",
		chromedp.Navigate(s.base+"/t/acme/deliveries?state=failed"), visible("#audit"),
		click(`#audit tr[data-state="failed"] a`), visible(".attempt"))
	if a := text(t, ctx, ".attempt summary"); !strings.Contains(a, "Attempt 1") || !strings.Contains(a, "HTTP 500") {
		t.Fatalf("attempt summary = %q", a)
	}
	screenshot(t, ctx, "delivery")

	// A day of history, as a running LMS would have left it, so that the
	// dashboard's chart has something to show.
	seedHistory(t, s, "acme")
	run(t, ctx, "open the dashboard", chromedp.Navigate(s.base+"/t/acme/"), visible(".chart"))
	if bars := get(t, ctx, "count the chart's bars", chromedp.Evaluate[int](`document.querySelectorAll(".chart.wide a").length`)); bars < 20 {
		t.Fatalf("the chart links %d bars, want one per hour with deliveries (20 or more)", bars)
	}
	order := get(t, ctx, "read the dashboard's webhooks", chromedp.Evaluate[[]string](`[...document.querySelectorAll('tbody a.cell-main')].map(a => a.textContent.trim())`))
	if len(order) != 3 || order[2] != "HRIS sync" {
		t.Fatalf("dashboard webhooks = %v, want the healthy HRIS sync after the failing ones", order)
	}
	screenshot(t, ctx, "dashboard")
	// The saved webhook: Test works after saving too, its secret is
	// revealed on demand, and a rotated secret signs what follows.
	run(t, ctx, "open HRIS sync", chromedp.Navigate(s.base+"/t/acme/webhooks"), visible("#webhooks"),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#webhooks a.cell-main")].find(a => a.textContent.trim() === "HRIS sync").click()`),
		visible("#name"))
	screenshotAt(t, ctx, "webhook-edit", "")
	editURL := get(t, ctx, "read the location", chromedp.Location())
	run(t, ctx, "test the saved webhook", click("#test-button"), visible("#test-result"))
	if st := text(t, ctx, "#test-status"); st != "200" {
		t.Fatalf("test after saving: status %q, want 200", st)
	}
	run(t, ctx, "reveal the secret", click(`button[value="reveal"]`), visible("#secret[readonly]"))
	if got := get(t, ctx, "read the revealed secret", chromedp.Value(chromedp.CSS("#secret"))); got != secret {
		t.Fatalf("revealed secret %q, want the one shown at creation", got)
	}
	run(t, ctx, "rotate the secret", chromedp.Navigate(editURL), visible(`button[value="rotate"]`), click(`button[value="rotate"]`), visible("#secret[readonly]"))
	rotated := get(t, ctx, "read the new secret", chromedp.Value(chromedp.CSS("#secret")))
	if rotated == secret || !strings.HasPrefix(rotated, "whsec_") {
		t.Fatalf("rotated secret %q, want a new whsec_ secret", rotated)
	}
	ok.setSecret(rotated)
	before := ok.count()
	s.publish("acme", client.PublishRequest{Type: "user.updated", Data: example.Example})
	eventually(t, 10*time.Second, "a delivery signed with the rotated secret", func() bool { return ok.count() > before })
	if _, bad := ok.snapshot(); len(bad) > 0 {
		t.Fatalf("deliveries after rotation do not verify with the new secret: %v", bad)
	}
	run(t, ctx, "open the catalog", chromedp.Navigate(s.base+"/t/acme/event-types"), visible(".type-list"))
	if tag := text(t, ctx, `a[href$="/event-types/acme_badge.earned"] .tag`); tag != "custom" {
		t.Fatalf("acme's own type is marked %q in the catalog, want custom", tag)
	}
	screenshotAt(t, ctx, "event-types", "")
	run(t, ctx, "open an event type", chromedp.Navigate(s.base+"/t/acme/event-types/course_enrollment.completed"), visible("pre.code"))
	screenshotAt(t, ctx, "event-type", "")

	// A CYPHER webhook: choosing the format shows its defaults and the
	// parameter editor; a variable of the chosen type goes into a value.
	run(t, ctx, "choose the cypher format",
		chromedp.Navigate(s.base+"/t/acme/webhooks/new"),
		visible("#name"),
		typeInto("#name", "CYPHER-style receiver"),
		click(`details.entity:has(input[value="course_enrollment.completed"]) summary`),
		click(`input[value="course_enrollment.completed"]`),
		chromedp.Evaluate[chromedp.Void](`(s => { s.value = "cypher"; s.dispatchEvent(new Event("change", {bubbles: true})); })(document.querySelector("#format"))`))
	run(t, ctx, "see the cypher editor",
		visible("#cypher-editor"),
		typeInto(`input[name="cypher_param_name"]`, "email"),
		click(`input[name="cypher_param_value"]`),
		click(`#type-vars button[data-insert="@user_email"]`))
	if v := get(t, ctx, "read the first value", chromedp.Value(chromedp.CSS(`input[name="cypher_param_value"]`))); v != "@user_email" {
		t.Fatalf("first parameter value = %q, want the inserted @user_email", v)
	}
	if v := get(t, ctx, "read the timeout", chromedp.Value(chromedp.CSS("#timeout_seconds"))); v != "10" {
		t.Fatalf("timeout after choosing cypher = %q, want its default 10", v)
	}
	run(t, ctx, "scroll the variables back to their heading", chromedp.Evaluate[chromedp.Void](`document.querySelector("#cypher-vars").scrollTop = 0`))
	screenshotAt(t, ctx, "webhook-cypher", "#cypher-editor")

	run(t, ctx, "open the tenants", chromedp.Navigate(s.base+"/tenants"), visible("table"))
	screenshot(t, ctx, "tenants")
	// An API key for the LMS, shown once, then listed by its prefix.
	run(t, ctx, "create an API key", typeInto("#key-acme", "LMS production"), chromedp.Submit(chromedp.CSS("#key-acme")), visible("#secret[readonly]"))
	key := get(t, ctx, "read the key", chromedp.Value(chromedp.CSS("#secret")))
	if !strings.HasPrefix(key, "lmsk_") {
		t.Fatalf("new API key %q, want lmsk_…", key)
	}
	run(t, ctx, "open acme's API keys", chromedp.Navigate(s.base+"/tenants/acme/api-keys"), visible("#api-keys"))
	if row := text(t, ctx, "#api-keys tbody tr"); !strings.Contains(row, "LMS production") || !strings.Contains(row, key[:len("lmsk_")+6]) || strings.Contains(row, key) {
		t.Fatalf("API keys row %q, want the name and prefix but not the key", row)
	}
	screenshot(t, ctx, "api-keys")

	// Sign out: the operator's pages ask for the password again.
	run(t, ctx, "sign out", click(".sidebar-foot button"), visible("#password"))
	run(t, ctx, "open a page signed out", chromedp.Navigate(s.base+"/t/acme/webhooks"), visible("#password"))
	if loc := get(t, ctx, "read the location", chromedp.Location()); !strings.Contains(loc, "/login?next=") {
		t.Fatalf("signed out, a tenant page leads to %s, want the sign-in page", loc)
	}

	// A portal link shows its tenant, on a phone-sized screen too, and
	// nothing else.
	link, err := s.api.CreatePortalLink(t.Context(), "acme", client.PortalLinkRequest{TTLSeconds: 600})
	s.must(err)
	run(t, ctx, "open the portal link", chromedp.EmulateViewport(390, 844), chromedp.Navigate(link.URL), visible("h1"))
	if h := text(t, ctx, ".tenant-chip .name"); h != "Tenant acme" {
		t.Fatalf("portal shows tenant %q", h)
	}
	screenshot(t, ctx, "portal-phone")
	run(t, ctx, "desktop again", chromedp.EmulateViewport(1280, 860))
	for _, path := range []string{"/t/globex/", "/t/globex/webhooks", "/tenants"} {
		run(t, ctx, "open "+path, chromedp.Navigate(s.base+path), visible("h1"))
		if h := text(t, ctx, "h1"); h != "Not found" {
			t.Fatalf("portal session at %s sees %q, want Not found", path, h)
		}
	}
}
