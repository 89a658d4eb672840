package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
)

// printedPassword finds the password printed on its own indented line.
var printedPassword = regexp.MustCompile(`(?m)^    ([A-Za-z0-9_-]{20,})$`)

// cancelingWriter collects output and cancels a context once the output
// holds until: serve has said what it had to, and may stop.
type cancelingWriter struct {
	mu     sync.Mutex
	b      bytes.Buffer
	until  string
	cancel context.CancelFunc
}

func (w *cancelingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	if strings.Contains(w.b.String(), w.until) {
		w.cancel()
	}
	return n, err
}

func (w *cancelingWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// serveOnce runs serve on db until it has printed the console line, and
// returns what it printed on stdout and stderr.
func serveOnce(t *testing.T, db string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelingWriter{until: "Console:", cancel: cancel}
	var errOut bytes.Buffer
	env := func(string) string { return "" }
	if err := serve(ctx, []string{"--db", "sqlite:" + db, "--addr", "127.0.0.1:0", "--log-level", "debug"}, env, out, &errOut); err != nil {
		t.Fatalf("serve: %v\n%s", err, errOut.String())
	}
	return out.String(), errOut.String()
}

// consoleSignIn builds a node on db and reports which of the passwords
// sign in on its console over HTTP, and whether it accepts cookies.
func consoleSignIn(t *testing.T, db string, cookies []*http.Cookie, passwords ...string) (signedIn []bool, sessionOK bool, newCookies []*http.Cookie) {
	t.Helper()
	cfg := config.Default()
	cfg.DB = "sqlite:" + db
	cfg.NodeID = "test"
	cfg.SecureCookies = false
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range passwords {
		res, err := noRedirects.PostForm(srv.URL+"/login", url.Values{"password": {p}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		ok := res.StatusCode == http.StatusSeeOther
		signedIn = append(signedIn, ok)
		if ok && newCookies == nil {
			newCookies = res.Cookies()
		}
	}
	if cookies != nil {
		req, _ := http.NewRequest("GET", srv.URL+"/tenants", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		sessionOK = res.StatusCode == http.StatusOK
	}
	return signedIn, sessionOK, newCookies
}

// TestServePrintsGeneratedPasswordOnce starts serve twice on one SQLite
// file: the first start prints the password, the second says it was
// generated earlier and how to reset it, without printing it again. The
// log never holds it.
func TestServePrintsGeneratedPasswordOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "lmshooks.db")
	out, logs := serveOnce(t, db)
	m := printedPassword.FindAllStringSubmatch(out, -1)
	if len(m) != 2 { // the operator key, then the console password
		t.Fatalf("first start printed %d secrets, want the key and the password:\n%s", len(m), out)
	}
	password := m[1][1]
	if strings.Contains(logs, password) {
		t.Fatal("the log holds the console password")
	}

	out, logs = serveOnce(t, db)
	if strings.Contains(out, password) || strings.Contains(logs, password) {
		t.Fatalf("the second start printed the password again:\n%s", out)
	}
	for _, want := range []string{"generated and printed on first start", "lmshooks reset-console-password"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the second start does not say %q:\n%s", want, out)
		}
	}
	if ok, _, _ := consoleSignIn(t, db, nil, password); !ok[0] {
		t.Fatal("the printed password does not sign in after restarts")
	}
}

// TestResetConsolePassword resets a lost generated password: the old one
// and its sessions stop working, the printed new one signs in, and neither
// reaches the log.
func TestResetConsolePassword(t *testing.T) {
	db := filepath.Join(t.TempDir(), "lmshooks.db")
	out, _ := serveOnce(t, db)
	m := printedPassword.FindAllStringSubmatch(out, -1)
	if len(m) != 2 {
		t.Fatalf("first start printed:\n%s", out)
	}
	old := m[1][1]
	ok, _, session := consoleSignIn(t, db, nil, old)
	if !ok[0] || session == nil {
		t.Fatal("the generated password does not sign in")
	}

	var stdout, stderr bytes.Buffer
	env := func(string) string { return "" }
	if code := Main([]string{"reset-console-password", "--db", "sqlite:" + db, "--log-level", "debug"}, env, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("reset-console-password exited %d: %s", code, stderr.String())
	}
	m = printedPassword.FindAllStringSubmatch(stdout.String(), -1)
	if len(m) != 1 {
		t.Fatalf("reset-console-password printed:\n%s", stdout.String())
	}
	fresh := m[0][1]
	if fresh == old {
		t.Fatal("the reset kept the password")
	}
	for _, want := range []string{"Restart every lmshooks node", "portal links"} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("reset-console-password does not say %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stderr.String(), fresh) {
		t.Fatal("the log holds the new password")
	}

	ok, sessionOK, _ := consoleSignIn(t, db, session, old, fresh)
	if ok[0] {
		t.Fatal("the old password still signs in after the reset")
	}
	if !ok[1] {
		t.Fatal("the new password does not sign in")
	}
	if sessionOK {
		t.Fatal("a session of the old password is still accepted after the reset")
	}

	// With LMSHOOKS_ADMIN_PASSWORD set, the reset still works and says
	// that nodes using that variable ignore it.
	stderr.Reset()
	withPassword := func(k string) string {
		if k == "LMSHOOKS_ADMIN_PASSWORD" {
			return "correct horse battery staple"
		}
		return ""
	}
	if code := Main([]string{"reset-console-password", "--db", "sqlite:" + db}, withPassword, strings.NewReader(""), io.Discard, &stderr); code != 0 {
		t.Fatalf("reset-console-password exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "LMSHOOKS_ADMIN_PASSWORD is set") {
		t.Fatalf("no note about LMSHOOKS_ADMIN_PASSWORD: %s", stderr.String())
	}
}
