package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
	"github.com/lmshooks/lmshooks/internal/testsupport/syncbuf"
)

// consoleNode is an App's handler behind a real HTTP server, with a
// browser-like client (cookie jar, redirects not followed).
type consoleNode struct {
	t      *testing.T
	app    *App
	srv    *httptest.Server
	client *http.Client
}

func serveConsole(t *testing.T, a *App) *consoleNode {
	t.Helper()
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &consoleNode{t: t, app: a, srv: srv, client: client}
}

// signIn posts password to /login and returns the status (303 when it is
// right) and the session cookies it set.
func (n *consoleNode) signIn(password string) (int, []*http.Cookie) {
	n.t.Helper()
	res, err := n.client.PostForm(n.srv.URL+"/login", url.Values{"password": {password}})
	if err != nil {
		n.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Cookies()
}

// get fetches path with only the given cookies and returns the status.
func (n *consoleNode) get(path string, cookies []*http.Cookie) int {
	n.t.Helper()
	req, err := http.NewRequest("GET", n.srv.URL+path, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	// No jar: the request carries exactly the cookies given.
	res, err := n.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		n.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// api calls the JSON API with the operator key and decodes the answer.
func (n *consoleNode) api(method, path, key, body string, out any) {
	n.t.Helper()
	req, err := http.NewRequest(method, n.srv.URL+path, strings.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := n.srv.Client().Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		n.t.Fatalf("%s %s = %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			n.t.Fatal(err)
		}
	}
}

func consoleConfig(t *testing.T, db string) config.Config {
	cfg := testConfig(t, db)
	cfg.SecureCookies = false // httptest serves plain HTTP
	return cfg
}

// mustNotLog fails the test if the log holds any of the secrets, raw or in
// the encodings a logger might use for bytes.
func mustNotLog(t *testing.T, logs string, secrets map[string][]byte) {
	t.Helper()
	for name, s := range secrets {
		for _, enc := range []string{string(s), hex.EncodeToString(s), base64.StdEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s)} {
			if strings.Contains(logs, enc) {
				t.Errorf("the log holds the %s", name)
			}
		}
	}
}

// TestGeneratedConsolePasswordKeptAcrossRestarts restarts a node on the
// same SQLite file: the password printed on first start still signs in,
// and sessions and portal links issued before the restart still work.
func TestGeneratedConsolePasswordKeptAcrossRestarts(t *testing.T) {
	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := consoleConfig(t, filepath.Join(t.TempDir(), "app.db"))
	ctx := context.Background()

	a, err := New(ctx, cfg, log, Options{})
	if err != nil {
		t.Fatal(err)
	}
	password := a.GeneratedPassword
	if password == "" || a.StoredPassword {
		t.Fatalf("first start: generated %q, stored %v; want a new password", password, a.StoredPassword)
	}
	n1 := serveConsole(t, a)
	code, session := n1.signIn(password)
	if code != http.StatusSeeOther {
		t.Fatalf("sign-in with the generated password = %d", code)
	}
	if code := n1.get("/tenants", session); code != http.StatusOK {
		t.Fatalf("signed-in page = %d", code)
	}
	n1.api("POST", "/api/v1/tenants", a.GeneratedKey, `{"id":"acme","name":"Acme"}`, nil)
	var link struct{ URL string }
	n1.api("POST", "/api/v1/tenants/acme/portal-links", a.GeneratedKey, `{}`, &link)
	u, err := url.Parse(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	n1.srv.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	b, err := New(ctx, cfg, log, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.GeneratedPassword != "" || !b.StoredPassword {
		t.Fatalf("restart: generated %q, stored %v; want the stored password", b.GeneratedPassword, b.StoredPassword)
	}
	n2 := serveConsole(t, b)
	if code := n2.get("/tenants", session); code != http.StatusOK {
		t.Fatalf("a session from before the restart = %d, want 200", code)
	}
	if code := n2.get(u.Path, nil); code != http.StatusSeeOther {
		t.Fatalf("a portal link from before the restart = %d, want 303", code)
	}
	if code, _ := n2.signIn("not the password at all"); code != http.StatusUnauthorized {
		t.Fatalf("sign-in with a wrong password = %d, want 401", code)
	}
	if code, _ := n2.signIn(password); code != http.StatusSeeOther {
		t.Fatalf("sign-in after the restart = %d, want 303", code)
	}

	cred, err := b.Store.GetConsoleCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cred.Verifier, []byte(password)) {
		t.Fatal("the stored verifier holds the password")
	}
	mustNotLog(t, logs.String(), map[string][]byte{
		"console password": []byte(password), "key seed": cred.KeySeed, "verifier": cred.Verifier,
	})
}

// TestConfiguredConsolePasswordWins starts a node with
// LMSHOOKS_ADMIN_PASSWORD on a database holding a generated password: the
// configured one is the only one accepted, the stored one's sessions are
// refused, and the stored one is left as it was.
func TestConfiguredConsolePasswordWins(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "app.db")
	a, err := New(ctx, consoleConfig(t, db), quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	generated := a.GeneratedPassword
	n1 := serveConsole(t, a)
	_, session := n1.signIn(generated)
	n1.srv.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	cfg := consoleConfig(t, db)
	cfg.AdminPassword = "correct horse battery staple"
	b, err := New(ctx, cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.GeneratedPassword != "" || b.StoredPassword {
		t.Fatalf("configured: generated %q, stored %v; want neither", b.GeneratedPassword, b.StoredPassword)
	}
	n2 := serveConsole(t, b)
	if code, _ := n2.signIn(generated); code != http.StatusUnauthorized {
		t.Fatalf("the stored password = %d, want 401 while one is configured", code)
	}
	if code := n2.get("/tenants", session); code != http.StatusSeeOther {
		t.Fatalf("a session of the stored password = %d, want a redirect to sign-in", code)
	}
	if code, _ := n2.signIn(cfg.AdminPassword); code != http.StatusSeeOther {
		t.Fatalf("the configured password = %d, want 303", code)
	}
	n2.srv.Close()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// Unset again, the stored password is back.
	c, err := New(ctx, consoleConfig(t, db), quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.StoredPassword {
		t.Fatal("the stored password was lost while one was configured")
	}
	if code, _ := serveConsole(t, c).signIn(generated); code != http.StatusSeeOther {
		t.Fatalf("the stored password after unsetting the configured one = %d, want 303", code)
	}
}

// TestDispatcherNodeStoresNoConsolePassword checks that a node serving no
// console neither generates nor stores a password.
func TestDispatcherNodeStoresNoConsolePassword(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "app.db"))
	cfg.Role = config.RoleDispatcher
	a, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.GeneratedPassword != "" || a.StoredPassword {
		t.Fatalf("dispatcher node: generated %q, stored %v", a.GeneratedPassword, a.StoredPassword)
	}
	if _, err := a.Store.GetConsoleCredential(context.Background()); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("GetConsoleCredential = %v, want ENOTFOUND", err)
	}
}

// TestNodesOnPostgresAgreeOnConsolePassword starts two nodes on one
// PostgreSQL schema at the same moment, neither with a configured
// password: exactly one generates the password, both accept it, and a
// session signed in on one is accepted by the other.
func TestNodesOnPostgresAgreeOnConsolePassword(t *testing.T) {
	dsn := pgtest.SchemaDSN(t, "app_")
	ctx := context.Background()
	nodeConfig := func(id, role string) config.Config {
		cfg := config.Default()
		cfg.DB = dsn
		cfg.EncryptionKeys = pgtest.Keys(t)
		cfg.NodeID = id
		cfg.Role = role
		cfg.SecureCookies = false
		return cfg
	}
	// A dispatcher first migrates the schema and makes the operator key,
	// so that only the console password is raced for below; it stores no
	// console password itself.
	d, err := New(ctx, nodeConfig("dispatcher", config.RoleDispatcher), quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	apps := make([]*App, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range apps {
		wg.Go(func() {
			<-start
			apps[i], errs[i] = New(ctx, nodeConfig(fmt.Sprintf("node%d", i+1), config.RoleAll), log, Options{})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
		defer apps[i].Close()
	}
	password := apps[0].GeneratedPassword + apps[1].GeneratedPassword
	if (apps[0].GeneratedPassword == "") == (apps[1].GeneratedPassword == "") || password == "" {
		t.Fatalf("generated passwords %q and %q: want exactly one", apps[0].GeneratedPassword, apps[1].GeneratedPassword)
	}
	if apps[0].StoredPassword == apps[1].StoredPassword {
		t.Fatalf("stored: %v and %v; want the node that did not generate to use the stored one", apps[0].StoredPassword, apps[1].StoredPassword)
	}

	n1, n2 := serveConsole(t, apps[0]), serveConsole(t, apps[1])
	code, session := n1.signIn(password)
	if code != http.StatusSeeOther {
		t.Fatalf("node 1 sign-in = %d", code)
	}
	if code, _ := n2.signIn(password); code != http.StatusSeeOther {
		t.Fatalf("node 2 sign-in = %d", code)
	}
	if code := n2.get("/tenants", session); code != http.StatusOK {
		t.Fatalf("node 2 with node 1's session = %d, want 200", code)
	}
	cred, err := apps[1].Store.GetConsoleCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustNotLog(t, logs.String(), map[string][]byte{"console password": []byte(password), "key seed": cred.KeySeed})
}
