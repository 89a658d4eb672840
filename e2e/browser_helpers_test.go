package e2e

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// testIDs makes the ids of the records tests put in the store directly.
var testIDs = id.NewGenerator(nil)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a fresh headless Chromium for one test and returns a
// context that drives its first tab. Scrollbars are hidden, so that
// screenshots look alike everywhere. Without Chromium the test is skipped
// on a workstation (TestMain says so where go test shows it) and fails in
// CI (CI=true), where it must run.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return startBrowser(t, true)
}

// newBrowserWithScrollbars is newBrowser with the classic scrollbars of a
// desktop browser drawn, taking room, as on Windows and many Linux
// desktops: a box that overflows by a pixel shows one.
func newBrowserWithScrollbars(t *testing.T) context.Context {
	t.Helper()
	return startBrowser(t, false)
}

// skipWithoutChromium skips (or, in CI, fails) a browser test on a machine
// without Chromium, and counts it for TestMain's notice.
func skipWithoutChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need %s in CI: %v", chromiumPath, err)
		}
		skippedBrowserTests.Add(1)
		t.Skipf("browser test skipped: %s is not installed (apt-get install chromium)", chromiumPath)
	}
}

// skippedBrowserTests counts the browser tests skipped for want of
// Chromium.
var skippedBrowserTests atomic.Int32

// TestMain runs the tests, then says how many browser tests were skipped
// for want of Chromium. go test ./... shows nothing of a passing package
// but its "ok" line (t.Skip's reason included), so without -v the notice
// goes to the terminal, when there is one, rather than unseen to stderr.
func TestMain(m *testing.M) {
	code := m.Run()
	if n := skippedBrowserTests.Load(); n > 0 {
		notice := fmt.Sprintf("e2e: %d browser test(s) SKIPPED: %s is not installed (apt-get install chromium); the console was not tested in a browser\n", n, chromiumPath)
		var out io.Writer = os.Stderr
		if !testing.Verbose() {
			if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
				fmt.Fprint(tty, notice)
				tty.Close()
				out = nil
			}
		}
		if out != nil {
			fmt.Fprint(out, notice)
		}
	}
	os.Exit(code)
}

func startBrowser(t *testing.T, hideScrollbars bool) context.Context {
	t.Helper()
	skipWithoutChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", hideScrollbars),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser; it lives as long as ctx, so ctx
	// has no deadline: each step gets its own (see run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// stepTimeout bounds one group of browser steps.
const stepTimeout = 20 * time.Second

// run runs browser steps, failing the test with what was being done.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", what, loc, err)
	}
}

// get runs one browser action that returns a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the visible text of the first element matching a CSS
// selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(get(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// screenshot saves the page as docs/screenshots/<name>.png when
// LMSHOOKS_UPDATE_SCREENSHOTS=1; the PNGs are committed for the README.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("LMSHOOKS_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	// Resize the viewport to the whole page first, so that what sticks to
	// the viewport (the sidebar, a form's buttons) is drawn where a reader
	// expects it; then restore it.
	size := get(t, ctx, "measure the page", chromedp.Evaluate[[]int64](`[window.innerWidth, window.innerHeight, document.documentElement.scrollHeight]`))
	run(t, ctx, "fit the viewport", chromedp.EmulateViewport(size[0], max(size[1], size[2])))
	png := get(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	run(t, ctx, "restore the viewport", chromedp.EmulateViewport(size[0], size[1]))
	writeScreenshot(t, name, png)
}

// screenshotAt saves what the window shows with the element a CSS selector
// matches at its top ("" for the top of the page), for pages too long to
// read as one picture; like screenshot, only when
// LMSHOOKS_UPDATE_SCREENSHOTS=1.
func screenshotAt(t *testing.T, ctx context.Context, name, sel string) {
	t.Helper()
	if os.Getenv("LMSHOOKS_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	js := `window.scrollTo(0, 0)`
	if sel != "" {
		js = fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "start"}); window.scrollBy(0, -16)`, sel)
	}
	run(t, ctx, "scroll to "+sel, chromedp.Evaluate[chromedp.Void](js))
	png := get(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	run(t, ctx, "scroll back", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	writeScreenshot(t, name, png)
}

// writeScreenshot writes docs/screenshots/<name>.png.
func writeScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// visible waits until a CSS selector matches a visible element.
func visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// click clicks the element a CSS selector matches, once it is visible,
// scrolled to the middle of the window first: at the bottom it may sit
// under the webhook form's sticky buttons, which would take the click.
func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"})`, sel)),
		chromedp.Click(chromedp.CSS(sel)))
}

// typeInto types text into the field a CSS selector matches.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}

// seedHistory stores a day of the tenant's events, hour by hour, each
// delivered to "HRIS sync" and one in four to "CRM export", as if the LMS
// had published them then (the store stamps deliveries with the time given
// to Publish); the dispatcher sends them at once. It returns when none is
// left scheduled.
func seedHistory(t *testing.T, s *server, tenant string) {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	example, _ := cat.Lookup("user.created")
	now := time.Now().UTC()
	for h := 23; h >= 1; h-- {
		at := now.Add(-time.Duration(h) * time.Hour)
		// A daily rhythm: busy in the working hours of the day.
		n := 6 + int(5*math.Sin(float64(h)/24*2*math.Pi))
		evs := make([]domain.Event, n)
		crm := map[string]bool{}
		for i := range evs {
			evs[i] = domain.Event{ID: testIDs.NewAt(id.Event, at), TenantID: tenant, Type: "user.created", OccurredAt: at, ReceivedAt: at, Data: example.Example}
			crm[evs[i].ID] = i%4 == 0
		}
		_, err := storetest.Seed{TenantID: tenant, Events: evs, Now: at,
			Match: func(w *domain.Webhook, e *domain.Event) bool {
				return w.Name == "HRIS sync" || w.Name == "CRM export" && crm[e.ID]
			}}.Publish(context.Background(), s.app.Store)
		if err != nil {
			t.Fatalf("seed history: %v", err)
		}
	}
	eventually(t, 30*time.Second, "the history to be delivered", func() bool {
		return s.counts(tenant)["scheduled"] == 0
	})
}
