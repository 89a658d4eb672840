package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
)

// TestConsoleQualityInBrowser checks, in a real Chromium, what the console
// promises every viewer: every form field and button has a name a screen
// reader can say, the pages work from the keyboard (skip link, the enable
// switch and its confirmation), and times show in the viewer's time zone
// with UTC in the tooltip.
func TestConsoleQualityInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	// A zone with a half-hour offset and no daylight saving: its times
	// never coincide with UTC's, whatever the date.
	const zone = "Asia/Kolkata"
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Skipf("no time zone data for %s: %v", zone, err)
	}
	run(t, ctx, "set the viewer's time zone", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))
	s := startServer(t, func(c *config.Config) {
		c.AdminPassword = consolePassword
		c.SecureCookies = false
	})
	s.createTenant("acme")
	rc := newReceiver(t, func(int, *http.Request) int { return 200 })
	wh := s.createWebhook("acme", client.WebhookRequest{Name: "HRIS sync", URL: rc.URL, EventTypes: []string{"user.created"}, RetrySchedule: []float64{3600}})
	s.publish("acme", client.PublishRequest{Type: "user.created", Data: map[string]any{"id": "u_1", "email": "ana@acme.com"}})
	eventually(t, 10*time.Second, "the delivery to succeed", func() bool {
		return s.deliveries("acme", client.DeliveryParams{IncludeCounts: true}).Counts["succeeded"] == 1
	})
	dlv := s.deliveries("acme", client.DeliveryParams{}).Data[0]

	// Sign in with the keyboard alone: the password field has the focus.
	run(t, ctx, "sign in with the keyboard",
		chromedp.Navigate(s.base+"/login"), visible("#password"),
		chromedp.KeyEvent(consolePassword), chromedp.KeyEvent("\r"),
		visible(".sidebar"))

	// Every control of every page has an accessible name.
	for _, path := range []string{
		"/tenants", "/tenants/acme/api-keys",
		"/t/acme/", "/t/acme/webhooks", "/t/acme/webhooks/new", "/t/acme/webhooks/" + wh.ID,
		"/t/acme/deliveries", "/t/acme/deliveries?range=custom", "/t/acme/deliveries/" + dlv.ID, "/t/acme/blocked-keys",
		"/t/acme/event-types", "/t/acme/event-types/user.created",
	} {
		run(t, ctx, "open "+path, chromedp.Navigate(s.base+path), visible("h1"))
		unnamed := get(t, ctx, "find unnamed controls on "+path, chromedp.Evaluate[[]string](unnamedControls))
		if len(unnamed) > 0 {
			t.Errorf("%s has controls without an accessible name:\n%s", path, strings.Join(unnamed, "\n"))
		}
	}

	// Times: in the viewer's zone, UTC in the tooltip.
	run(t, ctx, "open the audit", chromedp.Navigate(s.base+"/t/acme/deliveries"), visible("#audit time"))
	tm := get(t, ctx, "read a time", chromedp.Evaluate[map[string]string](
		`(el => ({datetime: el.getAttribute("datetime"), text: el.textContent, title: el.title}))(document.querySelector("#audit time"))`))
	at, err := time.Parse(time.RFC3339Nano, tm["datetime"])
	if err != nil {
		t.Fatalf("time element datetime %q: %v", tm["datetime"], err)
	}
	if want := at.In(loc).Format("03:04"); !strings.Contains(tm["text"], want) || strings.Contains(tm["text"], at.UTC().Format("03:04")) {
		t.Errorf("time shows %q, want the %s time %s (UTC is %s)", tm["text"], zone, want, at.UTC().Format("15:04"))
	}
	if want := at.UTC().Format("2006-01-02 15:04:05 UTC"); tm["title"] != want {
		t.Errorf("time tooltip = %q, want %q", tm["title"], want)
	}

	// The keyboard: the first Tab reaches the skip link, which moves the
	// focus to the page's content.
	run(t, ctx, "open the webhooks", chromedp.Navigate(s.base+"/t/acme/webhooks"), visible("#webhooks"), chromedp.KeyEvent("\t"))
	if f := get(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.className`)); f != "skip" {
		t.Fatalf("first Tab focuses %q, want the skip link", f)
	}
	run(t, ctx, "follow the skip link", chromedp.KeyEvent("\r"))
	eventually(t, stepTimeout, "the focus to reach the content", func() bool {
		return get(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.id`)) == "main"
	})
	// The enable switch works from the keyboard, and so does its
	// confirmation.
	run(t, ctx, "press the switch with the space bar",
		chromedp.Focus(chromedp.CSS(`button[role="switch"]`)), chromedp.KeyEvent(" "),
		visible("#cancel-warning"),
		chromedp.Focus(chromedp.CSS("#confirm-disable")), chromedp.KeyEvent("\r"),
		visible(".flash"))
	if got := text(t, ctx, `button[role="switch"]`); got != "Off" {
		t.Fatalf("after confirming with the keyboard the switch says %q, want Off", got)
	}
}

// unnamedControls lists the page's fields, selects, buttons and links
// that have no accessible name (label, aria-label, aria-labelledby, text
// or title).
const unnamedControls = `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')]
  .filter(el => el.getAttribute('aria-hidden') !== 'true')
  .filter(el => {
    const byIds = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
    const labels = el.labels ? [...el.labels].map(l => l.textContent).join(' ') : '';
    const own = ['BUTTON', 'A'].includes(el.tagName.toUpperCase()) ? el.textContent : '';
    return !(labels + byIds + own + (el.getAttribute('aria-label') || '') + (el.title || '')).trim();
  })
  .map(el => el.outerHTML.slice(0, 160))`
