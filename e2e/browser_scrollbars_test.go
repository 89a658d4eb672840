package e2e

import (
	"github.com/lmshooks/lmshooks/client"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lmshooks/lmshooks/internal/config"
)

// TestNoStrayScrollbarsInBrowser opens the console on a desktop-sized
// window with classic scrollbars, as Windows and many Linux desktops draw
// them (the other browser tests hide them): no box may overflow by a few
// pixels, which such a browser shows as a scrollbar across the page — the
// audit's state tabs once did by 1 px.
func TestNoStrayScrollbarsInBrowser(t *testing.T) {
	ctx := newBrowserWithScrollbars(t)
	s := startServer(t, func(c *config.Config) {
		c.AdminPassword = consolePassword
		c.SecureCookies = false
	})
	s.createTenant("acme")
	rc := newReceiver(t, func(int, *http.Request) int { return 200 })
	s.createWebhook("acme", client.WebhookRequest{Name: "HRIS sync", URL: rc.URL, EventTypes: []string{"user.created"}})
	s.publish("acme", client.PublishRequest{Type: "user.created", Data: map[string]any{"id": "u_1", "email": "ana@acme.com"}})
	eventually(t, 10*time.Second, "the delivery", func() bool { return rc.count() == 1 })

	run(t, ctx, "sign in",
		chromedp.Navigate(s.base+"/login"), visible("#password"),
		typeInto("#password", consolePassword), chromedp.Submit(chromedp.CSS("#password")),
		visible(".sidebar"))
	// The check means something only if scrollbars take room here.
	if w := get(t, ctx, "measure a scrollbar", chromedp.Evaluate[int](scrollbarWidth)); w <= 0 {
		t.Fatalf("this Chromium draws overlay scrollbars (width %d): the test cannot see stray ones", w)
	}
	for path, boxes := range map[string][]string{
		"/t/acme/deliveries":               {".tabs"},
		"/t/acme/deliveries?state=failed":  {".tabs"},
		"/t/acme/event-types/user.created": {".format-tabs"},
		"/t/acme/":                         nil,
		"/t/acme/webhooks":                 nil,
		"/t/acme/webhooks/new":             nil,
		"/tenants":                         nil,
		"/t/acme/event-types":              nil,
	} {
		run(t, ctx, "open "+path, chromedp.Navigate(s.base+path), visible("h1"))
		for _, sel := range boxes {
			m := get(t, ctx, "measure "+sel, chromedp.Evaluate[map[string]int](`(el => ({sh: el.scrollHeight, ch: el.clientHeight, sw: el.scrollWidth, cw: el.clientWidth}))(document.querySelector("`+sel+`"))`))
			if m["sh"] > m["ch"] || m["sw"] > m["cw"] {
				t.Errorf("%s: %s overflows: %d×%d of content in a %d×%d box", path, sel, m["sw"], m["sh"], m["cw"], m["ch"])
			}
		}
		if stray := get(t, ctx, "find stray overflow on "+path, chromedp.Evaluate[[]string](strayOverflow)); len(stray) > 0 {
			t.Errorf("%s has boxes that scroll by a few pixels (a stray scrollbar):\n%s", path, strings.Join(stray, "\n"))
		}
	}
}

// scrollbarWidth is how much room a classic scrollbar takes (0 for
// overlay scrollbars).
const scrollbarWidth = `(() => {
  const d = document.createElement("div");
  d.style.cssText = "position:absolute;top:-999px;width:100px;height:100px;overflow:scroll";
  document.body.appendChild(d);
  const w = d.offsetWidth - d.clientWidth;
  d.remove();
  return w;
})()`

// strayOverflow lists the scrollable boxes whose content overflows them by
// 1 to 4 pixels: never meant, and shown as a scrollbar by desktop
// browsers with classic scrollbars.
const strayOverflow = `[...document.querySelectorAll("*")].filter(el => {
  const cs = getComputedStyle(el);
  const scrolls = v => v === "auto" || v === "scroll";
  const dy = el.scrollHeight - el.clientHeight, dx = el.scrollWidth - el.clientWidth;
  return (scrolls(cs.overflowY) && dy > 0 && dy <= 4) || (scrolls(cs.overflowX) && dx > 0 && dx <= 4);
}).map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : "") +
  " scrolls by " + (el.scrollWidth - el.clientWidth) + "×" + (el.scrollHeight - el.clientHeight) + " px")`
