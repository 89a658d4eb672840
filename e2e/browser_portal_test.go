package e2e

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
)

// TestPortalEmbeddedInBrowser embeds the tenant portal the way an LMS
// does, in an <iframe> of its own admin page, in a real Chromium: the
// configured LMS origin may frame it, another origin may not; inside the
// frame the portal shows its tenant, not another one, and signing out
// leaves a page the frame can show. A tenant page loaded in the frame
// without a session says what to do instead of showing the sign-in form,
// which must never be framed.
func TestPortalEmbeddedInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	// Two LMS admin pages, each framing the URL in its ?src=. Both are on
	// 127.0.0.1, like lmshooks, so the same site: the portal cookie is sent
	// in the frame even though plain-HTTP tests cannot use SameSite=None.
	lms := newFramingPage(t)
	stranger := newFramingPage(t)
	s := startServer(t, func(c *config.Config) {
		c.AdminPassword = consolePassword
		c.SecureCookies = false
		c.PortalOrigins = []string{lms.URL}
	})
	s.createTenant("acme")
	s.createTenant("globex")
	link := func() string {
		l, err := s.api.CreatePortalLink(t.Context(), "acme", client.PortalLinkRequest{TTLSeconds: 600})
		s.must(err)
		return l.URL
	}

	// No session yet: the frame says the session has ended, without a
	// sign-in form (an LMS's tenant admins have no password).
	frameText := openFramed(t, ctx, lms.URL, s.base+"/t/acme/", s.base+"/t/acme/")
	if !strings.Contains(frameText, "Session ended") || strings.Contains(frameText, "Operator password") {
		t.Fatalf("tenant page framed without a session shows %q, want the session-ended page", frameText)
	}
	// A portal link that does not verify says so in the frame.
	good := link()
	bad := good[:len(good)-4] + "AAAA"
	if txt := openFramed(t, ctx, lms.URL, bad, bad); !strings.Contains(txt, "This link does not work") {
		t.Fatalf("bad portal link in a frame shows %q", txt)
	}

	// Another origin may not frame the portal: Chromium refuses the page.
	openBlocked(t, ctx, stranger.URL, link())

	// The LMS may: the frame shows acme's dashboard.
	frameText = openFramed(t, ctx, lms.URL, link(), s.base+"/t/acme/")
	if !strings.Contains(frameText, "Tenant acme") || !strings.Contains(frameText, "Dashboard") {
		t.Fatalf("framed portal shows %q, want acme's dashboard", frameText)
	}
	screenshot(t, ctx, "portal-embedded")
	// Inside the frame the session reaches acme only: another tenant and
	// the operator's pages are not found.
	for _, path := range []string{"/t/globex/", "/tenants"} {
		run(t, ctx, "point the frame at "+path, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector("iframe").src = %q`, s.base+path)))
		txt := waitFrame(t, ctx, s.base+path)
		if !strings.Contains(txt, "Not found") || strings.Contains(txt, "Tenant globex") {
			t.Fatalf("portal frame at %s shows %q, want Not found", path, txt)
		}
	}
	// Signing out in the frame leaves a page the frame shows.
	run(t, ctx, "back to the dashboard", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector("iframe").src = %q`, s.base+"/t/acme/")))
	waitFrame(t, ctx, s.base+"/t/acme/")
	frame := get(t, ctx, "find the frame", chromedp.Nodes(chromedp.CSS("iframe")))
	run(t, ctx, "sign out in the frame", chromedp.Click(chromedp.CSS(".sidebar-foot button"), chromedp.FromNode(frame[0])))
	if txt := waitFrame(t, ctx, s.base+"/logout"); !strings.Contains(txt, "Signed out") {
		t.Fatalf("after signing out the frame shows %q", txt)
	}
}

// newFramingPage serves an "LMS admin page" that frames the URL given in
// its src query parameter.
func newFramingPage(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>LMS admin</title>
<body style="margin:0;font:14px system-ui,sans-serif;background:#eef1f5">
<div style="background:#1e293b;color:#fff;padding:14px 24px;font-weight:600">Acme Learning · Admin</div>
<div style="padding:18px 24px"><h1 style="font-size:18px;margin:0 0 12px">Integrations › Webhooks</h1>
<iframe src="%s" title="Webhooks" style="width:100%%;height:720px;border:1px solid #cbd5e1;border-radius:8px;background:#fff"></iframe></div>`,
			html.EscapeString(r.URL.Query().Get("src")))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// openFramed opens the LMS page framing src and returns the frame's text
// once the frame has loaded want (after any redirects).
func openFramed(t *testing.T, ctx context.Context, lms, src, want string) string {
	t.Helper()
	run(t, ctx, "open the LMS page framing "+src, chromedp.Navigate(lms+"/?src="+url.QueryEscape(src)), visible("h1"))
	return waitFrame(t, ctx, want)
}

// openBlocked opens the LMS page framing src and waits until Chromium has
// refused to show it in the frame.
func openBlocked(t *testing.T, ctx context.Context, lms, src string) {
	t.Helper()
	run(t, ctx, "open the LMS page framing "+src, chromedp.Navigate(lms+"/?src="+url.QueryEscape(src)), visible("h1"))
	var last *cdp.Frame
	eventually(t, stepTimeout, "the frame to be refused", func() bool {
		last = childFrame(t, ctx)
		return last != nil && last.UnreachableURL != ""
	})
	if !strings.HasPrefix(last.URL, "chrome-error:") {
		t.Fatalf("refused frame is at %q", last.URL)
	}
}

// waitFrame waits until the page's frame has loaded want and returns the
// text of its body.
func waitFrame(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	eventually(t, stepTimeout, "the frame to load "+want, func() bool {
		f := childFrame(t, ctx)
		return f != nil && f.URL == want && f.UnreachableURL == ""
	})
	var txt string
	eventually(t, stepTimeout, "the frame's text", func() bool {
		frame := get(t, ctx, "find the frame", chromedp.Nodes(chromedp.CSS("iframe")))
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("h1"), chromedp.FromNode(frame[0])))
		if err != nil || strings.TrimSpace(v) == "" {
			return false
		}
		body, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("body"), chromedp.FromNode(frame[0])))
		txt = body
		return err == nil
	})
	return txt
}

// childFrame returns the page's first frame, or nil.
func childFrame(t *testing.T, ctx context.Context) *cdp.Frame {
	t.Helper()
	tree := get(t, ctx, "read the frame tree", func(ctx context.Context, tg *chromedp.Target) (page.GetFrameTreeResult, error) {
		return cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
	})
	if tree.FrameTree == nil || len(tree.FrameTree.ChildFrames) == 0 {
		return nil
	}
	return tree.FrameTree.ChildFrames[0].Frame
}
