package e2e

import (
	"encoding/json"
	"github.com/lmshooks/lmshooks/client"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lmshooks/lmshooks/internal/config"
)

// In a real browser, the webhook form shows secret headers by name with
// empty values, saving it untouched keeps them, a new one is added in the
// empty row, and the audit page masks them.
func TestSecretHeadersInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	s := startServer(t, func(c *config.Config) {
		c.AdminPassword = consolePassword
		c.SecureCookies = false
	})
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	const bearer, extra = "Bearer tok-browser-123456", "extra-browser-secret-7"
	w := s.createWebhook("acme", client.WebhookRequest{
		Name: "HRIS", URL: rc.URL + "/hook", EventTypes: []string{"user.*"},
		Headers: map[string]client.HeaderValue{"Authorization": client.Plain(bearer), "X-Tenant": client.Plain("acme")},
	})

	run(t, ctx, "sign in",
		chromedp.Navigate(s.base+"/t/acme/webhooks/"+w.ID), visible("#password"),
		typeInto("#password", consolePassword),
		chromedp.Submit(chromedp.CSS("#password")),
		visible("#secret-header-rows"))
	if src := get(t, ctx, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(src, "tok-browser-123456") {
		t.Fatal("the edit page holds the Authorization value")
	}
	rows := get(t, ctx, "read the secret rows", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#secret-header-rows .param-row:not(.head)')].map(r => r.querySelector('[name=secret_header_name]').value + "=" + r.querySelector('[name=secret_header_value]').value)`))
	if strings.Join(rows, ",") != "Authorization=,=" {
		t.Fatalf("secret rows read %q, want the stored header with an empty value and an empty row", rows)
	}
	if headers := get(t, ctx, "read the headers", chromedp.Value(chromedp.CSS("#headers"))); strings.TrimSpace(headers) != "X-Tenant: acme" {
		t.Fatalf("the plain headers read %q", headers)
	}

	run(t, ctx, "add a secret header and save",
		typeInto(`#secret-header-rows .param-row:last-of-type [name=secret_header_name]`, "X-Extra"),
		typeInto(`#secret-header-rows .param-row:last-of-type [name=secret_header_value]`, extra),
		click(`.form-foot button[value="save"]`),
		visible(".flash, .alert.ok"))
	var got struct {
		Headers map[string]json.RawMessage `json:"headers"`
	}
	s.mustCall(200, "GET", "/api/v1/tenants/acme/webhooks/"+w.ID, nil, &got)
	if string(got.Headers["Authorization"]) != `{"secret":true,"set":true}` || string(got.Headers["X-Extra"]) != `{"secret":true,"set":true}` || string(got.Headers["X-Tenant"]) != `"acme"` {
		t.Fatalf("after saving in the browser the headers are %s", got.Headers)
	}

	s.mustCall(202, "POST", "/api/v1/tenants/acme/events", map[string]any{"type": "user.created", "data": map[string]any{"id": "u1", "email": "ana@acme.com"}}, nil)
	eventually(t, 10*time.Second, "the delivery", func() bool { return rc.count() == 1 })
	req := lastRequest(t, rc)
	if req.Header.Get("Authorization") != bearer || req.Header.Get("X-Extra") != extra {
		t.Fatalf("the receiver got Authorization %q, X-Extra %q", req.Header.Get("Authorization"), req.Header.Get("X-Extra"))
	}
	l := s.deliveries("acme", client.DeliveryParams{})
	eventually(t, 10*time.Second, "the attempt recorded", func() bool { return len(s.delivery("acme", l.Data[0].ID).Attempts) == 1 })
	run(t, ctx, "open the delivery", chromedp.Navigate(s.base+"/t/acme/deliveries/"+l.Data[0].ID), visible(".kv"))
	page := get(t, ctx, "read the delivery page", chromedp.Evaluate[string](`document.body.innerText`))
	if strings.Contains(page, "tok-browser-123456") || strings.Contains(page, extra) || !strings.Contains(page, "Bearer [redacted]") {
		t.Fatalf("the delivery page does not mask the secret headers:\n%s", page)
	}
}
